/**
 * A faithful slskd 0.26 simulator on a real HTTP server (the behaviours it copies, with the slskd
 * source file of each, are in docs/slskd-notes.md), with a control handle for tests and the demo. Its state is computed from the clock it was started
 * with, so under TestClock time moves only when the test says so.
 */
import { NodeHttpServer } from "@effect/platform-node"
import { Duration, Effect, type Scope } from "effect"
import type { ServeError } from "@effect/platform/HttpServerError"
import { createServer } from "node:http"
import { defaultCatalog, type SimFile, type SimPeer } from "./catalog.js"
import { downloadsRoutes, SimDownloads, writeCompletedFiles } from "./files.js"
import { makeApp } from "./routes.js"
import {
  type CallMatch, type EnqueueStyle, type Outcome, type RemoveStyle, type RequestRecord, SimState, type SimulatorTimings, type TransferView
} from "./state.js"

export type { CallMatch, EnqueueStyle, Outcome, RemoveStyle, RequestRecord, SimFile, SimPeer, SimulatorTimings, TransferView }
export { defaultCatalog } from "./catalog.js"
export { defaultTimings } from "./state.js"

export const DEFAULT_SIMULATOR_API_KEY = "soulspot-simulator-key-0123456789"

export interface SimulatorOptions {
  /** 0 (default) = any free port. */
  readonly port?: number
  readonly host?: string
  /** The key clients must send as X-API-Key; null = no authentication (slskd --no-auth). */
  readonly apiKey?: string | null
  readonly catalog?: ReadonlyArray<SimPeer>
  readonly timings?: Partial<SimulatorTimings>
  readonly enqueueStyle?: EnqueueStyle
  /** A folder for finished files: each Succeeded transfer writes one there (files.ts), and /events and /options answer. */
  readonly downloadsDir?: string
  /** How long after `endedAt` the file appears (default 500 ms). */
  readonly fileDelayMs?: number
}

/** Everything a test or the demo may do to the simulated slskd. */
export interface SimulatorControl {
  readonly addPeer: (peer: SimPeer) => Effect.Effect<void>
  readonly addFiles: (username: string, files: ReadonlyArray<SimFile>) => Effect.Effect<void>
  /** Outcome of the next enqueues of this file (records already enqueued keep their plan). */
  readonly setOutcome: (username: string, filename: string, outcome: Outcome) => Effect.Effect<void>
  readonly setPeerOnline: (username: string, online: boolean) => Effect.Effect<void>
  /** false: the peer stays online (answers searches) but cannot be connected to: enqueue 500, no record. */
  readonly setPeerReachable: (username: string, reachable: boolean) => Effect.Effect<void>
  /** true: the listener is closed and every connection destroyed (connection refused). */
  readonly setDown: (down: boolean) => Effect.Effect<void>
  /** The next n API calls (matching `match`, if given) answer `status` (default 500) without being handled. */
  readonly failNext: (n: number, status?: number, match?: CallMatch) => Effect.Effect<void>
  /** Delay before every API call is handled. */
  readonly setLatency: (ms: number) => Effect.Effect<void>
  /** false: server state Disconnected, search POST 409, enqueue 500. */
  readonly setLoggedIn: (loggedIn: boolean) => Effect.Effect<void>
  /** The next n API calls (matching `match`, if given) are handled, but answered 200 with broken JSON. */
  readonly malformedNext: (n: number, match?: CallMatch) => Effect.Effect<void>
  readonly setEnqueueStyle: (style: EnqueueStyle) => Effect.Effect<void>
  /** "0.24.1": DELETE ?remove=true on an active transfer cancels it and answers 500; unknown ids 404. */
  readonly setRemoveStyle: (style: RemoveStyle) => Effect.Effect<void>
  readonly setTimings: (timings: Partial<SimulatorTimings>) => Effect.Effect<void>
  /**
   * slskd restarts, on the caller's clock: down (connection refused) for `downMs`; up with every active
   * transfer `Completed, Errored` ("Application shut down") and searches zeroed; logged out for
   * `loggedOutMs`; then, `perUserMs` apart, each user's files re-enqueued under new ids (old records
   * removed), offline and unreachable peers skipped. Defaults: all 0.
   */
  readonly restart: (options?: RestartOptions) => Effect.Effect<void>
  /** Enqueue POSTs that created a record for this user and file. */
  readonly enqueueCount: (username: string, filename: string) => Effect.Effect<number>
  /** Every transfer record, removed ones included, as of now. */
  readonly transfers: Effect.Effect<ReadonlyArray<TransferView>>
  /** Accepted POST /searches. */
  readonly searchCount: Effect.Effect<number>
  /** Every search record (deleted ones flagged), as slskd would show it now. */
  readonly searches: Effect.Effect<ReadonlyArray<Record<string, unknown> & { readonly deleted: boolean }>>
  /** Every API call received, in order (path decoded, without /api/v0 and the query). */
  readonly requests: Effect.Effect<ReadonlyArray<RequestRecord>>
  readonly catalog: Effect.Effect<ReadonlyArray<SimPeer>>
  /** The downloads folder and its event log, when the simulator has one. */
  readonly downloads: SimDownloads | undefined
}

