/**
 * Several AppTest layers in one file each run the service with their own environment, however
 * the blocks are written: `layer(...)`, `it.layer(...)` after another block, a `describe` inside
 * a block, and a plain `it.effect` after a block (test/support/effect-vitest.ts says what went
 * wrong before: the second block was built inside the first and answered with its server).
 */
import { describe, expect, it, layer } from "@effect/vitest"
import { Config, Effect, Layer, Option } from "effect"
import { AppTest } from "./app.js"
import { call } from "./http.js"

const KEY_A = "first-layer-key-0123456789abcdef"
const KEY_B = "second-layer-key-0123456789abcdef"

const status = (key?: string) => Effect.map(call("/api/downloads", key === undefined ? {} : { headers: { "x-api-key": key } }), (r) => r.status)

/** Only `own` opens the API; no key and the other layers' keys are refused. */
const onlyKey = (own: string) => Effect.gen(function*() {
  expect(yield* status()).toBe(401)
  expect(yield* status(own)).toBe(200)
  for (const other of [KEY_A, KEY_B].filter((k) => k !== own)) expect(yield* status(other)).toBe(401)
})

describe("an open service first", () => {
  it.layer(AppTest(), { timeout: 30_000 })((it) => {
    it.effect("needs no key", () => Effect.map(status(), (s) => expect(s).toBe(200)))
    describe("a describe inside the block", () => {
      it.effect("still meets this block's service", () => Effect.map(status(), (s) => expect(s).toBe(200)))
    })
  })
})

describe("then one with a key, through the imported it.layer", () => {
  it.layer(AppTest({}, { SOULSPOT_API_KEY: KEY_A }), { timeout: 30_000 })((it) => {
    it.effect("sees its own key", () => onlyKey(KEY_A))
  })
})

describe("then one with another key, through layer", () => {
  layer(AppTest({}, { SOULSPOT_API_KEY: KEY_B }), { timeout: 30_000 })((it) => {
    it.effect("sees its own key", () => onlyKey(KEY_B))
    // a nested block adds to its parent's services (an AppTest inside an AppTest would be the parent's)
    it.layer(Layer.empty)((it) => {
      it.effect("so does a block nested in it", () => onlyKey(KEY_B))
    })
  })
})

describe("a test outside every block", () => {
  it.effect("reads no block's environment", () =>
    Effect.gen(function*() {
      expect(yield* Config.option(Config.string("SOULSPOT_SLSKD_URL"))).not.toEqual(Option.some("http://127.0.0.1:9"))
      expect(yield* Config.option(Config.string("SOULSPOT_API_KEY"))).not.toEqual(Option.some(KEY_B))
    }))
})
