import { HttpLayerRouter, HttpServerRequest, HttpServerResponse } from "@effect/platform"
import { Effect, Either, Option } from "effect"
import { ImportTrackList, type ImportResult } from "../application/import-track-list.js"
import { parsePlaylistFile } from "../domain/playlist-file.js"
import { PlaylistRepository } from "../domain/ports/PlaylistRepository.js"
import { TrackListSource } from "../domain/ports/TrackListSource.js"
import { SpotifyAccount } from "../infrastructure/spotify/account.js"
import { html, type SafeHtml } from "./html.js"
import { LOGIN_OUTCOMES, playlistsCard, spotifyCard } from "./views/playlists.js"

// htmx swaps only 2xx answers, so a refusal shown in place of a form also answers 200 (the JSON API keeps its 4xx)
const page = (body: SafeHtml) => HttpServerResponse.html(body.value)
const message = (kind: "ok" | "error", text: SafeHtml | string) => html`<p class="msg msg-${kind}">${text}</p>`
const unreadable = () => Effect.succeed(page(message("error", "The form could not be read.")))

/** The Spotify account and playlist cards at the top of the Settings page; ?spotify= says how a login ended. */
export const settingsPanels = (url: URL) => Effect.gen(function*() {
  const account = yield* SpotifyAccount
  const playlists = yield* PlaylistRepository
  const status = yield* account.status(yield* account.defaultRedirect)
  const outcome = LOGIN_OUTCOMES[url.searchParams.get("spotify") ?? ""]
  const note = outcome === undefined ? null : { kind: url.searchParams.get("spotify") === "connected" ? "ok" as const : "error" as const, text: outcome }
  return html`${spotifyCard(status, note)}${playlistsCard(yield* playlists.list)}`
})

const queued = (r: ImportResult) => {
  const created = r.createdCount
  const already = r.skipped.filter((s) => s.trackId !== null && s.line === null && /^already/.test(s.reason)).length
  const unusable = r.skipped.length - already
  return message("ok", html`Queued ${created} track${created === 1 ? "" : "s"} of “${r.playlist.title}”${already > 0 ? html` (${already} already queued or downloaded)` : ""}${unusable > 0
    ? html`; ${unusable} skipped: ${r.skipped.filter((s) => !/^already/.test(s.reason)).slice(0, 5).map((s) => s.reason).join("; ")}${unusable > 5 ? "; …" : ""}` : ""}.`)
}

const formBody = Effect.flatMap(HttpServerRequest.HttpServerRequest, (r) => r.urlParamsBody)
const field = (params: ReadonlyArray<readonly [string, string]>, name: string) => params.find(([k]) => k === name)?.[1]?.trim() ?? ""

export const PlaylistPageRoutes = HttpLayerRouter.addAll([
  HttpLayerRouter.route("POST", "/download-manager/queue-playlist", Effect.gen(function*() {
    const params = yield* formBody
    const link = field(params, "playlist_url")
    const source = /spotify/i.test(link) ? "spotify" as const : /deezer/i.test(link) ? "deezer" as const : undefined
    if (link === "" || link.length > 300 || source === undefined) {
      return page(message("error", "Paste a Spotify or Deezer playlist link (https://open.spotify.com/playlist/… or https://www.deezer.com/playlist/…)."))
    }
    const read = yield* (yield* TrackListSource).playlist(source, link, null).pipe(Effect.either)
    if (Either.isLeft(read)) return page(message("error", read.left.message))
    if (read.right._tag === "Unchanged") return page(message("ok", "Nothing changed."))
    const result = yield* (yield* ImportTrackList).importList(read.right.list, { watch: field(params, "watch") === "true" ? true : undefined })
    return page(queued(result))
  }).pipe(
    Effect.catchTag("UnknownProfile", (e) => Effect.succeed(page(message("error", e.message)))),
    Effect.catchTag("RequestError", unreadable))),
  HttpLayerRouter.route("POST", "/download-manager/queue-liked", Effect.gen(function*() {
    const read = yield* (yield* TrackListSource).liked(null).pipe(Effect.either)
    if (Either.isLeft(read)) return page(message("error", read.left.message))
    if (read.right._tag === "Unchanged") return page(message("ok", "Nothing changed."))
    return page(queued(yield* (yield* ImportTrackList).importList(read.right.list, {})))
  }).pipe(Effect.catchTag("UnknownProfile", (e) => Effect.succeed(page(message("error", e.message)))))),
  HttpLayerRouter.route("POST", "/download-manager/queue-file", Effect.gen(function*() {
    const request = yield* HttpServerRequest.HttpServerRequest
    const body = yield* request.arrayBuffer
    const form = yield* Effect.tryPromise(() => new Response(body, { headers: { "content-type": request.headers["content-type"] ?? "" } }).formData())
      .pipe(Effect.option)
    const file = Option.isSome(form) ? form.value.get("file") : null
    if (file === null || typeof file === "string") return page(message("error", "Choose a playlist file first."))
    const list = parsePlaylistFile({ name: file.name, contentType: file.type || null, bytes: new Uint8Array(yield* Effect.promise(() => file.arrayBuffer())) })
    if (Either.isLeft(list)) return page(message("error", list.left.message))
    return page(queued(yield* (yield* ImportTrackList).importList(list.right, {})))
  }).pipe(
    Effect.catchTag("UnknownProfile", (e) => Effect.succeed(page(message("error", e.message)))),
    Effect.catchTag("RequestError", unreadable))),
  HttpLayerRouter.route("POST", "/download-manager/spotify/callback", Effect.gen(function*() {
    const account = yield* SpotifyAccount
    const uri = yield* account.defaultRedirect
    const pasted = field(yield* formBody, "url")
    let url: URL | null = null
    try {
      url = new URL(pasted)
    } catch {
      url = null
    }
    if (url === null) {
      return page(spotifyCard(yield* account.status(uri), { kind: "error", text: "Paste the whole address from the browser's address bar (it starts with http://127.0.0.1:…)." }))
    }
    const done = yield* account.complete(url.searchParams, uri).pipe(Effect.either)
    return Either.isRight(done)
      ? page(spotifyCard(done.right, { kind: "ok", text: "Spotify is connected." }))
      : page(spotifyCard(yield* account.status(uri), { kind: "error", text: done.left.message }))
  }).pipe(Effect.catchTag("RequestError", unreadable))),
  HttpLayerRouter.route("POST", "/download-manager/spotify/disconnect", Effect.gen(function*() {
    const account = yield* SpotifyAccount
    yield* account.disconnect
    return page(spotifyCard(yield* account.status(yield* account.defaultRedirect), { kind: "ok", text: "Disconnected; the login is forgotten." }))
  })),
  HttpLayerRouter.route("POST", "/download-manager/playlists/:id/watch", Effect.gen(function*() {
    const playlists = yield* PlaylistRepository
    const { id } = yield* HttpLayerRouter.params
    const watch = field(yield* formBody, "watch") === "true"
    const found = yield* playlists.find(id ?? "")
    if (Option.isNone(found)) return page(message("error", "No such playlist."))
    if (found.value.source !== "file") yield* playlists.setWatch(found.value.id, watch)
    return page(playlistsCard(yield* playlists.list))
  }).pipe(Effect.catchTag("RequestError", unreadable)))
])
