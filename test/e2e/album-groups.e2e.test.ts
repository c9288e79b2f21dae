/**
 * Albums as albums in headless chromium against the real service (workers on, slskd simulated,
 * Deezer faked, real time): an album pasted as a Deezer link shows as one group under its header,
 * its tracks in disc and track order; the group collapses, and its "N/4 done" counts up live while
 * it is closed; History shows the finished album grouped after a reload.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { Context, Effect, Exit, Layer, Scope } from "effect"
import { join } from "node:path"
import type { Browser, Page } from "playwright-core"
import type { SimFile } from "../../src/dev/slskd-simulator/index.js"
import { browserSkipReason, launchChromium, type LiveApp, resultsDir, startLiveApp } from "../support/browser.js"
import { type DeezerFixtureAlbum, FakeDeezer, FakeDeezerLive } from "../support/fake-deezer.js"

const skip = browserSkipReason()
const WAIT = 45_000

const TRACKS: ReadonlyArray<readonly [disc: number, track: number, title: string, seconds: number]> = [
  [1, 1, "Side One Opener", 61], [1, 2, "Side One Closer", 64], [2, 1, "Flip Side Opener", 67], [2, 2, "Flip Side Closer", 70]
]

const ALBUM: DeezerFixtureAlbum = {
  id: 7700001,
  title: "Two Halves",
  artist: { id: 770, name: "The Simulated" },
  releaseDate: "2024-05-01",
  label: "Test Pressings",
  upc: "000000770001",
  recordType: "album",
  tracks: TRACKS.map(([diskNumber, trackPosition, title, durationSeconds], i) => ({
    id: 77000010 + i, title, artist: "The Simulated", durationSeconds, trackPosition, diskNumber, isrc: `QZTST24000${i + 1}`
  }))
}

const FOLDER = "@@grpxx\\Music\\The Simulated\\2024 - Two Halves [FLAC]"
// slow enough (about 2 s a track) to watch the counts go up one by one
const FILES: ReadonlyArray<SimFile> = TRACKS.map(([disc, track, title, seconds]) => ({
  filename: `${FOLDER}\\${disc}-${String(track).padStart(2, "0")} - ${title}.flac`, extension: "", size: seconds * 110_000 + track * 17 + disc, length: seconds
}))

/** The group's rows as the page shows them: titles in DOM order. */
const groupTitles = (page: Page) => page.evaluate(() =>
  [...document.querySelectorAll("#active-list li.album-group li.row .row-title strong")].map((e) => e.textContent ?? ""))

