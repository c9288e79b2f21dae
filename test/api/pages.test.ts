/**
 * The download manager page and its htmx routes on the real server: what the browser gets
 * for a full load and for htmx swaps, the queue form, row actions, the history filters and
 * the ten minutes a finished download stays on the active tab (TestClock).
 */
import { describe, expect, layer } from "@effect/vitest"
import { Effect, Schema, TestClock } from "effect"
import { DownloadDto } from "../../src/api/dto.js"
import { DownloadRepository } from "../../src/domain/ports/DownloadRepository.js"
import { AppTest } from "../support/app.js"
import { getHtml, request } from "../support/http.js"

const queue = (title: string, artist = "Page Band") => Effect.map(request("POST", "/api/downloads", { json: { title, artist } }), (r) => {
  expect(r.status, r.text).toBe(201)
  return Schema.decodeUnknownSync(DownloadDto)(JSON.parse(r.text))
})

const stats = Effect.map(request("GET", "/api/downloads/manager/stats"), (r) => JSON.parse(r.text) as Record<string, number>)

interface Row {
  readonly id: string
  readonly status: string
  readonly html: string
}

/** The download rows of a page or fragment, in order. */
const rows = (page: string): ReadonlyArray<Row> =>
  [...page.matchAll(/<li id="download-([\w-]+)" class="row status-\w+" data-status="(\w+)"[\s\S]*?<\/li>/g)]
    .map((m) => ({ id: m[1]!, status: m[2]!, html: m[0] }))
const rowOf = (page: string, id: string) => rows(page).find((r) => r.id === id)
const badge = (row: Row | undefined) => /<span class="badge badge-\w+" role="status">([^<]*)<\/span>/.exec(row?.html ?? "")?.[1]

/** Attribute values that load or link something: they must all stay on this host. */
const urls = (page: string) => [...page.matchAll(/\s(src|href|sse-connect|hx-get|hx-post|action)="([^"]*)"/g)].map((m) => [m[1]!, m[2]!] as const)

/** A download walked through the real state machine to a final status. */
const finish = (id: string, to: "COMPLETED" | "FAILED" | "CANCELLED", error?: string) => Effect.gen(function*() {
  const repo = yield* DownloadRepository
  if (to === "COMPLETED") {
    yield* repo.updateStatus(id, "PENDING", { username: "peer", filename: "@@peer\\Music\\song.flac", size: 1000 })
    yield* repo.updateStatus(id, "QUEUED", { slskdId: "t-1" })
    yield* repo.updateStatus(id, "DOWNLOADING", { bytesTransferred: 10 })
    return yield* repo.updateStatus(id, "COMPLETED", { bytesTransferred: 1000 })
  }
  return yield* repo.updateStatus(id, to, error === undefined ? {} : { error })
}).pipe(Effect.orDie)

