import { type Effect, Schema } from "effect"
import type { MediaServerTarget, MessageTarget, NotificationMessage } from "../notifications/targets.js"

/** A target's answer, shown in Settings after "send a test message" and kept with each delivery. */
export interface Delivered {
  readonly status: number
  readonly body: string
}

/** Why a delivery failed; `retryAfterMillis` from a 429's Retry-After; `permanent` for 4xx other than 408/429. */
export class DeliveryError extends Schema.TaggedError<DeliveryError>()("DeliveryError", {
  message: Schema.String,
  status: Schema.optional(Schema.Number),
  permanent: Schema.Boolean,
  retryAfterMillis: Schema.optional(Schema.Number)
}) {}

/** Sends one message to one target (one HTTP request, bounded by a timeout). */
export type SendMessage<T extends MessageTarget = MessageTarget> = (target: T, message: NotificationMessage) => Effect.Effect<Delivered, DeliveryError>

/** Asks one media server to rescan (the folders are absolute library paths; a server may scan everything). */
export type RequestScan<T extends MediaServerTarget = MediaServerTarget> = (target: T, folders: ReadonlyArray<string>) => Effect.Effect<Delivered, DeliveryError>
