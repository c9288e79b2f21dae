/**
 * Issue 5: the cost of one StatusSync tick with 2,000 transfers in flight.
 *
 * The slskd simulator (in this process, real clock) holds 2,000 InProgress transfers spread
 * over 20 peers, slow enough that none finishes during the run but fast enough that every
 * transfer moves between two ticks; a SQLite file holds the 2,000 matching DOWNLOADING rows.
 * Each tick therefore reads one listing and writes 2,000 progress changes.
 *
 * Baseline (same run, interleaved with the ticks): node fetch + JSON.parse of the same
 * listing plus the same rows written with raw better-sqlite3 UPDATEs in one transaction.
 * Breakdown: repo.getInFlight, provider.getStatus (fetch + schema decode), planSync and
 * repo.applyChanges with the plan's change list, each timed alone.
 *
 * Memory: 1,000 more ticks (with fewer rows so the run stays short: see MEMORY_ROWS), heap and
 * RSS after a full GC at the start, after 100 and after 1,000 ticks.
 *
 *   node --import tsx bench/sync.bench.ts
 */
import Database from "better-sqlite3"
import { Chunk, ConfigProvider, Duration, Effect, Layer, Logger, LogLevel, Queue } from "effect"
import { join } from "node:path"
import { performance } from "node:perf_hooks"
import { ApplicationLayer, CatalogLayer, PersistenceLayer, ProviderLayer } from "../src/App.js"
import { Events } from "../src/application/events.js"
import { StatusSync } from "../src/application/workers/status-sync.js"
import { planSync } from "../src/application/workers/sync-plan.js"
import { makeSimulator, type SimPeer, type SlskdSimulatorHandle } from "../src/dev/slskd-simulator/index.js"
import { DownloadProvider } from "../src/domain/ports/DownloadProvider.js"
import { type DownloadChange, DownloadRepository } from "../src/domain/ports/DownloadRepository.js"
import {
  benchResult, memSettled, type MemSample, mib, ms, note, printTable, ratio, round, summarize, type Summary, tempDir, times
} from "./support.js"

const ROWS = 2000
const PEERS = 20
const WARMUP_TICKS = 5
const TICKS = 50
const MEMORY_ROWS = 500
const MEMORY_TICKS = 1000
/** bytes/s per transfer: ~40 MB files take over half an hour, so nothing completes during the run. */
const TRANSFER_SPEED = 20_000

const peersFor = (rows: number): Array<SimPeer> => {
  const perPeer = Math.ceil(rows / PEERS)
  return Array.from({ length: PEERS }, (_, p) => ({
    username: `bench-peer-${String(p).padStart(2, "0")}`,
    uploadSpeed: TRANSFER_SPEED, transferSpeed: TRANSFER_SPEED, hasFreeUploadSlot: true, queueLength: 0,
    files: Array.from({ length: perPeer }, (_, k) => ({
      filename: `@@bench${p}\\Music\\Artist ${p}\\Album ${Math.floor(k / 12)}\\${String((k % 12) + 1).padStart(2, "0")} - Song ${p}-${k}.flac`,
      size: 40_000_000 + p * 10_000 + k * 997, extension: "", length: 240
    }))
  }))
}

interface Transfer {
  readonly id: string
  readonly username: string
  readonly filename: string
  readonly size: number
}

/** One POST per peer with all its files (the simulator's enqueue route, as slskd takes it). */
const enqueueAll = async (sim: SlskdSimulatorHandle, peers: ReadonlyArray<SimPeer>, rows: number): Promise<Array<Transfer>> => {
  const out: Array<Transfer> = []
  for (const peer of peers) {
    const files = peer.files.slice(0, Math.max(0, rows - out.length)).map((f) => ({ filename: f.filename, size: f.size }))
    if (files.length === 0) break
    const res = await fetch(`${sim.url}/api/v0/transfers/downloads/${encodeURIComponent(peer.username)}`, {
      method: "POST", headers: { "content-type": "application/json", "x-api-key": sim.apiKey ?? "" }, body: JSON.stringify(files)
    })
    if (res.status !== 201) throw new Error(`enqueue answered ${res.status}`)
    const body = await res.json() as { enqueued: Array<{ id: string; username: string; filename: string; size: number }> }
    for (const t of body.enqueued) out.push({ id: t.id, username: t.username, filename: t.filename, size: t.size })
  }
  return out
}