describe("download manager page", () => {
  layer(AppTest(), { timeout: 30_000 })((it) => {
    it.effect("the full page: document, stats bar, health panel, queue form, favicon, and nothing from other hosts", () =>
      Effect.gen(function*() {
        const d = yield* queue("Full Page Song")
        const page = yield* getHtml("/download-manager")
        expect(page).toMatch(/^<!doctype html>\s*<html lang="en">/)
        expect(page).toContain("<title>Downloads · SoulSpot</title>")
        expect(page).toMatch(/<link rel="icon" href="\/static\/favicon.svg" type="image\/svg\+xml">/)
        expect(page).toMatch(/<section id="stats"[^>]*sse-swap="stats-html"[^>]*>\s*<dl class="stats">/)
        expect(page).toMatch(/<div id="provider-health"[^>]*>\s*<div class="health health-half_open" data-state="CLOSED" data-slskd="never-reached">/)
        expect(page).toMatch(/<form class="queue" hx-post="\/download-manager\/queue"/)
        for (const field of ["title", "artist", "album", "quality_profile"]) expect(page).toMatch(new RegExp(`<label>[^<]*(<span[^>]*>[^<]*</span>)?\\s*<(input|select) name="${field}"`))
        expect(page).toContain(`sse-connect="/download-manager/events"`)
        expect(page).toContain(`aria-current="page">Downloads</a>`)
        expect(rowOf(page, d.id)?.status).toBe("WAITING")

        // Everything it loads is ours: scripts from /vendor and /static only, no http(s) URLs at all.
        const scripts = [...page.matchAll(/<script\b([^>]*)>/g)].map((m) => /src="([^"]*)"/.exec(m[1]!)?.[1])
        expect(scripts).toEqual(["/vendor/htmx.min.js", "/vendor/sse.js", "/static/app.js", "/static/forms.js", "/static/times.js"])
        const links = urls(page)
        expect(links.length).toBeGreaterThan(5)
        for (const [attr, url] of links) {
          expect(url, `${attr}="${url}"`).toMatch(/^(\/|#)/)
          expect(url).not.toMatch(/^\/\//)
        }
        expect(page).not.toMatch(/(src|href)="https?:/i)
        expect(page).not.toMatch(/@import|url\(\s*["']?https?:/i)
        // ...and every one of them is there.
        for (const asset of ["/vendor/htmx.min.js", "/vendor/sse.js", "/static/app.js", "/static/forms.js", "/static/app.css", "/static/favicon.svg", "/favicon.ico"]) {
          const r = yield* request("GET", asset)
          expect(r.status, asset).toBe(200)
          expect(r.text.length, asset).toBeGreaterThan(50)
        }
        const css = (yield* request("GET", "/static/app.css")).text
        expect(css).not.toMatch(/https?:\/\//)
        expect(css).not.toMatch(/@import/)
      }))

    it.effect("the same URL with HX-Request: true answers only the list fragment", () =>
      Effect.gen(function*() {
        const d = yield* queue("Fragment Song")
        const fragment = yield* getHtml("/download-manager", { "HX-Request": "true" })
        expect(fragment).toMatch(/^<section id="list" class="card"/)
        expect(fragment).not.toContain("<html")
        expect(fragment).not.toContain(`<dl class="stats">`)
        expect(fragment).not.toContain("provider-health")
        expect(fragment).not.toContain(`hx-post="/download-manager/queue"`)
        expect(rowOf(fragment, d.id)?.status).toBe("WAITING")
        expect(fragment).toContain(`<ul id="active-list"`)
      }))

    it.effect("the queue form creates a download and says so; the same track again creates nothing", () =>
      Effect.gen(function*() {
        const before = yield* stats
        const r = yield* request("POST", "/download-manager/queue", {
          form: { title: "  Form Song ", artist: "Form Artist", album: "", quality_profile: "lossless" },
          headers: { "HX-Request": "true" }
        })
        expect(r.status).toBe(200)
        expect(r.text).toBe(`<p class="msg msg-ok">Queued “Form Song” by Form Artist.</p>`)
        const list = JSON.parse((yield* request("GET", "/api/downloads?status=WAITING&limit=500")).text).downloads as Array<any>
        const created = list.filter((d) => d.track.title === "Form Song")
        expect(created).toHaveLength(1)
        expect(created[0]).toMatchObject({ status: "WAITING", quality_profile: "lossless", track: { artist: "Form Artist", album: null } })
        expect((yield* stats).total).toBe(before.total! + 1)

        const again = yield* request("POST", "/download-manager/queue", { form: { title: "form song", artist: "FORM ARTIST" } })
        expect(again.status).toBe(200)
        expect(again.text).toMatch(/^<p class="msg msg-ok">“Form Song” is already waiting\.<\/p>$/)
        expect((yield* stats).total).toBe(before.total! + 1)
        // The new row is on the page.
        expect(rowOf(yield* getHtml("/download-manager"), created[0].id)?.status).toBe("WAITING")
      }))

    it.effect("bad form input: a 400 fragment that says what is wrong, and nothing created", () =>
      Effect.gen(function*() {
        const before = yield* stats
        const cases: ReadonlyArray<Record<string, string>> = [
          {},
          { title: "Only Title" },
          { artist: "Only Artist" },
          { title: "   ", artist: "Blank Title" },
          { title: "x".repeat(501), artist: "Too Long" },
          { title: "Bad Profile", artist: "x", quality_profile: "Not A Profile!" }
        ]
        for (const form of cases) {
          const r = yield* request("POST", "/download-manager/queue", { form })
          expect(r.status, JSON.stringify(form).slice(0, 80)).toBe(400)
          expect(r.headers["content-type"]).toMatch(/^text\/html/)
          expect(r.text).toMatch(/^<p class="msg msg-error">.*(required|at most 500|check the form|must not be empty).*<\/p>$/)
        }
        expect((yield* stats).total).toBe(before.total)
      }))

    it.effect("cancel and retry answer the updated row with the same id; impossible moves are 409, unknown ids 404", () =>
      Effect.gen(function*() {
        const d = yield* queue("Cancel Me")
        const cancelled = yield* request("POST", `/download-manager/downloads/${d.id}/cancel`, { headers: { "HX-Request": "true" } })
        expect(cancelled.status).toBe(200)
        const row = rows(cancelled.text)
        expect(row).toHaveLength(1)
        expect(row[0]).toMatchObject({ id: d.id, status: "CANCELLED" })
        expect(badge(row[0])).toBe("Cancelled")
        expect(row[0]!.html).toContain(`hx-post="/download-manager/downloads/${d.id}/retry"`)
        expect(row[0]!.html).not.toContain(`/cancel"`)
        expect(row[0]!.html).not.toContain("hx-swap-oob") // a direct answer, swapped by its target

        const twice = yield* request("POST", `/download-manager/downloads/${d.id}/cancel`)
        expect(twice.status).toBe(409)
        expect(twice.text).toMatch(/^<p class="msg msg-error">.*CANCELLED/)

        const retried = yield* request("POST", `/download-manager/downloads/${d.id}/retry`)
        expect(retried.status).toBe(200)
        expect(rows(retried.text)[0]).toMatchObject({ id: d.id, status: "WAITING" })
        expect(badge(rows(retried.text)[0])).toBe("Waiting")
        expect(rows(retried.text)[0]!.html).toContain(`hx-post="/download-manager/downloads/${d.id}/cancel"`)
        expect(rows(retried.text)[0]!.html).toMatch(/hx-confirm="Cancel “Cancel Me”\?"/)

        expect((yield* request("POST", `/download-manager/downloads/${d.id}/retry`)).status).toBe(409)
        for (const action of ["cancel", "retry"]) {
          const missing = yield* request("POST", `/download-manager/downloads/no-such-id/${action}`)
          expect(missing.status).toBe(404)
          expect(missing.text).toMatch(/^<p class="msg msg-error">/)
        }
        expect((yield* request("GET", "/download-manager/downloads/no-such-id/candidates")).status).toBe(404)
      }))

    it.effect("history tab: every status by default, filters by one or several statuses, pages of 50", () =>
      Effect.gen(function*() {
        const done = yield* queue("History Done")
        const failed = yield* queue("History Failed")
        const cancelled = yield* queue("History Cancelled")
        const waiting = yield* queue("History Waiting")
        yield* finish(done.id, "COMPLETED")
        yield* finish(failed.id, "FAILED", "no acceptable file found after 5 searches")
        yield* finish(cancelled.id, "CANCELLED")

        const all = yield* getHtml("/download-manager?tab=history")
        expect(all).toContain("<title>History · SoulSpot</title>")
        expect(all).toContain(`aria-current="page">History</a>`)
        expect(all).toContain(`<ul id="history-list"`)
        expect(all).not.toContain(`hx-post="/download-manager/queue"`) // the queue form is on the active tab only
        for (const d of [done, failed, cancelled, waiting]) expect(rowOf(all, d.id), d.track.title).toBeDefined()

        const onlyFailed = yield* getHtml("/download-manager?tab=history&status=FAILED")
        expect(rows(onlyFailed).length).toBeGreaterThan(0)
        expect(rows(onlyFailed).every((r) => r.status === "FAILED")).toBe(true)
        expect(rowOf(onlyFailed, failed.id)!.html).toContain("no acceptable file found after 5 searches")
        expect(onlyFailed).toMatch(/<input type="checkbox" name="status" value="FAILED" checked>/)
        expect(onlyFailed).toMatch(/<input type="checkbox" name="status" value="COMPLETED">/)

        for (const q of ["status=COMPLETED&status=CANCELLED", "status=completed,cancelled"]) {
          const two = yield* getHtml(`/download-manager?tab=history&${q}`)
          const statuses = new Set(rows(two).map((r) => r.status))
          expect(statuses, q).toEqual(new Set(["COMPLETED", "CANCELLED"]))
          expect(rowOf(two, done.id)).toBeDefined()
          expect(rowOf(two, cancelled.id)).toBeDefined()
          expect(rowOf(two, failed.id)).toBeUndefined()
        }
        // htmx filter swaps ask for the same URL with HX-Request: the filtered list alone.
        const swapped = yield* getHtml("/download-manager?tab=history&status=WAITING", { "HX-Request": "true" })
        expect(swapped).toMatch(/^<section id="list"/)
        expect(rows(swapped).every((r) => r.status === "WAITING")).toBe(true)
        expect(rowOf(swapped, waiting.id)).toBeDefined()

        // More than a page: an "Older…" link that keeps the filter and moves the offset.
        for (let i = 0; i < 51; i++) yield* queue(`Bulk ${i}`, "Bulk Band")
        const first = yield* getHtml("/download-manager?tab=history&status=WAITING")
        expect(rows(first)).toHaveLength(50)
        const older = /<a class="more" href="([^"]*)">Older…<\/a>/.exec(first)
        expect(older?.[1]?.replaceAll("&amp;", "&")).toBe("/download-manager?tab=history&offset=50&status=WAITING")
        const second = yield* getHtml(older![1]!.replaceAll("&amp;", "&"))
        expect(rows(second).length).toBeGreaterThan(0)
        expect(rows(second).every((r) => r.status === "WAITING")).toBe(true)
        const firstIds = new Set(rows(first).map((r) => r.id))
        expect(rows(second).some((r) => firstIds.has(r.id))).toBe(false)
      }))

    it.effect("the htmx fragments: list, stats and provider health", () =>
      Effect.gen(function*() {
        const d = yield* queue("Fragments Song")
        const list = yield* getHtml("/api/downloads/manager/htmx/list")
        expect(list).not.toContain("<html")
        expect(rows(list).length).toBeGreaterThan(0)
        expect(rows(list).every((r) => ["WAITING", "PENDING", "QUEUED", "DOWNLOADING", "COMPLETED", "FAILED", "CANCELLED"].includes(r.status))).toBe(true)
        // the earlier tests leave more than a page of downloads queued at the same (test) instant, so the new
        // one's place among them goes by its random id: look it up through the list's own filter
        expect(rowOf(yield* getHtml("/api/downloads/manager/htmx/list?q=Fragments%20Song"), d.id)?.status).toBe("WAITING")

        const counts = yield* stats
        const bar = yield* getHtml("/api/downloads/manager/htmx/stats")
        expect(bar).toMatch(/^<dl class="stats">/)
        const shown = Object.fromEntries([...bar.matchAll(/<dt>([^<]+)<\/dt><dd>(\d+)<\/dd>/g)].map((m) => [m[1], Number(m[2])]))
        expect(shown).toEqual({
          "Waiting": counts.waiting, "Pending": counts.pending, "Queued": counts.queued, "Downloading": counts.downloading,
          "Completed today": counts.completed_today, "Failed today": counts.failed_today
        })
        expect(shown["Waiting"]).toBeGreaterThan(0)

        const health = yield* getHtml("/api/downloads/manager/htmx/provider-health")
        // the test app points at a closed port: the circuit is still CLOSED, but the panel never says "working normally"
        expect(health).toMatch(/^<div class="health health-half_open" data-state="CLOSED" data-slskd="never-reached">/)
        expect(health).not.toContain("Working normally")
        expect(health).toContain("slskd never reached")
        expect(health).toContain('href="/download-manager/settings"')
        expect(health).toContain("(circuit CLOSED)")
        expect(health).not.toContain("<html")
      }))
  })

  // A second app of its own. Note: the top-level `layer`, not `it.layer`: after a first `it.layer`,
  // @effect/vitest's shared `it` builds the next one nested in it (same memo map, same HTTP server).
  layer(AppTest(), { timeout: 30_000 })("the active tab over time", (it) => {
    it.effect("finished downloads stay on the active tab for 10 minutes with their outcome, then only in history", () =>
      Effect.gen(function*() {
        const done = yield* queue("Finished OK")
        const failed = yield* queue("Finished Badly")
        const cancelled = yield* queue("Finished Early")
        const live = yield* queue("Still Waiting")
        yield* TestClock.adjust("1 minute")
        yield* finish(done.id, "COMPLETED")
        yield* finish(failed.id, "FAILED", "no acceptable file found: every result was a live version")
        yield* finish(cancelled.id, "CANCELLED")

        const check = (page: string) => {
          expect(rowOf(page, done.id)?.status).toBe("COMPLETED")
          expect(badge(rowOf(page, done.id))).toBe("Completed")
          expect(rowOf(page, failed.id)?.status).toBe("FAILED")
          expect(badge(rowOf(page, failed.id))).toBe("Failed")
          expect(rowOf(page, failed.id)!.html).toContain(`<div class="row-error">no acceptable file found: every result was a live version</div>`)
          expect(rowOf(page, failed.id)!.html).toContain("/retry")
          expect(rowOf(page, cancelled.id)?.status).toBe("CANCELLED")
          expect(badge(rowOf(page, cancelled.id))).toBe("Cancelled")
          expect(rowOf(page, live.id)?.status).toBe("WAITING")
        }
        check(yield* getHtml("/download-manager"))
        check(yield* getHtml("/api/downloads/manager/htmx/list"))
        check(yield* getHtml("/download-manager", { "HX-Request": "true" }))
        // The completed one shows its full progress.
        expect(rowOf(yield* getHtml("/download-manager"), done.id)!.html).toContain(`aria-valuenow="100"`)

        yield* TestClock.adjust("599 seconds")
        check(yield* getHtml("/download-manager"))

        yield* TestClock.adjust("2 seconds")
        for (const page of [yield* getHtml("/download-manager"), yield* getHtml("/api/downloads/manager/htmx/list")]) {
          for (const d of [done, failed, cancelled]) expect(rowOf(page, d.id), d.track.title).toBeUndefined()
          expect(rowOf(page, live.id)?.status).toBe("WAITING")
        }
        // Still there in history, with the reason.
        const history = yield* getHtml("/download-manager?tab=history")
        for (const d of [done, failed, cancelled]) expect(rowOf(history, d.id), d.track.title).toBeDefined()
        expect(rowOf(history, failed.id)!.html).toContain("every result was a live version")

        // A retried download is live again and back on the active tab.
        yield* request("POST", `/download-manager/downloads/${failed.id}/retry`)
        expect(rowOf(yield* getHtml("/download-manager"), failed.id)?.status).toBe("WAITING")
        // An empty active list says so.
        for (const d of [live, failed]) yield* request("POST", `/download-manager/downloads/${d.id}/cancel`)
        yield* TestClock.adjust("11 minutes")
        const empty = yield* getHtml("/download-manager")
        expect(rows(empty)).toEqual([])
        expect(empty).toContain(`<li class="empty">Nothing is downloading. Queue a track above.</li>`)
      }))
  })
})
