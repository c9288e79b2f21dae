/**
 * The polled URLs are answered before the router (src/api/read-cache.ts), after the
 * authentication middleware: with an API key set they need it like every other endpoint. (Its
 * own file: a second AppTest in one file does not get its own middleware.)
 */
import { HttpClient, HttpClientRequest } from "@effect/platform"
import { describe, expect, it } from "@effect/vitest"
import { Effect } from "effect"
import { AppTest } from "../support/app.js"
import { tempDbFile } from "../support/db.js"

const STATS = "/api/downloads/manager/stats"
const ACTIVE = "/api/downloads/manager/active"
const get = (url: string, key?: string) => Effect.flatMap(HttpClient.HttpClient, (c) =>
  c.execute(key === undefined ? HttpClientRequest.get(url) : HttpClientRequest.get(url).pipe(HttpClientRequest.setHeader("x-api-key", key))))

const KEY = "polled-reads-test-key-0123456789"

describe("the polled URLs with an API key", () => {
  it.layer(AppTest({ db: tempDbFile() }, { SOULSPOT_API_KEY: KEY }), { timeout: 30_000 })((it) => {
    it.effect("need the key like every other endpoint", () =>
      Effect.gen(function*() {
        for (const url of [STATS, ACTIVE]) {
          const refused = yield* get(url)
          expect(refused.status).toBe(401)
          expect(yield* Effect.orDie(refused.json)).toMatchObject({ error: "Unauthorized" })
          expect((yield* get(url, "a-wrong-key-but-long-enough")).status).toBe(401)
          const answered = yield* get(url, KEY)
          expect(answered.status).toBe(200)
          expect(answered.headers["content-security-policy"]).toBeDefined()
        }
      }))
  })
})
