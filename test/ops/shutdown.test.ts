/**
 * Stopping the real service (`node --import tsx src/main.ts`, a child process) with SIGTERM
 * and SIGINT while it works: it exits 0 within 5 s, the SQLite file is intact and holds every
 * acknowledged download, and a restart on the same file finishes the downloads without sending
 * slskd a second enqueue. slskd is the simulator, in this process, in real time.
 */
import Database from "better-sqlite3"
import { Effect, Exit, Scope } from "effect"
import { mkdtempSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest"
import { makeSimulator, type SlskdSimulatorHandle } from "../../src/dev/slskd-simulator/index.js"
import { type Child, getJson, killAll, listeningPort, pollUntil, startNode } from "./child.js"

interface DownloadJson {
  readonly id: string
  readonly status: string
  readonly username: string | null
  readonly filename: string | null
  readonly track: { readonly title: string }
}

const TRACKS = [
  { title: "Karma Police", artist: "Radiohead", album: "OK Computer", duration_ms: 261_000 },
  { title: "Get Lucky", artist: "Daft Punk", album: "Random Access Memories", duration_ms: 369_000 },
  { title: "No Surprises", artist: "Radiohead", album: "OK Computer", duration_ms: 228_000 },
  { title: "Instant Crush", artist: "Daft Punk", album: "Random Access Memories", duration_ms: 337_000 }
]

let scope: Scope.CloseableScope
let sim: SlskdSimulatorHandle
const dirs: Array<string> = []

beforeAll(async () => {
  scope = Effect.runSync(Scope.make())
  // Real time. Transfers of these files take several seconds, so some are in flight at the signal.
  sim = await Effect.runPromise(Scope.extend(makeSimulator({
    timings: { searchResponseWindowMs: 300, endedAtDelayMs: 100, remoteQueueMs: 300, speedFactor: 1.5 }
  }), scope))
})
afterEach(() => killAll())
afterAll(async () => {
  killAll()
  await Effect.runPromise(Scope.close(scope, Exit.void))
  for (const d of dirs) rmSync(d, { recursive: true, force: true })
})

const tempDb = () => {
  const dir = mkdtempSync(join(tmpdir(), "soulspot-shutdown-"))
  dirs.push(dir)
  return join(dir, "data", "soulspot.db")
}

const startService = (db: string, extra: Record<string, string> = {}) => startNode(["--import", "tsx", "src/main.ts"], {
  env: {
    SOULSPOT_PORT: "0",
    SOULSPOT_HOST: "127.0.0.1",
    SOULSPOT_DB: db,
    SOULSPOT_SLSKD_URL: sim.url,
    SOULSPOT_SLSKD_API_KEY: sim.apiKey ?? "",
    SOULSPOT_DISPATCH_INTERVAL: "1 second",
    SOULSPOT_SYNC_INTERVAL: "500 millis",
    SOULSPOT_SEARCH_TIMEOUT: "1 second",
    ...extra
  }
})

const api = (port: number) => ({
  // polled: a connection of its own each time (child.ts says why)
  get: <A>(path: string): Promise<A> => getJson<A>(`http://127.0.0.1:${port}${path}`),
  post: async <A>(path: string, body: unknown): Promise<{ status: number; json: A }> => {
    const r = await fetch(`http://127.0.0.1:${port}${path}`, {
      method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body)
    })
    return { status: r.status, json: await r.json() as A }
  }
})

const listAll = (port: number) =>
  api(port).get<{ downloads: ReadonlyArray<DownloadJson>; total: number }>("/api/downloads?limit=500").then((r) => r.downloads)

const IN_FLIGHT = new Set(["QUEUED", "DOWNLOADING"])
const FORWARD = ["WAITING", "PENDING", "QUEUED", "DOWNLOADING", "COMPLETED"]

