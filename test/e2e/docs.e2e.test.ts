/** /docs in a real browser: the API reference renders and nothing is requested from another host. */
import { afterAll, beforeAll, expect, it } from "vitest"
import type { Browser } from "playwright-core"
import { browserSkipReason, launchChromium, type LiveApp, startLiveApp } from "../support/browser.js"

const skip = browserSkipReason()
let app: LiveApp
let browser: Browser

beforeAll(async () => {
  if (skip) return
  app = await startLiveApp()
  browser = await launchChromium()
}, 60_000)
afterAll(async () => {
  await browser?.close()
  await app?.close()
})

it.skipIf(skip !== undefined)("the docs page shows the operations and asks no other host for anything", async () => {
  const page = await browser.newPage()
  const foreign: Array<string> = []
  const problems: Array<string> = []
  const origin = new URL(app.url).origin
  page.on("request", (r) => { if (!r.url().startsWith(origin) && !r.url().startsWith("data:") && !r.url().startsWith("blob:")) foreign.push(r.url()) })
  page.on("console", (m) => { if (m.type() === "error") problems.push(m.text()) })
  await page.goto(`${app.url}/docs`)
  await page.getByText("Queue one track").first().waitFor({ timeout: 20_000 })
  await page.waitForLoadState("networkidle")
  expect(foreign).toEqual([])
  expect(problems).toEqual([])
  await page.close()
}, 60_000)
