import { type HttpClient, HttpClientRequest } from "@effect/platform"
import { Effect } from "effect"
import type { NotificationMessage, NtfyTarget } from "../../../domain/notifications/targets.js"
import { DeliveryError, type SendMessage } from "../../../domain/ports/NotificationSender.js"
import { send } from "./answer.js"
import { type Severity, severityOf } from "./severity.js"

const EMOJI: Record<Severity, string> = { success: "white_check_mark", info: "information_source", warning: "warning", failure: "x" }

/**
 * ntfy's JSON publishing: the body goes to the server root (the topic URL without its last
 * segment) with the topic inside. Unlike the Title header, JSON carries any title in UTF-8.
 */
export const ntfyRequest = (target: typeof NtfyTarget.Type, message: NotificationMessage): { url: string; body: Record<string, unknown> } | string => {
  let u: URL
  try {
    u = new URL(target.url)
  } catch {
    return "the topic URL is not a URL"
  }
  const segments = u.pathname.split("/").filter((s) => s !== "")
  const topic = segments.pop()
  if (topic === undefined || !/^[-_A-Za-z0-9]{1,64}$/.test(topic)) return "the URL must end in a topic name (letters, digits, - and _), e.g. https://ntfy.sh/my-topic"
  const root = `${u.origin}/${segments.map((s) => `${s}/`).join("")}`
  return {
    url: root,
    body: {
      topic,
      title: message.title,
      message: message.text,
      tags: [EMOJI[severityOf(message.event)], ...(target.tags ?? [])],
      ...(target.priority === undefined ? {} : { priority: target.priority })
    }
  }
}

export const sendNtfy = (http: HttpClient.HttpClient): SendMessage<typeof NtfyTarget.Type> => (target, message) => {
  const built = ntfyRequest(target, message)
  if (typeof built === "string") return Effect.fail(new DeliveryError({ message: `ntfy: ${built}`, permanent: true }))
  let req = HttpClientRequest.post(built.url).pipe(HttpClientRequest.acceptJson, HttpClientRequest.bodyUnsafeJson(built.body))
  if (target.token !== undefined && target.token !== "") req = HttpClientRequest.bearerToken(req, target.token)
  return send(http, "ntfy", req)
}
