/**
 * `npm run demo` as a visitor meets it: the real process (`node --import tsx src/demo.ts`),
 * its "open http://..." line, the sample downloads on the page's JSON, progress to COMPLETED,
 * the planned retry, a clean stop, and a second start that queues nothing new. Plus the demo's
 * own rules, in-process: the samples fit the simulator's catalog, and the demo only ever runs
 * on a database it made.
 */
import { describe, expect, it } from "@effect/vitest"
import { Effect, Either, Layer, Option } from "effect"
import { mkdtempSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { afterAll, afterEach } from "vitest"
import { SqlClient } from "@effect/sql"
import {
  DEMO_ALBUM, DEMO_MARKER, DEMO_MISSING_TRACK, DEMO_RETRY_TRACK, DEMO_TRACKS, firstChoice, prepareDemoDatabase, sharedCopies
} from "../../src/dev/demo-seed.js"
import { defaultCatalog } from "../../src/dev/slskd-simulator/index.js"
import { Settings } from "../../src/domain/ports/Settings.js"
import { DownloadRepository } from "../../src/domain/ports/DownloadRepository.js"
import { PersistenceTest } from "../support/db.js"
import { getJson, httpGet, killAll, pollUntil, startNode } from "./child.js"

const root = mkdtempSync(join(tmpdir(), "soulspot-demo-"))
afterEach(() => killAll())
afterAll(() => {
  killAll()
  rmSync(root, { recursive: true, force: true })
})

interface DownloadJson {
  readonly id: string
  readonly status: string
  readonly username: string | null
  readonly attempts: number
  readonly error: string | null
  readonly progress: { readonly percent: number } | null
  readonly track: { readonly title: string; readonly artist: string }
}

const ALL_TITLES = [...DEMO_TRACKS, DEMO_RETRY_TRACK, DEMO_MISSING_TRACK, ...DEMO_ALBUM.tracks].map((t) => t.title)

describe("the demo's samples", () => {
  it("fit the simulator's catalog: shared tracks are shared, the missing one is not, the retry's first choice is a real file", () => {
    const catalog = defaultCatalog()
    for (const t of DEMO_TRACKS) expect(sharedCopies(catalog, t).length, t.title).toBeGreaterThan(0)
    // the retry needs somewhere else to go
    expect(sharedCopies(catalog, DEMO_RETRY_TRACK).length).toBeGreaterThan(1)
    const first = firstChoice(catalog, DEMO_RETRY_TRACK)
    expect(Option.isSome(first)).toBe(true)
    const peer = catalog.find((p) => p.username === Option.getOrThrow(first).username)
    expect(peer?.files.some((f) => f.filename === Option.getOrThrow(first).filename)).toBe(true)
    expect(sharedCopies(catalog, DEMO_MISSING_TRACK)).toEqual([])
    expect(Option.isNone(firstChoice(catalog, DEMO_MISSING_TRACK))).toBe(true)
    // the album's tracks sit together in one peer's folder
    const folders = DEMO_ALBUM.tracks.map((t) => sharedCopies(catalog, t).map((c) => `${c.username}|${c.filename.replace(/[\\/][^\\/]*$/, "")}`))
    const common = folders.reduce((a, b) => a.filter((x) => b.includes(x)))
    expect(common.length).toBeGreaterThan(0)
  })
})

describe("the demo's database guard", () => {
  const file = (name: string) => join(root, name, "demo.db")

  it.effect("a fresh file becomes the demo's, and stays the demo's", () => Effect.gen(function*() {
    const db = file("fresh")
    expect(yield* prepareDemoDatabase(db)).toEqual({ fresh: true })
    // marked, nothing else stored: the demo's settings are never written
    const rows = yield* Effect.provide(
      Effect.flatMap(SqlClient.SqlClient, (sql) => sql<{ key: string }>`SELECT key FROM app_settings`),
      PersistenceTest(db))
    expect(rows.map((r) => r.key)).toEqual([DEMO_MARKER])
    expect(yield* prepareDemoDatabase(db)).toEqual({ fresh: true })
  }))

  it.effect("a demo database with downloads is reused without new samples; slskd settings saved in it are dropped", () => Effect.gen(function*() {
    const db = file("reused")
    yield* prepareDemoDatabase(db)
    yield* Effect.provide(Effect.gen(function*() {
      yield* (yield* DownloadRepository).queue({ track: { title: "Angel", artist: "Massive Attack" }, priority: 0, qualityProfile: "balanced" })
      yield* (yield* Settings).update({ "slskd.url": "http://192.0.2.1:5030", "retry.max_attempts": "7" })
    }), PersistenceTest(db)).pipe(Effect.orDie)
    expect(yield* prepareDemoDatabase(db)).toEqual({ fresh: false })
    const settings = yield* Effect.provide(Effect.flatMap(Settings, (s) => s.describe), PersistenceTest(db))
    expect(settings.find((s) => s.key === "slskd.url")?.source).toBe("default")
    expect(settings.find((s) => s.key === "retry.max_attempts")).toMatchObject({ source: "database", value: "7" })
  }))

  it.effect("a database the demo did not make is refused, untouched", () => Effect.gen(function*() {
    const withDownload = file("real")
    yield* Effect.provide(
      Effect.flatMap(DownloadRepository, (r) => r.queue({ track: { title: "Angel", artist: "Massive Attack" }, priority: 0, qualityProfile: "balanced" })),
      PersistenceTest(withDownload))
    const refused = yield* Effect.either(prepareDemoDatabase(withDownload))
    expect(Either.isLeft(refused) && refused.left.message).toMatch(/not a demo database.*1 downloads/)

    const withSettings = file("configured")
    yield* Effect.provide(Effect.flatMap(Settings, (s) => s.update({ "slskd.url": "http://10.0.0.2:5030" })), PersistenceTest(withSettings)).pipe(Effect.orDie)
    expect(Either.isLeft(yield* Effect.either(prepareDemoDatabase(withSettings)))).toBe(true)
    const rows = yield* Effect.provide(
      Effect.flatMap(SqlClient.SqlClient, (sql) => sql<{ key: string }>`SELECT key FROM app_settings ORDER BY key`),
      Layer.orDie(PersistenceTest(withSettings)))
    expect(rows.map((r) => r.key)).toEqual(["slskd.url"])
  }))
})

describe("npm run demo", () => {
  const startDemo = (db: string) => startNode(["--import", "tsx", "src/demo.ts"], {
    env: { SOULSPOT_PORT: "0", SOULSPOT_HOST: "127.0.0.1", SOULSPOT_DB: db }
  })
  // each read on a connection of its own (child.ts says why)
  const active = (port: number) => getJson<{ downloads: ReadonlyArray<DownloadJson> }>(`http://127.0.0.1:${port}/api/downloads/manager/active`)
    .then((r) => r.downloads)
  const all = (port: number) => getJson<{ downloads: ReadonlyArray<DownloadJson>; total: number }>(`http://127.0.0.1:${port}/api/downloads?limit=500`)

  // each stage has its own limit, so a slow one is named in the failure; the test's limit is their
  // sum (a cold start under tsx takes several seconds more when the whole suite runs)
  const START = 30_000
  const FIRST_COMPLETED = 60_000
  const RETRIED = 45_000
  const STOP = 10_000

  it("queues the samples, shows progress to COMPLETED and a retry on another peer, stops cleanly; a second start queues nothing", async () => {
    const db = join(root, "run", "demo.db")
    const first = startDemo(db)
    const open = await first.waitFor(/SoulSpot demo: open (http:\/\/localhost:(\d+)\/download-manager)/, START)
    const port = Number(open[2])
    const page = await httpGet(`http://127.0.0.1:${port}/download-manager`)
    expect(page.status).toBe(200)

    const queued = await active(port)
    expect(queued.map((d) => d.track.title).sort()).toEqual([...ALL_TITLES].sort())
    expect(queued.every((d) => d.status === "WAITING" || d.status === "PENDING" || d.status === "QUEUED")).toBe(true)

    const started = Date.now()
    const completed = await pollUntil(() => all(port), (r) => r.downloads.some((d) => d.status === "COMPLETED"), FIRST_COMPLETED,
      "a sample COMPLETED", 500)
    console.log(`first sample COMPLETED after ${Date.now() - started} ms: ${completed.downloads.find((d) => d.status === "COMPLETED")!.track.title}`)

    const retried = await pollUntil(() => all(port), (r) => r.downloads.some((d) => d.track.title === DEMO_RETRY_TRACK.title && d.attempts >= 1),
      RETRIED, "the retry sample retried", 500)
    const retry = retried.downloads.find((d) => d.track.title === DEMO_RETRY_TRACK.title)!
    expect(retry.error ?? "").toContain(Option.getOrThrow(firstChoice(defaultCatalog(), DEMO_RETRY_TRACK)).username)
    console.log(`retry sample retried after ${Date.now() - started} ms: ${retry.error}`)

    const stopped = await first.stop("SIGTERM", STOP)
    expect(stopped, first.output().split("\n").slice(-15).join("\n")).toMatchObject({ code: 0, signal: null })
    expect(stopped.ms).toBeLessThan(5_000)
    const total = (await all(port).catch(() => undefined))?.total
    expect(total).toBeUndefined() // the server is gone

    const second = startDemo(db)
    const again = await second.waitFor(/SoulSpot demo: open http:\/\/localhost:(\d+)\/download-manager/, START)
    expect(second.output()).toMatch(/already has downloads; queueing nothing new/)
    const list = await all(Number(again[1]))
    expect(list.total).toBe(ALL_TITLES.length)
    const stoppedAgain = await second.stop("SIGTERM", STOP)
    expect(stoppedAgain).toMatchObject({ code: 0, signal: null })
  }, 2 * START + FIRST_COMPLETED + RETRIED + 2 * STOP + 10_000)
})
