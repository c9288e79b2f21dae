import { HttpLayerRouter, HttpServerRequest, HttpServerResponse } from "@effect/platform"
import { Clock, Effect, Either, Layer, Schema } from "effect"
import { DownloadManager } from "../application/download-manager.js"
import { HealthReport } from "../application/health.js"
import { QueueAlbumDownloads } from "../application/queue-album-downloads.js"
import { BULK_ACTIONS, type BulkAction, type BulkResult, QueueControl } from "../application/queue-control.js"
import { PRIORITY_MOVES } from "../domain/download-actions.js"
import { QueueTrackDownload } from "../application/queue-track-download.js"
import { importIsOn, LibraryIndexer } from "../application/library/library-indexer.js"
import { type Download, DownloadStatus } from "../domain/download.js"
import type { DownloadNotFound, StatusConflict } from "../domain/errors.js"
import { Setting } from "../config.js"
import { QualityProfiles } from "../domain/ports/QualityProfiles.js"
import { Settings } from "../domain/ports/Settings.js"
import { matchesFilter } from "../domain/text-filter.js"
import { CreateDownload } from "./api.js"
import { statusOf } from "./errors.js"
import { html, type SafeHtml } from "./html.js"
import { trackFromPayload } from "./rest.js"
import { eventStream, type SseFormat } from "./sse.js"
import { healthPanel, statsBar } from "./views/panels.js"
import { candidatesView, downloadList, downloadRow, showMore } from "./views/rows.js"
import { listSection, managerPage } from "./views/manager.js"
import { settingsForm, settingsPage } from "./views/settings.js"
import { notificationsSection } from "./notifications-pages.js"
import { settingsPanels } from "./playlist-pages.js"
import { AlbumGroups } from "../domain/ports/AlbumGroups.js"
import { AlbumCovers } from "../application/album-covers.js"
import { jsonError } from "./error-shape.js"
import { albumHead, groupedList } from "./views/album-groups.js"

const page = (body: SafeHtml, status = 200) =>
  HttpServerResponse.html(body.value).pipe(HttpServerResponse.setStatus(status))

const isHtmx = (r: HttpServerRequest.HttpServerRequest) => r.headers["hx-request"] === "true"

const parseStatuses = (values: ReadonlyArray<string>) =>
  values.flatMap((v) => v.split(",")).map((v) => v.trim().toUpperCase())
    .filter((v): v is DownloadStatus => (DownloadStatus.literals as ReadonlyArray<string>).includes(v))

/** A neutral square with a note, where a catalog cover cannot be fetched. */
const COVER_PLACEHOLDER = `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 48 48"><rect width="48" height="48" fill="#d9dee6"/><text x="24" y="32" font-size="22" text-anchor="middle" fill="#566273">♪</text></svg>`

/** Only our own page may show a cover: another site cannot embed it to learn what is queued here. */
const OWN_IMAGE = { "cross-origin-resource-policy": "same-origin" }

const HISTORY_PAGE = 50
/** The page's first HTML stays small whatever the queue holds: the rest comes with "show more". */
export const ACTIVE_PAGE = 50

/** The text filter as typed (trimmed, bounded); empty when absent. */
const textFilter = (url: URL) => (url.searchParams.get("q") ?? "").trim().slice(0, 200)

/** Loads what the downloads page shows: the active tab (a first page + finished in the last 10 minutes) or history. */
const loadManager = (url: URL) => Effect.gen(function*() {
  const manager = yield* DownloadManager
  const control = yield* QueueControl
  const health = yield* HealthReport
  const profiles = yield* QualityProfiles
  const settings = yield* Settings
  const tab = url.searchParams.get("tab") === "history" ? "history" as const : "active" as const
  const statuses = parseStatuses(url.searchParams.getAll("status"))
  const q = textFilter(url)
  const offset = Math.max(0, Math.min(1_000_000, Number(url.searchParams.get("offset")) || 0))
  const now = yield* Clock.currentTimeMillis
  const [stats, h, stored, defaultProfile] = yield* Effect.all([manager.stats, health.report, profiles.list, settings.get(Setting.defaultProfile)])
  // the default profile first, so the form's preselected choice is what the settings say
  const names = stored.map((p) => p.profile.name)
  const PROFILES = [...names.filter((n) => n === defaultProfile), ...names.filter((n) => n !== defaultProfile)]
  const library = yield* Effect.flatMap(LibraryIndexer, (l) => l.state)
  const common = { tab, statuses, q, stats, health: h, profiles: PROFILES, now, library }
  if (tab === "active") {
    const page = yield* control.active({ limit: ACTIVE_PAGE, q, statuses })
    const recent = (yield* control.recent).filter((d) =>
      (statuses.length === 0 || statuses.includes(d.status)) && (q === "" || matchesText(d, q)))
    return { ...common, page, recent, offset: 0, limit: ACTIVE_PAGE, groups: yield* groupsOf(page.downloads) }
  }
  const page = yield* control.list({ limit: HISTORY_PAGE, offset, q, statuses })
  return { ...common, page, recent: [], offset, limit: HISTORY_PAGE, groups: yield* groupsOf(page.downloads) }
}).pipe(Effect.catchTag("InvalidCursor", Effect.die))

