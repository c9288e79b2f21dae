/**
 * The download manager as a user sees it, in headless chromium against the real service on
 * real time (workers on, slskd simulated): queue a track from the keyboard and watch it complete,
 * cancel one, live through an slskd outage, all without reloading the page. Screenshots (desktop
 * and phone) land in test-results/.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { Effect } from "effect"
import { join } from "node:path"
import type { Browser, BrowserContext, Page } from "playwright-core"
import { DownloadRepository } from "../../src/domain/ports/DownloadRepository.js"
import { browserSkipReason, launchChromium, type LiveApp, QUICK_SIMULATOR_TIMINGS, resultsDir, startLiveApp } from "../support/browser.js"

const skip = browserSkipReason()
if (skip !== undefined) console.warn(`download-manager e2e: ${skip}`)

/** Per expectation: generous, bounded, and always polling the DOM rather than sleeping. */
const WAIT = 30_000

const statusOf = (page: Page, rowId: string) =>
  page.evaluate((id) => document.getElementById(id)?.getAttribute("data-status") ?? null, rowId)

const waitForStatus = (page: Page, rowId: string, statuses: ReadonlyArray<string>) =>
  page.waitForFunction(([id, wanted]) => wanted.includes(document.getElementById(id)?.getAttribute("data-status") ?? ""),
    [rowId, statuses] as const, { timeout: WAIT, polling: 100 })

/** The row of a track, once it is on the page; returns its element id (download-<id>). */
const rowFor = async (page: Page, title: string): Promise<string> => {
  const row = page.locator("li.row", { hasText: title })
  await row.first().waitFor({ state: "attached", timeout: WAIT })
  expect(await row.count()).toBe(1)
  const id = await row.getAttribute("id")
  expect(id).toMatch(/^download-[\w-]+$/)
  return id!
}

const focusedName = (page: Page) =>
  page.evaluate(() => {
    const el = document.activeElement as HTMLInputElement | HTMLButtonElement | null
    return el ? `${el.tagName.toLowerCase()}:${el.getAttribute("name") ?? el.textContent?.trim() ?? ""}` : ""
  })

