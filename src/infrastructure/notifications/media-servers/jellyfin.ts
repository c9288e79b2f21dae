import { type HttpClient, HttpClientRequest } from "@effect/platform"
import type { Effect } from "effect"
import type { JellyfinTarget } from "../../../domain/notifications/targets.js"
import type { Delivered, DeliveryError, RequestScan } from "../../../domain/ports/NotificationSender.js"
import { base, send } from "../senders/answer.js"

type Jellyfin = typeof JellyfinTarget.Type

/**
 * The API key in Jellyfin's own Authorization scheme: newer servers no longer read the older
 * X-Emby-Token header, and every supported version reads this one.
 */
export const jellyfinAuthorization = (token: string): string =>
  `MediaBrowser Client="SoulSpot", Device="SoulSpot", DeviceId="soulspot", Version="1", Token="${token.replace(/["\\]/g, "")}"`

const request = (target: Jellyfin, method: "GET" | "POST", path: string) =>
  HttpClientRequest.make(method)(`${base(target.url)}${path}`).pipe(
    HttpClientRequest.acceptJson, HttpClientRequest.setHeader("Authorization", jellyfinAuthorization(target.token)))

/**
 * A library refresh (all libraries): the folders as SoulSpot sees them may not be the paths
 * inside Jellyfin's container, and a refresh skips unchanged folders.
 */
export const scanJellyfin = (http: HttpClient.HttpClient): RequestScan<Jellyfin> => (target) =>
  send(http, "Jellyfin", request(target, "POST", "/Library/Refresh"))

/** "Send a test message": the server's information, which needs a valid API key. */
export const testJellyfin = (http: HttpClient.HttpClient) => (target: Jellyfin): Effect.Effect<Delivered, DeliveryError> =>
  send(http, "Jellyfin", request(target, "GET", "/System/Info"))
