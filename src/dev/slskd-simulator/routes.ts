/**
 * The simulator's HTTP surface: slskd 0.26's routes under /api/v0 (case-insensitive, each
 * path segment percent-decoded on its own so `%2F` in a username works), API-key check
 * (401, empty body), and the injected faults: latency, failing and malformed replies.
 */
import { HttpServerRequest, HttpServerResponse } from "@effect/platform"
import { Effect } from "effect"
import { type Reply, type SearchRequestBody, type SimState, takeFault, TOO_MANY } from "./state.js"

export interface RouteOptions {
  readonly apiKey: string | undefined
  readonly now: () => number
  /** More GET endpoints (events, options: files.ts); undefined = not theirs. */
  readonly extra?: (method: string, segments: ReadonlyArray<string>, query: URLSearchParams) => HttpServerResponse.HttpServerResponse | undefined
}

const VERSION = { full: "0.26.0.0", current: "0.26.0", isUpdateAvailable: false, isCanary: false, isDevelopment: false }

const toResponse = (reply: Reply): HttpServerResponse.HttpServerResponse => {
  switch (reply._tag) {
    case "Empty": return HttpServerResponse.empty({ status: reply.status })
    case "Json": return HttpServerResponse.text(JSON.stringify(reply.body), { status: reply.status, contentType: "application/json; charset=utf-8" })
    case "Message": return HttpServerResponse.text(JSON.stringify(reply.message), { status: reply.status, contentType: "application/json; charset=utf-8" })
  }
}

const ok = (body: unknown): Reply => ({ _tag: "Json", status: 200, body })
const msg = (status: number, message: string): Reply => ({ _tag: "Message", status, message })
const empty = (status: number): Reply => ({ _tag: "Empty", status })

const sleepMs = (ms: number) => (ms > 0 ? Effect.sleep(`${ms} millis`) : Effect.void)

/** A JSON request body, or the reply slskd gives when there is none (415) or it is broken (400). */
const readJson = Effect.gen(function*() {
  const req = yield* HttpServerRequest.HttpServerRequest
  const type = req.headers["content-type"] ?? ""
  if (!type.toLowerCase().includes("application/json")) return { reply: empty(415) } as const
  const text = yield* Effect.orElseSucceed(req.text, () => "")
  try {
    return { body: JSON.parse(text) as unknown } as const
  } catch {
    return { reply: msg(400, "The request body is not valid JSON.") } as const
  }
})

