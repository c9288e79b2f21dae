import { type HttpClient, HttpClientRequest } from "@effect/platform"
import type { GotifyTarget, NotificationMessage } from "../../../domain/notifications/targets.js"
import type { SendMessage } from "../../../domain/ports/NotificationSender.js"
import { base, send } from "./answer.js"

/** Gotify's message: without a priority the application's default applies. */
export const gotifyPayload = (target: typeof GotifyTarget.Type, message: NotificationMessage) => ({
  title: message.title,
  message: message.text,
  ...(target.priority === undefined ? {} : { priority: target.priority })
})

/** POST <server>/message with the application token in X-Gotify-Key (kept out of the URL and its logs). */
export const sendGotify = (http: HttpClient.HttpClient): SendMessage<typeof GotifyTarget.Type> => (target, message) =>
  send(http, "Gotify", HttpClientRequest.post(`${base(target.url)}/message`).pipe(
    HttpClientRequest.acceptJson, HttpClientRequest.setHeader("X-Gotify-Key", target.token),
    HttpClientRequest.bodyUnsafeJson(gotifyPayload(target, message))))
