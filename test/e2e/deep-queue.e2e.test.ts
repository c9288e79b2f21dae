/**
 * The download manager with 100,000 downloads queued (90 % WAITING), in headless chromium
 * against the real service (workers on, slskd simulated): the first HTML stays small, "show
 * more" pages through the queue, the filters narrow it, a new download appears where it sorts,
 * and changes to rows that are not shown cause no error in the console.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import type { Browser, Page } from "playwright-core"
import { join } from "node:path"
import { browserSkipReason, launchChromium, type LiveApp, resultsDir, startLiveApp } from "../support/browser.js"
import { seedQueue } from "../support/big-queue.js"
import { tempDbFile } from "../support/db.js"

const skip = browserSkipReason()
const WAIT = 30_000
const N = 100_000

const rowIds = (page: Page) => page.evaluate(() => [...document.querySelectorAll("#active-list > li.row")].map((li) => li.id))

describe.skipIf(skip !== undefined)("the download manager with a deep queue", () => {
  let app: LiveApp
  let browser: Browser

  beforeAll(async () => {
    const db = tempDbFile()
    await seedQueue(db, N)
    app = await startLiveApp({ db })
    browser = await launchChromium()
  }, 120_000)

  afterAll(async () => {
    await browser?.close()
    await app?.close()
  }, 30_000)

  it("first page only, show more, filters, a new row in its place, no console errors", async () => {
    const html = await (await fetch(`${app.url}/download-manager`)).text()
    expect(Buffer.byteLength(html)).toBeLessThan(200 * 1024)

    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } })
    const problems: Array<string> = []
    page.on("console", (m) => {
      if (m.type() === "error" || m.type() === "warning") problems.push(m.text())
    })
    page.on("pageerror", (e) => problems.push(String(e)))
    await page.addInitScript(() => {
      document.addEventListener("htmx:sseOpen", () => {
        ;(window as any).__sseOpen = true
      })
      for (const name of ["htmx:oobErrorNoTarget", "htmx:swapError", "htmx:responseError", "htmx:targetError"]) {
        document.addEventListener(name, () => {
          ;((window as any).__htmxErrors ??= []).push(name)
        })
      }
    })
    await page.goto(`${app.url}/download-manager`)
    await page.waitForFunction(() => (window as any).__sseOpen === true, undefined, { timeout: WAIT })

    // The first 50 of the active downloads, the counts per status, the queue estimate.
    expect(await rowIds(page)).toHaveLength(50)
    const count = Number((await page.locator("#list-count").textContent())!.replace(/[(),]/g, ""))
    expect(count).toBeGreaterThanOrEqual(90_000)
    expect(await page.locator(".filters .chip", { hasText: "waiting" }).textContent()).toMatch(/9\d,\d{3}/)
    expect(await page.locator("#queue-eta").textContent()).toMatch(/Searching all 9\d,\d{3} waiting downloads takes about \d+ d \d+ h at 30 searches per 220 s/)
    expect(await page.locator("#next-search").textContent()).toMatch(/^Next search (now|in \d+ s)$/)

    // Show more: the next 50, after the first ones, none twice.
    const first = await rowIds(page)
    await page.getByRole("button", { name: "Show more" }).click()
    await page.waitForFunction(() => document.querySelectorAll("#active-list > li.row").length === 100, undefined, { timeout: WAIT })
    const two = await rowIds(page)
    expect(two.slice(0, 50)).toEqual(first)
    expect(new Set(two).size).toBe(100)
    expect(await page.getByRole("button", { name: "Show more" }).count()).toBe(1)

    // A new download with the highest priority appears at the top by itself; one that sorts
    // after the rows shown is not inserted (show more brings it) but is counted.
    const post = (body: unknown) => fetch(`${app.url}/api/downloads`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) }).then((r) => r.json() as Promise<{ id: string }>)
    const before = Number((await page.locator("#list-count").textContent())!.replace(/[(),]/g, ""))
    const urgent = await post({ title: "Right Now", artist: "Deep Queue", priority: 1000 })
    await page.waitForFunction((id) => document.querySelector("#active-list > li.row")?.id === `download-${id}`, urgent.id, { timeout: WAIT })
    const later = await post({ title: "Some Day", artist: "Deep Queue", priority: -1000 })
    await page.waitForFunction((n) => Number(document.getElementById("list-count")!.textContent!.replace(/[(),]/g, "")) >= n + 2, before, { timeout: WAIT })
    expect(await page.locator(`#download-${later.id}`).count()).toBe(0)

    // Changes to rows far down the queue (not on the page) are dropped quietly.
    const deep = (await (await fetch(`${app.url}/api/downloads?status=WAITING&q=song%2099999`)).json()) as { downloads: Array<{ id: string }> }
    for (const d of deep.downloads) {
      await fetch(`${app.url}/api/downloads/${d.id}`, { method: "PATCH", headers: { "content-type": "application/json" }, body: JSON.stringify({ priority: -3 }) })
    }
    await fetch(`${app.url}/api/downloads/${later.id}`, { method: "DELETE" })

    await page.screenshot({ path: join(resultsDir(), "deep-queue.png") })

    // The text filter narrows the list on the server (index), through the same URL.
    await page.getByRole("searchbox", { name: "Find in this list" }).fill("song 4242")
    await page.waitForFunction(() => [...document.querySelectorAll("#active-list > li.row")].every((li) => /Song 4242/.test(li.textContent ?? "")) &&
      document.querySelectorAll("#active-list > li.row").length > 0, undefined, { timeout: WAIT })
    expect(page.url()).toMatch(/q=song(\+|%20)4242/)
    expect(await page.getByRole("button", { name: "Show more" }).count()).toBe(0)
    // With a text filter on, a new download is counted into "N new, show" rather than guessed.
    await post({ title: "Another One", artist: "Deep Queue", priority: 1000 })
    await page.locator("#new-rows:not([hidden])").waitFor({ timeout: WAIT })
    expect(await page.locator("#new-rows button").textContent()).toBe("1 new, show")

    expect(await page.evaluate(() => (window as any).__htmxErrors ?? [])).toEqual([])
    expect(problems).toEqual([])
    await page.close()
  }, 180_000)
})
