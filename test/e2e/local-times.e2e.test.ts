/**
 * Times a person reads, in headless chromium set to Asia/Tokyo (UTC+9): finished rows say when
 * ("… d ago", the exact local time on hover) and a retry time is the browser's local clock.
 */
import { SqlClient } from "@effect/sql"
import { Effect } from "effect"
import type { Browser } from "playwright-core"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { browserSkipReason, launchChromium, type LiveApp, startLiveApp } from "../support/browser.js"

const skip = browserSkipReason()
const WAIT = 30_000

describe.skipIf(skip !== undefined)("times in the browser's own time zone", () => {
  let app: LiveApp
  let browser: Browser

  beforeAll(async () => {
    app = await startLiveApp()
    browser = await launchChromium()
    // fixed moments stored directly: a completed and a failed row, and a retry far ahead (no worker touches it)
    await app.run(Effect.gen(function*() {
      const sql = yield* SqlClient.SqlClient
      const at = "2026-01-02T03:04:05.000Z"
      for (const [n, status, next] of [[1, "COMPLETED", null], [2, "FAILED", null], [3, "WAITING", "2099-01-02T03:04:05.000Z"]] as const) {
        yield* sql.unsafe(`INSERT INTO tracks (id, request_key, title, artist, created_at, updated_at) VALUES (?, ?, ?, 'Timezone Band', ?, ?)`,
          [`t${n}`, `meta:t${n}`, `Song ${n}`, at, at])
        yield* sql.unsafe(`INSERT INTO downloads (id, track_id, status, attempts, next_attempt_at, created_at, updated_at, completed_at)
          VALUES (?, ?, ?, ?, ?, ?, ?, ?)`, [`d${n}`, `t${n}`, status, next ? 1 : 0, next, at, at, status === "COMPLETED" ? at : null])
      }
    }))
  }, 60_000)

  afterAll(async () => {
    await browser?.close()
    await app?.close()
  }, 30_000)

  it("finished rows say how long ago in local time; the next try is a local clock time", async () => {
    const context = await browser.newContext({ timezoneId: "Asia/Tokyo", locale: "en-GB" })
    const page = await context.newPage()
    await page.goto(`${app.url}/download-manager?tab=history`)
    const done = page.locator("#download-d1 .finished-at time")
    await done.waitFor({ timeout: WAIT })
    await page.waitForFunction(() => /ago$/.test(document.querySelector("#download-d1 .finished-at time")?.textContent ?? ""), undefined, { timeout: WAIT })
    expect(await page.locator("#download-d1 .finished-at").textContent()).toMatch(/^completed \d+ d ago$/)
    expect(await done.getAttribute("datetime")).toBe("2026-01-02T03:04:05.000Z")
    // 03:04:05 UTC is 12:04:05 in Tokyo
    expect(await done.getAttribute("title")).toMatch(/2 Jan 2026.*12:04:05/)
    expect(await page.locator("#download-d2 .finished-at").textContent()).toMatch(/^failed \d+ d ago$/)

    await page.goto(`${app.url}/download-manager`)
    const next = page.locator("#download-d3 .next-try time")
    await next.waitFor({ timeout: WAIT })
    await page.waitForFunction(() => !/UTC/.test(document.querySelector("#download-d3 .next-try time")?.textContent ?? "UTC"), undefined, { timeout: WAIT })
    expect(await next.textContent()).toMatch(/12:04:05$/)
    expect(await next.getAttribute("title")).toMatch(/2 Jan 2099.*12:04:05/)

    // without the script the server's own text is there, in UTC
    const plain = await (await fetch(`${app.url}/download-manager`)).text()
    expect(plain).toContain(`<time datetime="2099-01-02T03:04:05.000Z" data-time="clock">2099-01-02 03:04:05 UTC</time>`)
    await context.close()
  }, 60_000)
})
