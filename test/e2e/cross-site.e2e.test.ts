/**
 * Another site against SoulSpot, in headless chromium: a page served from another port of
 * 127.0.0.1 (same site, another origin: what SameSite cookies do not stop) auto-submits
 * forms (urlencoded, text/plain, multipart), sends no-cors fetches and frames the page,
 * against a service without a key and one with a key and a signed-in browser. Every attempt
 * is refused and nothing changes. Then the page itself, under its CSP: no violation, and its
 * own forms and buttons still work.
 */
import { Effect, Option } from "effect"
import { createServer, type Server } from "node:http"
import type { AddressInfo } from "node:net"
import type { Browser, BrowserContext, Page } from "playwright-core"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { Setting } from "../../src/config.js"
import { DownloadRepository } from "../../src/domain/ports/DownloadRepository.js"
import { Settings } from "../../src/domain/ports/Settings.js"
import { browserSkipReason, launchChromium, type LiveApp, startLiveApp } from "../support/browser.js"

const skip = browserSkipReason()
if (skip !== undefined) console.warn(`cross-site e2e: ${skip}`)

const KEY = "a-long-enough-key-for-the-e2e-test"

/** The attacker's pages, each doing one thing against `app` as soon as it loads. */
const attackerPages = (app: string, evil: string, downloadId: string): Record<string, string> => {
  const autoSubmit = (action: string, enctype: string, fields: Record<string, string>) =>
    `<form method="post" action="${app}${action}" enctype="${enctype}">${Object.entries(fields).map(([k, v]) =>
      `<input type="hidden" name='${k}' value='${v}'>`).join("")}</form><script>document.forms[0].submit()</script>`
  const noCors = (path: string, body: string, type: string) =>
    `<script>fetch(${JSON.stringify(app + path)}, { method: "POST", mode: "no-cors", credentials: "include", headers: { "content-type": ${JSON.stringify(type)} }, body: ${JSON.stringify(body)} }).finally(() => document.title = "sent")</script>`
  return {
    "/settings-urlencoded": autoSubmit("/download-manager/settings", "application/x-www-form-urlencoded", { "slskd.url": evil }),
    "/settings-text": autoSubmit("/download-manager/settings", "text/plain", { "slskd.url": evil }),
    "/settings-multipart": autoSubmit("/download-manager/settings", "multipart/form-data", { "slskd.url": evil }),
    // text/plain that is also JSON: {"title":"Evil","artist":"Evil","x":"="}
    "/api-text-json": autoSubmit("/api/downloads", "text/plain", { '{"title":"Evil","artist":"Evil","x":"': '"}' }),
    "/queue-multipart": autoSubmit("/download-manager/queue", "multipart/form-data", { title: "Evil", artist: "Evil" }),
    "/cancel-urlencoded": autoSubmit(`/download-manager/downloads/${downloadId}/cancel`, "application/x-www-form-urlencoded", { x: "1" }),
    "/fetch-api": noCors("/api/downloads", JSON.stringify({ title: "Evil", artist: "Evil" }), "text/plain"),
    "/fetch-settings": noCors("/download-manager/settings", `slskd.url=${encodeURIComponent(evil)}`, "application/x-www-form-urlencoded"),
    "/fetch-cancel": noCors(`/download-manager/downloads/${downloadId}/cancel`, "", "text/plain"),
    "/fetch-login": noCors("/login", `key=${KEY}`, "application/x-www-form-urlencoded")
  }
}

