import { describe, expect, it } from "@effect/vitest"
import { ConfigProvider, Duration, Effect, Layer, Option, Redacted } from "effect"
import { Setting } from "../../../src/config.js"
import { Settings } from "../../../src/domain/ports/Settings.js"
import { PersistenceTest } from "../../support/db.js"

const env = ConfigProvider.fromMap(new Map([
  ["SOULSPOT_SLSKD_URL", "http://slskd.lan:5030/"],
  ["SOULSPOT_SLSKD_API_KEY", "env-secret-key"],
  ["SOULSPOT_SYNC_INTERVAL", "not a duration"],
  ["SOULSPOT_MAX_ATTEMPTS", "7"]
]))

const WithEnv = PersistenceTest().pipe(Layer.provide(Layer.setConfigProvider(env)))

describe("Settings", () => {
  it.layer(WithEnv)((it) => {
    it.effect("environment beats default; a bad environment value falls back to the default", () =>
      Effect.gen(function*() {
        const s = yield* Settings
        expect(yield* s.get(Setting.slskdUrl)).toBe("http://slskd.lan:5030")
        expect(yield* s.get(Setting.maxAttempts)).toBe(7)
        expect(Duration.toMillis(yield* s.get(Setting.syncInterval))).toBe(5000)
        expect(Duration.toMillis(yield* s.get(Setting.dispatchInterval))).toBe(30000)
        const views = yield* s.describe
        expect(views.find((v) => v.key === "slskd.url")).toMatchObject({ source: "environment", value: "http://slskd.lan:5030" })
        expect(views.find((v) => v.key === "sync.interval")).toMatchObject({ source: "default", value: "5 seconds" })
      }))

    it.effect("a stored row beats the environment, and clearing it brings the environment back", () =>
      Effect.gen(function*() {
        const s = yield* Settings
        yield* s.update({ "retry.max_attempts": 3, "sync.interval": "2 seconds" })
        expect(yield* s.get(Setting.maxAttempts)).toBe(3)
        expect(Duration.toMillis(yield* s.get(Setting.syncInterval))).toBe(2000)
        expect((yield* s.describe).find((v) => v.key === "retry.max_attempts")?.source).toBe("database")
        yield* s.update({ "retry.max_attempts": "" })
        expect(yield* s.get(Setting.maxAttempts)).toBe(7)
      }))

    it.effect("secrets are masked, and sending the mask back keeps the secret", () =>
      Effect.gen(function*() {
        const s = yield* Settings
        const view = (yield* s.describe).find((v) => v.key === "slskd.api_key")
        expect(view).toMatchObject({ value: "****", source: "environment" })
        expect(JSON.stringify(yield* s.describe)).not.toContain("env-secret-key")
        yield* s.update({ "slskd.api_key": "db-secret-key" })
        yield* s.update({ "slskd.api_key": "****" })
        expect(Option.map(yield* s.get(Setting.slskdApiKey), Redacted.value)).toEqual(Option.some("db-secret-key"))
        expect((yield* s.describe).find((v) => v.key === "spotify.client_secret")?.value).toBeNull()
      }))

    it.effect("durations are shown as they can be typed back, and short forms are accepted", () =>
      Effect.gen(function*() {
        const s = yield* Settings
        const shown = (key: string) => Effect.map(s.describe, (vs) => vs.find((v) => v.key === key)?.value)
        for (const [typed, millis, back] of [["45s", 45_000, "45 seconds"], ["2m", 120_000, "2 minutes"], ["1h", 3_600_000, "1 hour"],
          ["1500 millis", 1500, "1500 millis"], ["90 seconds", 90_000, "90 seconds"], ["3 minutes", 180_000, "3 minutes"]] as const) {
          yield* s.update({ "transfer.stall_timeout": typed })
          expect(Duration.toMillis(yield* s.get(Setting.stallTimeout))).toBe(millis)
          expect(yield* shown("transfer.stall_timeout")).toBe(back)
          yield* s.update({ "transfer.stall_timeout": (yield* shown("transfer.stall_timeout"))! }) // round trip
          expect(Duration.toMillis(yield* s.get(Setting.stallTimeout))).toBe(millis)
        }
        yield* s.update({ "transfer.stall_timeout": "" })
      }))

    it.effect("bad values and unknown keys are refused and change nothing", () =>
      Effect.gen(function*() {
        const s = yield* Settings
        const before = yield* s.describe
        for (const bad of [
          { "slskd.url": "ftp://x" }, { "retry.max_attempts": 0 }, { "retry.max_attempts": "2.5" },
          { "sync.interval": "soon" }, { "sync.interval": "0 seconds" }, { "no.such.key": "1" },
          { "slskd.url": "http://ok:5030", "retry.max_attempts": "many" }, { "slskd.url": { nested: true } }
        ]) {
          const e = yield* s.update(bad).pipe(Effect.flip)
          expect(e._tag).toBe("InvalidSetting")
          expect(e.message.length).toBeGreaterThan(5)
        }
        expect(yield* s.describe).toEqual(before)
      }))
  })
})

