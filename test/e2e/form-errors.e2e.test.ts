/**
 * Every failed form action is shown next to the form, in words (the field it concerns marked),
 * and a success notice never outlives the action it reported. No "Response Status Error" left
 * in the console: the page handles 4xx and 5xx answers itself.
 */
import type { Browser, Page } from "playwright-core"
import { afterAll, beforeAll, expect, it } from "vitest"
import { freePort } from "../ops/child.js"
import { browserSkipReason, launchChromium, type LiveApp, openPage, startLiveApp } from "../support/browser.js"

const skip = browserSkipReason()
let app: LiveApp
let browser: Browser

beforeAll(async () => {
  if (skip) return
  // Deezer at a port where nothing listens (502); no Spotify credentials (503)
  app = await startLiveApp({ env: { SOULSPOT_DEEZER_API_URL: `http://127.0.0.1:${await freePort()}` } })
  browser = await launchChromium()
}, 60_000)
afterAll(async () => {
  await browser?.close()
  await app?.close()
})

const open = (path: string) => openPage(browser, `${app.url}${path}`)

const result = (page: Page) => page.locator("#queue-result")

it.skipIf(skip !== undefined)("track, album and playlist forms show their errors, and a green notice does not outlive its action", async () => {
  const { page, consoleErrors } = await open("/download-manager")
  // a success first
  await page.getByLabel("Title").fill("Karma Police")
  await page.getByLabel("Artist").fill("Radiohead")
  await page.getByRole("button", { name: "Queue track" }).click()
  await result(page).locator(".msg-ok").waitFor()
  expect(await result(page).textContent()).toMatch(/Queued “Karma Police”/)

  // a title of spaces passes the browser's `required` but not the server
  await page.getByLabel("Title").fill("   ")
  await page.getByLabel("Artist").fill("Radiohead")
  await page.getByRole("button", { name: "Queue track" }).click()
  await result(page).locator(".msg-error").waitFor()
  expect(await result(page).locator(".msg-ok").count()).toBe(0)
  expect(await result(page).textContent()).toMatch(/title: is required/)
  expect(await page.getByLabel("Title").getAttribute("aria-invalid")).toBe("true")

  const album = page.getByLabel("Spotify or Deezer album link")
  await album.fill("not a link at all")
  await page.getByRole("button", { name: "Queue album" }).click()
  await result(page).getByText(/Paste a Spotify or Deezer album link/).waitFor()

  await album.fill("https://open.spotify.com/album/4LH4d3cOWNNsVw41Gqt2kv")
  await page.getByRole("button", { name: "Queue album" }).click()
  await result(page).getByText(/Spotify/).waitFor()
  expect(await result(page).locator(".msg-error").count()).toBe(1)

  await album.fill("https://www.deezer.com/album/302127")
  await page.getByRole("button", { name: "Queue album" }).click()
  await result(page).getByText(/Deezer/).waitFor()
  expect(await result(page).locator(".msg-error").textContent()).not.toMatch(/Spotify/)

  await page.getByLabel("Spotify or Deezer playlist link").fill("nonsense")
  await page.getByRole("button", { name: "Queue playlist" }).click()
  await page.waitForFunction(() => /playlist/i.test(document.querySelector("#queue-result .msg-error")?.textContent ?? ""))

  expect(consoleErrors.filter((e) => /Response Status Error/.test(e))).toEqual([])
  await page.close()
}, 90_000)

it.skipIf(skip !== undefined)("settings: 'lots' as max attempts is refused by its field and nothing is saved", async () => {
  const { page, consoleErrors } = await open("/download-manager/settings")
  const field = page.locator('[name="retry.max_attempts"]')
  const before = await field.inputValue()
  await field.fill("lots")
  await page.locator("#settings-form").getByRole("button", { name: /save/i }).click()
  await page.locator("#settings-form .msg-error").waitFor()
  expect(await page.locator("#settings-form .msg-error").textContent()).toMatch(/retry\.max_attempts/)
  expect(await page.locator('[name="retry.max_attempts"]').getAttribute("aria-invalid")).toBe("true")
  await page.reload()
  expect(await page.locator('[name="retry.max_attempts"]').inputValue()).toBe(before)
  expect(consoleErrors.filter((e) => /Response Status Error/.test(e))).toEqual([])
  await page.close()
}, 60_000)

it.skipIf(skip !== undefined)("playlist files: an unusable file says why next to the form, a usable one replaces that with what was queued", async () => {
  const { page, consoleErrors } = await open("/download-manager")
  const file = page.getByLabel(/Playlist file/)
  await file.setInputFiles({ name: "notes.csv", mimeType: "text/csv", buffer: Buffer.from("just some words\nand more words\n") })
  await page.getByRole("button", { name: "Queue file" }).click()
  await result(page).locator(".msg-error").waitFor()
  const refused = (await result(page).textContent()) ?? ""
  expect(refused.trim().length).toBeGreaterThan(10)
  expect(await result(page).locator(".msg-ok").count()).toBe(0)

  await file.setInputFiles({ name: "mix.m3u", mimeType: "audio/x-mpegurl",
    buffer: Buffer.from("#EXTM3U\n#EXTINF:261,Portishead - Glory Box\nglory.flac\n#EXTINF:331,Björk - Hyperballad\nhyperballad.flac\n") })
  await page.getByRole("button", { name: "Queue file" }).click()
  await result(page).locator(".msg-ok").waitFor()
  expect(await result(page).textContent()).toMatch(/Queued 2 tracks/)
  expect(await result(page).locator(".msg-error").count()).toBe(0)
  expect(consoleErrors.filter((e) => /Response Status Error/.test(e))).toEqual([])
  await page.close()
}, 60_000)

it.skipIf(skip !== undefined)("login: a wrong key is refused beside the field, which is marked; the right key opens the page", async () => {
  const guarded = await startLiveApp({ env: { SOULSPOT_API_KEY: "correct horse battery staple" } })
  const page = await browser.newPage()
  try {
    await page.goto(`${guarded.url}/download-manager`)
    expect(new URL(page.url()).pathname).toBe("/login")
    const key = page.getByLabel("API key")
    await key.fill("wrong key")
    await page.getByRole("button", { name: "Sign in" }).click()
    await page.locator("form .msg-error").waitFor()
    expect(await page.locator("form .msg-error").textContent()).toBe("That key is not right.")
    expect(await page.getByLabel("API key").getAttribute("aria-invalid")).toBe("true")
    await page.getByLabel("API key").fill("correct horse battery staple")
    await page.getByRole("button", { name: "Sign in" }).click()
    await page.waitForURL(/\/download-manager$/)
    expect(await page.locator(".msg-error").count()).toBe(0)
    expect(await page.getByRole("button", { name: "Queue track" }).count()).toBe(1)
  } finally {
    await page.close()
    await guarded.close()
  }
}, 60_000)
