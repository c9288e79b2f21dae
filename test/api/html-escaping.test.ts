/**
 * Everything a user (or a remote Soulseek peer, or a settings value) can type ends up in HTML:
 * it must be shown as text, never run as markup. Checked on every HTML surface of the real
 * server, plus a table of cases for the `html` tag itself.
 */
import { describe, expect, it, layer } from "@effect/vitest"
import { Effect, Schema, TestClock } from "effect"
import { DownloadDto } from "../../src/api/dto.js"
import { escapeHtml, html, raw, SafeHtml } from "../../src/api/html.js"
import { DownloadRepository } from "../../src/domain/ports/DownloadRepository.js"
import { TrackRepository } from "../../src/domain/ports/TrackRepository.js"
import { AppTest } from "../support/app.js"
import { getHtml as getPage, request } from "../support/http.js"
import { sse, until } from "../support/sse-client.js"

// Our own expectation of escaped text, written independently of src/api/html.ts.
const esc = (s: string) =>
  s.replaceAll("&", "&amp;").replaceAll("<", "&lt;").replaceAll(">", "&gt;").replaceAll("\"", "&quot;").replaceAll("'", "&#39;").replaceAll("`", "&#96;")

const LONG = ("<svg onload=alert(1)>" + "🎵".repeat(3) + "x".repeat(60)).repeat(6).slice(0, 480) + "<i>END</i>"

/** Hostile and unusual values, one download each (distinct artists keep them distinct tracks). */
const HOSTILE = [
  { title: "<script>alert(1)</script>", artist: "\"><img src=x onerror=alert(1)>", album: "' onmouseover='x" },
  { title: "`${alert(1)}` <b>bold</b>", artist: "&amp; &lt;already&gt; escaped", album: "\" hx-get=\"/evil\" hx-trigger=\"load" },
  { title: "🎵 Ümlaut & Co 🎶", artist: "مرحبا بالعالم", album: "a\u200Db\u200Cc 👩\u200D👩\u200D👧 \u202Egnp.exe" },
  { title: LONG, artist: "Long <Artist>", album: "y".repeat(500) },
  { title: "line one\nline two\revent: refresh\rdata: <img src=x onerror=alert(2)>", artist: "CR <LF>", album: null }
] as const

const HOSTILE_PEER = { username: "<script>peer()</script>", filename: "@@x\\Music\\\"><img src=x onerror=alert(3)>\\01 - ' onmouseover='y.flac" }
const HOSTILE_ERROR = "no acceptable file found: <script>alert('err')</script> & \"quotes\""
const HOSTILE_REASON = "rejected: <iframe src=javascript:alert(4)> is not the song"
const HOSTILE_SETTING = "client-<script>alert(5)</script>\"'`"
const HOSTILE_URL = "http://example.test/?q=\"><script>alert(6)</script>&x='y'"

const TEXTS: ReadonlyArray<string> = [
  ...HOSTILE.flatMap((h) => [h.title, h.artist, ...(h.album ? [h.album] : [])]),
  HOSTILE_PEER.username, HOSTILE_ERROR
]

