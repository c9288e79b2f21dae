import { Context, type Effect, type Option, Schema } from "effect"
import type { PeerResponse } from "../matching/types.js"

/**
 * Why a provider call failed. Only Unreachable, Timeout, Upstream (5xx) and Malformed count
 * as breaker failures; the others are answers (4xx) and show in last_error.
 */
export const ProviderErrorReason = Schema.Literal(
  "Unreachable", "Timeout", "Upstream", "Malformed", "Unauthorized", "NotLoggedIn", "RateLimited", "Rejected", "CircuitOpen"
)
export type ProviderErrorReason = typeof ProviderErrorReason.Type

export class ProviderError extends Schema.TaggedError<ProviderError>()(
  "ProviderError",
  {
    reason: ProviderErrorReason,
    message: Schema.String,
    status: Schema.optional(Schema.Number),
    /** For RateLimited and CircuitOpen: how long to wait before trying again. */
    retryAfterMillis: Schema.optional(Schema.Number)
  }
) {}

export const countsAsFailure = (e: ProviderError): boolean =>
  e.reason === "Unreachable" || e.reason === "Timeout" || e.reason === "Upstream" || e.reason === "Malformed"

/** What slskd reports about one download, flattened from its per-user, per-directory lists. */
export interface TransferStatus {
  readonly id: string
  readonly username: string
  readonly filename: string
  readonly size: number
  /** The flags of slskd's state string, e.g. ["Completed", "Succeeded"] or ["Queued", "Remotely"]. */
  readonly state: ReadonlyArray<string>
  readonly bytesTransferred: number
  readonly percentComplete: number
  readonly averageSpeed: number
  readonly remainingSeconds: number | null
  readonly attempts: number
  readonly exception: string | null
  readonly requestedAt: string | null
  readonly enqueuedAt: string | null
  readonly startedAt: string | null
  readonly endedAt: string | null
}

export const transferKey = (username: string, filename: string): string => `${username}\u0000${filename}`

export interface TransferSnapshot {
  readonly byId: ReadonlyMap<string, TransferStatus>
  /** Keyed by transferKey(username, filename); the newest record wins. */
  readonly byKey: ReadonlyMap<string, TransferStatus>
}

export interface EnqueueRequest {
  readonly username: string
  readonly filename: string
  readonly size: number
}

export interface EnqueueResult {
  readonly transferId: string
  /** true when slskd already held this user+file and we took that transfer over instead of enqueueing again. */
  readonly adopted: boolean
}

export interface ProviderStatus {
  readonly reachable: boolean
  readonly loggedIn: boolean | null
  readonly version: string | null
}

export class DownloadProvider extends Context.Tag("soulspot/DownloadProvider")<DownloadProvider, {
  /** Runs one search to its end (endedAt set), reads the responses and deletes the search. */
  readonly search: (query: string) => Effect.Effect<ReadonlyArray<PeerResponse>, ProviderError>
  /** Enqueues one file, or adopts the transfer slskd already holds for this user and file. */
  readonly download: (request: EnqueueRequest) => Effect.Effect<EnqueueResult, ProviderError>
  /** One request listing every download slskd holds. */
  readonly getStatus: Effect.Effect<TransferSnapshot, ProviderError>
  /** Cancels, then removes the record once slskd reports it completed. */
  readonly cancel: (transfer: { readonly username: string; readonly id: string }) => Effect.Effect<void, ProviderError>
  /** One transfer by id, removed records included; none when slskd does not know it. */
  readonly lookup: (transfer: { readonly username: string; readonly id: string }) => Effect.Effect<Option.Option<TransferStatus>, ProviderError>
  /** Removes a finished transfer's record from slskd's list (nothing happens to a running one). */
  readonly forget: (transfer: { readonly username: string; readonly id: string }) => Effect.Effect<void, ProviderError>
  /** Application and server state; never fails (an unreachable slskd is reported as such). */
  readonly health: Effect.Effect<ProviderStatus>
}>() {}
