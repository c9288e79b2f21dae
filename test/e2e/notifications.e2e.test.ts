/**
 * The Notifications section of Settings in a real browser: add a webhook target, send a test
 * message (from the form and from the list) and see the target's answer, switch it off, get a
 * bad URL refused in words, and names shown as text, never as markup.
 */
import { Effect, Exit, Scope } from "effect"
import type { Browser } from "playwright-core"
import { createHmac } from "node:crypto"
import { afterAll, beforeAll, expect, it } from "vitest"
import { NotificationStore } from "../../src/infrastructure/persistence/notification-repository.js"
import { browserSkipReason, launchChromium, type LiveApp, openPage, startLiveApp } from "../support/browser.js"
import { makeReceiver, type Receiver } from "../support/receiver.js"

const skip = browserSkipReason()
let app: LiveApp
let browser: Browser
let receiver: Receiver
const scope = Effect.runSync(Scope.make())

beforeAll(async () => {
  if (skip) return
  receiver = await Effect.runPromise(Scope.extend(makeReceiver, scope))
  app = await startLiveApp()
  browser = await launchChromium()
}, 60_000)
afterAll(async () => {
  await browser?.close()
  await app?.close()
  await Effect.runPromise(Scope.close(scope, Exit.void))
})

it.skipIf(skip !== undefined)("adds a webhook target, sends a test message and shows the answer, switches it off", async () => {
  const { page, consoleErrors } = await openPage(browser, `${app.url}/download-manager/settings`)
  const section = page.locator("#notifications")
  await expect(section.locator("#no-targets").textContent()).resolves.toMatch(/No target yet/)

  // a bad URL is refused in words, nothing stored
  await section.getByLabel("Name", { exact: true }).fill("<b>My script</b>")
  await section.getByLabel("URL the JSON is POSTed to").fill("not a url")
  await section.getByRole("button", { name: "Add target" }).click()
  await section.locator("#notification-form-message .msg-error").waitFor()
  expect(await section.locator("#notification-form-message").textContent()).toMatch(/^\s*url: /)
  expect(await section.locator("#no-targets").count()).toBe(1)

  // the form's own test message, before saving
  await section.getByLabel("URL the JSON is POSTed to").fill(`${receiver.url}/hook`)
  await section.getByLabel(/Signing secret/).fill("page-secret")
  receiver.answer({ status: 200, body: "{\"ok\":true}" })
  await section.getByRole("button", { name: "Send a test message" }).click()
  await section.locator("#notification-form-answer [data-test-answer=ok]").waitFor()
  expect(await section.locator("#notification-form-answer").textContent()).toMatch(/The target answered HTTP 200: \{"ok":true\}/)

  await section.getByRole("button", { name: "Add target" }).click()
  const row = section.locator("#notification-targets li").first()
  await row.waitFor()
  expect(await row.locator("strong").textContent()).toBe("<b>My script</b>")
  expect(await row.locator("strong b").count()).toBe(0)
  expect(await row.getAttribute("data-enabled")).toBe("true")

  // a test message to the stored target: its secret signs it; the answer shows in the row
  receiver.answer({ status: 401, body: "{\"error\":\"who are you\"}" })
  await row.getByRole("button", { name: "Send a test message" }).click()
  await row.locator("[data-test-answer=failed]").waitFor()
  expect(await row.locator("[data-test-answer]").textContent()).toMatch(/Not delivered: webhook answered HTTP 401.*who are you/)
  expect(receiver.received).toHaveLength(2)
  for (const r of receiver.received) {
    expect(r.headers["x-soulspot-signature"]).toBe(`sha256=${createHmac("sha256", "page-secret").update(r.body).digest("hex")}`)
    expect(JSON.parse(r.body)).toMatchObject({ version: 1, test: true })
  }

  await row.getByRole("button", { name: "Disable" }).click()
  await section.locator("#notification-targets li[data-enabled=false]").waitFor()
  const stored = await app.run(Effect.flatMap(NotificationStore, (s) => s.listTargets))
  expect(stored.map((s) => [s.target.type, s.target.enabled, (s.target as { secret?: string }).secret])).toEqual([["webhook", false, "page-secret"]])

  // another type's form follows the type chosen
  // (the form may have just been swapped in by the Disable answer: wait until htmx has taken it over)
  await page.waitForFunction(() => (document.querySelector("#nt-type") as unknown as { "htmx-internal-data"?: unknown } | null)?.["htmx-internal-data"] !== undefined)
  await section.getByLabel("Type").selectOption("ntfy")
  await section.getByLabel(/Topic URL/).waitFor()
  expect(consoleErrors.filter((e) => /Response Status Error|htmx/.test(e))).toEqual([])
  await page.close()
}, 90_000)
