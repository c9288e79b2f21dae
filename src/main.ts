import { launch, runService } from "./launch.js"

// npm start: the service, configured from the environment (src/config.ts).
runService(launch())
