/**
 * A download's way into the library as a user sees it, in headless chromium against the real
 * service on real time: the simulated slskd writes the finished file into its downloads folder,
 * and the row goes COMPLETED → "In library" with the checks and the final path, without a reload.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { Effect } from "effect"
import { existsSync, mkdirSync, mkdtempSync, readdirSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import type { Browser } from "playwright-core"
import { QueueTrackDownload } from "../../src/application/queue-track-download.js"
import { browserSkipReason, launchChromium, type LiveApp, resultsDir, startLiveApp } from "../support/browser.js"

const skip = browserSkipReason()
const WAIT = 45_000

describe.skipIf(skip !== undefined)("library import in a browser", () => {
  let app: LiveApp
  let browser: Browser
  const root = mkdtempSync(join(tmpdir(), "soulspot-e2e-import-"))
  const dirs = { downloads: join(root, "slskd", "downloads"), library: join(root, "music"), quarantine: join(root, "quarantine") }

  beforeAll(async () => {
    mkdirSync(dirs.downloads, { recursive: true })
    app = await startLiveApp({
      simulator: { downloadsDir: dirs.downloads, fileDelayMs: 300 },
      env: { SOULSPOT_SLSKD_DOWNLOADS_DIR: dirs.downloads, SOULSPOT_LIBRARY_DIR: dirs.library, SOULSPOT_QUARANTINE_DIR: dirs.quarantine }
    })
    browser = await launchChromium()
  }, 60_000)

  afterAll(async () => {
    await browser?.close()
    await app?.close()
  }, 30_000)

  it("a completed track is found, checked, tagged and shown in the library with its path", async () => {
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } })
    await page.goto(`${app.url}/download-manager`)
    const { download } = await app.run(Effect.flatMap(QueueTrackDownload, (q) =>
      q.run({ track: { title: "Teardrop", artist: "Massive Attack", album: "Mezzanine", durationMs: 330_000 } })))
    const rowId = `download-${download.id}`
    const seen: Array<string> = []
    await page.exposeFunction("soulspotSeen", (s: string) => { seen.push(s) })
    await page.evaluate((id) => {
      const note = () => {
        const row = document.getElementById(id)
        const s = `${row?.getAttribute("data-status") ?? ""}/${row?.querySelector("[data-import]")?.getAttribute("data-import") ?? ""}`
        ;(window as unknown as { soulspotSeen: (s: string) => void }).soulspotSeen(s)
      }
      new MutationObserver(note).observe(document.body, { subtree: true, childList: true, attributes: true })
    }, rowId)
    await page.waitForFunction((id) => document.getElementById(id)?.querySelector("[data-import]")?.getAttribute("data-import") === "IMPORTED",
      rowId, { timeout: WAIT, polling: 100 })
    const row = page.locator(`#${rowId}`)
    expect(await row.getAttribute("data-status")).toBe("COMPLETED")
    const path = await row.locator(".import-path").textContent()
    expect(path).toMatch(/music\/Massive Attack\/Mezzanine\/(\d+ )?Teardrop\.(flac|mp3)$/)
    expect(await row.locator(".checks li").allTextContents()).toEqual(expect.arrayContaining([expect.stringMatching(/size/), expect.stringMatching(/duration/)]))
    expect(seen.some((s) => s.startsWith("COMPLETED/"))).toBe(true)
    expect(existsSync(path!)).toBe(true)
    // move mode: slskd's copy is gone once the library copy is complete
    const left = readdirSync(dirs.downloads, { recursive: true }).filter((f) => String(f).includes("Teardrop"))
    expect(left).toEqual([])
    await page.screenshot({ path: join(resultsDir(), "library-import.png"), fullPage: true })
    await page.close()
  }, 90_000)
})
