/**
 * One HTTP request to a notification target or media server, and what its answer means: the
 * mapping every sender shares (2xx delivered; 429 wait as told; 408, 5xx, no answer retry;
 * other 4xx and redirects permanent).
 */
import { FetchHttpClient, type Headers, type HttpClient, type HttpClientRequest } from "@effect/platform"
import { Duration, Effect } from "effect"
import { type Delivered, DeliveryError } from "../../../domain/ports/NotificationSender.js"

/** How long one request may take before it counts as "no answer" (retryable). */
export const SEND_TIMEOUT = Duration.seconds(10)
/** How much of an answer's body is kept (shown in Settings, stored with a delivery). */
export const BODY_LIMIT = 1024

export const truncate = (text: string, max = BODY_LIMIT): string => text.length <= max ? text : `${text.slice(0, max - 1)}…`

/** Retry-After as milliseconds from now: delta-seconds or an HTTP date; undefined when absent or unreadable. */
export const parseRetryAfter = (raw: string | undefined, nowMillis: number): number | undefined => {
  if (raw === undefined) return undefined
  const t = raw.trim()
  if (/^\d+(?:\.\d+)?$/.test(t)) return Math.ceil(Number(t) * 1000)
  // an HTTP date needs a weekday or month name; Date.parse alone accepts "5" or "2026"
  if (!/[a-z]{3}/i.test(t)) return undefined
  const at = Date.parse(t)
  return Number.isNaN(at) ? undefined : Math.max(0, at - nowMillis)
}

/** What a service said, as read off the wire. */
export interface Answer {
  readonly status: number
  readonly headers: Headers.Headers
  readonly body: string
}

export interface AnswerOptions {
  /** Seconds to wait read from a 429's body when the header is missing (Discord's `retry_after`). */
  readonly retryAfterFromBody?: (body: string) => number | undefined
  /** A 2xx that still means "not delivered" (Apprise's 204 for a key without configuration). */
  readonly refuse?: (answer: Answer) => string | undefined
  /** 4xx statuses this service uses for a failure worth retrying (Apprise's 424: a service behind it failed). */
  readonly transient?: ReadonlyArray<number>
}

const excerpt = (body: string) => {
  const flat = body.replace(/\s+/g, " ").trim()
  return flat === "" ? "" : `: ${truncate(flat, 200)}`
}

/** The meaning of an answer: Delivered, or why not and whether trying again can help. */
export const classifyAnswer = (service: string, answer: Answer, nowMillis: number, options: AnswerOptions = {}): Delivered | DeliveryError => {
  const { status, body } = answer
  if (status >= 200 && status < 300) {
    const refused = options.refuse?.(answer)
    return refused === undefined
      ? { status, body: truncate(body) }
      : new DeliveryError({ message: `${service}: ${refused}`, status, permanent: true })
  }
  if (status >= 300 && status < 400) {
    return new DeliveryError({
      message: `${service} redirected (HTTP ${status}) to ${truncate(answer.headers["location"] ?? "nowhere", 200)}; redirects are not followed, so no secret leaves the configured host: enter the final URL`,
      status, permanent: true
    })
  }
  if (status === 429) {
    const fromHeader = parseRetryAfter(answer.headers["retry-after"], nowMillis)
    const fromBody = options.retryAfterFromBody?.(body)
    const wait = fromHeader ?? (fromBody === undefined ? undefined : Math.ceil(fromBody * 1000))
    return new DeliveryError({
      message: `${service} is rate limiting (HTTP 429)${wait === undefined ? "" : `; try again in ${Math.ceil(wait / 1000)} s`}`,
      status, permanent: false, ...(wait === undefined ? {} : { retryAfterMillis: wait })
    })
  }
  const permanent = status >= 400 && status < 500 && status !== 408 && !(options.transient ?? []).includes(status)
  const hint = status === 401 || status === 403 ? " (check the token or password)" : ""
  return new DeliveryError({ message: `${service} answered HTTP ${status}${hint}${excerpt(body)}`, status, permanent })
}

export interface SendOptions extends AnswerOptions {
  readonly timeout?: Duration.Duration
}

/**
 * Sends one request and maps the answer. Redirects are never followed (fetch would carry the
 * token along to wherever they point); no answer within the timeout is retryable.
 */
export const send = (http: HttpClient.HttpClient, service: string, request: HttpClientRequest.HttpClientRequest, options: SendOptions = {}): Effect.Effect<Delivered, DeliveryError> => {
  const timeout = options.timeout ?? SEND_TIMEOUT
  return http.execute(request).pipe(
    Effect.provideService(FetchHttpClient.RequestInit, { redirect: "manual" }),
    Effect.flatMap((res) => Effect.map(res.text, (body): Answer => ({ status: res.status, headers: res.headers, body }))),
    Effect.timeoutFail({ duration: timeout, onTimeout: () => new DeliveryError({ message: `${service} did not answer within ${Duration.format(timeout)}`, permanent: false }) }),
    Effect.catchTags({
      RequestError: (e) => Effect.fail(new DeliveryError({ message: `cannot reach ${service} (${e.reason === "Transport" ? "connection failed" : e.reason})`, permanent: e.reason === "InvalidUrl" })),
      ResponseError: (e) => Effect.fail(new DeliveryError({ message: `${service}'s answer broke off (${e.reason})`, status: e.response.status, permanent: false }))
    }),
    Effect.flatMap((answer) => Effect.flatMap(Effect.clockWith((c) => c.currentTimeMillis), (now) => {
      const result = classifyAnswer(service, answer, now, options)
      return result instanceof DeliveryError ? Effect.fail(result) : Effect.succeed(result)
    })),
    Effect.withSpan(`notify ${service}`)
  )
}

/** The URL with trailing slashes dropped, so `${base(url)}/path` never has a double slash. */
export const base = (url: string): string => url.replace(/\/+$/, "")
