/**
 * Acting on rows in headless chromium against the real service (workers on, slskd simulated, real
 * time): the candidate panel and a row's tick survive live updates; pause reaches slskd and
 * resume enqueues the same file; priority steps reorder the list in place; "use this file"
 * switches the transfer to another peer; bulk pause / cancel / remove on ticked rows, with a
 * confirmation only for the destructive ones; "clear finished". Never a page reload.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { join } from "node:path"
import type { Browser, BrowserContext, Page } from "playwright-core"
import { browserSkipReason, launchChromium, type LiveApp, QUICK_SIMULATOR_TIMINGS, resultsDir, startLiveApp } from "../support/browser.js"

const skip = browserSkipReason()
if (skip !== undefined) console.warn(`row-actions e2e: ${skip}`)

const WAIT = 30_000

const api = async (app: LiveApp, method: string, path: string, body?: unknown) => {
  const r = await fetch(`${app.url}${path}`, {
    method, ...(body === undefined ? {} : { body: JSON.stringify(body), headers: { "content-type": "application/json" } })
  })
  const text = await r.text()
  return { status: r.status, json: text === "" ? undefined : JSON.parse(text) }
}

const queue = async (app: LiveApp, title: string, artist: string) => {
  const r = await api(app, "POST", "/api/downloads", { title, artist })
  expect(r.status).toBe(201)
  return `download-${r.json.id as string}`
}

/** Until the row's attribute has this value (the page's CSP allows no eval, so no predicates as text). */
const waitForAttr = (page: Page, rowId: string, name: string, value: string) =>
  page.waitForFunction(([id, n, v]) => document.getElementById(id)?.getAttribute(n) === v, [rowId, name, value] as const, { timeout: WAIT, polling: 100 })

const waitForStatus = (page: Page, rowId: string, statuses: ReadonlyArray<string>) =>
  page.waitForFunction(([id, wanted]) => wanted.includes(document.getElementById(id)?.getAttribute("data-status") ?? ""),
    [rowId, statuses] as const, { timeout: WAIT, polling: 100 })

const orderOf = (page: Page, ids: ReadonlyArray<string>) =>
  page.evaluate((wanted) => [...document.querySelectorAll("#active-list > li.row")].map((li) => li.id).filter((id) => wanted.includes(id)), ids)

/** The rows of `expected` in that order on the page, polled (a swap settles a moment after it lands). */
const waitForOrder = async (page: Page, expected: ReadonlyArray<string>) => {
  await page.waitForFunction((wanted) =>
    [...document.querySelectorAll("#active-list > li.row")].map((li) => li.id).filter((id) => wanted.includes(id)).join() === wanted.join(),
  expected, { timeout: WAIT, polling: 100 }).catch(() => undefined)
  expect(await orderOf(page, expected)).toEqual(expected)
}

