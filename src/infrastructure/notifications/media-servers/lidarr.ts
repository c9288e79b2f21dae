import { type HttpClient, HttpClientRequest } from "@effect/platform"
import { Effect } from "effect"
import type { LidarrTarget } from "../../../domain/notifications/targets.js"
import { type Delivered, DeliveryError, type RequestScan } from "../../../domain/ports/NotificationSender.js"
import { base, send } from "../senders/answer.js"
import { outermost } from "./folders.js"

type Lidarr = typeof LidarrTarget.Type

const request = (target: Lidarr, method: "GET" | "POST", path: string) =>
  HttpClientRequest.make(method)(`${base(target.url)}/api/v1${path}`).pipe(
    HttpClientRequest.acceptJson, HttpClientRequest.setHeader("X-Api-Key", target.api_key))

/** One DownloadedAlbumsScan per folder (the command takes one path, file or folder, and requires it). */
export const lidarrCommands = (folders: ReadonlyArray<string>) =>
  outermost(folders).map((path) => ({ name: "DownloadedAlbumsScan", path }))

/**
 * Lidarr imports what it finds in each folder with its own import mode, as for a finished
 * download; it must see the folders at the same paths as SoulSpot.
 */
export const scanLidarr = (http: HttpClient.HttpClient): RequestScan<Lidarr> => (target, folders) => {
  const commands = lidarrCommands(folders)
  if (commands.length === 0) return Effect.fail(new DeliveryError({ message: "Lidarr: no folder to scan", permanent: true }))
  return Effect.map(
    Effect.forEach(commands, (c) => send(http, "Lidarr", request(target, "POST", "/command").pipe(HttpClientRequest.bodyUnsafeJson(c)))),
    (answers): Delivered => ({ status: answers[answers.length - 1]!.status, body: answers.length === 1 ? answers[0]!.body : `${answers.length} folders queued for import` }))
}

/** "Send a test message": the system status, which needs a valid API key. */
export const testLidarr = (http: HttpClient.HttpClient) => (target: Lidarr): Effect.Effect<Delivered, DeliveryError> =>
  send(http, "Lidarr", request(target, "GET", "/system/status"))
