import { type HttpClient, HttpClientRequest } from "@effect/platform"
import { createHmac } from "node:crypto"
import type { NotificationMessage, WebhookTarget } from "../../../domain/notifications/targets.js"
import type { SendMessage } from "../../../domain/ports/NotificationSender.js"
import { send } from "./answer.js"

/** The versioned body: the message as is (version, id, event, at, title, text and the event's objects). */
export const webhookBody = (message: NotificationMessage): string => JSON.stringify(message)

/** `sha256=<hex HMAC-SHA256 of the raw body>` keyed with the target's secret. */
export const webhookSignature = (secret: string, body: string): string =>
  `sha256=${createHmac("sha256", secret).update(body, "utf8").digest("hex")}`

/** Headers a target's custom headers may not set: the body's type and what SoulSpot signs and numbers. */
const RESERVED = new Set(["content-type", "content-length", "x-soulspot-signature", "x-soulspot-delivery"])

/** POST of the JSON body with the target's custom headers (never the reserved ones). */
export const sendWebhook = (http: HttpClient.HttpClient): SendMessage<typeof WebhookTarget.Type> => (target, message) => {
  const body = webhookBody(message)
  const custom = Object.fromEntries(Object.entries(target.headers ?? {}).filter(([k]) => !RESERVED.has(k.toLowerCase())))
  let req = HttpClientRequest.post(target.url).pipe(
    HttpClientRequest.setHeaders(custom),
    HttpClientRequest.setHeader("User-Agent", "SoulSpot"),
    HttpClientRequest.bodyText(body, "application/json"))
  if (target.secret !== undefined && target.secret !== "") req = HttpClientRequest.setHeader(req, "X-SoulSpot-Signature", webhookSignature(target.secret, body))
  return send(http, "webhook", req)
}
