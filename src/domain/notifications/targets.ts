import { Schema } from "effect"

/** What a target can be told about. */
export const NotificationEvent = Schema.Literal(
  "download.completed", "download.imported", "download.failed", "download.needs_review",
  "album.completed", "slskd.down", "slskd.up"
)
export type NotificationEvent = typeof NotificationEvent.Type
export const NOTIFICATION_EVENTS: ReadonlyArray<NotificationEvent> = NotificationEvent.literals

const Url = Schema.String.pipe(Schema.pattern(/^https?:\/\/[^\s]+$/), Schema.annotations({ description: "http(s) URL" }))
const Secret = Schema.String.pipe(Schema.maxLength(4096))
const Headers = Schema.Record({ key: Schema.String.pipe(Schema.pattern(/^[A-Za-z0-9-]{1,64}$/)), value: Schema.String.pipe(Schema.maxLength(4096)) })

/** Fields every target has: a name the user sees, on/off, and which events it gets (all when absent). */
const common = {
  id: Schema.optional(Schema.String),
  name: Schema.optional(Schema.String.pipe(Schema.maxLength(200))),
  enabled: Schema.optionalWith(Schema.Boolean, { default: () => true }),
  events: Schema.optional(Schema.Array(NotificationEvent))
}

export const WebhookTarget = Schema.Struct({ type: Schema.Literal("webhook"), url: Url, secret: Schema.optional(Secret), headers: Schema.optional(Headers), ...common })
export const NtfyTarget = Schema.Struct({
  type: Schema.Literal("ntfy"), url: Url.annotations({ description: "topic URL, e.g. https://ntfy.sh/my-topic" }),
  token: Schema.optional(Secret), priority: Schema.optional(Schema.Int.pipe(Schema.between(1, 5))), tags: Schema.optional(Schema.Array(Schema.String)), ...common
})
export const DiscordTarget = Schema.Struct({ type: Schema.Literal("discord"), url: Url.annotations({ description: "Discord webhook URL (secret)" }), ...common })
export const GotifyTarget = Schema.Struct({
  type: Schema.Literal("gotify"), url: Url.annotations({ description: "Gotify server base URL" }), token: Secret,
  priority: Schema.optional(Schema.Int.pipe(Schema.between(0, 10))), ...common
})
export const AppriseTarget = Schema.Struct({
  type: Schema.Literal("apprise"), url: Url.annotations({ description: "Apprise API notify URL, e.g. http://apprise:8000/notify/soulspot" }),
  urls: Schema.optional(Schema.String.annotations({ description: "Apprise service URLs (secret); absent when the key on the server holds them" })), tags: Schema.optional(Schema.String), ...common
})

/** Media servers are told to rescan after imports (batched), not sent messages. */
export const NavidromeTarget = Schema.Struct({ type: Schema.Literal("navidrome"), url: Url, username: Schema.String, password: Secret, ...common })
export const JellyfinTarget = Schema.Struct({ type: Schema.Literal("jellyfin"), url: Url, token: Secret, ...common })
export const PlexTarget = Schema.Struct({ type: Schema.Literal("plex"), url: Url, token: Secret, section: Schema.optional(Schema.String.pipe(Schema.pattern(/^\d+$/))), ...common })
export const LidarrTarget = Schema.Struct({ type: Schema.Literal("lidarr"), url: Url, api_key: Secret, ...common })

export const MessageTarget = Schema.Union(WebhookTarget, NtfyTarget, DiscordTarget, GotifyTarget, AppriseTarget)
export type MessageTarget = typeof MessageTarget.Type
export const MediaServerTarget = Schema.Union(NavidromeTarget, JellyfinTarget, PlexTarget, LidarrTarget)
export type MediaServerTarget = typeof MediaServerTarget.Type
export const NotificationTarget = Schema.Union(MessageTarget, MediaServerTarget)
export type NotificationTarget = typeof NotificationTarget.Type

export const isMediaServer = (t: NotificationTarget): t is MediaServerTarget =>
  t.type === "navidrome" || t.type === "jellyfin" || t.type === "plex" || t.type === "lidarr"

/** The fields of each type that are secrets: answered as "****", and "****" in a PUT keeps the stored value. */
export const SECRET_FIELDS: Readonly<Record<NotificationTarget["type"], ReadonlyArray<string>>> = {
  webhook: ["secret"], ntfy: ["token"], discord: ["url"], gotify: ["token"], apprise: ["urls"],
  navidrome: ["password"], jellyfin: ["token"], plex: ["token"], lidarr: ["api_key"]
}

/**
 * The versioned message every target is built from (the webhook body as is). `download`,
 * `album` and `health` are the API's own JSON shapes, present as the event needs.
 */
export interface NotificationMessage {
  readonly version: 1
  /** The event's id: the same in every retry and for every target. */
  readonly id?: string
  /** A "send a test message" from Settings, not a real event. */
  readonly test?: true
  readonly event: NotificationEvent
  readonly at: string
  readonly download?: unknown
  readonly album?: { readonly id: string; readonly title: string; readonly artist: string; readonly total_tracks: number; readonly done_tracks: number }
  readonly health?: unknown
  /** Why a download failed or needs review. */
  readonly reason?: string
  /** One line for humans (ntfy/Discord/Gotify/Apprise titles and bodies). */
  readonly title: string
  readonly text: string
}