describe.skipIf(skip !== undefined)("download manager in a browser", () => {
  let app: LiveApp
  let browser: Browser
  let context: BrowserContext

  beforeAll(async () => {
    app = await startLiveApp()
    browser = await launchChromium()
    context = await browser.newContext({ viewport: { width: 1280, height: 900 }, locale: "en-GB" })
  }, 60_000)

  afterAll(async () => {
    await context?.close()
    await browser?.close()
    await app?.close()
  }, 30_000)

  it("queue from the keyboard, watch it complete, cancel one, ride out an slskd outage, all without a reload", async () => {
    const page = await context.newPage()
    const requests: Array<string> = []
    const pageErrors: Array<string> = []
    const dialogs: Array<string> = []
    page.on("request", (r) => requests.push(r.url()))
    page.on("pageerror", (e) => pageErrors.push(String(e)))
    page.on("dialog", (d) => {
      dialogs.push(d.message())
      void d.accept()
    })
    await page.addInitScript(() => {
      document.addEventListener("htmx:sseOpen", () => {
        ;(window as any).__sseOpen = ((window as any).__sseOpen ?? 0) + 1
      })
    })

    const response = await page.goto(`${app.url}/download-manager`)
    expect(response?.status()).toBe(200)
    await page.waitForFunction(() => (window as any).__sseOpen >= 1, undefined, { timeout: WAIT })
    // If anything below reloads the page, this marker is gone.
    await page.evaluate(() => {
      ;(window as any).__marker = "same-page"
    })
    expect(await page.title()).toBe("Downloads · SoulSpot")
    expect(await page.locator("#list-count").textContent()).toBe("(0)")
    await expect(page.locator("#provider-health [data-state]").getAttribute("data-state")).resolves.toBe("CLOSED")

    // --- Keyboard: labelled fields, a sensible tab order, the submit button reachable ---
    await page.keyboard.press("Tab")
    expect(await focusedName(page)).toBe("a:Skip to content")
    // Every field is found by its label's text alone (what a screen reader announces).
    for (const [role, name] of [["textbox", "Title"], ["textbox", "Artist"], ["textbox", "Album (optional)"], ["combobox", "Quality"], ["textbox", "Spotify or Deezer album link"]] as const) {
      await expect(page.getByRole(role, { name, exact: true }).count(), name).resolves.toBe(1)
    }
    await page.getByLabel("Title").focus()
    await page.keyboard.type("Karma Police")
    await page.keyboard.press("Tab")
    expect(await focusedName(page)).toBe("input:artist")
    await page.keyboard.type("Radiohead")
    await page.keyboard.press("Tab")
    expect(await focusedName(page)).toBe("input:album")
    await page.keyboard.type("OK Computer")
    await page.keyboard.press("Tab")
    expect(await focusedName(page)).toBe("select:quality_profile")
    await page.keyboard.press("Tab")
    expect(await focusedName(page)).toBe("button:Queue track")
    await page.keyboard.press("Enter")

    await page.locator("#queue-result .msg-ok").waitFor({ timeout: WAIT })
    expect(await page.locator("#queue-result").textContent()).toBe("Queued “Karma Police” by Radiohead.")
    // The form is cleared for the next track.
    expect(await page.getByLabel("Title").inputValue()).toBe("")

    // --- The row appears by itself and moves to COMPLETED, live ---
    const karma = await rowFor(page, "Karma Police")
    await page.evaluate((id) => {
      const seen: Array<string> = []
      ;(window as any).__seen = seen
      const record = () => {
        const s = document.getElementById(id)?.getAttribute("data-status")
        if (s && seen[seen.length - 1] !== s) seen.push(s)
      }
      record()
      new MutationObserver(record).observe(document.getElementById("active-list")!, { subtree: true, childList: true, attributes: true })
    }, karma)
    await waitForStatus(page, karma, ["COMPLETED"])
    const seen = await page.evaluate(() => (window as any).__seen as Array<string>)
    expect(seen.length, `statuses seen: ${seen.join(" → ")}`).toBeGreaterThanOrEqual(2)
    expect(seen.at(-1)).toBe("COMPLETED")
    const done = page.locator(`#${karma}`)
    expect(await done.locator(".badge").textContent()).toBe("Completed")
    expect(await done.locator("[role=progressbar]").getAttribute("aria-valuenow")).toBe("100")
    expect(await done.locator(".row-meta").textContent()).toMatch(/Karma Police/)

    // the heading counts active downloads: the completed one no longer counts (its row stays, showing the outcome)
    expect(await page.locator("#list-count").textContent()).toBe("(0)")

    // A hostile title is text in a real browser too, and a long unbroken word wraps.
    const hostile = `<img src=x onerror="window.__xss=1">`
    const longWord = "Supercalifragilistic".repeat(8)
    await page.getByLabel("Title").fill(hostile)
    await page.getByLabel("Artist").fill("Nobody Shares This")
    await page.getByLabel("Album (optional)").fill(longWord)
    await page.getByRole("button", { name: "Queue track" }).click()
    const hostileRow = await rowFor(page, "Nobody Shares This")
    expect(await page.locator(`#${hostileRow} .row-title strong`).textContent()).toBe(hostile)
    expect(await page.locator(`#${hostileRow} img`).count()).toBe(0)
    expect(await page.locator("#queue-result").textContent()).toBe(`Queued “${hostile}” by Nobody Shares This.`)
    expect(await page.evaluate(() => (window as any).__xss)).toBeUndefined()
    expect(await page.locator("#list-count").textContent()).toBe("(1)")

    // "Why this file?" shows the candidates with the chosen one marked.
    await done.getByRole("button", { name: "Why this file?" }).click()
    await page.locator(`#${karma.replace("download-", "why-")} table tbody tr`).first().waitFor({ timeout: WAIT })
    expect(await page.locator(`#${karma.replace("download-", "why-")} tr.chosen`).count()).toBe(1)
    await page.locator(`#${karma.replace("download-", "why-")}`).getByRole("button", { name: "Close" }).click()
    expect(await page.locator(`#${karma.replace("download-", "why-")} table`).count()).toBe(0)

    // --- A slow one, cancelled with its button (from the keyboard) and the confirmation ---
    await app.run(app.sim.control.setTimings({ speedFactor: 0.01 }))
    await page.getByLabel("Title").fill("Teardrop")
    await page.getByLabel("Artist").fill("Massive Attack")
    await page.getByRole("button", { name: "Queue track" }).click()
    const teardrop = await rowFor(page, "Teardrop")
    await waitForStatus(page, teardrop, ["QUEUED", "DOWNLOADING"])
    const cancel = page.locator(`#${teardrop}`).getByRole("button", { name: "Cancel" })
    await cancel.focus()
    expect(await focusedName(page)).toBe("button:Cancel")
    await page.keyboard.press("Enter")
    await waitForStatus(page, teardrop, ["CANCELLED"])
    expect(dialogs).toEqual(["Cancel “Teardrop”?"])
    expect(await page.locator(`#${teardrop} .badge`).textContent()).toBe("Cancelled")
    await expect(page.locator(`#${teardrop}`).getByRole("button", { name: "Retry" }).count()).resolves.toBe(1)
    await expect(page.locator(`#${teardrop}`).getByRole("button", { name: "Cancel" }).count()).resolves.toBe(0)

    // --- slskd goes away while a transfer runs: the health panel opens, nothing fails; it comes back ---
    await page.getByLabel("Title").fill("Get Lucky")
    await page.getByLabel("Artist").fill("Daft Punk")
    await page.getByRole("button", { name: "Queue track" }).click()
    const lucky = await rowFor(page, "Get Lucky")
    await waitForStatus(page, lucky, ["QUEUED", "DOWNLOADING"])
    await app.run(app.sim.control.setDown(true))
    await page.locator(`#provider-health [data-state="OPEN"]`).waitFor({ timeout: WAIT })
    expect(await page.locator("#provider-health").textContent()).toMatch(/Paused: slskd is not answering/)
    expect(await statusOf(page, lucky)).not.toBe("FAILED")
    await app.run(app.sim.control.setDown(false))
    await page.locator(`#provider-health [data-state="CLOSED"]`).waitFor({ timeout: WAIT })
    expect(await page.locator("#provider-health").textContent()).toMatch(/Working normally/)
    // ...and it does not still say slskd is unreachable.
    expect(await page.locator("#provider-health").textContent()).toMatch(/slskd reachable, version/)
    expect(["QUEUED", "DOWNLOADING", "COMPLETED"]).toContain(await statusOf(page, lucky))
    const stored = (await app.run(Effect.flatMap(DownloadRepository, (r) => r.listActive({ limit: 1000 })))).downloads
    expect(stored.map((d) => d.track.title)).toContain("Get Lucky")

    // Let it finish at full speed, for a tidy screenshot.
    await app.run(app.sim.control.setTimings({ speedFactor: QUICK_SIMULATOR_TIMINGS.speedFactor! }))

    // --- The same page all along, nothing from other hosts, no script errors ---
    expect(await page.evaluate(() => (window as any).__marker)).toBe("same-page")
    expect(await page.evaluate(() => (window as any).__sseOpen)).toBeGreaterThanOrEqual(1)
    expect(pageErrors).toEqual([])
    expect(await page.evaluate(() => (window as any).__xss)).toBeUndefined()
    const foreign = requests.filter((u) => !u.startsWith(`${app.url}/`) && !u.startsWith("data:"))
    expect(foreign).toEqual([])
    expect(requests.filter((u) => u.includes("/download-manager") && !u.includes("/events") && !u.includes("/queue") &&
      !u.includes("/candidates") && !u.includes("/cancel"))).toEqual([`${app.url}/download-manager`])

    // The counts follow the changes (pushed as stats-html).
    await page.waitForFunction(() => /Completed today\s*[1-9]/.test(document.getElementById("stats")?.textContent ?? ""), undefined, { timeout: WAIT })

    const dir = resultsDir()
    await page.screenshot({ path: join(dir, "download-manager.png"), fullPage: true })
    await page.setViewportSize({ width: 390, height: 844 })
    // On a phone nothing may stick out sideways.
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth)
    expect(overflow).toBeLessThanOrEqual(0)
    await page.screenshot({ path: join(dir, "download-manager-phone.png"), fullPage: true })
    await page.close()
  }, 180_000)
})
