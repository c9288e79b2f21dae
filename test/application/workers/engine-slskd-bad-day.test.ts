/**
 * The whole engine against what a real slskd does on a bad day (docs/slskd-notes.md): peers that
 * cannot be reached, slskd restarting under running transfers, slskd down during searches, its
 * own retries, TimedOut records that carry on, older remove behaviour, refused queries, retention.
 * Real SQLite, the real simulator over HTTP, TestClock.
 */
import { describe, expect, it } from "@effect/vitest"
import { Clock, Effect } from "effect"
import { QueueAlbumDownloads } from "../../../src/application/queue-album-downloads.js"
import { makeSimulator, type SimFile, type SlskdSimulatorHandle } from "../../../src/dev/slskd-simulator/index.js"
import { DownloadRepository } from "../../../src/domain/ports/DownloadRepository.js"
import { Settings } from "../../../src/domain/ports/Settings.js"
import { CircuitBreaker } from "../../../src/infrastructure/slskd/circuit-breaker.js"
import { tempDbFile } from "../../support/db.js"
import { allIn, engineLayer, statusOf, waitUntil } from "../../support/engine.js"
import { advance } from "../../support/simulator.js"

const KARMA = { title: "Karma Police", artist: "Radiohead", album: "OK Computer", durationMs: 261_000 }
const FLACFIEND_KARMA = "@@kxqpz\\Music\\Radiohead\\1997 - OK Computer [FLAC]\\06 - Karma Police.flac"
const MB = 1024 * 1024

const queue = (track: { title: string; artist: string; album?: string; durationMs?: number }) =>
  Effect.flatMap(DownloadRepository, (r) => r.queue({ track, priority: 0, qualityProfile: "balanced" })).pipe(Effect.map((q) => q.download.id))

const useSettings = (values: Record<string, string>) => Effect.flatMap(Settings, (s) => s.update(values).pipe(Effect.orDie))

/** Records that ever reached `Completed, Succeeded`, per user and file. */
const succeededPerFile = (sim: SlskdSimulatorHandle) =>
  Effect.map(sim.control.transfers, (all) => {
    const count = new Map<string, number>()
    for (const t of all) if (t.state === "Completed, Succeeded") count.set(`${t.username}|${t.filename}`, (count.get(`${t.username}|${t.filename}`) ?? 0) + 1)
    return count
  })

/** An album of `n` tracks in one folder of one peer; titles that share no word with each other. */
const album = (n: number, folder: string, ext: "flac" | "mp3") => {
  const titles = Array.from({ length: n }, (_, i) => `Piece ${String(i + 1).padStart(3, "0")}`)
  const files: ReadonlyArray<SimFile> = titles.map((t, i) => ({
    filename: `${folder}\\${String(i + 1).padStart(2, "0")} - ${t}.${ext}`, extension: "", length: 200 + i,
    size: (200 + i) * (ext === "flac" ? 105_000 : 40_000) + i, ...(ext === "mp3" ? { bitRate: 320 } : {})
  }))
  return { titles, files }
}

const queueAlbum = (title: string, artist: string, titles: ReadonlyArray<string>) =>
  Effect.gen(function*() {
    const albums = yield* QueueAlbumDownloads
    const stored = yield* albums.importLocalAlbum({
      title, artist, tracks: titles.map((t, i) => ({ title: t, artist, durationMs: (200 + i) * 1000, trackNumber: i + 1, discNumber: 1 }))
    })
    const result = yield* albums.run({ source: "local", albumRef: stored.album.id })
    return result.downloads.map((d) => d.id)
  })

