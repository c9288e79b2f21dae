import { type HttpClient, HttpClientRequest } from "@effect/platform"
import type { AppriseTarget, NotificationMessage } from "../../../domain/notifications/targets.js"
import type { SendMessage } from "../../../domain/ports/NotificationSender.js"
import { send } from "./answer.js"
import { severityOf } from "./severity.js"

/**
 * Apprise API's notify body. With `urls` it is the stateless call (POST /notify, the services
 * inside); without, the key in the URL names a configuration stored on the Apprise server.
 */
export const apprisePayload = (target: typeof AppriseTarget.Type, message: NotificationMessage) => ({
  ...(target.urls === undefined || target.urls === "" ? {} : { urls: target.urls }),
  title: message.title,
  body: message.text,
  type: severityOf(message.event),
  ...(target.tags === undefined || target.tags === "" ? {} : { tag: target.tags })
})

const stateless = (target: typeof AppriseTarget.Type) => target.urls !== undefined && target.urls !== ""

export const sendApprise = (http: HttpClient.HttpClient): SendMessage<typeof AppriseTarget.Type> => (target, message) =>
  send(http, "Apprise", HttpClientRequest.post(target.url).pipe(
    HttpClientRequest.acceptJson, HttpClientRequest.bodyUnsafeJson(apprisePayload(target, message))), {
    // 424: a service behind Apprise (Telegram, Pushover…) failed; it may work later
    transient: [424],
    // a stored key without configuration answers 204: nothing was sent anywhere
    refuse: (a) => a.status === 204 && !stateless(target) ? "the key has no configuration on the Apprise server (HTTP 204): nothing was sent" : undefined
  })
