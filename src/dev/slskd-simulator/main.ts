/**
 * Runs the slskd simulator on its own, in real time:
 *   npx tsx src/dev/slskd-simulator/main.ts [--port 5030] [--host 127.0.0.1] [--api-key KEY | --no-auth]
 */
import { NodeRuntime } from "@effect/platform-node"
import { Effect, Layer } from "effect"
import { DEFAULT_SIMULATOR_API_KEY, makeSimulator } from "./index.js"

const arg = (name: string): string | undefined => {
  const i = process.argv.indexOf(name)
  return i >= 0 ? process.argv[i + 1] : undefined
}

const port = Number(arg("--port") ?? "5030")
const host = arg("--host") ?? "127.0.0.1"
const apiKey = process.argv.includes("--no-auth") ? null : arg("--api-key") ?? DEFAULT_SIMULATOR_API_KEY

const main = Layer.scopedDiscard(Effect.gen(function*() {
  const sim = yield* makeSimulator({ port, host, apiKey })
  yield* Effect.logInfo(`slskd simulator listening on ${sim.url} (API under ${sim.url}/api/v0)`).pipe(
    Effect.annotateLogs({ apiKey: sim.apiKey ?? "none (no auth)" }))
}))

NodeRuntime.runMain(Layer.launch(main))