describe.skipIf(skip !== undefined)("acting on rows in a browser", () => {
  let app: LiveApp
  let browser: Browser
  let context: BrowserContext
  let page: Page
  const dialogs: Array<string> = []
  const pageErrors: Array<string> = []

  beforeAll(async () => {
    // nonsense tracks stay WAITING (nothing found, many attempts), so their order can be watched
    app = await startLiveApp({ env: { SOULSPOT_MAX_ATTEMPTS: "50" } })
    browser = await launchChromium()
    context = await browser.newContext({ viewport: { width: 1280, height: 900 }, locale: "en-GB" })
    page = await context.newPage()
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
    expect((await page.goto(`${app.url}/download-manager`))?.status()).toBe(200)
    await page.waitForFunction(() => (window as any).__sseOpen >= 1, undefined, { timeout: WAIT })
    await page.evaluate(() => {
      ;(window as any).__marker = "same-page"
    })
  }, 60_000)

  afterAll(async () => {
    await context?.close()
    await browser?.close()
    await app?.close()
  }, 30_000)

  it("the candidate panel and the tick stay through live updates; pause cancels in slskd, resume enqueues the same file", async () => {
    await app.run(app.sim.control.setTimings({ speedFactor: 0.02 }))
    const karma = await queue(app, "Karma Police", "Radiohead")
    await page.waitForFunction((id) => {
      const el = document.getElementById(id)
      return el?.getAttribute("data-status") === "DOWNLOADING" && Number(el.querySelector("[role=progressbar]")?.getAttribute("aria-valuenow")) > 0
    }, karma, { timeout: WAIT, polling: 100 })
    const row = page.locator(`#${karma}`)
    await row.locator(".select-row").check()
    await row.getByRole("button", { name: "Why this file?" }).click()
    const panel = page.locator(`#${karma.replace("download-", "why-")}`)
    await panel.locator("table tbody tr").first().waitFor({ timeout: WAIT })
    expect(await panel.locator("tr.chosen").textContent()).toContain("current file")
    // several progress updates replace the row; the panel and the tick are still there after each
    const progress = Number(await row.locator("[role=progressbar]").getAttribute("aria-valuenow"))
    await page.evaluate((id) => {
      ;(window as any).__replaced = 0
      new MutationObserver(() => {
        ;(window as any).__replaced++
      }).observe(document.getElementById(id)!, { childList: true })
    }, karma)
    await page.waitForFunction(() => (window as any).__replaced >= 3, undefined, { timeout: WAIT, polling: 100 })
    expect(Number(await row.locator("[role=progressbar]").getAttribute("aria-valuenow"))).toBeGreaterThan(progress)
    expect(await panel.locator("table tbody tr").count()).toBeGreaterThan(1)
    expect(await row.locator(".select-row").isChecked()).toBe(true)
    expect(await page.locator("#selected-count").textContent()).toBe("1 selected")
    await row.locator(".select-row").uncheck()

    // pause: no confirmation, the row says so, slskd's transfer is cancelled
    const before = (await api(app, "GET", `/api/downloads/${karma.slice(9)}`)).json
    await row.getByRole("button", { name: "Pause" }).click()
    await waitForAttr(page, karma, "data-paused", "true")
    expect(await row.getAttribute("data-status")).toBe("DOWNLOADING")
    const transfers = await app.run(app.sim.control.transfers)
    expect(transfers.find((t) => t.id === before.slskd_id)?.state).toBe("Completed, Cancelled")
    expect(await panel.locator("table").count()).toBe(1) // the action's own swap kept the panel too

    // resume: the same file again, to the end
    await app.run(app.sim.control.setTimings({ speedFactor: QUICK_SIMULATOR_TIMINGS.speedFactor! }))
    await row.getByRole("button", { name: "Resume" }).click()
    await waitForStatus(page, karma, ["COMPLETED"])
    const done = (await api(app, "GET", `/api/downloads/${karma.slice(9)}`)).json
    expect(done).toMatchObject({ status: "COMPLETED", paused: false, username: before.username, filename: before.filename })
    expect(await app.run(app.sim.control.enqueueCount(before.username, before.filename))).toBe(2)
    expect(dialogs).toEqual([])
  }, 120_000)

  it("use this file: another candidate is downloaded instead, the panel says so", async () => {
    await app.run(app.sim.control.setTimings({ speedFactor: 0.02 }))
    const teardrop = await queue(app, "Teardrop", "Massive Attack")
    await waitForStatus(page, teardrop, ["QUEUED", "DOWNLOADING"])
    const first = (await api(app, "GET", `/api/downloads/${teardrop.slice(9)}`)).json
    const row = page.locator(`#${teardrop}`)
    await row.getByRole("button", { name: "Why this file?" }).click()
    const panel = page.locator(`#${teardrop.replace("download-", "why-")}`)
    // another peer with a free upload slot, so the switch completes at once
    const other = panel.locator("tbody tr.accepted:not(.chosen)", { hasNotText: "no free upload slot" }).first()
    await other.waitFor({ timeout: WAIT })
    const rank = Number(await other.getAttribute("data-rank"))
    const wanted = (await api(app, "GET", `/api/downloads/${teardrop.slice(9)}/candidates`)).json.candidates.find((c: any) => c.rank === rank)
    expect(wanted.username).not.toBe(first.username)
    expect(await other.locator("button.use-file").textContent()).toBe("Use this file")
    // the simulator fixes a transfer's speed when it is enqueued: the running one stays slow
    await app.run(app.sim.control.setTimings({ speedFactor: QUICK_SIMULATOR_TIMINGS.speedFactor! }))
    await other.getByRole("button", { name: new RegExp(`^Use file #${rank} from`) }).click()
    await panel.locator(".msg-ok").waitFor({ timeout: WAIT })
    expect(await panel.locator(".msg-ok").textContent()).toContain(`File #${rank} from ${wanted.username} is next`)
    await waitForStatus(page, teardrop, ["COMPLETED"]).catch(async (e) => {
      console.log(JSON.stringify((await api(app, "GET", `/api/downloads/${teardrop.slice(9)}`)).json), JSON.stringify(await app.run(app.sim.control.transfers)))
      throw e
    })
    expect((await api(app, "GET", `/api/downloads/${teardrop.slice(9)}`)).json).toMatchObject({ username: wanted.username, filename: wanted.filename, attempts: 0 })
    expect(await row.locator(".row-meta").textContent()).toContain(wanted.username)
    expect((await app.run(app.sim.control.transfers)).find((t) => t.id === first.slskd_id)?.state).toBe("Completed, Cancelled")
  }, 120_000)

  it("priority steps reorder the list in place; bulk pause needs no confirmation, bulk cancel and remove do; clear finished", async () => {
    const ids = [
      await queue(app, "Zqxv Unfindable One", "Nobody Qzx"),
      await queue(app, "Zqxv Unfindable Two", "Nobody Qzx"),
      await queue(app, "Zqxv Unfindable Three", "Nobody Qzx")
    ]
    for (const id of ids) await page.locator(`#${id}`).waitFor({ timeout: WAIT })
    const [one, two, three] = ids as [string, string, string]
    expect(await orderOf(page, ids)).toEqual([one, two, three])
    await page.locator(`#${three}`).getByRole("button", { name: /Raise priority/ }).click()
    await waitForAttr(page, three, "data-priority", "1")
    await waitForOrder(page, [three, one, two])
    await page.locator(`#${two}`).getByRole("button", { name: /to the top/ }).click()
    await waitForAttr(page, two, "data-priority", "2")
    await waitForOrder(page, [two, three, one])
    await page.locator(`#${two}`).getByRole("button", { name: /Lower priority/ }).click()
    await waitForAttr(page, two, "data-priority", "1")
    // equal priority: the older one first
    await waitForOrder(page, [two, three, one])
    expect(await page.locator(`#${two} .prio-value`).textContent()).toBe("1")

    // tick the three and pause them together: no dialog
    const bulk = page.locator("#selection-bar")
    expect(await bulk.getByRole("button", { name: "Pause" }).isDisabled()).toBe(true)
    for (const id of ids) await page.locator(`#${id} .select-row`).check()
    expect(await page.locator("#selected-count").textContent()).toBe("3 selected")
    await bulk.getByRole("button", { name: "Pause" }).click()
    await page.locator("#list-message .msg-ok").waitFor({ timeout: WAIT })
    expect(await page.locator("#list-message").textContent()).toContain("Paused 3 downloads.")
    for (const id of ids) await waitForAttr(page, id, "data-paused", "true")
    expect(dialogs).toEqual([])
    // the list reloaded and the ticks are still there
    await page.waitForFunction((xs) => xs.every((id) => (document.querySelector(`#${id} .select-row`) as HTMLInputElement | null)?.checked), ids, { timeout: WAIT, polling: 100 })
    expect(await page.locator("#selected-count").textContent()).toBe("3 selected")

    await bulk.getByRole("button", { name: "Cancel" }).click()
    for (const id of ids) await waitForStatus(page, id, ["CANCELLED"])
    expect(dialogs).toEqual(["Cancel the selected downloads?"])
    for (const id of ids) await page.locator(`#${id} .select-row`).check()
    await bulk.getByRole("button", { name: "Remove" }).click()
    for (const id of ids) await page.locator(`#${id}`).waitFor({ state: "detached", timeout: WAIT })
    expect(dialogs.at(-1)).toContain("Remove the selected finished downloads")
    for (const id of ids) expect((await api(app, "GET", `/api/downloads/${id.slice(9)}`)).status).toBe(404)

    // clear finished: the completed rows of the tests before go, after the confirmation
    expect(await page.locator("#recent-list li.row").count()).toBeGreaterThan(0)
    await page.getByRole("button", { name: "Clear finished" }).click()
    await page.waitForFunction(() => document.querySelectorAll("#recent-list li.row").length === 0, undefined, { timeout: WAIT })
    expect(dialogs.at(-1)).toContain("Remove every finished download")
    expect((await api(app, "GET", "/api/downloads/manager/stats")).json).toMatchObject({ completed: 0, cancelled: 0, failed: 0 })

    await page.screenshot({ path: join(resultsDir(), "row-actions.png"), fullPage: true })
    expect(await page.evaluate(() => (window as any).__marker)).toBe("same-page")
    expect(pageErrors).toEqual([])
  }, 120_000)
})
