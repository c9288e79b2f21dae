// The audio worker's entry when SoulSpot runs from its TypeScript sources (tsx, vitest): a worker
// thread does not inherit tsx's loader, so it registers it here, then loads the real entry.
import { register } from "tsx/esm/api"

register()
await import("./audio-worker.ts")
