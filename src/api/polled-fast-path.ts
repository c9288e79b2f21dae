/**
 * The two reads every open page and script polls, exactly as they poll them (GET stats, GET the
 * first active page, no query string), answered on Node's request event before a fiber is forked,
 * when the read cache holds the answer for the database as it is now and the request passes what
 * the middleware would check for it. Anything else, and any doubt, goes on to the Effect handler,
 * which gives the same answer (test/api/polled-fast-path.test.ts compares them).
 *
 * Why: in bench/http.bench.ts a bare NodeHttpServer answering a constant cost about twice the
 * plain node:http baseline's whole request (the fiber, the request wrapper, the response's
 * conversion), so no work inside the router could bring these reads to half the baseline's rate.
 *
 * What is checked here, as AuthMiddleware and GuardMiddleware would: with SOULSPOT_API_KEY set,
 * a correct X-API-Key from an address the sign-in limiter does not hold back (a wrong key, a
 * session cookie or a held-back address go on, so the limiter counts and the 401/429 come from
 * one place); a GET changes nothing, so the guard has only its log line and the security headers.
 */
import { Context, Effect, Layer, Option, Redacted, Runtime, type Scope } from "effect"
import type { IncomingMessage, ServerResponse } from "node:http"
import { ServerConfig } from "../config.js"
import { sameSecret } from "./auth.js"
import { clientAddress } from "./client-address.js"
import { logSent, PAGE_HEADERS } from "./guard.js"
import { SignInLimiter } from "./rate-limit.js"
import { ACTIVE_URL, ReadCache, STATS_URL } from "./read-cache.js"

/** Answers a request itself and says true, or leaves it alone and says false. */
export type EarlyAnswer = (request: IncomingMessage, response: ServerResponse) => boolean

/** The Node server's hook before the Effect handler (src/launch.ts); absent under NodeHttpServer.layerTest. */
export class NodeRequestHook extends Context.Tag("soulspot/NodeRequestHook")<NodeRequestHook, {
  /** `answer` sees every request first while the scope is open. */
  readonly install: (answer: EarlyAnswer) => Effect.Effect<void, never, Scope.Scope>
}>() {}

export const PolledReadsFastPathLive = Layer.scopedDiscard(Effect.gen(function*() {
  const hook = yield* Effect.serviceOption(NodeRequestHook)
  if (Option.isNone(hook)) return
  const cache = yield* ReadCache
  const limiter = yield* SignInLimiter
  const { apiKey, trustedProxies } = yield* ServerConfig
  // the server's own runtime and clock: its logger and log level, the day the read cache keys stats by
  const runSync = Runtime.runSync(yield* Effect.runtime<never>())
  const clock = yield* Effect.clock
  const key = Option.map(apiKey, Redacted.value)

  const authorised = (request: IncomingMessage): boolean => {
    if (Option.isNone(key)) return true
    const header = request.headers["x-api-key"]
    if (typeof header !== "string" || !sameSecret(header, key.value)) return false
    const headers = request.headers as Readonly<Record<string, string | undefined>>
    const address = clientAddress({ remoteAddress: Option.fromNullable(request.socket.remoteAddress), headers }, trustedProxies)
    return runSync(limiter.retryAfter(address)) === 0
  }

  yield* hook.value.install((request, response) => {
    const url = request.url
    if (request.method !== "GET" || (url !== STATS_URL && url !== ACTIVE_URL) || !authorised(request)) return false
    const body = cache.unsafePeek(url, clock.unsafeCurrentTimeMillis())
    if (body === undefined) return false
    response.writeHead(200, { "content-type": "application/json", "content-length": body.byteLength, ...PAGE_HEADERS })
    response.end(body)
    runSync(logSent("GET", url, 200))
    return true
  })
}))
