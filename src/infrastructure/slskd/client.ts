/**
 * A thin, typed slskd HTTP client: one method per endpoint SoulSpot uses, every reply decoded
 * with effect/Schema, every failure turned into a ProviderError with a reason the circuit
 * breaker and the UI understand. The URL and API key are read from Settings on every call,
 * so a changed setting takes effect without a restart. No retries here: the callers (breaker,
 * workers) decide when to try again, so slskd is never hammered.
 */
import { FetchHttpClient, HttpClient, HttpClientRequest } from "@effect/platform"
import type { HttpMethod } from "@effect/platform/HttpMethod"
import { Duration, Effect, Option, Redacted, Schema } from "effect"
import { Setting } from "../../config.js"
import { ProviderError } from "../../domain/ports/DownloadProvider.js"
import { Settings } from "../../domain/ports/Settings.js"
import {
  Application,
  type EnqueueReply,
  EnqueueReplyBody,
  errorMessage,
  flattenUser,
  Search,
  type SearchRequest,
  SearchResponse,
  ServerState,
  toEnqueueReply,
  Transfer,
  UserTransfers,
  StatusListing
} from "./schema.js"

/** Ordinary calls: slskd answers GETs from SQLite in milliseconds. */
export const REQUEST_TIMEOUT = Duration.seconds(10)
/** Enqueue resolves the peer's address and connects to it first (peer connect timeout 10 s). */
export const ENQUEUE_TIMEOUT = Duration.seconds(30)
/** What a 429 without Retry-After asks us to wait. */
export const RATE_LIMIT_BACKOFF_MILLIS = 2000

/** A reply as it came over the wire. */
export interface RawReply {
  readonly status: number
  readonly body: string
  readonly retryAfter: string | undefined
}

/** What the call was, for error messages and for the meaning of 409. */
export type Operation = "search" | "enqueue" | "read" | "cancel" | "application"

const NOT_LOGGED_IN = /not (?:yet )?(?:connected|logged in)|must be connected|connected and logged in|currently: (?:Disconnected|Connecting|Disconnecting|None)|\bdisconnected\b/i
/**
 * An enqueue 500 that names the peer or the file: offline, cannot be connected to, refused,
 * not shared, or no answer from the peer in time. That candidate's failure, not slskd's
 * (Soulseek.NET SoulseekClient.cs and PeerConnectionManager.cs raise these; slskd's
 * TransfersController.cs answers them as 500; see docs/slskd-notes.md).
 */
const PEER_FAULT = /appears to be offline|failed to connect to user|failed to establish|rejected|not shared|timed out|banned|too many (?:files|megabytes)|overwhelmed/i

const describe = (method: string, path: string) => `${method} ${path.replace(/\?.*$/, "")}`

/** Maps a non-2xx reply to a ProviderError (see the port's reasons). */
export const classify = (reply: RawReply, op: Operation, what: string): ProviderError => {
  const { status } = reply
  const text = errorMessage(reply.body)
  const detail = text === "" ? "" : `: ${text}`
  if (status === 401 || status === 403) {
    return new ProviderError({
      reason: "Unauthorized", status,
      message: `slskd refused ${what} (HTTP ${status}): check the slskd API key`
    })
  }
  if (status === 429) {
    const header = reply.retryAfter === undefined ? NaN : Number(reply.retryAfter)
    return new ProviderError({
      reason: "RateLimited", status,
      retryAfterMillis: Number.isFinite(header) && header > 0 ? header * 1000 : RATE_LIMIT_BACKOFF_MILLIS,
      message: `slskd is busy with another request (HTTP 429)${detail}`
    })
  }
  if ((status === 409 && op === "search") || (status >= 400 && NOT_LOGGED_IN.test(text))) {
    return new ProviderError({
      reason: "NotLoggedIn", status,
      message: `slskd is not logged in to the Soulseek network (HTTP ${status})${detail}`
    })
  }
  if (status >= 500 && op === "enqueue" && PEER_FAULT.test(text)) {
    return new ProviderError({ reason: "Rejected", status, message: `the peer could not be used (HTTP ${status})${detail}` })
  }
  if (status >= 500) {
    return new ProviderError({ reason: "Upstream", status, message: `slskd failed ${what} (HTTP ${status})${detail}` })
  }
  return new ProviderError({ reason: "Rejected", status, message: `slskd rejected ${what} (HTTP ${status})${detail}` })
}

const malformed = (what: string, why: string, status?: number) =>
  new ProviderError({
    reason: "Malformed",
    message: `slskd sent an unreadable reply to ${what}: ${why.length > 300 ? `${why.slice(0, 300)}…` : why}`,
    ...(status === undefined ? {} : { status })
  })

