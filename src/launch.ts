/**
 * Starting the service, shared by `npm start` (src/main.ts) and `npm run demo` (src/demo.ts):
 * the application layer on a Node HTTP server, settings logged, one log line per event.
 */
import type { HttpServer } from "@effect/platform"
import { NodeHttpServer, NodeRuntime } from "@effect/platform-node"
import { Effect, Layer, Logger, LogLevel, Option } from "effect"
import { Server } from "node:http"
import { AppLayer } from "./App.js"
import { normaliseMalformedUrl } from "./api/error-shape.js"
import { type EarlyAnswer, NodeRequestHook } from "./api/polled-fast-path.js"
import { ServerConfig } from "./config.js"
import { Settings } from "./domain/ports/Settings.js"

/** What the running service offers to `onReady`: every application service and the HTTP server. */
export type AppContext = Layer.Layer.Success<ReturnType<typeof AppLayer>> | HttpServer.HttpServer

export interface LaunchOptions<E, R extends AppContext> {
  /** Runs once, when the server listens and the workers run (e.g. the demo queues its samples). */
  readonly onReady?: Effect.Effect<void, E, R>
}

const logSettings = Effect.gen(function*() {
  const settings = yield* Settings
  for (const s of yield* settings.describe) {
    yield* Effect.logInfo(`setting ${s.key} = ${s.value ?? "(not set)"} [${s.source}]`)
  }
})

/** A Node server whose request event first offers each request to an early answer, if one is set. */
class HookedServer extends Server {
  early: EarlyAnswer | undefined = undefined
  override emit(event: string, ...args: Array<any>): boolean {
    return event === "request" && this.early !== undefined && this.early(args[0], args[1]) ? true : super.emit(event, ...args)
  }
}

/**
 * The HTTP server on a Node server we keep a handle on: at shutdown every open connection is
 * closed first (SSE streams never end by themselves, and the server would wait for them).
 * A request cut off this way was not acknowledged, and its transaction rolls back. The
 * server's NodeRequestHook lets the polled reads be answered before a fiber is forked
 * (src/api/polled-fast-path.ts).
 */
export const httpServerLayer = (options: { readonly port: number; readonly host: string }) => {
  const node = new HookedServer()
  node.prependListener("request", normaliseMalformedUrl)
  const closeConnections = Layer.scopedDiscard(Effect.addFinalizer(() =>
    Effect.logInfo("stopping: closing open connections, then workers and the database").pipe(
      Effect.zipRight(Effect.sync(() => node.closeAllConnections())))))
  const hook = Layer.succeed(NodeRequestHook, {
    install: (answer) => Effect.acquireRelease(Effect.sync(() => { node.early = answer }), () => Effect.sync(() => { node.early = undefined }))
  })
  return Layer.mergeAll(Layer.provideMerge(closeConnections, NodeHttpServer.layer(() => node, options)), hook)
}

/** 127.0.0.0/8, ::1 and localhost reach only this machine. */
export const isLoopback = (host: string): boolean =>
  /^127\.\d+\.\d+\.\d+$/.test(host) || host === "::1" || host.toLowerCase() === "localhost"

export const openToNetworkWarning = (host: string, port: number): string =>
  `*** SOULSPOT_API_KEY IS NOT SET and SoulSpot listens on ${host}:${port}, beyond this machine: ` +
  "ANYONE WHO CAN REACH THIS PORT can queue and cancel downloads, read the settings and point slskd.url at their own host. " +
  "Fine on a trusted home network only; otherwise set SOULSPOT_API_KEY (16+ characters) or SOULSPOT_HOST=127.0.0.1 ***"

/** The service until interrupted (SIGTERM/SIGINT through `runService`); configuration from ServerConfig. */
export const launch = <E = never, R extends AppContext = never>(options: LaunchOptions<E, R> = {}) =>
  Effect.gen(function*() {
    const config = yield* ServerConfig
    if (Option.isNone(config.apiKey)) {
      yield* isLoopback(config.host)
        ? Effect.logWarning("SOULSPOT_API_KEY is not set: the API is open to every program on this machine")
        : Effect.logWarning(openToNetworkWarning(config.host, config.port))
    }
    const ready = options.onReady ?? Effect.void
    const app = AppLayer({ db: config.db }).pipe(
      Layer.provideMerge(httpServerLayer({ port: config.port, host: config.host })),
      Layer.tap((ctx) => Effect.provide(Effect.zipRight(logSettings, ready), ctx))
    )
    return yield* Layer.launch(app)
  })

// One line per event: logfmt by default, JSON lines with SOULSPOT_LOG_FORMAT=json.
const logger = Layer.unwrapEffect(Effect.map(ServerConfig, (c) => c.logFormat === "json" ? Logger.json : Logger.logFmt))

/** Runs a program as the process: logger, Info level, a fatal line for defects, exit 0 on SIGTERM/SIGINT. */
export const runService = <E>(program: Effect.Effect<unknown, E>) =>
  program.pipe(
    Effect.provide(logger),
    Logger.withMinimumLogLevel(LogLevel.Info),
    Effect.catchAllDefect((defect) => Effect.logFatal(defect instanceof Error ? defect.message : String(defect)).pipe(Effect.zipRight(Effect.die(defect)))),
    NodeRuntime.runMain({ disablePrettyLogger: true })
  )
