/**
 * npm run demo: the real service (same layers as `npm start`, workers on) wired to the slskd
 * simulator started in this process on a free port, in real time. Uses its own database
 * (./data/demo.db unless SOULSPOT_DB says otherwise) and, when that database is fresh, queues
 * a few sample tracks and an album so a visitor sees searching, queueing, progress, a retry
 * and a failure within a minute or two. SOULSPOT_PORT (default 8765) is honoured.
 *
 * The simulator's address and the quick demo timings reach the service as environment values
 * for this run only; nothing is written into the settings table.
 */
import { HttpServer } from "@effect/platform"
import { ConfigProvider, Effect } from "effect"
import { ServerConfig } from "./config.js"
import { prepareDemoDatabase, DEMO_SETTINGS, DEMO_TIMINGS, queueDemoSamples } from "./dev/demo-seed.js"
import { makeSimulator, type SlskdSimulatorHandle } from "./dev/slskd-simulator/index.js"
import { launch, runService } from "./launch.js"

/**
 * The demo's configuration: the simulator's address always (the demo never talks to a real
 * slskd), then the machine's environment (SOULSPOT_PORT, SOULSPOT_DB, a user's own timings),
 * then the demo's defaults.
 */
export const demoConfigProvider = (sim: SlskdSimulatorHandle, env: ConfigProvider.ConfigProvider = ConfigProvider.fromEnv()) =>
  ConfigProvider.fromMap(new Map([["SOULSPOT_SLSKD_URL", sim.url], ["SOULSPOT_SLSKD_API_KEY", sim.apiKey ?? ""]])).pipe(
    ConfigProvider.orElse(() => env),
    ConfigProvider.orElse(() => ConfigProvider.fromMap(new Map(Object.entries({ SOULSPOT_DB: "./data/demo.db", ...DEMO_SETTINGS })))))

const announce = Effect.gen(function*() {
  const server = yield* HttpServer.HttpServer
  const port = server.address._tag === "TcpAddress" ? server.address.port : 0
  yield* Effect.logInfo(`SoulSpot demo: open http://localhost:${port}/download-manager`)
})

const demo = Effect.scoped(Effect.gen(function*() {
  const sim = yield* makeSimulator({ timings: DEMO_TIMINGS })
  yield* Effect.logInfo(`demo: slskd simulator on ${sim.url}`)
  return yield* Effect.gen(function*() {
    const { db } = yield* ServerConfig
    const { fresh } = yield* prepareDemoDatabase(db)
    if (!fresh) yield* Effect.logInfo(`demo: ${db} already has downloads; queueing nothing new`)
    return yield* launch({ onReady: Effect.zipRight(fresh ? queueDemoSamples(sim.control) : Effect.void, announce) })
  }).pipe(Effect.withConfigProvider(demoConfigProvider(sim)))
}))

runService(demo)