const serve = (pages: () => Record<string, string>) => new Promise<{ server: Server; url: string }>((resolve) => {
  const server = createServer((req, res) => {
    const page = pages()[req.url ?? ""]
    res.writeHead(page === undefined ? 404 : 200, { "content-type": "text/html" }).end(page ?? "")
  })
  server.listen(0, "127.0.0.1", () => resolve({ server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` }))
})

/** Loads an attacker page and returns the status of every non-GET request it made to the service. */
const attack = async (page: Page, attacker: string, path: string, app: string): Promise<ReadonlyArray<number>> => {
  const statuses: Array<number> = []
  const onResponse = (r: import("playwright-core").Response) => {
    if (r.url().startsWith(app) && r.request().method() !== "GET") statuses.push(r.status())
  }
  page.on("response", onResponse)
  try {
    await page.goto(attacker + path)
    await page.waitForFunction(() => true)
    for (let i = 0; i < 100 && statuses.length === 0; i++) await page.waitForTimeout(50)
  } finally {
    page.off("response", onResponse)
  }
  return statuses
}

for (const withKey of [false, true]) {
  describe.skipIf(skip !== undefined)(`another site against SoulSpot ${withKey ? "with a key, signed in" : "without a key"}`, () => {
    let app: LiveApp
    let browser: Browser
    let context: BrowserContext
    let attacker: { server: Server; url: string }
    let downloadId = ""

    const snapshot = () => app.run(Effect.gen(function*() {
      const settings = yield* Settings
      const repo = yield* DownloadRepository
      const target = yield* repo.find(downloadId)
      return {
        slskdUrl: yield* settings.get(Setting.slskdUrl),
        slskdKey: Option.isSome(yield* settings.get(Setting.slskdApiKey)),
        total: (yield* repo.stats(new Date(0).toISOString())).total,
        target: Option.map(target, (d) => d.status)
      }
    }))

    beforeAll(async () => {
      // a slow simulator: the download stays active while the attacks run
      app = await startLiveApp({ env: withKey ? { SOULSPOT_API_KEY: KEY } : {}, timings: { searchResponseWindowMs: 60_000, searchDurationMs: 120_000 } })
      const created = await fetch(`${app.url}/api/downloads`, {
        method: "POST", headers: { "content-type": "application/json", ...(withKey ? { "x-api-key": KEY } : {}) },
        body: JSON.stringify({ title: "Teardrop", artist: "Massive Attack" })
      })
      downloadId = ((await created.json()) as { id: string }).id
      attacker = await serve(() => ({
        ...attackerPages(app.url, "http://127.0.0.1:1", downloadId),
        "/frame": `<iframe id="f" src="${app.url}/download-manager" width="800" height="600"></iframe>`
      }))
      browser = await launchChromium()
      context = await browser.newContext()
      if (withKey) {
        const page = await context.newPage()
        await page.goto(`${app.url}/login`)
        await page.fill("input[name=key]", KEY)
        await page.click("button[type=submit]")
        await page.waitForURL(`${app.url}/download-manager`)
        await page.close()
      }
    }, 60_000)

    afterAll(async () => {
      await context?.close()
      await browser?.close()
      await new Promise<void>((resolve) => attacker ? attacker.server.close(() => resolve()) : resolve())
      await app?.close()
    }, 30_000)

    it("form posts (urlencoded, text/plain, multipart) and no-cors fetches are all refused with 403; nothing changes", async () => {
      const before = await snapshot()
      expect(Option.getOrNull(before.target)).not.toBe("CANCELLED")
      const page = await context.newPage()
      for (const path of Object.keys(attackerPages(app.url, "", downloadId))) {
        const statuses = await attack(page, attacker.url, path, app.url)
        expect(statuses, path).toEqual([403])
      }
      await page.close()
      expect(await snapshot()).toEqual(before)
    }, 60_000)

    it("the page cannot be framed by another site", async () => {
      const page = await context.newPage()
      await page.goto(`${attacker.url}/frame`)
      const frame = await (await page.waitForSelector("#f")).contentFrame()
      await page.waitForTimeout(500)
      const framed = frame ? await frame.evaluate(() => document.querySelector("form.queue") !== null).catch(() => false) : false
      expect(framed).toBe(false)
      await page.close()
    }, 30_000)

    it("the page itself, under its CSP: no violation; queueing from the form and cancelling from a row still work", async () => {
      const page = await context.newPage()
      const violations: Array<string> = []
      page.on("console", (m) => {
        if (/Content Security Policy|Refused to/i.test(m.text())) violations.push(m.text())
      })
      await page.addInitScript(() => {
        document.addEventListener("securitypolicyviolation", (e) => console.error(`Refused to load: ${e.violatedDirective} ${e.blockedURI}`))
      })
      await page.goto(`${app.url}/download-manager`)
      await page.fill("input[name=title]", "Angel")
      await page.fill("input[name=artist]", "Massive Attack")
      await page.click(`form[hx-post="/download-manager/queue"] button[type=submit]`)
      await page.locator("#queue-result", { hasText: "Queued" }).waitFor({ timeout: 15_000 })
      const row = page.locator("li.row", { hasText: "Angel" })
      await row.waitFor({ timeout: 15_000 })
      page.once("dialog", (d) => void d.accept())
      await row.locator("button.danger").click()
      await page.locator("li.row.status-cancelled", { hasText: "Angel" }).waitFor({ timeout: 15_000 })
      // "Why this file?" opens and its Close button (no inline handler) closes it
      await row.locator("button", { hasText: "Why this file?" }).click()
      await row.locator(".candidates").waitFor({ timeout: 15_000 })
      await row.locator("button.close-why").click()
      await row.locator(".candidates").waitFor({ state: "detached", timeout: 5_000 })
      expect(violations).toEqual([])
      await page.close()
    }, 60_000)
  })
}