export interface RestartOptions {
  readonly downMs?: number
  readonly loggedOutMs?: number
  readonly perUserMs?: number
}

export interface SlskdSimulatorHandle {
  /** Base URL without /api/v0, e.g. http://127.0.0.1:39211: the value of setting slskd.url. */
  readonly url: string
  readonly apiKey: string | undefined
  readonly control: SimulatorControl
}

const lengthOf = (state: SimState, username: string, filename: string): number | undefined =>
  state.allPeers().find((p) => p.username === username)?.files.find((f) => f.filename === filename)?.length

/** Starts the simulator; it stops when the scope closes. */
export const makeSimulator = (options: SimulatorOptions = {}): Effect.Effect<SlskdSimulatorHandle, ServeError, Scope.Scope> =>
  Effect.gen(function*() {
    const clock = yield* Effect.clock
    const now = () => clock.unsafeCurrentTimeMillis()
    const state = new SimState(options.catalog ?? defaultCatalog(), options.timings)
    if (options.enqueueStyle) state.enqueueStyle = options.enqueueStyle
    const apiKey = options.apiKey === null ? undefined : options.apiKey ?? DEFAULT_SIMULATOR_API_KEY
    const host = options.host ?? "127.0.0.1"

    const node = createServer()
    const server = yield* NodeHttpServer.make(() => node, { port: options.port ?? 0, host })
    // Runs before the server's own release, so hung requests cannot hold the shutdown.
    yield* Effect.addFinalizer(() => Effect.sync(() => node.closeAllConnections()))
    const downloads = options.downloadsDir === undefined ? undefined : new SimDownloads(options.downloadsDir, options.fileDelayMs ?? 500)
    if (downloads) yield* Effect.forkScoped(writeCompletedFiles(downloads, (t) => state.transferViews(t).map((v) => ({ ...v, lengthSeconds: lengthOf(state, v.username, v.filename) })), now))
    yield* server.serve(makeApp(state, { apiKey, now, ...(downloads ? { extra: downloadsRoutes(downloads) } : {}) }))
    const address = server.address
    const port = address._tag === "TcpAddress" ? address.port : 0
    const url = `http://${host}:${port}`

    const setDown = (down: boolean) => Effect.async<void>((resume) => {
      if (down) {
        if (node.listening) {
          node.close()
          node.closeAllConnections()
        }
        resume(Effect.void)
      } else if (node.listening) {
        resume(Effect.void)
      } else {
        node.listen(port, host, () => resume(Effect.void))
      }
    })

    const control: SimulatorControl = {
      addPeer: (peer) => Effect.sync(() => state.addPeer(peer)),
      addFiles: (username, files) => Effect.sync(() => state.addFiles(username, files)),
      setOutcome: (username, filename, outcome) => Effect.sync(() => state.setOutcome(username, filename, outcome)),
      setPeerOnline: (username, online) => Effect.sync(() => state.setPeerOnline(username, online)),
      setPeerReachable: (username, reachable) => Effect.sync(() => state.setPeerReachable(username, reachable)),
      setDown,
      failNext: (n, status = 500, match) => Effect.sync(() => { for (let i = 0; i < n; i++) state.failures.push({ status, match }) }),
      setLatency: (ms) => Effect.sync(() => { state.latencyMs = ms }),
      setLoggedIn: (loggedIn) => Effect.sync(() => { state.loggedIn = loggedIn }),
      malformedNext: (n, match) => Effect.sync(() => { for (let i = 0; i < n; i++) state.malformed.push({ status: 200, match }) }),
      setEnqueueStyle: (style) => Effect.sync(() => { state.enqueueStyle = style }),
      setRemoveStyle: (style) => Effect.sync(() => { state.removeStyle = style }),
      setTimings: (timings) => Effect.sync(() => { state.timings = { ...state.timings, ...timings } }),
      restart: (o = {}) => Effect.gen(function*() {
        yield* setDown(true)
        yield* Effect.sync(() => state.shutdown(now()))
        if ((o.downMs ?? 0) > 0) yield* Effect.sleep(Duration.millis(o.downMs!))
        yield* setDown(false)
        if ((o.loggedOutMs ?? 0) > 0) yield* Effect.sleep(Duration.millis(o.loggedOutMs!))
        yield* Effect.sync(() => { state.loggedIn = true })
        for (const user of state.resumeUsers()) {
          if ((o.perUserMs ?? 0) > 0) yield* Effect.sleep(Duration.millis(o.perUserMs!))
          yield* Effect.sync(() => state.resumeUser(user, now()))
        }
      }),
      enqueueCount: (username, filename) => Effect.sync(() => state.enqueueCount(username, filename)),
      transfers: Effect.sync(() => state.transferViews(now())),
      searchCount: Effect.sync(() => state.searchCount()),
      searches: Effect.sync(() => state.searchViews(now())),
      requests: Effect.sync(() => [...state.requests]),
      catalog: Effect.sync(() => state.allPeers()),
      downloads
    }
    return { url, apiKey, control }
  })
