import { HttpApiSchema } from "@effect/platform"
import { Effect, Schema } from "effect"

// Errors as the API sends them: {"error": "<tag>", "message": "..."} (the tag is renamed on the way out, see error-shape.ts).
const fields = { message: Schema.String }

export class BadRequest extends Schema.TaggedError<BadRequest>()("BadRequest", fields, HttpApiSchema.annotations({ status: 400 })) {}
export class Unauthorized extends Schema.TaggedError<Unauthorized>()("Unauthorized", fields, HttpApiSchema.annotations({ status: 401 })) {}
export class NotFound extends Schema.TaggedError<NotFound>()("NotFound", fields, HttpApiSchema.annotations({ status: 404 })) {}
export class Conflict extends Schema.TaggedError<Conflict>()("Conflict", fields, HttpApiSchema.annotations({ status: 409 })) {}
export class Unprocessable extends Schema.TaggedError<Unprocessable>()("Unprocessable", fields, HttpApiSchema.annotations({ status: 422 })) {}
export class UpstreamFailed extends Schema.TaggedError<UpstreamFailed>()("UpstreamFailed", fields, HttpApiSchema.annotations({ status: 502 })) {}
export class Unavailable extends Schema.TaggedError<Unavailable>()("Unavailable", fields, HttpApiSchema.annotations({ status: 503 })) {}

/**
 * The one place a domain or application error gets its HTTP status: each tag names the API
 * error it is answered with (and so its status). The domain knows nothing of HTTP.
 */
export const API_ERROR_OF = {
  DownloadNotFound: NotFound,
  TrackNotFound: NotFound,
  AlbumNotFound: NotFound,
  CandidateNotFound: NotFound,
  StatusConflict: Conflict,
  ImportConflict: Conflict,
  QualityProfileReadOnly: Conflict,
  InvalidSetting: BadRequest,
  InvalidAlbumReference: BadRequest,
  InvalidLocalAlbum: BadRequest,
  UnknownProfile: Unprocessable,
  CatalogUnavailable: UpstreamFailed,
  CatalogCredentialsError: Unavailable,
  CatalogRateLimited: Unavailable,
  ProviderError: Unavailable
} as const

type Table = typeof API_ERROR_OF
type Mapped = { readonly _tag: keyof Table; readonly message: string }
/** The API error a domain error becomes. */
export type ApiErrorOf<E extends Mapped> = InstanceType<Table[E["_tag"]]>

/** Where the message needs the service named (slskd's own words mean little on their own). */
const PREFIX: Partial<Record<keyof Table, string>> = { ProviderError: "slskd: " }

export const apiErrorOf = <E extends Mapped>(e: E): ApiErrorOf<E> =>
  new API_ERROR_OF[e._tag]({ message: `${PREFIX[e._tag] ?? ""}${e.message}` }) as ApiErrorOf<E>

/** Fails with the API error of `e` (for `Effect.catchAll` over a union of domain errors). */
export const failAsApiError = <E extends Mapped>(e: E): Effect.Effect<never, ApiErrorOf<E>> => Effect.fail(apiErrorOf(e))

/** One handler per tag, for `Effect.catchTag(tag, asApiError[tag])` / `catchTags`. */
export const asApiError = Object.fromEntries(Object.keys(API_ERROR_OF).map((tag) => [tag, failAsApiError])) as {
  readonly [K in keyof Table]: (e: { readonly _tag: K; readonly message: string }) => Effect.Effect<never, InstanceType<Table[K]>>
}

/** The status a domain error is answered with (for the HTML pages, which answer in HTML). */
export const statusOf = (e: Mapped): number => HttpApiSchema.getStatusError(API_ERROR_OF[e._tag])