describe("stopping the service", () => {
  it("SIGTERM while downloads run: exit 0 within 5 s, the database intact; a restart finishes them with one enqueue per file", async () => {
    const db = tempDb()
    let service: Child = startService(db)
    let port = await listeningPort(service)

    const ids: Array<string> = []
    for (const t of TRACKS) {
      const r = await api(port).post<DownloadJson>("/api/downloads", t)
      expect(r.status).toBe(201)
      ids.push(r.json.id)
    }
    await pollUntil(() => listAll(port), (ds) => ds.filter((d) => IN_FLIGHT.has(d.status)).length >= 2, 20_000,
      "two downloads queued or downloading in slskd")
    const before = await listAll(port)
    expect(before.some((d) => d.status === "COMPLETED")).toBe(false)

    const stopped = await service.stop("SIGTERM")
    expect(stopped, service.output().split("\n").slice(-15).join("\n")).toMatchObject({ code: 0, signal: null })
    expect(stopped.ms).toBeLessThan(5_000)
    console.log(`SIGTERM with ${before.filter((d) => IN_FLIGHT.has(d.status)).length} transfers in flight: exit 0 after ${stopped.ms} ms`)

    // The file as another program sees it after the stop.
    const file = new Database(db, { readonly: true, fileMustExist: true })
    try {
      expect(file.pragma("integrity_check", { simple: true })).toBe("ok")
      expect(file.pragma("foreign_key_check")).toEqual([])
      const rows = file.prepare("SELECT id, status FROM downloads ORDER BY created_at").all() as Array<{ id: string; status: string }>
      expect(rows.map((r) => r.id).sort()).toEqual([...ids].sort())
      for (const r of rows) {
        const seen = before.find((d) => d.id === r.id)!
        // A stop sends nothing back or to FAILED: what was in flight is still in flight, to be
        // adopted. The workers may still have moved a row forward between the listing and the
        // signal (PENDING → QUEUED under load), never backwards.
        expect(FORWARD.indexOf(r.status), `${seen.track.title}: ${seen.status} → ${r.status}`)
          .toBeGreaterThanOrEqual(FORWARD.indexOf(seen.status))
      }
    } finally {
      file.close()
    }

    // Restart on the same file: the transfers slskd still holds are adopted and finish.
    service = startService(db)
    port = await listeningPort(service)
    const done = await pollUntil(() => listAll(port), (ds) => ds.length === TRACKS.length && ds.every((d) => d.status === "COMPLETED"),
      40_000, "every download COMPLETED after the restart")
    for (const d of done) {
      expect(d.username && d.filename, d.track.title).toBeTruthy()
      expect(await Effect.runPromise(sim.control.enqueueCount(d.username!, d.filename!)), `${d.track.title} enqueued once`).toBe(1)
    }
    const mine = (await Effect.runPromise(sim.control.transfers)).filter((t) => done.some((d) => d.filename === t.filename))
    expect(mine).toHaveLength(TRACKS.length)

    const second = await service.stop("SIGTERM")
    expect(second).toMatchObject({ code: 0, signal: null })
    expect(second.ms).toBeLessThan(5_000)
  }, 90_000)

  it("SIGINT with a browser's event stream open: exit 0 within 5 s", async () => {
    const db = tempDb()
    const service = startService(db)
    const port = await listeningPort(service)
    const queued = await api(port).post<DownloadJson>("/api/downloads", { title: "Teardrop", artist: "Massive Attack" })
    expect(queued.status).toBe(201)

    // An open SSE stream (as the page keeps) must not hold the stop.
    const controller = new AbortController()
    try {
      const stream = await fetch(`http://127.0.0.1:${port}/download-manager/events`, { signal: controller.signal })
      expect(stream.status).toBe(200)
      const reader = stream.body!.getReader()
      await reader.read()
      const stopped = await service.stop("SIGINT")
      expect(stopped, service.output().split("\n").slice(-15).join("\n")).toMatchObject({ code: 0, signal: null })
      expect(stopped.ms).toBeLessThan(5_000)
      console.log(`SIGINT with an open event stream: exit 0 after ${stopped.ms} ms`)
    } finally {
      controller.abort()
    }
    const file = new Database(db, { readonly: true, fileMustExist: true })
    try {
      expect(file.pragma("integrity_check", { simple: true })).toBe("ok")
      expect(file.prepare("SELECT id FROM downloads").all()).toEqual([{ id: queued.json.id }])
    } finally {
      file.close()
    }
  }, 60_000)
})
