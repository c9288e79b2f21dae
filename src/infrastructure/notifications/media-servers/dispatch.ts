import type { HttpClient } from "@effect/platform"
import type { Effect } from "effect"
import type { MediaServerTarget } from "../../../domain/notifications/targets.js"
import type { Delivered, DeliveryError, RequestScan } from "../../../domain/ports/NotificationSender.js"
import { scanJellyfin, testJellyfin } from "./jellyfin.js"
import { scanLidarr, testLidarr } from "./lidarr.js"
import { scanNavidrome, testNavidrome } from "./navidrome.js"
import { scanPlex, testPlex } from "./plex.js"

/** The rescan request of whichever media server the target is. */
export const scanMediaServer = (http: HttpClient.HttpClient): RequestScan => (target, folders) => {
  switch (target.type) {
    case "navidrome":
      return scanNavidrome(http)(target, folders)
    case "jellyfin":
      return scanJellyfin(http)(target, folders)
    case "plex":
      return scanPlex(http)(target, folders)
    case "lidarr":
      return scanLidarr(http)(target, folders)
  }
}

/** "Send a test message" for a media server: one cheap authenticated call, its answer shown as is. */
export const testMediaServer = (http: HttpClient.HttpClient) => (target: MediaServerTarget): Effect.Effect<Delivered, DeliveryError> => {
  switch (target.type) {
    case "navidrome":
      return testNavidrome(http)(target)
    case "jellyfin":
      return testJellyfin(http)(target)
    case "plex":
      return testPlex(http)(target)
    case "lidarr":
      return testLidarr(http)(target)
  }
}
