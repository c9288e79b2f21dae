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