export const makeApp = (state: SimState, options: RouteOptions) => {
  /** At most `max` of these in flight; the next one gets 429 with slskd's message. */
  const guarded = <R>(counter: "inflightSearchPosts" | "inflightEnqueues", max: number, delayMs: number, body: Effect.Effect<Reply, never, R>) =>
    Effect.suspend(() => {
      if (state[counter] >= max) return Effect.succeed(msg(429, TOO_MANY))
      state[counter]++
      return sleepMs(delayMs).pipe(
        Effect.zipRight(body),
        Effect.ensuring(Effect.sync(() => { state[counter] = Math.max(0, state[counter] - 1) }))
      )
    })

  const application = () => ({
    version: VERSION,
    pendingReconnect: false,
    pendingRestart: false,
    server: state.serverJson(),
    connectionWatchdog: { isEnabled: true, isAttemptingConnection: !state.loggedIn, isAwaitingVpn: false },
    relay: { mode: "Disabled", controller: { state: "Disconnected" }, agents: [] },
    user: {
      username: "soulspot-sim",
      privileges: { isPrivileged: false, privilegesRemaining: 0 },
      statistics: { averageSpeed: 0, directoryCount: 0, fileCount: 0, uploadCount: 0 }
    },
    shares: { scanPending: false, scanning: false, ready: true, faulted: false, cancelled: false, scanProgress: 1, directories: 0, files: 0 },
    rooms: [],
    users: []
  })

  const route = (method: string, seg: ReadonlyArray<string>, query: URLSearchParams): Effect.Effect<Reply, never, HttpServerRequest.HttpServerRequest> => {
    const now = options.now
    const lit = (i: number, s: string) => seg[i]?.toLowerCase() === s
    const flag = (name: string) => query.get(name)?.toLowerCase() === "true"
    const n = seg.length

    if (n === 1 && lit(0, "application") && method === "GET") return Effect.succeed(ok(application()))
    if (n === 2 && lit(0, "application") && lit(1, "version") && method === "GET") return Effect.succeed(ok(VERSION.full))
    if (n === 1 && lit(0, "server") && method === "GET") return Effect.succeed(ok(state.serverJson()))

    if (lit(0, "searches")) {
      if (n === 1 && method === "POST") {
        return guarded("inflightSearchPosts", 1, state.timings.searchPostDelayMs, Effect.gen(function*() {
          const parsed = yield* readJson
          if ("reply" in parsed) return parsed.reply
          const body = parsed.body
          if (body === null || typeof body !== "object") return msg(400, "A search request is required")
          return state.startSearch(body as SearchRequestBody, now())
        }))
      }
      if (n === 1 && method === "GET") return Effect.sync(() => state.listSearches(now()))
      if (n === 2 && method === "GET") return Effect.sync(() => state.getSearch(seg[1]!, flag("includeResponses"), now()))
      if (n === 3 && lit(2, "responses") && method === "GET") return Effect.sync(() => state.searchResponses(seg[1]!, now()))
      if (n === 2 && method === "PUT") return Effect.sync(() => state.stopSearch(seg[1]!, now()))
      if (n === 2 && method === "DELETE") return Effect.sync(() => state.deleteSearch(seg[1]!))
    }

    if (lit(0, "transfers") && lit(1, "downloads")) {
      if (n === 2 && method === "GET") return Effect.sync(() => state.listDownloads(flag("includeRemoved"), now()))
      if (n === 4 && lit(2, "all") && lit(3, "completed") && method === "DELETE") return Effect.sync(() => state.clearCompleted(now()))
      if (n === 3 && method === "POST") {
        const username = seg[2]!
        return guarded("inflightEnqueues", 2, state.timings.enqueueDelayMs, Effect.gen(function*() {
          const parsed = yield* readJson
          if ("reply" in parsed) return parsed.reply
          if (!state.loggedIn) {
            return msg(500, `Failed to resolve the endpoint of user ${username}: The server connection must be connected and logged in to perform this operation (currently: Disconnected)`)
          }
          return state.enqueue(username, parsed.body, now())
        }))
      }
      if (n === 3 && method === "GET") return Effect.sync(() => state.userDownloads(seg[2]!, now()))
      if (n === 4 && method === "GET") return Effect.sync(() => state.getDownload(seg[3]!, now()))
      if (n === 5 && lit(4, "position") && method === "GET") return Effect.sync(() => state.position(seg[3]!, now()))
      if (n === 4 && method === "DELETE") return Effect.sync(() => state.cancel(seg[3]!, flag("remove"), now()))
    }
    return Effect.succeed(empty(404))
  }

  return Effect.gen(function*() {
    const req = yield* HttpServerRequest.HttpServerRequest
    const url = new URL(req.url, "http://simulator.invalid")
    const path = url.pathname
    if (path.toLowerCase() === "/health") return HttpServerResponse.text("Healthy")
    if (!path.toLowerCase().startsWith("/api/v0/")) return HttpServerResponse.empty({ status: 404 })

    let segments: Array<string>
    try {
      segments = path.slice("/api/v0/".length).split("/").filter((s) => s !== "").map(decodeURIComponent)
    } catch {
      return HttpServerResponse.empty({ status: 400 })
    }
    const logged = `/${segments.join("/")}`
    const record = (status: number) => Effect.sync(() => state.requests.push({ method: req.method, path: logged, status }))

    yield* sleepMs(state.latencyMs)
    if (options.apiKey !== undefined && req.headers["x-api-key"] !== options.apiKey) {
      yield* record(401)
      return HttpServerResponse.empty({ status: 401, headers: { "www-authenticate": "Bearer" } })
    }
    const failure = takeFault(state.failures, req.method, logged)
    if (failure !== undefined) {
      yield* record(failure.status)
      return toResponse(failure.status === 429
        ? msg(429, TOO_MANY)
        : msg(failure.status, "Simulated failure: the operation could not be completed"))
    }
    const extra = options.extra?.(req.method, segments, url.searchParams)
    if (extra !== undefined) {
      yield* record(extra.status)
      return extra
    }
    const reply = yield* route(req.method, segments, url.searchParams)
    if (takeFault(state.malformed, req.method, logged) !== undefined) {
      // The request was handled (state changed), but the reply is garbage: like a lost or broken answer.
      yield* record(200)
      return HttpServerResponse.text("{\"enqueued\": [{\"id\": \"7a1c", { status: 200, contentType: "application/json; charset=utf-8" })
    }
    yield* record(reply.status)
    return toResponse(reply)
  })
}
