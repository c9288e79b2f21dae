/**
 * The slskd panel before slskd was ever reached: it says so (with a link to Settings) instead of
 * "working normally", and turns healthy without a reload once slskd answers.
 */
import { Effect, Exit, Scope } from "effect"
import type { Browser } from "playwright-core"
import { afterAll, beforeAll, expect, it } from "vitest"
import { makeSimulator } from "../../src/dev/slskd-simulator/index.js"
import { freePort } from "../ops/child.js"
import { browserSkipReason, launchChromium, type LiveApp, QUICK_SIMULATOR_TIMINGS, startLiveApp } from "../support/browser.js"

const skip = browserSkipReason()
let app: LiveApp
let browser: Browser
let port: number
const scope = Effect.runSync(Scope.make())

beforeAll(async () => {
  if (skip) return
  port = await freePort()
  app = await startLiveApp({ env: { SOULSPOT_SLSKD_URL: `http://127.0.0.1:${port}`, SOULSPOT_SLSKD_API_KEY: "" } })
  browser = await launchChromium()
}, 60_000)
afterAll(async () => {
  await browser?.close()
  await app?.close()
  await Effect.runPromise(Scope.close(scope, Exit.void))
})

it.skipIf(skip !== undefined)("says slskd was never reached, then turns healthy when slskd starts", async () => {
  const page = await browser.newPage()
  await page.goto(`${app.url}/download-manager`)
  const panel = page.locator("#provider-health")
  await panel.locator('[data-slskd="never-reached"]').waitFor({ timeout: 10_000 })
  expect(await panel.textContent()).toMatch(/slskd never reached/)
  expect(await panel.textContent()).not.toMatch(/Working normally/)
  expect(await panel.getByRole("link", { name: /Settings/ }).getAttribute("href")).toBe("/download-manager/settings")

  await Effect.runPromise(Scope.extend(makeSimulator({ port, host: "127.0.0.1", apiKey: null, timings: QUICK_SIMULATOR_TIMINGS }), scope))
  await panel.locator('[data-slskd="ok"]').waitFor({ timeout: 30_000 })
  expect(await panel.textContent()).toMatch(/Working normally/)
  expect(await panel.textContent()).toMatch(/slskd reachable/)
  await page.close()
}, 90_000)
