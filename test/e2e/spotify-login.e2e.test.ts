/**
 * The Spotify login as a user does it, in headless chromium against the real service and the
 * fake Spotify (its consent page included): Connect, Agree, back on Settings connected; Cancel
 * ends in a clear message; and the paste-the-address fallback for a redirect that cannot reach
 * the server.
 */
import { Context, Effect, Exit, Layer, Scope } from "effect"
import type { Browser, Page } from "playwright-core"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { browserSkipReason, launchChromium, type LiveApp, startLiveApp } from "../support/browser.js"
import { FakeSpotify, type FakeSpotifyControl, FakeSpotifyLive } from "../support/fake-spotify.js"

const skip = browserSkipReason()
const WAIT = 15_000

describe.skipIf(skip !== undefined)("Spotify login in a browser", () => {
  let app: LiveApp
  let browser: Browser
  let fake: FakeSpotifyControl
  const scope = Effect.runSync(Scope.make())

  beforeAll(async () => {
    fake = await Effect.runPromise(Effect.map(Layer.buildWithScope(FakeSpotifyLive, scope), (ctx) => Context.get(ctx, FakeSpotify)))
    fake.addUser({ id: "alice", displayName: "Alice Example" })
    app = await startLiveApp({
      env: {
        SOULSPOT_SPOTIFY_API_URL: fake.apiUrl, SOULSPOT_SPOTIFY_ACCOUNTS_URL: fake.accountsUrl,
        SOULSPOT_SPOTIFY_CLIENT_ID: fake.clientId, SOULSPOT_SPOTIFY_CLIENT_SECRET: fake.clientSecret
      }
    })
    browser = await launchChromium()
  }, 60_000)

  afterAll(async () => {
    await browser?.close()
    await app?.close()
    await Effect.runPromise(Scope.close(scope, Exit.void))
  }, 30_000)

  const settings = async (page: Page) => {
    await page.goto(`${app.url}/download-manager/settings`)
    return page.locator("#spotify-account")
  }

  it("connect, approve at Spotify, back on Settings connected; disconnect; cancel explains itself", async () => {
    const page = await (await browser.newContext()).newPage()
    const card = await settings(page)
    await expect(card.locator("#spotify-who").textContent()).resolves.toMatch(/Not connected/)
    await expect(card.locator("#spotify-redirect").textContent()).resolves.toBe(`${app.url}/api/spotify/callback`)

    await card.locator("#spotify-connect").click()
    await page.waitForURL(/\/authorize\?/, { timeout: WAIT })
    await expect(page.locator("h1").textContent()).resolves.toContain("Alice Example")
    await page.getByRole("button", { name: "Agree" }).click()
    await page.waitForURL(/\/download-manager\/settings\?spotify=connected/, { timeout: WAIT })
    await expect(page.locator("#spotify-who").textContent()).resolves.toMatch(/Connected as Alice Example/)
    // no token on the page
    const body = await page.content()
    for (const secret of fake.issuedSecrets()) expect(body.includes(secret)).toBe(false)

    page.on("dialog", (d) => void d.accept())
    await page.getByRole("button", { name: "Disconnect" }).click()
    await page.locator("#spotify-who", { hasText: "Not connected" }).waitFor({ timeout: WAIT })

    await page.locator("#spotify-connect").click()
    await page.waitForURL(/\/authorize\?/, { timeout: WAIT })
    await page.getByRole("button", { name: "Cancel" }).click()
    await page.waitForURL(/spotify=refused/, { timeout: WAIT })
    await expect(page.locator("#spotify-account .msg-error").textContent()).resolves.toMatch(/declined/)
    await expect(page.locator("#spotify-who").textContent()).resolves.toMatch(/Not connected/)
  }, 60_000)

  it("the paste fallback: the redirect cannot reach the server, the user pastes the address and is connected", async () => {
    // as when SoulSpot is opened from another machine: Spotify sends the browser to a 127.0.0.1 that serves nothing
    const put = await fetch(`${app.url}/api/settings`, {
      method: "PUT", headers: { "content-type": "application/json" },
      body: JSON.stringify({ "spotify.redirect_uri": "http://127.0.0.1:9/api/spotify/callback" })
    })
    expect(put.status).toBe(200)
    const browserContext = await browser.newContext()
    const login = await browserContext.newPage()
    await settings(login)
    await login.locator("#spotify-connect").click()
    await login.waitForURL(/\/authorize\?/, { timeout: WAIT })
    const dead = login.waitForRequest(/127\.0\.0\.1:9\/api\/spotify\/callback/, { timeout: WAIT })
    await login.getByRole("button", { name: "Agree" }).click().catch(() => undefined)
    const landed = (await dead).url()
    expect(landed).toMatch(/code=.*state=|state=.*code=/)

    // back in the SoulSpot tab, the address is pasted
    const page = await browserContext.newPage()
    await settings(page)
    await page.locator("#spotify-account input[name=url]").fill(landed)
    await page.getByRole("button", { name: "Finish login" }).click()
    await page.locator("#spotify-who", { hasText: "Connected as Alice Example" }).waitFor({ timeout: WAIT })
    // the same address again is refused: the state was used
    await page.locator("#spotify-account input[name=url]").fill(landed)
    await page.getByRole("button", { name: "Finish login" }).click()
    await page.locator("#spotify-account .msg-error", { hasText: "already used" }).waitFor({ timeout: WAIT })
  }, 60_000)
})
