import type { NotificationEvent } from "../../../domain/notifications/targets.js"

/** How good or bad an event is: picks Apprise's type, Discord's colour and ntfy's emoji tag. */
export type Severity = "success" | "info" | "warning" | "failure"

export const severityOf = (event: NotificationEvent): Severity => {
  switch (event) {
    case "download.completed":
    case "download.imported":
    case "album.completed":
    case "slskd.up":
      return "success"
    case "download.needs_review":
      return "warning"
    case "download.failed":
    case "slskd.down":
      return "failure"
  }
}