const servicesFor = (db: string, sim: SlskdSimulatorHandle) =>
  ApplicationLayer.pipe(
    Layer.provideMerge(Layer.mergeAll(ProviderLayer, CatalogLayer)),
    Layer.provideMerge(PersistenceLayer(db)),
    Layer.provide(Layer.setConfigProvider(ConfigProvider.fromMap(new Map([
      ["SOULSPOT_SLSKD_URL", sim.url], ["SOULSPOT_SLSKD_API_KEY", sim.apiKey ?? ""]
    ]))))
  )

const elapsed = <A, E, R>(self: Effect.Effect<A, E, R>): Effect.Effect<[number, A], E, R> =>
  Effect.suspend(() => {
    const t0 = performance.now()
    return Effect.map(self, (a) => [performance.now() - t0, a] as [number, A])
  })

const promise = <A>(f: () => Promise<A>) => Effect.promise(f)

/** Simulator + database with `rows` DOWNLOADING rows that match InProgress transfers. */
const setup = (rows: number, label: string) => Effect.gen(function*() {
  const setupStarted = performance.now()
  const peers = peersFor(rows)
  const sim = yield* makeSimulator({
    catalog: peers,
    timings: { queuedLocallyMs: 0, requestedMs: 0, remoteQueueMs: 0, remoteQueuePerPlaceMs: 0, initializingMs: 0 }
  })
  const dir = tempDir(`sync-${label}`)
  const db = join(dir, "soulspot.db")
  const ctx = yield* Layer.build(servicesFor(db, sim))
  const transfers = yield* promise(() => enqueueAll(sim, peers, rows))

  const repo = ctx.unsafeMap.get(DownloadRepository.key) as DownloadRepository["Type"]
  const queued = yield* Effect.forEach(transfers, (t, i) => repo.queue({
    track: { title: `Song ${i}`, artist: `Artist ${t.username}`, album: `Album ${Math.floor(i / 12)}`, durationMs: 240_000 },
    priority: 0, qualityProfile: "balanced"
  }))
  const idBySlskd = new Map<string, string>()
  const changes: Array<DownloadChange> = []
  queued.forEach(({ download }, i) => {
    const t = transfers[i]!
    idBySlskd.set(t.id, download.id)
    changes.push({ id: download.id, status: "PENDING", patch: {} })
    changes.push({ id: download.id, status: "QUEUED", patch: { slskdId: t.id, username: t.username, filename: t.filename, size: t.size } })
  })
  for (let i = 0; i < changes.length; i += 1000) yield* repo.applyChanges(changes.slice(i, i + 1000))
  const events = yield* Effect.provide(Events, ctx)
  const sub = yield* events.subscribe
  return { sim, db, ctx, repo, idBySlskd, sub, setupMillis: performance.now() - setupStarted }
})

type Setup = Effect.Effect.Success<ReturnType<typeof setup>>

const drainEvents = (s: Setup) => Effect.map(Queue.takeAll(s.sub), (c) => Chunk.size(c))

/** One tick with the slskd requests and the published events it caused. */
const measuredTick = (s: Setup) => Effect.gen(function*() {
  const sync = yield* StatusSync
  yield* drainEvents(s)
  const before = (yield* s.sim.control.requests).length
  const [millis] = yield* elapsed(sync.tick)
  const reqs = (yield* s.sim.control.requests).slice(before)
  const events = yield* drainEvents(s)
  return { millis, reqs, events }
}).pipe(Effect.provide(s.ctx))

interface TransferJson {
  readonly id: string
  readonly bytesTransferred: number
  readonly averageSpeed: number
  readonly bytesRemaining: number
}

/** Baseline half 1: one listing fetched with node fetch and parsed with JSON.parse. */
const fetchAndParse = (s: Setup) => promise(async () => {
  const res = await fetch(`${s.sim.url}/api/v0/transfers/downloads?includeRemoved=false`, { headers: { "x-api-key": s.sim.apiKey ?? "" } })
  const users = JSON.parse(await res.text()) as Array<{ directories: Array<{ files: Array<TransferJson> }> }>
  return users
})

const flatten = (users: Array<{ directories: Array<{ files: Array<TransferJson> }> }>): Array<TransferJson> =>
  users.flatMap((u) => u.directories.flatMap((d) => d.files))