/** The albums of the rows on a page, in one query. */
const groupsOf = (downloads: ReadonlyArray<Download>) => Effect.flatMap(AlbumGroups, (g) => g.ofTracks(downloads.map((d) => d.trackId)))

/** The few recently finished rows are filtered in memory, by the index's rule. */
const matchesText = (d: Download, q: string) => matchesFilter([d.track.title, d.track.artist, d.track.album], q)

const requestUrl = (r: HttpServerRequest.HttpServerRequest) => new URL(r.url, "http://localhost")

const message = (kind: "ok" | "error", text: SafeHtml | string) => html`<p class="msg msg-${kind}">${text}</p>`
/** A domain error as a page, with the status the API gives it. */
const errorPage = (e: Parameters<typeof statusOf>[0]) => Effect.succeed(page(message("error", e.message), statusOf(e)))

const formBody = Effect.gen(function*() {
  const request = yield* HttpServerRequest.HttpServerRequest
  const params = yield* request.urlParamsBody
  return Object.fromEntries(params.filter(([, v]) => v.trim() !== ""))
})

/** HTML fragments on the page's own stream: the row (static/app.js puts it in place by its id), counts and health. */
const HtmlFormat = (now: () => number): SseFormat => ({
  download: (d) => [["row", downloadRow(d).value]],
  stats: (s) => [["stats-html", statsBar(s).value]],
  health: (h) => [["health-html", healthPanel(h, now()).value]],
  album: (g, rows, libraryImport) => [["album", albumHead(g, libraryImport, rows).value]]
})

/** Cancel and retry from a row: the updated row comes back in place of the old one. */
const rowAction = (act: (m: DownloadManager, id: string) => Effect.Effect<Download, DownloadNotFound | StatusConflict>) =>
  Effect.gen(function*() {
    const manager = yield* DownloadManager
    const { id } = yield* HttpLayerRouter.params
    return page(downloadRow(yield* act(manager, id ?? "")))
  }).pipe(Effect.catchTags({
    DownloadNotFound: errorPage,
    StatusConflict: errorPage
  }))

const BULK_DONE: Record<BulkAction, string> = {
  cancel: "Cancelled", retry: "Retried", remove: "Removed", pause: "Paused", resume: "Resumed", priority: "Priority set on"
}

/** "Paused 3 downloads; 1 refused: …" with the first few reasons. */
const bulkMessage = (verb: string, r: BulkResult, what = "downloads") => {
  const n = r.done.length
  const refused = r.refused.length
  const text = html`${verb} ${n} ${n === 1 ? what.replace(/s$/, "") : what}.${refused > 0
    ? html` ${refused} refused: ${r.refused.slice(0, 3).map((x, i) => html`${i > 0 ? "; " : ""}${x.message}`)}${refused > 3 ? " …" : ""}`
    : ""}`
  return message(refused > 0 && n === 0 ? "error" : "ok", text)
}

/** The page reloads its list (static/app.js), so rows that moved, went or came back show where they are. */
const listChanged = (body: SafeHtml) => page(body).pipe(HttpServerResponse.setHeader("HX-Trigger", "soulspot-list-changed"))

