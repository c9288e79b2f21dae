import { NodeHttpServer, NodeRuntime } from "@effect/platform-node"
import { Effect, Layer, Logger, LogLevel, Option } from "effect"
import { createServer } from "node:http"
import { AppLayer } from "./App.js"
import { ServerConfig } from "./config.js"
import { Settings } from "./domain/ports/Settings.js"

const logSettings = Effect.gen(function*() {
  const settings = yield* Settings
  for (const s of yield* settings.describe) {
    yield* Effect.logInfo(`setting ${s.key} = ${s.value ?? "(not set)"} [${s.source}]`)
  }
})

const program = Effect.gen(function*() {
  const config = yield* ServerConfig
  if (Option.isNone(config.apiKey)) {
    yield* Effect.logWarning("SOULSPOT_API_KEY is not set: the API is open to anyone who can reach this port")
  }
  const app = AppLayer({ db: config.db }).pipe(
    Layer.tap((ctx) => Effect.provide(logSettings, ctx)),
    Layer.provide(NodeHttpServer.layer(createServer, { port: config.port, host: config.host }))
  )
  return yield* Layer.launch(app)
})

// One line per event: logfmt by default, JSON lines with SOULSPOT_LOG_FORMAT=json.
const logger = Layer.unwrapEffect(Effect.map(ServerConfig, (c) => c.logFormat === "json" ? Logger.json : Logger.logFmt))

program.pipe(
  Effect.provide(logger),
  Logger.withMinimumLogLevel(LogLevel.Info),
  Effect.catchAllDefect((defect) => Effect.logFatal(defect instanceof Error ? defect.message : String(defect)).pipe(Effect.zipRight(Effect.die(defect)))),
  NodeRuntime.runMain({ disablePrettyLogger: true })
)

