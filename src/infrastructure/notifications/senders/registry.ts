import type { HttpClient } from "@effect/platform"
import type { SendMessage } from "../../../domain/ports/NotificationSender.js"
import { sendApprise } from "./apprise.js"
import { sendDiscord } from "./discord.js"
import { sendGotify } from "./gotify.js"
import { sendNtfy } from "./ntfy.js"
import { sendWebhook } from "./webhook.js"

/** The sender of whichever message target it is. */
export const sendMessage = (http: HttpClient.HttpClient): SendMessage => {
  const webhook = sendWebhook(http)
  const ntfy = sendNtfy(http)
  const discord = sendDiscord(http)
  const gotify = sendGotify(http)
  const apprise = sendApprise(http)
  return (target, message) => {
    switch (target.type) {
      case "webhook":
        return webhook(target, message)
      case "ntfy":
        return ntfy(target, message)
      case "discord":
        return discord(target, message)
      case "gotify":
        return gotify(target, message)
      case "apprise":
        return apprise(target, message)
    }
  }
}