describe("service URLs and their secrets", () => {
  const WithKeys = PersistenceTest().pipe(Layer.provide(Layer.setConfigProvider(ConfigProvider.fromMap(new Map([
    ["SOULSPOT_SLSKD_URL", "http://slskd.lan:5030"],
    ["SOULSPOT_SLSKD_API_KEY", "env-secret-key"],
    ["SOULSPOT_SPOTIFY_CLIENT_ID", "id"],
    ["SOULSPOT_SPOTIFY_CLIENT_SECRET", "spotify-secret"]
  ])))))

  it.each([
    ["http://user:pw@evil.test:5030", "user name or password"],
    ["http://:pw@evil.test", "user name or password"],
    ["file:///etc/passwd", "http(s) URL"],
    ["javascript:alert(1)", "http(s) URL"],
    ["gopher://x", "http(s) URL"],
    ["http://169.254.169.254/latest", "link-local"],
    ["http://[fe80::1]:5030", "link-local"],
    ["http://2130706433:5030", "four decimal numbers"],
    ["http://0x7f.1:5030", "four decimal numbers"],
    ["http://127.1", "four decimal numbers"]
  ])("%s is refused (%s)", (url, reason) => Effect.runPromise(Effect.gen(function*() {
    const s = yield* Settings
    const e = yield* s.update({ "slskd.url": url }).pipe(Effect.flip)
    expect(e.message).toContain(reason)
    expect(e.message).not.toContain("pw@")
    expect(yield* s.get(Setting.slskdUrl)).toBe("http://slskd.lan:5030")
  }).pipe(Effect.provide(WithKeys))))

  it.each(["http://127.0.0.1:5030", "https://slskd.example.org/", "http://[::1]:5030", "http://müsic.lan:5030"])("%s is accepted", (url) =>
    Effect.runPromise(Effect.gen(function*() {
      yield* (yield* Settings).update({ "slskd.url": url })
    }).pipe(Effect.provide(WithKeys))))

  // each test builds its own layer: both change the settings, and a shared block would carry one test's changes into the next
  describe("moves", () => {
    it.effect("a URL moved to another origin clears its secret (also one from the environment) and says so; the same origin keeps it", () =>
      Effect.gen(function*() {
        const s = yield* Settings
        const key = Effect.map(s.get(Setting.slskdApiKey), Option.map(Redacted.value))
        // another path on the same origin: the key stays
        expect((yield* s.update({ "slskd.url": "http://slskd.lan:5030/slskd" })).notices).toEqual([])
        expect(yield* key).toEqual(Option.some("env-secret-key"))
        // another port is another origin
        const moved = yield* s.update({ "slskd.url": "http://slskd.lan:6000" })
        expect(moved.notices).toEqual(["slskd.url now points at another host (slskd.lan:6000), so slskd.api_key was cleared: enter the API key for the new host"])
        expect(yield* key).toEqual(Option.none())
        expect(moved.settings.find((v) => v.key === "slskd.api_key")).toMatchObject({ value: null, source: "database" })
        // with a key in the same request, that key is kept
        const both = yield* s.update({ "slskd.url": "http://other.lan:5030", "slskd.api_key": "new-host-key" })
        expect(both.notices).toEqual([])
        expect(yield* key).toEqual(Option.some("new-host-key"))
        // clearing the URL row moves it back to the environment's host: another origin again
        expect((yield* s.update({ "slskd.url": "" })).notices).toHaveLength(1)
        expect(yield* key).toEqual(Option.none())
      }).pipe(Effect.provide(WithKeys)))

    it.effect("a Spotify URL moved elsewhere clears the client secret; Deezer's has none to clear", () =>
      Effect.gen(function*() {
        const s = yield* Settings
        expect((yield* s.update({ "deezer.api_url": "http://127.0.0.1:7000" })).notices).toEqual([])
        const r = yield* s.update({ "spotify.accounts_url": "http://127.0.0.1:7001" })
        expect(r.notices[0]).toContain("spotify.client_secret was cleared: enter the API key for the new host")
        expect(yield* s.get(Setting.spotifyClientSecret)).toEqual(Option.none())
        yield* s.update({ "spotify.client_secret": "again" })
        expect((yield* s.update({ "spotify.api_url": "http://127.0.0.1:7002/v1" })).notices).toHaveLength(1)
        expect(yield* s.get(Setting.spotifyClientSecret)).toEqual(Option.none())
      }).pipe(Effect.provide(WithKeys)))
  })
})