export const PageRoutes = HttpLayerRouter.addAll([
  HttpLayerRouter.route("GET", "/", HttpServerResponse.redirect("/download-manager", { status: 302 })),
  HttpLayerRouter.route("GET", "/download-manager", (request) => Effect.gen(function*() {
    const p = yield* loadManager(requestUrl(request))
    // The same URL serves the full page or, for htmx, just the list.
    return page(isHtmx(request) ? listSection(p) : managerPage(p))
  })),
  HttpLayerRouter.route("GET", "/download-manager/events", eventStream(HtmlFormat(Date.now))),
  HttpLayerRouter.route("GET", "/api/downloads/manager/htmx/list", (request) => Effect.gen(function*() {
    const control = yield* QueueControl
    const url = requestUrl(request)
    const statuses = parseStatuses(url.searchParams.getAll("status"))
    const q = textFilter(url)
    const cursor = url.searchParams.get("cursor") ?? undefined
    const limit = Math.max(1, Math.min(ACTIVE_PAGE, Number(url.searchParams.get("limit")) || ACTIVE_PAGE))
    const next = yield* control.active({ limit, cursor, q, statuses })
    const more = showMore({ cursor: next.nextCursor, q, statuses })
    // The first page also carries what finished in the last 10 minutes, as the page shows it.
    const recent = cursor === undefined
      ? (yield* control.recent).filter((d) => (statuses.length === 0 || statuses.includes(d.status)) && (q === "" || matchesText(d, q)))
      : []
    const rows = [...next.downloads, ...recent]
    const importOn = importIsOn(yield* Effect.flatMap(LibraryIndexer, (l) => l.state))
    return page(cursor !== undefined || rows.length > 0
      ? html`${next.downloads.length === 0 ? "" : groupedList(next.downloads, yield* groupsOf(next.downloads), importOn, "")}${more}${recent.map((d) => downloadRow(d))}`
      : downloadList([], "Nothing is downloading."))
  }).pipe(Effect.catchTag("InvalidCursor", (e) => Effect.succeed(page(message("error", e.message), 400))))),
  // An album's cover, fetched by the server so the page loads images only from here. An album
  // without an https cover never links here (404); one whose cover cannot be fetched now gets a
  // plain placeholder (tried again after a minute) rather than a broken image.
  HttpLayerRouter.route("GET", "/download-manager/albums/:id/cover", Effect.gen(function*() {
    const covers = yield* AlbumCovers
    const { id } = yield* HttpLayerRouter.params
    const cover = yield* covers.get(id ?? "")
    if (cover._tag === "NoCover") return jsonError(404, "NotFound", "this album has no cover from its catalog")
    if (cover._tag === "Unavailable") {
      return HttpServerResponse.text(COVER_PLACEHOLDER, { contentType: "image/svg+xml", headers: { ...OWN_IMAGE, "cache-control": "private, max-age=60" } })
    }
    return HttpServerResponse.uint8Array(cover.image.data, {
      contentType: cover.image.mimeType,
      headers: { ...OWN_IMAGE, "cache-control": "private, max-age=86400" }
    })
  })),
  HttpLayerRouter.route("GET", "/api/downloads/manager/htmx/stats", Effect.gen(function*() {
    const manager = yield* DownloadManager
    return page(statsBar(yield* manager.stats))
  })),
  HttpLayerRouter.route("GET", "/api/downloads/manager/htmx/provider-health", Effect.gen(function*() {
    const health = yield* HealthReport
    return page(healthPanel(yield* health.report, yield* Clock.currentTimeMillis))
  })),
  HttpLayerRouter.route("GET", "/download-manager/downloads/:id/candidates", Effect.gen(function*() {
    const manager = yield* DownloadManager
    const { id } = yield* HttpLayerRouter.params
    const d = yield* manager.get(id ?? "")
    return page(candidatesView(d, yield* manager.candidates(d.id)))
  }).pipe(Effect.catchTag("DownloadNotFound", errorPage))),
  HttpLayerRouter.route("POST", "/download-manager/downloads/:id/cancel", rowAction((m, id) => m.cancel(id))),
  HttpLayerRouter.route("POST", "/download-manager/downloads/:id/retry", rowAction((m, id) => m.retry(id))),
  HttpLayerRouter.route("POST", "/download-manager/downloads/:id/pause", rowAction((m, id) => m.pause(id))),
  HttpLayerRouter.route("POST", "/download-manager/downloads/:id/resume", rowAction((m, id) => m.resume(id))),
  HttpLayerRouter.route("POST", "/download-manager/downloads/:id/priority", (request) => Effect.gen(function*() {
    const control = yield* QueueControl
    const { id } = yield* HttpLayerRouter.params
    const move = requestUrl(request).searchParams.get("move") ?? (yield* formBody)["move"]
    const known = PRIORITY_MOVES.find((m) => m === move)
    if (!known) return page(message("error", "move: must be up, down or top"), 400)
    return page(downloadRow(yield* control.movePriority(id ?? "", known)))
  }).pipe(
    Effect.catchTag("DownloadNotFound", errorPage),
    Effect.catchTag("RequestError", () => Effect.succeed(page(message("error", "The form could not be read."), 400))))),
  // The row goes (an empty answer in its place); the counts follow by SSE.
  HttpLayerRouter.route("POST", "/download-manager/downloads/:id/remove", Effect.gen(function*() {
    const manager = yield* DownloadManager
    const { id } = yield* HttpLayerRouter.params
    yield* manager.remove(id ?? "")
    return page(html``)
  }).pipe(Effect.catchTags({ DownloadNotFound: errorPage, StatusConflict: errorPage }))),
  // From the candidate panel: the panel answers with the candidates as they are now; the row follows by SSE.
  HttpLayerRouter.route("POST", "/download-manager/downloads/:id/candidates/:rank/use", Effect.gen(function*() {
    const manager = yield* DownloadManager
    const { id, rank } = yield* HttpLayerRouter.params
    const n = Number(rank)
    if (!Number.isInteger(n) || n < 1) return page(message("error", "rank: must be a whole number from 1"), 400)
    const d = yield* manager.useCandidate(id ?? "", n)
    return page(candidatesView(d, yield* manager.candidates(d.id), message("ok", html`File #${n} from ${d.username} is next; it is enqueued within a few seconds.`)))
  }).pipe(Effect.catchTags({ DownloadNotFound: errorPage, StatusConflict: errorPage, CandidateNotFound: errorPage }))),
  HttpLayerRouter.route("POST", "/download-manager/downloads/:id/next-candidate", Effect.gen(function*() {
    const manager = yield* DownloadManager
    const { id } = yield* HttpLayerRouter.params
    const d = yield* manager.nextCandidate(id ?? "")
    return page(candidatesView(d, yield* manager.candidates(d.id), message("ok", "That file is given up; the next candidate is tried within a few seconds.")))
  }).pipe(Effect.catchTags({ DownloadNotFound: errorPage, StatusConflict: errorPage }))),
  // The selection bar: one action on the ticked rows; the list reloads so moved and removed rows show where they are.
  HttpLayerRouter.route("POST", "/download-manager/bulk", Effect.gen(function*() {
    const control = yield* QueueControl
    const request = yield* HttpServerRequest.HttpServerRequest
    const params = yield* request.urlParamsBody
    const ids = params.filter(([k, v]) => k === "ids" && v.trim() !== "").map(([, v]) => v.trim())
    const action = BULK_ACTIONS.find((a) => a === params.find(([k]) => k === "action")?.[1])
    const priority = Number(params.find(([k]) => k === "priority")?.[1] ?? "")
    if (action === undefined) return page(message("error", `action: must be one of ${BULK_ACTIONS.join(", ")}`), 400)
    if (ids.length === 0) return page(message("error", "Select at least one download first."), 400)
    if (ids.length > 10_000) return page(message("error", "At most 10000 downloads at once."), 400)
    if (action === "priority" && !(Number.isInteger(priority) && Math.abs(priority) <= 1000)) {
      return page(message("error", "priority: must be a whole number from -1000 to 1000"), 400)
    }
    const result = yield* control.bulk({ ids, action, priority })
    return listChanged(bulkMessage(BULK_DONE[action], result))
  }).pipe(Effect.catchTag("RequestError", () => Effect.succeed(page(message("error", "The form could not be read."), 400))))),
  HttpLayerRouter.route("POST", "/download-manager/retry-failed", Effect.gen(function*() {
    const control = yield* QueueControl
    return listChanged(bulkMessage("Retried", yield* control.retryFailed(), "failed downloads"))
  })),
  HttpLayerRouter.route("POST", "/download-manager/clear-finished", Effect.gen(function*() {
    const control = yield* QueueControl
    return listChanged(bulkMessage("Removed", yield* control.clearFinished(), "finished downloads"))
  })),
  HttpLayerRouter.route("POST", "/download-manager/downloads/:id/album-first", Effect.gen(function*() {
    const control = yield* QueueControl
    const { id } = yield* HttpLayerRouter.params
    const { count, priority } = yield* control.albumToFront(id ?? "")
    // The page reloads its list (static/app.js), so the moved rows show in their new places.
    return page(message("ok", count === 0 ? "Nothing of this album is waiting any more." : html`${count} download${count === 1 ? "" : "s"} of this album moved to the front (priority ${priority}).`)).pipe(
      HttpServerResponse.setHeader("HX-Trigger", "soulspot-list-changed"))
  }).pipe(Effect.catchTag("DownloadNotFound", (e) => Effect.succeed(page(message("error", e.message), 404))))),
  HttpLayerRouter.route("POST", "/download-manager/queue", Effect.gen(function*() {
    const queue = yield* QueueTrackDownload
    const body = yield* formBody
    const decoded = Schema.decodeUnknownEither(CreateDownload)(body)
    if (Either.isLeft(decoded)) return page(message("error", "Please check the form: title and artist are required, at most 500 characters each."), 400)
    const track = yield* trackFromPayload(decoded.right).pipe(Effect.either)
    if (Either.isLeft(track)) return page(message("error", track.left.message), 400)
    const { download, created } = yield* queue.run({ track: track.right, qualityProfile: decoded.right.quality_profile })
    return page(message("ok", created
      ? html`Queued “${download.track.title}” by ${download.track.artist}.`
      : html`“${download.track.title}” is already ${download.status.toLowerCase()}.`))
  }).pipe(
    Effect.catchTags({ TrackNotFound: errorPage, UnknownProfile: errorPage }),
    Effect.catchTag("RequestError", () => Effect.succeed(page(message("error", "The form could not be read."), 400))))),
  HttpLayerRouter.route("POST", "/download-manager/queue-album", Effect.gen(function*() {
    const albums = yield* QueueAlbumDownloads
    const body = yield* formBody
    const link = (body["album_url"] ?? "").trim()
    // The link says where it comes from; a bare id cannot, so the page asks for a link.
    const source = /spotify/i.test(link) ? "spotify" as const : /deezer/i.test(link) ? "deezer" as const : undefined
    if (link === "" || link.length > 300 || source === undefined) {
      return page(message("error", "Paste a Spotify or Deezer album link (https://open.spotify.com/album/… or https://www.deezer.com/album/…)."), 400)
    }
    const result = yield* albums.run({ source, albumRef: link }).pipe(Effect.either)
    if (Either.isLeft(result)) return page(message("error", result.left.message), statusOf(result.left))
    const { album, downloads, skipped } = result.right
    const skippedIds = new Set(skipped.map((x) => x.download.id))
    const imported = downloads.filter((d) => d.importState?.status === "IMPORTED")
    const answered = imported.filter((d) => !skippedIds.has(d.id)).length
    return page(message("ok", html`Queued ${downloads.length - skipped.length - answered} of ${album.totalTracks} tracks of “${album.title}” by ${album.artist}${skipped.length > 0 ? html` (${skipped.length} already queued or downloaded)` : ""}.${imported.length > 0 ? html` ${imported.length}/${album.totalTracks} in library.` : ""}`))
  }).pipe(Effect.catchTag("RequestError", () => Effect.succeed(page(message("error", "The form could not be read."), 400))))),
  HttpLayerRouter.route("GET", "/download-manager/settings", (request) => Effect.gen(function*() {
    const settings = yield* Settings
    return page(settingsPage(yield* settings.describe, html`${yield* settingsPanels(requestUrl(request))}${yield* notificationsSection}`))
  })),
  HttpLayerRouter.route("POST", "/download-manager/settings", Effect.gen(function*() {
    const settings = yield* Settings
    const request = yield* HttpServerRequest.HttpServerRequest
    const params = yield* request.urlParamsBody
    // Only what the user changed: an untouched field must not pin an environment value into the database.
    const current = new Map((yield* settings.describe).map((v) => [v.key, v.value ?? ""]))
    const entries = Object.fromEntries(params.filter(([k, v]) => current.has(k) && v !== current.get(k)))
    const result = yield* settings.update(entries).pipe(Effect.either)
    return Either.isLeft(result)
      ? page(settingsForm(yield* settings.describe, message("error", result.left.message)), 400)
      : page(settingsForm(result.right.settings, message("ok", html`Saved.${result.right.notices.map((n) => html` ${n}.`)}`)))
  }).pipe(Effect.catchTag("RequestError", () => Effect.succeed(page(message("error", "The form could not be read."), 400)))))
])

export const PagesLive = Layer.mergeAll(PageRoutes)