const program = Effect.gen(function*() {
  console.log(`sync tick: ${ROWS} transfers in flight, ${TICKS} measured ticks (after ${WARMUP_TICKS} warm-up), real clock`)

  // ---- phase 1: time per tick against the baseline ------------------------------------------
  const main = yield* Effect.scoped(Effect.gen(function*() {
    const s = yield* setup(ROWS, "main")
    console.log(`setup: ${ROWS} transfers enqueued in the simulator and ${ROWS} rows QUEUED in ${ms(s.setupMillis)} ms`)
    const raw = new Database(s.db)
    raw.pragma("busy_timeout = 5000")
    yield* Effect.addFinalizer(() => Effect.sync(() => raw.close()))
    const update = raw.prepare(`UPDATE downloads SET bytes_transferred = ?, speed_bps = ?, eta_seconds = ?, progress_at = ?, updated_at = ?
      WHERE id = ?`)
    const writeRaw = raw.transaction((files: Array<TransferJson>) => {
      const now = new Date().toISOString()
      for (const f of files) {
        const id = s.idBySlskd.get(f.id)
        if (id === undefined) continue
        const speed = Math.round(f.averageSpeed)
        update.run(f.bytesTransferred, speed, speed > 0 ? Math.round(f.bytesRemaining / speed) : null, now, now, id)
      }
    })
    const provider = s.ctx.unsafeMap.get(DownloadProvider.key) as DownloadProvider["Type"]

    const first = yield* measuredTick(s)
    for (let i = 1; i < WARMUP_TICKS; i++) yield* measuredTick(s)
    const inFlight = yield* s.repo.getInFlight
    const downloading = inFlight.filter((d) => d.status === "DOWNLOADING").length

    const tick: Array<number> = []
    const fetchParse: Array<number> = []
    const rawWrite: Array<number> = []
    const base: Array<number> = []
    const getInFlight: Array<number> = []
    const getStatus: Array<number> = []
    const plan: Array<number> = []
    const apply: Array<number> = []
    const listingsPerTick: Array<number> = []
    const requestsPerTick: Array<number> = []
    const eventsPerTick: Array<number> = []
    let changesPerApply = 0
    for (let i = 0; i < TICKS; i++) {
      const t = yield* measuredTick(s)
      tick.push(t.millis)
      requestsPerTick.push(t.reqs.length)
      listingsPerTick.push(t.reqs.filter((r) => r.method === "GET" && r.path.toLowerCase() === "/transfers/downloads").length)
      eventsPerTick.push(t.events)

      const [f, users] = yield* elapsed(fetchAndParse(s))
      const files = flatten(users)
      const [w] = yield* elapsed(Effect.sync(() => writeRaw(files)))
      fetchParse.push(f)
      rawWrite.push(w)
      base.push(f + w)

      const [g, rows] = yield* elapsed(s.repo.getInFlight)
      const [st, snapshot] = yield* elapsed(provider.getStatus.pipe(Effect.orDie))
      const [p, planned] = yield* elapsed(Effect.sync(() => planSync(rows, snapshot, {
        now: Date.now(), maxAttempts: 5, retryBaseMillis: 10_000, remoteQueueTimeoutMillis: Duration.toMillis("15 minutes"),
        stallTimeoutMillis: Duration.toMillis("2 minutes"), restartGraceMillis: 120_000, loggedInForMillis: null, removeFinished: true, random: Math.random
      })))
      const [a] = yield* elapsed(s.repo.applyChanges(planned.changes))
      changesPerApply = planned.changes.length
      getInFlight.push(g)
      getStatus.push(st)
      plan.push(p)
      apply.push(a)
      yield* drainEvents(s)
    }
    const listingBytes = (yield* promise(async () => (await fetch(`${s.sim.url}/api/v0/transfers/downloads`, { headers: { "x-api-key": s.sim.apiKey ?? "" } })).text())).length
    return {
      first, downloading, listingBytes, changesPerApply,
      tick: summarize(tick), fetchParse: summarize(fetchParse), rawWrite: summarize(rawWrite), base: summarize(base),
      getInFlight: summarize(getInFlight), getStatus: summarize(getStatus), plan: summarize(plan), apply: summarize(apply),
      listingsPerTick: summarize(listingsPerTick), requestsPerTick: summarize(requestsPerTick), eventsPerTick: summarize(eventsPerTick)
    }
  }))

  const row = (name: string, s: Summary, baseline?: number) =>
    [name, ms(s.median), ms(s.p95), ms(s.max), baseline === undefined ? "" : times(ratio(s.median, baseline))]
  console.log(`first tick (QUEUED → DOWNLOADING for all rows): ${ms(main.first.millis)} ms, ${main.first.reqs.length} slskd request(s), ${main.first.events} events`)
  console.log(`rows DOWNLOADING after warm-up: ${main.downloading}/${ROWS}; listing size ${mib(main.listingBytes)}`)
  printTable(`time per tick, ${TICKS} ticks (ms)`, ["what", "median", "p95", "max", "vs baseline"], [
    row("StatusSync.tick", main.tick, main.base.median),
    row("baseline: fetch+JSON.parse + raw UPDATEs", main.base, main.base.median),
    row("  fetch + JSON.parse", main.fetchParse),
    row("  raw better-sqlite3 UPDATEs (1 txn)", main.rawWrite),
    row("breakdown: repo.getInFlight", main.getInFlight),
    row("  provider.getStatus (fetch+decode)", main.getStatus),
    row("  planSync (pure)", main.plan),
    row(`  repo.applyChanges (${main.changesPerApply} changes)`, main.apply)
  ])
  printTable("slskd requests and events per tick", ["what", "min", "median", "max"], [
    ["GET /transfers/downloads", String(main.listingsPerTick.min), String(main.listingsPerTick.median), String(main.listingsPerTick.max)],
    ["all slskd requests", String(main.requestsPerTick.min), String(main.requestsPerTick.median), String(main.requestsPerTick.max)],
    ["download events published", String(main.eventsPerTick.min), String(main.eventsPerTick.median), String(main.eventsPerTick.max)]
  ])
  const tickRatio = ratio(main.tick.median, main.base.median)
  console.log(`tick / baseline (median): ${times(tickRatio)} (target: within 3×)`)

  // ---- phase 2: memory over 1,000 ticks -------------------------------------------------------
  console.log(`\nmemory: ${MEMORY_TICKS} ticks with ${MEMORY_ROWS} rows (fewer than ${ROWS} so the run stays short)`)
  const memory = yield* Effect.scoped(Effect.gen(function*() {
    const s = yield* setup(MEMORY_ROWS, "memory")
    for (let i = 0; i < WARMUP_TICKS; i++) yield* measuredTick(s)
    const samples: Array<{ at: number; mem: MemSample }> = [{ at: 0, mem: yield* promise(memSettled) }]
    const started = performance.now()
    const tickTimes: Array<number> = []
    let maxListings = 0
    for (let i = 1; i <= MEMORY_TICKS; i++) {
      const t = yield* measuredTick(s)
      tickTimes.push(t.millis)
      maxListings = Math.max(maxListings, t.reqs.length)
      if (i === 100 || i === 500 || i === MEMORY_TICKS) samples.push({ at: i, mem: yield* promise(memSettled) })
    }
    const simRequests = (yield* s.sim.control.requests).length
    return { samples, seconds: (performance.now() - started) / 1000, tick: summarize(tickTimes), maxListings, simRequests }
  }))
  printTable("heap / RSS after a full GC", ["after ticks", "heap used", "RSS", "heap Δ vs start"], memory.samples.map(({ at, mem }) => [
    String(at), mib(mem.heapUsed), mib(mem.rss), `${((mem.heapUsed - memory.samples[0]!.mem.heapUsed) / 1024).toFixed(0)} KiB`
  ]))
  console.log(`${MEMORY_TICKS} ticks in ${memory.seconds.toFixed(1)} s (median ${ms(memory.tick.median)} ms/tick, at most ${memory.maxListings} slskd request per tick)`)
  note(`the simulator runs in this process and keeps a record of every request (${memory.simRequests} now); that is part of the growth`)

  const at = (n: number) => memory.samples.find((x) => x.at === n)!.mem
  benchResult("sync", {
    rows: ROWS,
    ticks: TICKS,
    slskd_listings_per_tick: { min: main.listingsPerTick.min, max: main.listingsPerTick.max },
    slskd_requests_per_tick_max: main.requestsPerTick.max,
    events_per_tick_median: main.eventsPerTick.median,
    tick_ms: { median: round(main.tick.median), p95: round(main.tick.p95), max: round(main.tick.max) },
    baseline_ms: { median: round(main.base.median), p95: round(main.base.p95) },
    fetch_parse_ms: round(main.fetchParse.median),
    raw_write_ms: round(main.rawWrite.median),
    get_in_flight_ms: round(main.getInFlight.median),
    get_status_ms: round(main.getStatus.median),
    plan_ms: round(main.plan.median),
    apply_changes_ms: round(main.apply.median),
    tick_vs_baseline: round(tickRatio),
    memory: {
      rows: MEMORY_ROWS, ticks: MEMORY_TICKS,
      heap_mib: [0, 100, MEMORY_TICKS].map((n) => round(at(n).heapUsed / 1024 / 1024)),
      rss_mib: [0, 100, MEMORY_TICKS].map((n) => round(at(n).rss / 1024 / 1024))
    }
  })
})

Effect.runPromise(program.pipe(Logger.withMinimumLogLevel(LogLevel.Warning))).then(
  () => process.exit(0),
  (e) => {
    console.error(e)
    process.exit(1)
  }
)
