import { type HttpClient, HttpClientRequest } from "@effect/platform"
import type { DiscordTarget, NotificationMessage } from "../../../domain/notifications/targets.js"
import type { SendMessage } from "../../../domain/ports/NotificationSender.js"
import { send, truncate } from "./answer.js"
import { type Severity, severityOf } from "./severity.js"

const COLOUR: Record<Severity, number> = { success: 0x2e_a0_43, info: 0x58_65_f2, warning: 0xd2_99_22, failure: 0xcf_22_2e }

/**
 * One embed (title ≤ 256, description ≤ 4096 characters, Discord's limits). Mentions are
 * switched off: a track called "@everyone" must not ping a whole server.
 */
export const discordPayload = (message: NotificationMessage) => ({
  username: "SoulSpot",
  allowed_mentions: { parse: [] as Array<string> },
  embeds: [{
    title: truncate(message.title, 256),
    description: truncate(message.text, 4096),
    color: COLOUR[severityOf(message.event)],
    timestamp: message.at
  }]
})

/** `?wait=true` makes Discord answer 200 with the message instead of an empty 204. */
export const discordUrl = (url: string): string => {
  const u = new URL(url)
  u.searchParams.set("wait", "true")
  return u.toString()
}

/** A 429's `retry_after` (seconds) when the Retry-After header is missing. */
export const discordRetryAfter = (body: string): number | undefined => {
  try {
    const parsed: unknown = JSON.parse(body)
    const v = typeof parsed === "object" && parsed !== null ? (parsed as { retry_after?: unknown }).retry_after : undefined
    return typeof v === "number" && Number.isFinite(v) && v >= 0 ? v : undefined
  } catch {
    return undefined
  }
}

export const sendDiscord = (http: HttpClient.HttpClient): SendMessage<typeof DiscordTarget.Type> => (target, message) =>
  send(http, "Discord", HttpClientRequest.post(discordUrl(target.url)).pipe(
    HttpClientRequest.acceptJson, HttpClientRequest.bodyUnsafeJson(discordPayload(message))), { retryAfterFromBody: discordRetryAfter })
