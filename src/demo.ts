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
import { Config, ConfigProvider, Effect } from "effect"
import { mkdirSync } from "node:fs"
import { dirname, join, resolve } from "node:path"
import { ServerConfig } from "./config.js"
import { prepareDemoDatabase, DEMO_SETTINGS, DEMO_TIMINGS, queueDemoSamples } from "./dev/demo-seed.js"
import { makeSimulator, type SlskdSimulatorHandle } from "./dev/slskd-simulator/index.js"
import { launch, runService } from "./launch.js"

/**
 * The demo's configuration: the simulator's address always (the demo never talks to a real
 * slskd), then the machine's environment (SOULSPOT_PORT, SOULSPOT_DB, a user's own timings),
 * then the demo's defaults.
 */
export const demoConfigProvider = (sim: SlskdSimulatorHandle, env: ConfigProvider.ConfigProvider = ConfigProvider.fromEnv(), folders?: DemoFolders) =>
  ConfigProvider.fromMap(new Map([
    ["SOULSPOT_SLSKD_URL", sim.url], ["SOULSPOT_SLSKD_API_KEY", sim.apiKey ?? ""],
    // the simulator's downloads folder is the demo's own: always this one
    ...(folders ? [["SOULSPOT_SLSKD_DOWNLOADS_DIR", folders.slskdDownloads]] as const : [])
  ])).pipe(
    ConfigProvider.orElse(() => env),
    ConfigProvider.orElse(() => ConfigProvider.fromMap(new Map(Object.entries({
      SOULSPOT_DB: DEMO_DB, ...DEMO_SETTINGS, ...(folders ? { SOULSPOT_LIBRARY_DIR: folders.library } : {})
    })))))

const DEMO_DB = "./data/demo.db"

/** Beside the demo database: slskd's simulated downloads folder and the library the demo imports into (./data/demo-library). */
export interface DemoFolders {
  readonly slskdDownloads: string
  readonly library: string
}

const demoFolders = Effect.gen(function*() {
  const db = yield* Config.string("SOULSPOT_DB").pipe(Config.withDefault(DEMO_DB))
  const base = db === ":memory:" ? resolve("data") : dirname(resolve(db))
  const folders = { slskdDownloads: join(base, "demo-slskd-downloads"), library: join(base, "demo-library") }
  mkdirSync(folders.slskdDownloads, { recursive: true })
  return folders
})

const announce = Effect.gen(function*() {
  const server = yield* HttpServer.HttpServer
  const port = server.address._tag === "TcpAddress" ? server.address.port : 0
  yield* Effect.logInfo(`SoulSpot demo: open http://localhost:${port}/download-manager`)
})

const demo = Effect.scoped(Effect.gen(function*() {
  const folders = yield* demoFolders
  const sim = yield* makeSimulator({ timings: DEMO_TIMINGS, downloadsDir: folders.slskdDownloads })
  yield* Effect.logInfo(`demo: slskd simulator on ${sim.url}; finished files are imported into ${folders.library}`)
  return yield* Effect.gen(function*() {
    const { db } = yield* ServerConfig
    const { fresh } = yield* prepareDemoDatabase(db)
    if (!fresh) yield* Effect.logInfo(`demo: ${db} already has downloads; queueing nothing new`)
    return yield* launch({ onReady: Effect.zipRight(fresh ? queueDemoSamples(sim.control) : Effect.void, announce) })
  }).pipe(Effect.withConfigProvider(demoConfigProvider(sim, ConfigProvider.fromEnv(), folders)))
}))

runService(demo)
