/**
 * Albums as albums on the downloads page, on the real server: an album's rows under one header
 * (title, artist, cover, "N/M done", "N/M in library"), in disc and track order, placed where the
 * album's first row sorts; the header sent live when one of its downloads changes.
 */
import { describe, expect, layer } from "@effect/vitest"
import { SqlClient } from "@effect/sql"
import { Effect, Layer, TestClock } from "effect"
import { mkdtempSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { ACTIVE_PAGE } from "../../src/api/pages.js"
import { DownloadRepository } from "../../src/domain/ports/DownloadRepository.js"
import { TrackRepository } from "../../src/domain/ports/TrackRepository.js"
import { AppTest } from "../support/app.js"
import { seedQueue } from "../support/big-queue.js"
import { tempDbFile } from "../support/db.js"
import { getHtml, request } from "../support/http.js"
import { sse, until } from "../support/sse-client.js"

const ARTIST = "The Groupers"

/** Stores an album (as a catalog would) and queues its tracks one by one in `queueOrder`, a second apart. */
const albumQueued = (sourceId: string, title: string, tracks: ReadonlyArray<readonly [number, number, string]>, queueOrder: ReadonlyArray<string>, coverUrl: string | null = null) =>
  Effect.gen(function*() {
    const stored = yield* Effect.flatMap(TrackRepository, (r) => r.upsertAlbum({
      source: "deezer", sourceId, title, artist: ARTIST, releaseDate: "2003", coverUrl,
      tracks: tracks.map(([discNumber, trackNumber, t]) => ({ title: t, artist: ARTIST, album: title, discNumber, trackNumber }))
    }))
    const repo = yield* DownloadRepository
    const ids = new Map<string, string>()
    for (const t of queueOrder) {
      const track = stored.tracks.find((x) => x.title === t)!
      ids.set(t, (yield* repo.queueTrack(track.id, 0, "balanced")).download.id)
      yield* TestClock.adjust("1 second")
    }
    return { albumId: stored.album.id, ids }
  })

const loose = (title: string) => Effect.flatMap(DownloadRepository, (r) => r.queue({ track: { title, artist: "Solo Act" }, priority: 0, qualityProfile: "balanced" }))
  .pipe(Effect.map((r) => r.download.id))

const finish = (id: string, to: "COMPLETED" | "FAILED") => Effect.gen(function*() {
  const repo = yield* DownloadRepository
  if (to === "FAILED") return yield* repo.updateStatus(id, "FAILED", { error: "no file" })
  for (const s of ["PENDING", "QUEUED", "DOWNLOADING", "COMPLETED"] as const) yield* repo.updateStatus(id, s, { username: "peer", filename: "@@p\\A\\x.flac", size: 10 })
}).pipe(Effect.orDie)

/** A list's top level as text: a row by its id, a group as album-<id>[row ids]. */
const shape = (list: string) => {
  const out: Array<string> = []
  const re = /<li id="(album-group-[\w-]+|download-[\w-]+)"|<\/ul><\/details>/g
  let group: { id: string; rows: Array<string> } | null = null
  for (const m of list.matchAll(re)) {
    if (m[1] === undefined) {
      if (group) out.push(`${group.id}[${group.rows.join(",")}]`)
      group = null
    } else if (m[1].startsWith("album-group-")) group = { id: m[1].slice("album-group-".length), rows: [] }
    else if (group) group.rows.push(m[1].slice("download-".length))
    else out.push(m[1].slice("download-".length))
  }
  return out
}
const listOf = (page: string, id: string) => {
  const start = page.indexOf(`<ul id="${id}"`)
  expect(start, id).toBeGreaterThanOrEqual(0)
  return page.slice(start, page.indexOf("</div>", page.indexOf(`</ul>\n  ${""}`, start)))
}
const headOf = (page: string, albumId: string) => {
  const m = new RegExp(`<summary id="album-${albumId}"[\\s\\S]*?</summary>`).exec(page)
  expect(m, `header of ${albumId}`).not.toBeNull()
  return m![0]
}

const TRACKS = [[1, 1, "One"], [1, 2, "Two"], [1, 3, "Three"], [2, 1, "Four"], [2, 2, "Five"]] as const

describe("album groups on the downloads page", () => {
  layer(AppTest(), { timeout: 30_000 })((it) => {
    it.effect("an album's rows under one header, in disc and track order, where its first row sorts; history too", () =>
      Effect.gen(function*() {
        const first = yield* loose("Early Loose")
        // queued in another order than the album's
        const { albumId, ids } = yield* albumQueued("501", "Two Sided", TRACKS, ["Five", "Three", "One", "Four", "Two"])
        const late = yield* loose("Late Loose")
        // "Four" raised: the group moves up to where "Four" sorts, above the first loose row
        yield* Effect.flatMap(DownloadRepository, (r) => r.setPriority([ids.get("Four")!], 5))
        const inAlbumOrder = ["One", "Two", "Three", "Four", "Five"].map((t) => ids.get(t)!)

        const page = yield* getHtml("/download-manager")
        expect(shape(listOf(page, "active-list"))).toEqual([`${albumId}[${inAlbumOrder.join(",")}]`, first, late])
        const head = headOf(page, albumId)
        expect(head).toContain("<strong>Two Sided</strong> <span class=\"muted\">The Groupers</span>")
        expect(head).toContain("0/5 done")
        expect(head).not.toContain("in library")
        // collapsible without scripts, open at first
        expect(page).toMatch(new RegExp(`<li id="album-group-${albumId}" class="album-group"><details open><summary id="album-${albumId}" class="album-head">`))
        // each row says its place in the album, for rows that arrive live
        expect(page).toMatch(new RegExp(`<li id="download-${ids.get("Four")}" [^>]*data-disc="2" data-track="1"`))
        // no cover from the catalog: a placeholder, no image
        expect(head).not.toContain("<img")

        // the list fragment (htmx) and history group the same way
        expect(shape(yield* getHtml("/api/downloads/manager/htmx/list"))).toEqual([`${albumId}[${inAlbumOrder.join(",")}]`, first, late])
        const history = yield* getHtml("/download-manager?tab=history")
        // newest first: the group where its newest row is
        expect(shape(listOf(history, "history-list"))).toEqual([late, `${albumId}[${inAlbumOrder.join(",")}]`, first])

        // paged: a page holding part of the album groups that part; the next page the rest
        // (queue order: Four, Early Loose, Five, Three, One, Two, Late Loose)
        const page1 = yield* getHtml("/api/downloads/manager/htmx/list?limit=3")
        expect(shape(page1)).toEqual([`${albumId}[${[ids.get("Four")!, ids.get("Five")!].join(",")}]`, first])
        const cursor = /hx-get="\/api\/downloads\/manager\/htmx\/list\?cursor=([^"&]+)/.exec(page1)![1]!
        const page2 = yield* getHtml(`/api/downloads/manager/htmx/list?limit=3&cursor=${cursor}`)
        expect(shape(page2)).toEqual([`${albumId}[${[ids.get("One")!, ids.get("Two")!, ids.get("Three")!].join(",")}]`])
        // the page (static/app.js) merges both parts by the group's id
        expect(page2).toContain(`<li id="album-group-${albumId}"`)
      }))

    it.effect("the header counts what is done and failed, and comes live on the page's stream when a track changes", () =>
      Effect.gen(function*() {
        const { albumId, ids } = yield* albumQueued("502", "Counted", [[1, 1, "A1"], [1, 2, "A2"], [1, 3, "A3"], [1, 4, "A4"]], ["A1", "A2", "A3", "A4"])
        yield* Effect.flatMap(SqlClient.SqlClient, (sql) => sql`UPDATE albums SET total_tracks = 12 WHERE id = ${albumId}`)
        yield* finish(ids.get("A1")!, "COMPLETED")
        yield* finish(ids.get("A2")!, "FAILED")
        const head = headOf(yield* getHtml("/download-manager?tab=history"), albumId)
        expect(head).toContain(`<span class="album-counts">1/12 done · 1 failed</span>`)

        const c = yield* sse("/download-manager/events")
        yield* until(c, () => c.frames.length >= 2, "the opening fragments")
        yield* finish(ids.get("A3")!, "COMPLETED")
        yield* finish(ids.get("A4")!, "COMPLETED")
        yield* TestClock.adjust("1 second")
        yield* until(c, () => c.frames.some((f) => f.event === "album" && f.data.includes("3/12 done")), "the album header with 3/12 done")
        const frames = c.frames.filter((f) => f.event === "album")
        // one header for the burst of changes, not one per change
        expect(frames).toHaveLength(1)
        // naming the album's downloads in album order, so the page gathers those it shows into the group
        expect(frames[0]!.data).toMatch(new RegExp(`^<summary id="album-${albumId}" class="album-head" data-rows="${["A1", "A2", "A3", "A4"].map((t) => ids.get(t)).join(" ")}">`))
        // it follows the rows it counts
        const lastRow = Math.max(...c.frames.filter((f) => f.event === "row").map((f) => f.id!))
        expect(frames[0]!.id!).toBeGreaterThan(lastRow)
        // the JSON stream stays as the API contract has it: no album events there
        const api = yield* sse("/api/downloads/manager/events")
        yield* until(api, () => api.frames.length >= 2, "the API stream's opening")
        yield* Effect.flatMap(DownloadRepository, (r) => r.updateStatus(ids.get("A2")!, "WAITING"))
        yield* TestClock.adjust("1 second")
        yield* until(api, () => api.frames.some((f) => f.event === "download"), "a download event")
        yield* until(c, () => c.frames.some((f) => f.event === "album" && f.data.includes("3/12 done") && !f.data.includes("failed")), "the header without the failure")
        expect(api.frames.some((f) => f.event === "album")).toBe(false)

        // a transfer under way changes no count: its progress costs no header
        const albumFrames = c.frames.filter((f) => f.event === "album").length
        const repo = yield* DownloadRepository
        for (const st of ["PENDING", "QUEUED", "DOWNLOADING"] as const) yield* repo.updateStatus(ids.get("A2")!, st, { username: "peer", filename: "@@p\\A\\x.flac", size: 10 })
        yield* repo.applyChanges([{ id: ids.get("A2")!, patch: { bytesTransferred: 5 } }])
        yield* TestClock.adjust("1 second")
        yield* until(c, () => c.frames.some((f) => f.event === "row" && f.data.includes(`id="download-${ids.get("A2")}"`) && f.data.includes("DOWNLOADING")), "the row downloading")
        yield* TestClock.adjust("1 second")
        expect(c.frames.filter((f) => f.event === "album")).toHaveLength(albumFrames)
        yield* repo.updateStatus(ids.get("A2")!, "COMPLETED")
        yield* TestClock.adjust("1 second")
        yield* until(c, () => c.frames.some((f) => f.event === "album" && f.data.includes("4/12 done")), "the header with 4/12 done")
        // and only that one since the transfer started
        expect(c.frames.filter((f) => f.event === "album")).toHaveLength(albumFrames + 1)
      }).pipe(Effect.scoped))

    it.effect("a cover only from the catalog's https URL, through the page's own route; none otherwise", () =>
      Effect.gen(function*() {
        const withCover = yield* albumQueued("503", "Covered", [[1, 1, "C1"], [1, 2, "C2"]], ["C1", "C2"], "https://e-cdns-images.dzcdn.net/images/cover/abc/1000x1000-000000-80-0-0.jpg")
        const plain = yield* albumQueued("504", "Plain http", [[1, 1, "P1"], [1, 2, "P2"]], ["P1", "P2"], "http://127.0.0.1:9/cover.jpg")
        const page = yield* getHtml("/download-manager")
        expect(headOf(page, withCover.albumId)).toContain(`<img class="cover" src="/download-manager/albums/${withCover.albumId}/cover" alt="" loading="lazy">`)
        expect(page).not.toContain("dzcdn.net")
        expect(headOf(page, plain.albumId)).not.toContain("<img")
        // an https cover that cannot be fetched (nothing listens there): a placeholder from our own origin
        const unreachable = yield* albumQueued("505", "Unreachable cover", [[1, 1, "U1"], [1, 2, "U2"]], ["U1", "U2"], "https://127.0.0.1:9/cover.jpg")
        const placeholder = yield* request("GET", `/download-manager/albums/${unreachable.albumId}/cover`)
        expect(placeholder.status).toBe(200)
        expect(placeholder.headers["content-type"]).toMatch(/^image\/svg\+xml/)
        expect(placeholder.headers["cross-origin-resource-policy"]).toBe("same-origin")
        expect(placeholder.headers["cache-control"]).toBe("private, max-age=60")
        expect(placeholder.text).toMatch(/^<svg /)
        // nothing to show: a JSON 404, never a fetch of a non-https URL
        for (const id of [plain.albumId, "no-such-album", encodeURIComponent("<script>x</script>")]) {
          const r = yield* request("GET", `/download-manager/albums/${id}/cover`)
          expect(r.status, id).toBe(404)
          expect(JSON.parse(r.text)).toMatchObject({ error: "NotFound", _tag: "NotFound" })
        }
      }))

  })

  // The deep-queue seed (test/support/big-queue.ts), whose first page is at the page's 200 KiB bound
  // (test/e2e/deep-queue.e2e.test.ts holds that). Then every two rows of that page in a row made an
  // album: a group for every two rows, the most a page can hold. Grouping must not make the page larger.
  const seeded = tempDbFile()
  layer(Layer.unwrapEffect(Effect.as(Effect.promise(() => seedQueue(seeded, 2_000)), AppTest({ db: seeded }))), { timeout: 60_000 })((it) => {
    it.effect("the first HTML is no larger with an album for every two rows than without albums", () =>
      Effect.gen(function*() {
        // nothing finished in the last ten minutes, as in the deep-queue test
        yield* TestClock.setTime(Date.parse("2026-12-01T00:00:00.000Z"))
        const before = Buffer.byteLength(yield* getHtml("/download-manager"))
        const sql = yield* SqlClient.SqlClient
        yield* sql.unsafe(`CREATE TEMP TABLE firsts AS SELECT d.track_id, (row_number() OVER (ORDER BY -d.priority, d.created_at, d.id) + 1) / 2 AS a
            FROM downloads d WHERE d.status IN ('WAITING', 'PENDING', 'QUEUED', 'DOWNLOADING') ORDER BY -d.priority, d.created_at, d.id LIMIT ${ACTIVE_PAGE}`)
        yield* sql.unsafe(`INSERT INTO albums (id, source, source_id, title, artist, total_tracks, created_at, updated_at, cover_url)
            SELECT 'a' || a, 'deezer', 'a' || a, 'Album ' || a, 'Artist ' || a, 12, '2026-11-01', '2026-11-01',
              'https://e-cdns-images.dzcdn.net/images/cover/' || a || '/1000x1000-000000-80-0-0.jpg' FROM firsts GROUP BY a`)
        yield* sql.unsafe(`INSERT INTO album_tracks (album_id, track_id, disc_number, track_number) SELECT 'a' || a, track_id, 1, 1 FROM firsts`)
        const page = yield* getHtml("/download-manager")
        expect(page.match(/<li id="album-group-/g)).toHaveLength(ACTIVE_PAGE / 2)
        expect(page.match(/<li id="download-/g)).toHaveLength(ACTIVE_PAGE)
        const after = Buffer.byteLength(page)
        console.log(`album groups: first HTML ${before} bytes without albums, ${after} bytes with ${ACTIVE_PAGE / 2} groups of 2`)
        expect(after).toBeLessThanOrEqual(before)
      }))
  })

  const dir = () => mkdtempSync(join(tmpdir(), "soulspot-groups-"))
  layer(AppTest({}, { SOULSPOT_SLSKD_DOWNLOADS_DIR: dir(), SOULSPOT_LIBRARY_DIR: dir() }), { timeout: 30_000 })((it) => {
    it.effect("with library import on, the header says how many tracks are in the library", () =>
      Effect.gen(function*() {
        const { albumId, ids } = yield* albumQueued("601", "Imported", [[1, 1, "I1"], [1, 2, "I2"], [1, 3, "I3"]], ["I1", "I2", "I3"])
        for (const id of ids.values()) yield* finish(id, "COMPLETED")
        const sql = yield* SqlClient.SqlClient
        for (const [t, id] of ids) {
          yield* sql`INSERT INTO download_imports (download_id, status, step, created_at, updated_at)
            VALUES (${id}, ${t === "I3" ? "IMPORTING" : "IMPORTED"}, ${t === "I3" ? "VERIFYING" : "DONE"}, '2026-01-01', '2026-01-01')`
        }
        expect(headOf(yield* getHtml("/download-manager?tab=history"), albumId)).toContain(`<span class="album-counts">3/3 done · 2/3 in library</span>`)
        yield* sql`UPDATE download_imports SET status = 'IMPORTED', step = 'DONE' WHERE download_id = ${ids.get("I3")!}`
        expect(headOf(yield* getHtml("/download-manager?tab=history"), albumId)).toContain("3/3 in library")
      }))
  })
})