describe.skipIf(skip !== undefined)("album groups in a browser", () => {
  let app: LiveApp
  let browser: Browser
  const fakeScope = Effect.runSync(Scope.make())

  beforeAll(async () => {
    const fake = Context.get(await Effect.runPromise(Layer.buildWithScope(FakeDeezerLive, fakeScope)), FakeDeezer)
    // the catalog lists the tracks in another order than the album's
    fake.addAlbum(ALBUM, { shuffled: true })
    app = await startLiveApp({ env: { SOULSPOT_DEEZER_API_URL: fake.url } })
    await Effect.runPromise(app.sim.control.addPeer({
      username: "grouping_peer", uploadSpeed: 4 * 1024 * 1024, transferSpeed: 160 * 1024, hasFreeUploadSlot: true, queueLength: 0, files: FILES
    }))
    browser = await launchChromium()
  }, 60_000)

  afterAll(async () => {
    await browser?.close()
    await app?.close()
    await Effect.runPromise(Scope.close(fakeScope, Exit.void))
  }, 30_000)

  it("grouped in disc and track order, collapsible, counting up live while closed; History after a reload", async () => {
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } })
    const problems: Array<string> = []
    page.on("console", (m) => {
      if (m.type() === "error") problems.push(m.text())
    })
    page.on("pageerror", (e) => problems.push(String(e)))
    await page.addInitScript(() => {
      document.addEventListener("htmx:sseOpen", () => {
        ;(window as any).__sseOpen = true
      })
    })
    await page.goto(`${app.url}/download-manager`)
    await page.waitForFunction(() => (window as any).__sseOpen === true, undefined, { timeout: WAIT })

    await page.fill("input[name=album_url]", `https://www.deezer.com/album/${ALBUM.id}`)
    await page.click("text=Queue album")
    await page.waitForFunction(() => /Queued 4 of 4 tracks of “Two Halves”/.test(document.getElementById("queue-result")?.textContent ?? ""),
      undefined, { timeout: WAIT })

    // the rows arrived live and are gathered under the album, in disc then track order
    await page.waitForFunction(() => document.querySelectorAll("#active-list li.album-group li.row").length === 4, undefined, { timeout: WAIT, polling: 100 })
    expect(await groupTitles(page)).toEqual(TRACKS.map(([, , t]) => t))
    const group = page.locator("#active-list li.album-group")
    expect(await group.count()).toBe(1)
    const head = group.locator("summary.album-head")
    expect(await head.locator(".album-title").textContent()).toBe("Two Halves The Simulated")
    expect(await head.locator(".album-counts").textContent()).toMatch(/^[0-4]\/4 done/)
    // the catalog's cover, through the page's own route (a placeholder while the CDN cannot be reached)
    expect(await head.locator("img.cover").getAttribute("src")).toMatch(/^\/download-manager\/albums\/[\w-]+\/cover$/)

    // a priority step on the last track (while it is still active) keeps it in its album place
    const raise = group.locator("li.row").nth(3).locator("button[aria-label='Raise priority']")
    if (await raise.count() === 1) {
      await raise.click({ timeout: 2_000 }).then(async () => {
        await page.waitForFunction(() => document.querySelectorAll("#active-list li.album-group li.row")[3]?.getAttribute("data-priority") === "1",
          undefined, { timeout: 5_000 })
        expect(await groupTitles(page)).toEqual(TRACKS.map(([, , t]) => t))
      }, () => undefined) // finished meanwhile: no priority control any more
    }

    // collapsed: the tracks are hidden, the header stays; the counts go on counting live
    const counts: Array<string> = []
    await page.exposeFunction("soulspotCounts", (s: string) => { counts.push(s) })
    await page.evaluate(() => {
      const note = () => {
        const text = document.querySelector("#active-list li.album-group .album-counts")?.textContent ?? ""
        ;(window as unknown as { soulspotCounts: (s: string) => void }).soulspotCounts(text)
      }
      new MutationObserver(note).observe(document.getElementById("active-list")!, { subtree: true, childList: true, characterData: true })
    })
    const before = (await head.locator(".album-counts").textContent()) ?? ""
    await head.click()
    expect(await group.locator("details").evaluate((d) => (d as HTMLDetailsElement).open)).toBe(false)
    expect(await group.locator("li.row").first().isVisible()).toBe(false)
    await page.waitForFunction(() => document.querySelector("#active-list li.album-group .album-counts")?.textContent === "4/4 done",
      undefined, { timeout: 90_000, polling: 200 })
    const seen = [...new Set([before, ...counts])].filter((c) => /done/.test(c))
    expect(seen.length, `counts seen: ${seen.join(" | ")}`).toBeGreaterThanOrEqual(2)
    // still closed after every live update of its header and rows
    expect(await group.locator("details").evaluate((d) => (d as HTMLDetailsElement).open)).toBe(false)
    await page.screenshot({ path: join(resultsDir(), "album-groups-collapsed.png"), fullPage: true })

    // open again: four completed tracks in album order
    await head.click()
    expect(await group.locator("li.row").first().isVisible()).toBe(true)
    expect(await group.locator("li.row").evaluateAll((rows) => rows.map((r) => r.getAttribute("data-status")))).toEqual(["COMPLETED", "COMPLETED", "COMPLETED", "COMPLETED"])
    expect(await groupTitles(page)).toEqual(TRACKS.map(([, , t]) => t))

    // History, from the server: the same group with its cover-less header and "4/4 done"
    await page.goto(`${app.url}/download-manager?tab=history`)
    const history = page.locator("#history-list li.album-group")
    expect(await history.count()).toBe(1)
    expect(await history.locator(".album-counts").textContent()).toBe("4/4 done")
    expect(await history.locator("li.row .row-title strong").allTextContents()).toEqual(TRACKS.map(([, , t]) => t))
    await page.screenshot({ path: join(resultsDir(), "album-groups-history.png"), fullPage: true })
    expect(problems).toEqual([])
    await page.close()
  }, 150_000)
})