describe("engine against a real slskd's bad days", () => {
  it.effect("an album whose best peer cannot be connected to completes from the next folder; the breaker never counts it", () =>
    Effect.gen(function*() {
      const best = album(4, "@@best\\Music\\The Unreachables\\2001 - Far Away [FLAC]", "flac")
      const next = album(4, "D:\\music\\The Unreachables - Far Away", "mp3")
      const sim = yield* makeSimulator({ catalog: [] })
      yield* sim.control.addPeer({ username: "firewalled", uploadSpeed: 8 * MB, hasFreeUploadSlot: true, queueLength: 0, reachable: false, files: best.files })
      yield* sim.control.addPeer({ username: "nextdoor", uploadSpeed: 2 * MB, hasFreeUploadSlot: true, queueLength: 0, files: next.files })
      yield* Effect.gen(function*() {
        const ids = yield* queueAlbum("Far Away", "The Unreachables", best.titles)
        yield* waitUntil(allIn(ids, ["COMPLETED"]), { limit: "20 minutes", step: "1 second" })
        const breaker = yield* (yield* CircuitBreaker).snapshot
        expect([breaker.state, breaker.failureCount]).toEqual(["CLOSED", 0])
        for (const id of ids) {
          const d = (yield* statusOf(id))!
          expect([d.username, d.attempts]).toEqual(["nextdoor", 1])
          expect(yield* sim.control.enqueueCount("nextdoor", d.filename!)).toBe(1)
          const tried = yield* Effect.flatMap(DownloadRepository, (r) => r.candidates(id))
          expect(tried.find((c) => c.username === "firewalled" && c.outcome !== null)?.outcome).toMatch(/^failed: .*Failed to connect to user firewalled/)
        }
        // nothing was stored for the unreachable peer; finished transfers left slskd's list
        const records = yield* sim.control.transfers
        expect(records.filter((t) => t.username === "firewalled")).toEqual([])
        yield* waitUntil(Effect.map(sim.control.transfers, (all) => all.every((t) => t.removed)), { limit: "1 minute" })
      }).pipe(Effect.provide(engineLayer(tempDbFile(), sim)))
    }).pipe(Effect.scoped))

  it.effect("50 downloads in flight through an slskd restart: every track downloaded exactly once, no attempt spent", () =>
    Effect.gen(function*() {
      const big = album(50, "@@big\\Music\\The Fifties\\1950 - Fifty [FLAC]", "flac")
      const sim = yield* makeSimulator({ catalog: [], timings: { speedFactor: 0.05 } })
      yield* sim.control.addPeer({ username: "bigshare", uploadSpeed: 4 * MB, hasFreeUploadSlot: true, queueLength: 0, files: big.files })
      yield* Effect.gen(function*() {
        const ids = yield* queueAlbum("Fifty", "The Fifties", big.titles)
        expect(ids).toHaveLength(50)
        yield* waitUntil(allIn(ids, ["QUEUED", "DOWNLOADING"]), { limit: "10 minutes", step: "500 millis" })
        // down 10 s, logged out 30 s, then slskd re-enqueues the files itself (new ids)
        yield* Effect.fork(sim.control.restart({ downMs: 10_000, loggedOutMs: 30_000, perUserMs: 2000 }))
        yield* waitUntil(allIn(ids, ["COMPLETED"]), { limit: "60 minutes", step: "2 seconds" })
        const succeeded = yield* succeededPerFile(sim)
        for (const id of ids) {
          const d = (yield* statusOf(id))!
          expect([d.username, d.attempts]).toEqual(["bigshare", 0])
          expect(yield* sim.control.enqueueCount("bigshare", d.filename!)).toBe(1)
          expect(succeeded.get(`bigshare|${d.filename}`)).toBe(1)
        }
        // the restart's own records: each file once ended by the shutdown, once re-enqueued by slskd
        const ended = (yield* sim.control.transfers).filter((t) => t.state === "Completed, Errored")
        expect(ended.length).toBe(50)
      }).pipe(Effect.provide(engineLayer(tempDbFile(), sim)))
    }).pipe(Effect.scoped), 300_000)

  it.effect("slskd restarts and the peer went offline: after the grace period the same file is tried, then another peer", () =>
    Effect.gen(function*() {
      const sim = yield* makeSimulator({ timings: { speedFactor: 0.05 } })
      yield* Effect.gen(function*() {
        const id = yield* queue(KARMA)
        yield* waitUntil(Effect.map(statusOf(id), (d) => d?.status === "DOWNLOADING"), { step: "100 millis" })
        const first = (yield* statusOf(id))!
        expect(first.username).toBe("flacfiend")
        yield* sim.control.setPeerOnline("flacfiend", false)
        yield* Effect.fork(sim.control.restart({ downMs: 3000, loggedOutMs: 10_000 }))
        yield* advance("20 seconds", "500 millis")
        // slskd is back and logged in, but skipped the offline peer: the row waits, same file, no attempt
        const waiting = (yield* statusOf(id))!
        expect([waiting.status, waiting.username, waiting.filename, waiting.attempts]).toEqual(["DOWNLOADING", "flacfiend", FLACFIEND_KARMA, 0])
        expect(waiting.error).toContain("slskd restarted")
        yield* waitUntil(Effect.map(statusOf(id), (d) => d?.status === "COMPLETED"), { limit: "30 minutes", step: "1 second" })
        const done = (yield* statusOf(id))!
        expect(done.username).not.toBe("flacfiend")
        expect(done.attempts).toBe(1)
        expect(yield* sim.control.enqueueCount("flacfiend", FLACFIEND_KARMA)).toBe(1) // the retry after the grace period made no record
      }).pipe(Effect.provide(engineLayer(tempDbFile(), sim)))
    }).pipe(Effect.scoped))

  it.effect("slskd down for 5 s during searches: the paused searches start within one sync interval of recovery", () =>
    Effect.gen(function*() {
      const sim = yield* makeSimulator()
      yield* Effect.gen(function*() {
        yield* useSettings({ "sync.interval": "500 millis" })
        yield* sim.control.setDown(true)
        const ids = [
          yield* queue(KARMA),
          yield* queue({ title: "No Surprises", artist: "Radiohead" }),
          yield* queue({ title: "Get Lucky", artist: "Daft Punk" })
        ]
        yield* advance("5 seconds", "250 millis")
        for (const id of ids) {
          const d = (yield* statusOf(id))!
          expect([d.status, d.attempts]).toEqual(["WAITING", 0])
        }
        expect((yield* (yield* CircuitBreaker).snapshot).state).toBe("CLOSED") // one failed pair, then waiting, not hammering
        yield* sim.control.setDown(false)
        const back = yield* Clock.currentTimeMillis
        yield* waitUntil(Effect.map(sim.control.searchCount, (n) => n > 0), { step: "100 millis", limit: "30 seconds" })
        expect((yield* Clock.currentTimeMillis) - back).toBeLessThanOrEqual(1000)
        yield* waitUntil(allIn(ids, ["COMPLETED"]), { limit: "10 minutes", step: "2 seconds" })
      }).pipe(Effect.provide(engineLayer(tempDbFile(), sim)))
    }).pipe(Effect.scoped), 120_000)

  it.effect("enqueues paused by an outage go out as soon as slskd answers again, not after a fixed wait", () =>
    Effect.gen(function*() {
      const sim = yield* makeSimulator()
      yield* Effect.gen(function*() {
        yield* useSettings({ "sync.interval": "500 millis" })
        yield* sim.control.failNext(1, 503, { method: "POST", path: "/transfers/downloads/" })
        const id = yield* queue(KARMA)
        yield* waitUntil(Effect.map(statusOf(id), (d) => (d?.error ?? "").startsWith("waiting for slskd")), { step: "100 millis" })
        const paused = yield* Clock.currentTimeMillis
        expect((yield* statusOf(id))!.status).toBe("PENDING")
        yield* waitUntil(Effect.map(statusOf(id), (d) => d?.status === "QUEUED" || d?.status === "DOWNLOADING"), { step: "100 millis", limit: "20 seconds" })
        expect((yield* Clock.currentTimeMillis) - paused).toBeLessThanOrEqual(1500)
      }).pipe(Effect.provide(engineLayer(tempDbFile(), sim)))
    }).pipe(Effect.scoped))

  it.effect("0.26's own retry of a failed transfer does not start ours: same peer, no attempt spent", () =>
    Effect.gen(function*() {
      const sim = yield* makeSimulator()
      yield* sim.control.setOutcome("flacfiend", FLACFIEND_KARMA, "self-retry")
      yield* Effect.gen(function*() {
        yield* useSettings({ "sync.interval": "500 millis" })
        const id = yield* queue(KARMA)
        yield* waitUntil(Effect.map(statusOf(id), (d) => d?.status === "COMPLETED"), { limit: "10 minutes", step: "250 millis" })
        const d = (yield* statusOf(id))!
        expect([d.username, d.attempts]).toEqual(["flacfiend", 0])
        expect(yield* sim.control.enqueueCount("flacfiend", FLACFIEND_KARMA)).toBe(1)
        expect(yield* sim.control.searchCount).toBe(1)
      }).pipe(Effect.provide(engineLayer(tempDbFile(), sim)))
    }).pipe(Effect.scoped))

  it.effect("a TimedOut transfer that carries on is cancelled before the next file is tried: the track completes once", () =>
    Effect.gen(function*() {
      const sim = yield* makeSimulator({ timings: { speedFactor: 0.03 } })
      yield* sim.control.setOutcome("flacfiend", FLACFIEND_KARMA, "timeout-continues")
      yield* Effect.gen(function*() {
        const id = yield* queue(KARMA)
        yield* waitUntil(Effect.map(statusOf(id), (d) => d?.status === "COMPLETED"), { limit: "60 minutes", step: "1 second" })
        expect((yield* statusOf(id))!.username).not.toBe("flacfiend")
        yield* advance("20 minutes", "5 seconds")
        const old = (yield* sim.control.transfers).filter((t) => t.username === "flacfiend")
        expect(old.map((t) => t.state)).toEqual(["Completed, Cancelled"])
      }).pipe(Effect.provide(engineLayer(tempDbFile(), sim)))
    }).pipe(Effect.scoped))

  it.effect("slskd before 0.24.2: a stalled transfer is cancelled and removed without a single 500", () =>
    Effect.gen(function*() {
      const sim = yield* makeSimulator()
      yield* sim.control.setRemoveStyle("0.24.1")
      yield* sim.control.setOutcome("flacfiend", FLACFIEND_KARMA, "stall-progress")
      yield* Effect.gen(function*() {
        const id = yield* queue(KARMA)
        yield* waitUntil(Effect.map(statusOf(id), (d) => d?.status === "COMPLETED"), { limit: "20 minutes", step: "1 second" })
        const stalled = (yield* sim.control.transfers).find((t) => t.username === "flacfiend")
        expect([stalled?.state, stalled?.removed]).toEqual(["Completed, Cancelled", true])
        const deletes = (yield* sim.control.requests).filter((r) => r.method === "DELETE" && r.path.startsWith("/transfers/"))
        expect(deletes.length).toBeGreaterThan(0)
        expect(deletes.filter((r) => r.status >= 500)).toEqual([])
      }).pipe(Effect.provide(engineLayer(tempDbFile(), sim)))
    }).pipe(Effect.scoped))

  it.effect("a query slskd refuses (400) fails the download with that reason at once, and leaves no search behind", () =>
    Effect.gen(function*() {
      const sim = yield* makeSimulator()
      yield* Effect.gen(function*() {
        const id = yield* queue({ title: "X Y", artist: "Z" })
        yield* waitUntil(Effect.map(statusOf(id), (d) => d?.status === "FAILED"), { limit: "5 minutes", step: "500 millis" })
        const d = (yield* statusOf(id))!
        expect(d.attempts).toBe(1)
        expect(d.error).toMatch(/^slskd cannot run the search for this track: "Z X Y": .*non-exclusion term/)
        const searches = yield* sim.control.searches
        expect(searches.length).toBeGreaterThan(0)
        expect(searches.every((s) => s.deleted)).toBe(true)
        yield* advance("5 minutes", "5 seconds")
        expect((yield* sim.control.searches).length).toBe(searches.length) // never re-run
      }).pipe(Effect.provide(engineLayer(tempDbFile(), sim)))
    }).pipe(Effect.scoped))

  it.effect("a transfer slskd's retention removed before the sync saw its end is looked up by id: COMPLETED, not retried", () =>
    Effect.gen(function*() {
      const sim = yield* makeSimulator({ timings: { retentionMs: 0 } })
      yield* Effect.gen(function*() {
        yield* useSettings({ "transfer.remove_finished": "false", "sync.interval": "1 minute" })
        const id = yield* queue(KARMA)
        yield* waitUntil(Effect.map(statusOf(id), (d) => d?.status === "COMPLETED"), { limit: "20 minutes", step: "1 second" })
        const d = (yield* statusOf(id))!
        expect([d.username, d.attempts]).toEqual(["flacfiend", 0])
        expect((yield* sim.control.requests).some((r) => r.method === "GET" && r.path.startsWith("/transfers/downloads/flacfiend/"))).toBe(true)
      }).pipe(Effect.provide(engineLayer(tempDbFile(), sim)))
    }).pipe(Effect.scoped))

  it.effect("a title with an elision is found: \"La femme d'argent\" is searched as words peers' paths contain", () =>
    Effect.gen(function*() {
      const sim = yield* makeSimulator({ catalog: [] })
      yield* sim.control.addPeer({
        username: "frenchtouch", uploadSpeed: 2 * MB, hasFreeUploadSlot: true, queueLength: 0,
        files: [{ filename: "E:\\Musique\\Air\\Moon Safari\\01 - La femme d'argent.flac", extension: "", size: 60_000_000, length: 428 }]
      })
      yield* Effect.gen(function*() {
        const id = yield* queue({ title: "La femme d'argent", artist: "Air", album: "Moon Safari", durationMs: 428_000 })
        yield* waitUntil(Effect.map(statusOf(id), (d) => d?.status === "COMPLETED"), { limit: "10 minutes", step: "1 second" })
        expect((yield* statusOf(id))!.attempts).toBe(0)
      }).pipe(Effect.provide(engineLayer(tempDbFile(), sim)))
    }).pipe(Effect.scoped))
})
