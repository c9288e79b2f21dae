import { FetchHttpClient, type Headers, HttpClient, type HttpClientRequest } from "@effect/platform"
import { Duration, Effect, ParseResult, Schema } from "effect"
import { CatalogUnavailable } from "../../domain/ports/AlbumSource.js"

/** One HTTP exchange, whatever happened: status 0 means no answer (transport error or timeout). */
export interface Reply {
  readonly status: number
  readonly headers: Headers.Headers
  /** Parsed JSON, or undefined when the body was empty or not JSON. */
  readonly body: unknown
  /** Why there is no answer (status 0), or a short excerpt of a non-JSON body. */
  readonly problem: string | null
}

export const REQUEST_TIMEOUT = Duration.seconds(20)

const parseJson = (text: string): { body: unknown; problem: string | null } => {
  if (text.trim() === "") return { body: undefined, problem: null }
  try {
    return { body: JSON.parse(text) as unknown, problem: null }
  } catch {
    return { body: undefined, problem: `not JSON: ${text.slice(0, 120)}` }
  }
}

/** Sends the request and reads the whole body. Never fails: transport problems become status 0. */
export const exchange = (request: HttpClientRequest.HttpClientRequest, timeout: Duration.Duration = REQUEST_TIMEOUT) =>
  Effect.flatMap(HttpClient.HttpClient, (client) =>
    // Never follow a redirect: the token or client secret would go along to wherever it points.
    client.execute(request).pipe(
      Effect.provideService(FetchHttpClient.RequestInit, { redirect: "manual" }),
      Effect.flatMap((res) => res.status >= 300 && res.status < 400
        ? Effect.succeed<Reply>({
          status: 0, headers: res.headers, body: undefined,
          problem: `redirected (HTTP ${res.status}) to ${(res.headers["location"] ?? "nowhere").slice(0, 200)}; redirects are not followed, so no secret leaves the configured host`
        })
        : Effect.map(res.text, (text): Reply => ({ status: res.status, headers: res.headers, ...parseJson(text) }))),
      Effect.timeoutFail({ duration: timeout, onTimeout: () => `no answer within ${Duration.format(timeout)}` }),
      Effect.catchAll((e): Effect.Effect<Reply> => Effect.succeed({
        status: 0,
        headers: {} as Headers.Headers,
        body: undefined,
        problem: typeof e === "string" ? e : e._tag === "RequestError" ? `could not connect (${e.reason})` : `broken reply (${e.reason})`
      }))
    ))

/** Retry-After in whole seconds (0 allowed); null when absent or not a number of seconds. */
export const retryAfterSeconds = (headers: Headers.Headers): number | null => {
  const raw = headers["retry-after"]
  if (raw === undefined) return null
  const n = Number(raw.trim())
  return raw.trim() !== "" && Number.isFinite(n) && n >= 0 ? Math.ceil(n) : null
}

/**
 * A paging link is followed only when it points into the configured API (same origin and
 * path prefix): our bearer token must never be sent elsewhere.
 */
export const withinApi = (link: string | null | undefined, apiBase: string): string | undefined => {
  if (!link) return undefined
  try {
    const next = new URL(link)
    const base = new URL(apiBase.endsWith("/") ? apiBase : `${apiBase}/`)
    return next.origin === base.origin && next.pathname.startsWith(base.pathname) ? next.toString() : undefined
  } catch {
    return undefined
  }
}

/** Decodes a reply body; a shape we cannot read is the upstream's failure, not ours. */
export const decodeBody = <A, I>(schema: Schema.Schema<A, I>, body: unknown, service: string, what: string) =>
  Schema.decodeUnknown(schema)(body).pipe(
    Effect.mapError((e) => new CatalogUnavailable({
      service,
      reason: `${what}: unexpected reply (${ParseResult.TreeFormatter.formatErrorSync(e).split("\n").slice(0, 3).join(" ")})`
    })))

/** Stable sort by (disc, track number); items without numbers keep their place. */
export const byDiscAndTrack = <A extends { readonly discNumber?: number | null | undefined; readonly trackNumber?: number | null | undefined }>(
  xs: ReadonlyArray<A>
): Array<A> =>
  xs.map((x, i) => ({ x, i }))
    .sort((a, b) =>
      (a.x.discNumber ?? 1) - (b.x.discNumber ?? 1) ||
      (a.x.trackNumber ?? a.i + 1) - (b.x.trackNumber ?? b.i + 1) ||
      a.i - b.i)
    .map(({ x }) => x)