/** JSON text → schema type, or Malformed. */
export const decodeBody = <A, I>(schema: Schema.Schema<A, I>, reply: RawReply, what: string): Effect.Effect<A, ProviderError> =>
  Effect.suspend(() => {
    let json: unknown
    try {
      json = JSON.parse(reply.body)
    } catch (e) {
      return Effect.fail(malformed(what, `not JSON (${e instanceof Error ? e.message : String(e)})`, reply.status))
    }
    return Schema.decodeUnknown(schema)(json, { errors: "first" }).pipe(
      Effect.mapError((e) => malformed(what, e.message, reply.status))
    )
  })

const ok = (status: number) => status >= 200 && status < 300

export interface RequestOptions {
  readonly body?: unknown
  readonly query?: Readonly<Record<string, string>>
  readonly timeout?: Duration.DurationInput
  readonly op?: Operation
}

export class SlskdClient extends Effect.Service<SlskdClient>()("soulspot/SlskdClient", {
  effect: Effect.gen(function*() {
    const http = yield* HttpClient.HttpClient
    const settings = yield* Settings

    /** One HTTP exchange: whatever the status, as long as slskd answered in time. */
    const request = (method: HttpMethod, path: string, options: RequestOptions = {}): Effect.Effect<RawReply, ProviderError> => {
      const what = describe(method, path)
      return Effect.gen(function*() {
        const base = yield* settings.get(Setting.slskdUrl)
        const key = yield* settings.get(Setting.slskdApiKey)
        let req = HttpClientRequest.make(method)(`${base.replace(/\/+$/, "")}/api/v0${path}`).pipe(HttpClientRequest.acceptJson)
        if (Option.isSome(key)) req = HttpClientRequest.setHeader(req, "X-API-Key", Redacted.value(key.value))
        if (options.query) req = HttpClientRequest.setUrlParams(req, options.query)
        if (options.body !== undefined) req = HttpClientRequest.bodyUnsafeJson(req, options.body)
        // Never follow a redirect: fetch would carry X-API-Key along to wherever it points.
        const res = yield* http.execute(req).pipe(Effect.provideService(FetchHttpClient.RequestInit, { redirect: "manual" }))
        if (res.status >= 300 && res.status < 400) return yield* Effect.fail(redirected(what, res.status, res.headers["location"]))
        const body = yield* res.text
        return { status: res.status, body, retryAfter: res.headers["retry-after"] } satisfies RawReply
      }).pipe(
        Effect.catchTags({
          RequestError: (e) => Effect.fail(new ProviderError({
            reason: "Unreachable",
            message: `cannot reach slskd for ${what} (${e.reason === "Transport" ? "connection failed" : e.reason}): ${causeText(e.cause) ?? e.message}`
          })),
          ResponseError: (e) => Effect.fail(new ProviderError({
            reason: "Unreachable", status: e.response.status,
            message: `slskd's reply to ${what} broke off: ${causeText(e.cause) ?? e.message}`
          }))
        }),
        Effect.timeoutFail({
          duration: options.timeout ?? REQUEST_TIMEOUT,
          onTimeout: () => new ProviderError({
            reason: "Timeout",
            message: `slskd did not answer ${what} within ${Duration.format(Duration.decode(options.timeout ?? REQUEST_TIMEOUT))}`
          })
        }),
        Effect.withSpan(`slskd ${what}`)
      )
    }

    /** A call that must succeed (2xx) and carry a body of this shape. */
    const json = <A, I>(schema: Schema.Schema<A, I>, method: HttpMethod, path: string, options: RequestOptions = {}) =>
      Effect.flatMap(request(method, path, options), (reply) => {
        const what = describe(method, path)
        return ok(reply.status) ? decodeBody(schema, reply, what) : Effect.fail(classify(reply, options.op ?? "read", what))
      })

    /** A call that must succeed; the body is ignored. `accept404` treats "not found" as done. */
    const noBody = (method: HttpMethod, path: string, options: RequestOptions & { readonly accept404?: boolean } = {}) =>
      Effect.flatMap(request(method, path, options), (reply) =>
        ok(reply.status) || (options.accept404 === true && reply.status === 404)
          ? Effect.void
          : Effect.fail(classify(reply, options.op ?? "read", describe(method, path))))

    const user = (username: string) => encodeURIComponent(username)
    const guid = (id: string) => encodeURIComponent(id)

    return {
      request,

      application: json(Application, "GET", "/application", { op: "application" }),
      server: json(ServerState, "GET", "/server", { op: "application" }),
      version: json(Schema.String, "GET", "/application/version", { op: "application" }),

      /** POST /searches: 200 with the new Search. 409 = not logged in, 429 = another POST in flight. */
      startSearch: (body: SearchRequest) => json(Search, "POST", "/searches", { body, op: "search" }),
      getSearch: (id: string) => json(Search, "GET", `/searches/${guid(id)}`, { query: { includeResponses: "false" } }),
      searchResponses: (id: string) => json(Schema.Array(SearchResponse), "GET", `/searches/${guid(id)}/responses`),
      /** PUT /searches/{id}: stop it (200 also when already finished). */
      stopSearch: (id: string) => noBody("PUT", `/searches/${guid(id)}`, { op: "search", accept404: true }),
      /** DELETE /searches/{id}: forget it (does not stop a running search). */
      deleteSearch: (id: string) => noBody("DELETE", `/searches/${guid(id)}`, { op: "search", accept404: true }),

      /** POST /transfers/downloads/{username}: 0.24+ `{enqueued, failed}`, 0.23 an empty 201. */
      enqueue: (username: string, files: ReadonlyArray<{ readonly filename: string; readonly size: number }>) => {
        const path = `/transfers/downloads/${user(username)}`
        return Effect.flatMap(
          request("POST", path, { body: files.map((f) => ({ filename: f.filename, size: f.size })), op: "enqueue", timeout: ENQUEUE_TIMEOUT }),
          (reply): Effect.Effect<EnqueueReply, ProviderError> => {
            const what = describe("POST", path)
            if (!ok(reply.status)) return Effect.fail(classify(reply, "enqueue", what))
            if (reply.body.trim() === "") return Effect.succeed({ _tag: "Legacy" })
            return Effect.map(decodeBody(EnqueueReplyBody, reply, what), toEnqueueReply)
          })
      },

      /** GET /transfers/downloads: every non-removed download, grouped by user and directory. */
      listDownloads: json(Schema.Array(UserTransfers), "GET", "/transfers/downloads", { query: { includeRemoved: "false" } }),
      /** The same listing decoded lean: only what the status sync reads (one call per tick, thousands of records). */
      statusListing: json(StatusListing, "GET", "/transfers/downloads", { query: { includeRemoved: "false" } }),

      /** GET /transfers/downloads/{username}, flattened; 404 means "no downloads", not an error. */
      userDownloads: (username: string) => {
        const path = `/transfers/downloads/${user(username)}`
        return Effect.flatMap(request("GET", path), (reply): Effect.Effect<ReadonlyArray<Transfer>, ProviderError> => {
          if (reply.status === 404) return Effect.succeed([])
          if (!ok(reply.status)) return Effect.fail(classify(reply, "read", describe("GET", path)))
          return Effect.map(decodeBody(UserTransfers, reply, describe("GET", path)), flattenUser)
        })
      },

      /** GET /transfers/downloads/{username}/{id}; none when slskd does not know the id. */
      getDownload: (username: string, id: string) => {
        const path = `/transfers/downloads/${user(username)}/${guid(id)}`
        return Effect.flatMap(request("GET", path), (reply): Effect.Effect<Option.Option<Transfer>, ProviderError> => {
          if (reply.status === 404) return Effect.succeed(Option.none())
          if (!ok(reply.status)) return Effect.fail(classify(reply, "read", describe("GET", path)))
          return Effect.map(decodeBody(Transfer, reply, describe("GET", path)), Option.some)
        })
      },

      /** DELETE /transfers/downloads/{username}/{id}?remove=: cancel, and hide it if it is already completed. */
      cancelDownload: (username: string, id: string, remove: boolean) =>
        noBody("DELETE", `/transfers/downloads/${user(username)}/${guid(id)}`, {
          query: { remove: String(remove) }, op: "cancel", accept404: true
        })
    } as const
  }),
  dependencies: [FetchHttpClient.layer]
}) {}

const redirected = (what: string, status: number, location: string | undefined) => new ProviderError({
  reason: "Upstream", status,
  message: `slskd answered ${what} with a redirect (HTTP ${status}) to ${(location ?? "nowhere").slice(0, 200)}; ` +
    "redirects are not followed, so the API key stays with slskd.url: set slskd.url to the address slskd answers on"
})

const causeText = (cause: unknown): string | undefined => {
  if (cause instanceof Error) {
    const inner = (cause as { cause?: unknown }).cause
    const innerText = inner instanceof Error ? inner.message : undefined
    return innerText && !cause.message.includes(innerText) ? `${cause.message} (${innerText})` : cause.message
  }
  return cause === undefined ? undefined : String(cause)
}