/** Every attribute our own views write; anything else in a tag came from data. */
const OUR_ATTRIBUTES = new Set([
  "lang", "charset", "name", "content", "rel", "href", "type", "src", "defer", "class", "alt", "width", "height", "id", "role",
  "aria-label", "aria-current", "aria-labelledby", "aria-live", "aria-hidden", "aria-describedby", "aria-valuemin", "aria-valuemax",
  "aria-valuenow", "hx-ext", "sse-connect", "sse-swap", "hx-swap", "hx-get", "hx-post", "hx-trigger", "hx-target", "hx-select",
  "hx-push-url", "hx-confirm", "hx-swap-oob", "hidden", "required", "maxlength", "autocomplete", "placeholder", "value", "checked",
  "selected", "data-state", "data-slskd", "data-status", "data-priority", "data-created", "data-total", "data-more", "data-filtered",
  "data-statuses", "data-since", "title", "scope", "for", "method",
  "action", "disabled", "min", "max", "step", "inputmode", "pattern", "colspan", "hx-encoding", "accept",
  "data-paused", "data-album", "data-action", "data-rank", "hx-vals", "hx-include", "hx-preserve", "datetime", "data-time",
  "data-album-id", "data-disc", "data-track", "data-rows", "loading", "open",
  "rows", "data-target-type", "data-enabled", "data-deliveries", "data-last-error", "data-test-answer"
])
const TAG = /<([a-zA-Z][\w-]*)((?:\s+[^\s=>/]+(?:\s*=\s*(?:"[^"]*"|'[^']*'|[^\s>"']+))?)*)\s*\/?>/g
const ATTR = /([^\s=>/]+)(?:\s*=\s*("[^"]*"|'[^']*'|[^\s>"']+))?/g

/**
 * Markup that came from data rather than from our views: injected tags, attributes we never
 * write (event handlers), an attribute given twice (a second hx-get), scripts that are not ours.
 * Returns the offending pieces, for a readable failure.
 */
const injected = (page: string): ReadonlyArray<string> => {
  const bad: Array<string> = []
  for (const re of [/<img src=x/i, /<svg/i, /<iframe/i, /<b>bold/i, /<i>END/i, /<Artist>/, /<LF>/, /<script>/i, /&lt;already/]) {
    const m = re.exec(page)
    if (m) bad.push(page.slice(Math.max(0, m.index - 60), m.index + 60))
  }
  for (const tag of page.matchAll(TAG)) {
    const seen = new Set<string>()
    for (const [, rawName, rawValue] of tag[2]!.matchAll(ATTR)) {
      const name = rawName!.toLowerCase()
      const value = rawValue?.replace(/^["']|["']$/g, "") ?? ""
      if (!OUR_ATTRIBUTES.has(name) || seen.has(name)) bad.push(`${name} in ${tag[0].slice(0, 160)}`)
      if ((name === "hx-get" || name === "hx-post" || name === "src" || name === "sse-connect") && !value.startsWith("/")) bad.push(tag[0])
      if (tag[1]!.toLowerCase() === "script" && !/^\/(vendor|static)\/[\w.-]+\.js$/.test(value) && name === "src") bad.push(tag[0])
      seen.add(name)
    }
    if (tag[1]!.toLowerCase() === "script" && !seen.has("src")) bad.push(tag[0])
  }
  return bad
}

const expectSafe = (page: string, texts: ReadonlyArray<string>, where: string) => {
  expect(injected(page), where).toEqual([])
  // ...and the values are still there, shown as text.
  for (const t of texts) expect(page, `${where}: ${JSON.stringify(t.slice(0, 40))}`).toContain(esc(t))
}

describe("the html tag", () => {
  const cases: ReadonlyArray<readonly [string, SafeHtml, string]> = [
    ["plain text", html`<p>${"hello"}</p>`, "<p>hello</p>"],
    ["every special character", html`${"&<>\"'`"}`, "&amp;&lt;&gt;&quot;&#39;&#96;"],
    ["a script tag", html`<td>${"<script>alert(1)</script>"}</td>`, "<td>&lt;script&gt;alert(1)&lt;/script&gt;</td>"],
    ["breaking out of an attribute", html`<a title="${"\" onclick=\"x()"}">`, "<a title=\"&quot; onclick=&quot;x()\">"],
    ["single-quoted attribute", html`<a title='${"' onclick='x()"}'>`, "<a title='&#39; onclick=&#39;x()'>"],
    ["already escaped text is escaped again", html`${"&amp; &lt;"}`, "&amp;amp; &amp;lt;"],
    ["numbers", html`${0} ${42} ${-1.5} ${NaN}`, "0 42 -1.5 NaN"],
    ["null, undefined and false render nothing", html`[${null}|${undefined}|${false}]`, "[||]"],
    ["true renders as text", html`${true}`, "true"],
    ["empty string", html`a${""}b`, "ab"],
    ["arrays are joined and each item escaped", html`<ul>${["<a>", "b&c"].map((x) => html`<li>${x}</li>`)}</ul>`, "<ul><li>&lt;a&gt;</li><li>b&amp;c</li></ul>"],
    ["nested and mixed arrays", html`${["<x>", html`<y>`, ["<z>", 1, null]]}`, "&lt;x&gt;<y>&lt;z&gt;1"],
    ["empty array", html`<ul>${[]}</ul>`, "<ul></ul>"],
    ["nested html passes through once, without double escaping", html`<div>${html`<b>${"<i>"}</b>`}</div>`, "<div><b>&lt;i&gt;</b></div>"],
    ["raw is trusted markup", html`${raw("<br>")}`, "<br>"],
    ["no interpolation", html`<hr>`, "<hr>"],
    ["interpolations at both ends", html`${"<"}mid${">"}`, "&lt;mid&gt;"],
    ["emoji, right-to-left and zero-width characters are kept", html`${"🎵 مرحبا a\u200Db"}`, "🎵 مرحبا a\u200Db"],
    ["a string that looks like a tag name is text", html`<${"script"}>`, "<script>"]
  ]
  it.each(cases)("%s", (_, out, expected) => {
    expect(out).toBeInstanceOf(SafeHtml)
    expect(out.value).toBe(expected)
    expect(String(out)).toBe(expected)
  })

  it("escapeHtml escapes the six characters and nothing else", () => {
    const all = Array.from({ length: 0x250 }, (_, i) => String.fromCharCode(i)).join("")
    expect(escapeHtml(all)).toBe(esc(all))
    expect(escapeHtml(LONG)).toBe(esc(LONG))
  })
})

describe("hostile values on every HTML surface", () => {
  layer(AppTest(), { timeout: 30_000 })((it) => {
    const setup = Effect.gen(function*() {
      const ids: Array<string> = []
      for (const h of HOSTILE) {
        const r = yield* request("POST", "/api/downloads", { json: h.album === null ? { title: h.title, artist: h.artist } : h })
        expect(r.status, r.text).toBe(201)
        const d = Schema.decodeUnknownSync(DownloadDto)(JSON.parse(r.text))
        // Stored and returned exactly (JSON is not HTML: no escaping there).
        expect(d.track.title).toBe(h.title.trim())
        ids.push(d.id)
      }
      return ids
    })
    let ids: ReadonlyArray<string> = []

    it.effect("the full page, the htmx list, the history tab and the list fragment show them as text", () =>
      Effect.gen(function*() {
        ids = yield* setup
        const repo = yield* DownloadRepository
        // A remote peer's name and path, and a failure reason, are hostile too.
        yield* repo.updateStatus(ids[0]!, "PENDING", { username: HOSTILE_PEER.username, filename: HOSTILE_PEER.filename, size: 1234 })
        yield* repo.updateStatus(ids[1]!, "FAILED", { error: HOSTILE_ERROR })

        const full = yield* getPage("/download-manager")
        expect(full).toMatch(/^<!doctype html>/)
        expectSafe(full, [...TEXTS, HOSTILE_PEER.filename], "full page")
        for (const id of ids) expect(full).toContain(`id="download-${id}"`)

        expectSafe(yield* getPage("/download-manager", { "HX-Request": "true" }), TEXTS, "htmx list (HX-Request)")
        expectSafe(yield* getPage("/api/downloads/manager/htmx/list"), TEXTS, "/api/downloads/manager/htmx/list")
        expectSafe(yield* getPage("/download-manager?tab=history"), TEXTS, "history tab")
        expectSafe(yield* getPage("/download-manager?tab=history&status=FAILED"), [HOSTILE_ERROR], "history, failed only")

        // Query parameters are not reflected.
        const probe = yield* getPage(`/download-manager?tab=${encodeURIComponent("\"><script>alert(7)</script>")}&status=${encodeURIComponent("<svg onload=alert(8)>")}&offset=${encodeURIComponent("\"><b>")}`)
        expect(injected(probe)).toEqual([])
        expect(probe).not.toContain("alert(7)")
        expect(probe).not.toContain("alert(8)")
        // The text filter is shown back in its field (and in "show more" and "Older…" links) as text.
        const q = `"><script>alert(9)</script>`
        for (const url of [`/download-manager?q=${encodeURIComponent(q)}`, `/download-manager?tab=history&q=${encodeURIComponent(q)}`,
          `/api/downloads/manager/htmx/list?q=${encodeURIComponent(q)}`]) {
          const echoed = yield* getPage(url)
          expect(injected(echoed), url).toEqual([])
          expect(echoed, url).not.toContain("<script>alert(9)")
        }
      }))

    it.effect("the candidates view escapes peers, paths, reasons and outcomes", () =>
      Effect.gen(function*() {
        const repo = yield* DownloadRepository
        yield* repo.saveCandidates(ids[0]!, [
          { rank: 1, username: HOSTILE_PEER.username, filename: HOSTILE_PEER.filename, size: 1234, score: 0.9, accepted: true, reasons: ["title matches", HOSTILE_REASON], query: "<q>" },
          { rank: 2, username: "\"><img src=x onerror=alert(9)>", filename: "a\u202Eb.flac", size: 1, score: 0, accepted: false, reasons: [HOSTILE_REASON], query: null }
        ])
        yield* repo.markCandidate(ids[0]!, 2, "failed: <script>outcome()</script>")
        const view = yield* getPage(`/download-manager/downloads/${ids[0]}/candidates`)
        expectSafe(view, [HOSTILE_PEER.username, HOSTILE_PEER.filename, HOSTILE_REASON, "\"><img src=x onerror=alert(9)>", "a\u202Eb.flac", "failed: <script>outcome()</script>", HOSTILE[0].title], "candidates view")
        expect(view).toContain("<table>")
        // An unknown id in the URL is not reflected as markup either.
        const missing = yield* request("GET", `/download-manager/downloads/${encodeURIComponent("<script>x</script>")}/candidates`)
        expect(missing.status).toBe(404)
        expect(injected(missing.text)).toEqual([])
        expect(missing.text).not.toContain("<script>x")
      }))

    it.effect("cancel and retry answer with an escaped row", () =>
      Effect.gen(function*() {
        const cancelled = yield* request("POST", `/download-manager/downloads/${ids[2]}/cancel`)
        expect(cancelled.status).toBe(200)
        expectSafe(cancelled.text, [HOSTILE[2].title, HOSTILE[2].artist, HOSTILE[2].album], "cancel row")
        expect(cancelled.text).toContain("data-status=\"CANCELLED\"")
        const retried = yield* request("POST", `/download-manager/downloads/${ids[2]}/retry`)
        expect(retried.status).toBe(200)
        expectSafe(retried.text, [HOSTILE[2].title], "retry row")
      }))

    it.effect("the page's SSE row fragments are escaped, and line breaks in data cannot forge SSE fields", () =>
      Effect.gen(function*() {
        const c = yield* sse("/download-manager/events")
        yield* until(c, () => c.frames.length >= 2, "the opening fragments")
        const form = { title: "<script>alert('form')</script>", artist: "'><svg onload=alert(10)>\r\nid: 999999\r\n\r\nevent: refresh", album: "`${x}`" }
        const r = yield* request("POST", "/download-manager/queue", { form })
        expect(r.status).toBe(200)
        // The confirmation message shows the title as text too.
        expectSafe(r.text, [form.title], "queue confirmation")
        const repo = yield* DownloadRepository
        // and a change to the download with the CR/LF title
        yield* repo.updateStatus(ids[4]!, "CANCELLED", { error: "stopped <b>by</b>\r\nevent: refresh" })
        yield* until(c, () => c.frames.filter((f) => f.event === "row").length >= 2, "two row events")
        const rows = c.frames.filter((f) => f.event === "row")
        // No forged event type or id: exactly the events the server meant to send.
        expect(c.frames.every((f) => ["stats-html", "health-html", "row"].includes(f.event)), JSON.stringify(c.frames.map((f) => f.event))).toBe(true)
        expect(c.frames.some((f) => f.id === 999999)).toBe(false)
        const byTitle = rows.find((f) => f.data.includes(esc(form.title)))
        expect(byTitle, "row for the form-queued download").toBeDefined()
        expect(byTitle!.data).toMatch(/^<li id="download-[\w-]+"/)
        expect(byTitle!.data.trimEnd()).toMatch(/<\/li>$/)
        expect(injected(byTitle!.data)).toEqual([])
        const cr = rows.find((f) => f.data.includes(`id="download-${ids[4]}"`))
        expect(cr, "row for the CR/LF title").toBeDefined()
        expect(cr!.data.trimEnd()).toMatch(/<\/li>$/)
        expect(injected(cr!.data)).toEqual([])
        expect(cr!.data).toContain("stopped &lt;b&gt;by&lt;/b&gt;")
        // stats follow on the test clock
        yield* TestClock.adjust("1 second")
        yield* until(c, () => c.frames.some((f) => f.event === "stats-html" && f.id! > c.frames[0]!.id!), "a stats fragment")
      }).pipe(Effect.scoped))

    it.effect("bad form input gets an escaped 400 message and queues nothing", () =>
      Effect.gen(function*() {
        const r = yield* request("POST", "/download-manager/queue", { form: { title: "x", artist: "y", quality_profile: "\"><script>alert(11)</script>" } })
        expect(r.status).toBe(400)
        expect(injected(r.text)).toEqual([])
        expect(r.text).not.toContain("alert(11)</script>")
      }))

    it.effect("the settings page escapes user-set values and its own error messages", () =>
      Effect.gen(function*() {
        const put = yield* request("PUT", "/api/settings", { json: { "spotify.client_id": HOSTILE_SETTING, "deezer.api_url": HOSTILE_URL } })
        expect(put.status, put.text).toBe(200)
        const page = yield* getPage("/download-manager/settings")
        expectSafe(page, [HOSTILE_SETTING, HOSTILE_URL], "settings page")
        expect(page).toContain(`value="${esc(HOSTILE_SETTING)}"`)

        const bad = yield* request("POST", "/download-manager/settings", { form: { "sync.interval": "\"><script>alert(12)</script>" } })
        expect(bad.status).toBe(400)
        expectSafe(bad.text, [HOSTILE_SETTING], "settings error")
        expect(bad.text).toContain(esc("\"><script>alert(12)</script>"))
        expect(bad.text).toMatch(/is not a duration/)
      }))

    it.effect("the Notifications section escapes target names, fields, headers and its error messages", () =>
      Effect.gen(function*() {
        const put = yield* request("PUT", "/api/notifications", { json: { targets: [
          { type: "webhook", name: HOSTILE_SETTING, url: HOSTILE_URL.replaceAll(" ", ""), headers: { "X-Evil": "\"><script>alert(13)</script>" } }
        ] } })
        expect(put.status, put.text).toBe(200)
        const page = yield* getPage("/download-manager/settings")
        expectSafe(page, [HOSTILE_SETTING], "notifications section")
        const id = (JSON.parse(put.text) as { targets: Array<{ id: string }> }).targets[0]!.id
        const edit = yield* getPage(`/download-manager/notifications/${id}/edit`)
        expectSafe(edit, [HOSTILE_SETTING, "\"><script>alert(13)</script>"], "notification edit form")
        const bad = yield* request("POST", "/download-manager/notifications", { form: { type: "ntfy", name: "x", url: "\"><script>alert(14)</script>", enabled: "true" } })
        expect(bad.status).toBe(400)
        expect(injected(bad.text)).toEqual([])
        expect(bad.text).not.toContain("alert(14)</script>")
        expect(bad.text).toMatch(/url: /)
      }))
  })
})

describe("hostile album names on the album groups", () => {
  layer(AppTest(), { timeout: 30_000 })((it) => {
    it.effect("the album header on the page, in the list fragment and on the page's stream shows them as text", () =>
      Effect.gen(function*() {
        const title = "<script>alert('album')</script> \" hx-get=\"/evil"
        const artist = "'><img src=x onerror=alert(13)>"
        const stored = yield* Effect.flatMap(TrackRepository, (r) => r.upsertAlbum({
          source: "deezer", sourceId: "666", title, artist, releaseDate: null,
          coverUrl: "https://e-cdns-images.dzcdn.net/\"><script>alert(14)</script>.jpg",
          tracks: [1, 2].map((n) => ({ title: `<b>bold</b> ${n}`, artist, album: title, trackNumber: n, discNumber: 1 }))
        }))
        const repo = yield* DownloadRepository
        const ids: Array<string> = []
        for (const t of stored.tracks) ids.push((yield* repo.queueTrack(t.id, 0, "balanced")).download.id)
        for (const url of ["/download-manager", "/api/downloads/manager/htmx/list", "/download-manager?tab=history"]) {
          const page = yield* getPage(url)
          expect(page, url).toContain(`id="album-group-${stored.album.id}"`)
          expectSafe(page, [title, artist], url)
          expect(page, url).not.toContain("alert(14)")
        }
        const c = yield* sse("/download-manager/events")
        yield* until(c, () => c.frames.length >= 2, "the opening fragments")
        yield* repo.updateStatus(ids[0]!, "CANCELLED", { error: "stopped" })
        yield* TestClock.adjust("1 second")
        yield* until(c, () => c.frames.some((f) => f.event === "album"), "the album header")
        const head = c.frames.find((f) => f.event === "album")!
        expect(head.data).toMatch(new RegExp(`^<summary id="album-${stored.album.id}" class="album-head" data-rows="[^"]*${ids[0]}[^"]*">`))
        expect(head.data.trimEnd()).toMatch(/<\/summary>$/)
        expectSafe(head.data, [title, artist], "album header on the stream")
      }).pipe(Effect.scoped))
  })
})
