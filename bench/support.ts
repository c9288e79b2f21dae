/**
 * Shared helpers for the benchmarks: statistics, tables and the BENCH_RESULT line, garbage
 * collection and memory readings, temporary directories that are removed on exit, child
 * processes that are always stopped, a fast bulk loader for the downloads table, the real app
 * as a child process, and a closed-loop HTTP load generator. Benchmarks print figures and
 * ratios against a baseline measured in the same run; nothing here asserts a time.
 */
import Database from "better-sqlite3"
import { type ChildProcess, spawn } from "node:child_process"
import { randomUUID } from "node:crypto"
import { mkdtempSync, readFileSync, rmSync } from "node:fs"
import { Agent, createServer, type IncomingHttpHeaders, request, type Server, type ServerResponse } from "node:http"
import type { AddressInfo } from "node:net"
import { tmpdir } from "node:os"
import { dirname, join, resolve } from "node:path"
import { performance } from "node:perf_hooks"
import { fileURLToPath } from "node:url"
import { setFlagsFromString } from "node:v8"
import { runInNewContext } from "node:vm"
import { GLIBC_TUNABLES, NODE_FLAGS } from "../scripts/runtime-tuning.js"
import { recordingKey } from "../src/domain/track.js"

export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "..")

// ---------------------------------------------------------------------------------------------
// Statistics and printing

export const sortNums = (xs: ReadonlyArray<number>): Array<number> => [...xs].sort((a, b) => a - b)

/** Nearest-rank percentile (p in 0..100) of the values. */
export const percentile = (xs: ReadonlyArray<number>, p: number): number => {
  if (xs.length === 0) return NaN
  const s = sortNums(xs)
  const rank = Math.min(s.length - 1, Math.max(0, Math.ceil((p / 100) * s.length) - 1))
  return s[rank]!
}
export const median = (xs: ReadonlyArray<number>): number => {
  if (xs.length === 0) return NaN
  const s = sortNums(xs)
  const mid = Math.floor(s.length / 2)
  return s.length % 2 === 1 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2
}
export const mean = (xs: ReadonlyArray<number>): number => xs.reduce((a, b) => a + b, 0) / Math.max(1, xs.length)
export const max = (xs: ReadonlyArray<number>): number => xs.reduce((a, b) => Math.max(a, b), -Infinity)

export interface Summary {
  readonly n: number
  readonly min: number
  readonly median: number
  readonly p95: number
  readonly p99: number
  readonly max: number
  readonly mean: number
}
export const summarize = (xs: ReadonlyArray<number>): Summary => ({
  n: xs.length, min: xs.reduce((a, b) => Math.min(a, b), Infinity), median: median(xs), p95: percentile(xs, 95), p99: percentile(xs, 99), max: max(xs), mean: mean(xs)
})

/** Rounds for display and for the JSON line. */
export const round = (x: number, digits = 2): number => {
  if (!Number.isFinite(x)) return x
  const f = 10 ** digits
  return Math.round(x * f) / f
}
export const ms = (x: number): string => (Number.isFinite(x) ? (x >= 100 ? x.toFixed(0) : x >= 10 ? x.toFixed(1) : x.toFixed(2)) : "-")
export const ratio = (a: number, b: number): number => (b > 0 ? a / b : NaN)
export const times = (x: number): string => (Number.isFinite(x) ? `${x.toFixed(2)}×` : "-")
export const mib = (bytes: number): string => `${(bytes / 1024 / 1024).toFixed(1)} MiB`

/** A compact aligned table: first column left-aligned, the others right-aligned. */
export const printTable = (title: string, headers: ReadonlyArray<string>, rows: ReadonlyArray<ReadonlyArray<string | number>>): void => {
  const cells = [headers, ...rows.map((r) => r.map(String))]
  const widths = headers.map((_, i) => Math.max(...cells.map((r) => (r[i] ?? "").length)))
  const line = (r: ReadonlyArray<string>) =>
    r.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join("  ")
  console.log(`\n${title}`)
  console.log(line(cells[0]!))
  console.log(widths.map((w) => "-".repeat(w)).join("  "))
  for (const r of cells.slice(1)) console.log(line(r))
}

/** The one machine-readable line per benchmark. */
export const benchResult = (name: string, figures: Record<string, unknown>): void => {
  console.log(`\nBENCH_RESULT ${JSON.stringify({ bench: name, node: process.version, cpus: cpuCount(), ...figures })}`)
}

const cpuCount = (): number => {
  try {
    return readFileSync("/proc/cpuinfo", "utf8").split("\n").filter((l) => l.startsWith("processor")).length
  } catch {
    return 0
  }
}

export const note = (text: string): void => console.log(`  note: ${text}`)

// ---------------------------------------------------------------------------------------------
// Memory

type Gc = () => void
let gcFn: Gc | undefined
/** global.gc when node runs with --expose-gc; otherwise the flag is turned on at run time. */
export const gc = (): void => {
  if (!gcFn) {
    const g = (globalThis as { gc?: Gc }).gc
    if (typeof g === "function") gcFn = g
    else {
      setFlagsFromString("--expose-gc")
      gcFn = runInNewContext("gc") as Gc
    }
  }
  gcFn()
  gcFn()
}

export interface MemSample {
  readonly heapUsed: number
  readonly rss: number
}
export const memNow = (collect = true): MemSample => {
  if (collect) gc()
  const m = process.memoryUsage()
  return { heapUsed: m.heapUsed, rss: m.rss }
}

/** Full GC, a pause so finalizers (FinalizationRegistry, WeakRef clean-up) run, GC again, then read. */
export const memSettled = async (): Promise<MemSample> => {
  gc()
  await new Promise((r) => setTimeout(r, 150))
  return memNow()
}

/** VmRSS of another process in bytes (Linux), or NaN when it is gone. */
export const rssOf = (pid: number | undefined): number => {
  if (pid === undefined) return NaN
  try {
    const m = /VmRSS:\s+(\d+)\s+kB/.exec(readFileSync(`/proc/${pid}/status`, "utf8"))
    return m ? Number(m[1]) * 1024 : NaN
  } catch {
    return NaN
  }
}

// ---------------------------------------------------------------------------------------------
// Clean-up: temporary directories and children go away whatever happens

const cleanups: Array<() => void> = []
let exiting = false
const runCleanups = () => {
  while (cleanups.length > 0) {
    try {
      cleanups.pop()!()
    } catch {
      // best effort
    }
  }
}
let installed = false
/** Installed on first use only, so helper roles (the app child) keep their own signal handling. */
const installHandlers = () => {
  if (installed) return
  installed = true
  process.on("exit", runCleanups)
  for (const sig of ["SIGINT", "SIGTERM"] as const) {
    process.on(sig, () => {
      if (exiting) return
      exiting = true
      runCleanups()
      process.exit(130)
    })
  }
}

export const onCleanup = (f: () => void): void => {
  installHandlers()
  cleanups.push(f)
}

export const tempDir = (prefix: string): string => {
  const dir = mkdtempSync(join(tmpdir(), `soulspot-bench-${prefix}-`))
  onCleanup(() => rmSync(dir, { recursive: true, force: true }))
  return dir
}

export const sleep = (millis: number): Promise<void> => new Promise((r) => setTimeout(r, millis))

/** A loopback port where nothing listens (connections are refused at once). */
export const closedPort = async (): Promise<number> => {
  const server = createServer()
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r))
  const port = (server.address() as AddressInfo).port
  await new Promise<void>((r) => server.close(() => r()))
  return port
}

export interface Child {
  readonly proc: ChildProcess
  readonly pid: number
  /** Everything the child wrote so far. */
  readonly output: () => string
  /** Resolves with the first match of `re` in the output (stdout + stderr). */
  readonly waitFor: (re: RegExp, timeoutMs?: number) => Promise<RegExpExecArray>
  /** SIGTERM, then SIGKILL after `graceMs`; says how it ended. */
  readonly stop: (graceMs?: number) => Promise<{ code: number | null; signal: string | null; millis: number; graceful: boolean }>
  readonly exited: Promise<{ code: number | null; signal: string | null }>
}

/** Starts a child process that is killed when this process exits. */
export const startChild = (command: string, args: ReadonlyArray<string>, options: { cwd?: string; env?: NodeJS.ProcessEnv } = {}): Child => {
  const proc = spawn(command, args, {
    cwd: options.cwd ?? REPO_ROOT,
    env: options.env ?? childEnv(),
    stdio: ["ignore", "pipe", "pipe"]
  })
  let out = ""
  const listeners = new Set<() => void>()
  const onData = (b: Buffer) => {
    out += b.toString("utf8")
    if (out.length > 1_000_000) out = out.slice(-500_000)
    for (const l of listeners) l()
  }
  proc.stdout!.on("data", onData)
  proc.stderr!.on("data", onData)
  let done = false
  const exited = new Promise<{ code: number | null; signal: string | null }>((r) =>
    proc.on("exit", (code, signal) => {
      done = true
      r({ code, signal })
      for (const l of listeners) l()
    }))
  onCleanup(() => {
    if (!done) proc.kill("SIGKILL")
  })
  const waitFor = (re: RegExp, timeoutMs = 60_000) => new Promise<RegExpExecArray>((res, rej) => {
    const check = () => {
      const m = re.exec(out)
      if (m) {
        cleanup()
        res(m)
      } else if (done) {
        cleanup()
        rej(new Error(`child exited before printing ${re}; output:\n${out.slice(-3000)}`))
      }
    }
    const timer = setTimeout(() => {
      cleanup()
      rej(new Error(`child did not print ${re} within ${timeoutMs} ms; output:\n${out.slice(-3000)}`))
    }, timeoutMs)
    const cleanup = () => {
      clearTimeout(timer)
      listeners.delete(check)
    }
    listeners.add(check)
    check()
  })
  const stop = async (graceMs = 5000) => {
    const started = performance.now()
    if (done) {
      const e = await exited
      return { ...e, millis: 0, graceful: e.code === 0 }
    }
    proc.kill("SIGTERM")
    const timer = setTimeout(() => {
      if (!done) proc.kill("SIGKILL")
    }, graceMs)
    const e = await exited
    clearTimeout(timer)
    const millis = performance.now() - started
    return { ...e, millis, graceful: e.code === 0 && millis <= graceMs }
  }
  return { proc, pid: proc.pid!, output: () => out, waitFor, stop, exited }
}

/** The environment for children: this one without NODE_OPTIONS and SOULSPOT_* leftovers. */
export const childEnv = (extra: Record<string, string> = {}): NodeJS.ProcessEnv => {
  const env: NodeJS.ProcessEnv = {}
  for (const [k, v] of Object.entries(process.env)) {
    if (k === "NODE_OPTIONS" || k.startsWith("SOULSPOT_")) continue
    env[k] = v
  }
  return { ...env, ...extra }
}

/** This same bench file again, in another role (e.g. the app server), under tsx. */
export const startRole = (benchFile: string, role: string, args: ReadonlyArray<string> = []): Child =>
  startChild(process.execPath, ["--import", "tsx", benchFile, role, ...args])

// ---------------------------------------------------------------------------------------------
// Database

/** Creates the database file with every migration applied (the app's own DatabaseLive). */
export const migrateDb = async (file: string): Promise<void> => {
  const { Effect, Layer, Logger, LogLevel } = await import("effect")
  const { DatabaseLive } = await import("../src/infrastructure/persistence/sqlite.js")
  await Effect.runPromise(Effect.scoped(Layer.build(DatabaseLive(file))).pipe(Effect.asVoid, Logger.withMinimumLogLevel(LogLevel.Warning)))
}

export interface StatusMix {
  readonly WAITING: number
  readonly PENDING: number
  readonly QUEUED: number
  readonly DOWNLOADING: number
  readonly COMPLETED: number
  readonly FAILED: number
  readonly CANCELLED: number
}

/** 50,000 rows: a few hundred active, most completed, some failed and cancelled. */
export const REALISTIC_MIX: StatusMix = {
  WAITING: 120, PENDING: 20, QUEUED: 60, DOWNLOADING: 100, COMPLETED: 44_000, FAILED: 3_900, CANCELLED: 1_800
}
/** 100,000 rows: a library being worked through, 90 % still WAITING for their first search. */
export const BIG_QUEUE_MIX: StatusMix = {
  WAITING: 90_000, PENDING: 1_000, QUEUED: 2_000, DOWNLOADING: 1_000, COMPLETED: 4_000, FAILED: 1_500, CANCELLED: 500
}
export const mixTotal = (m: StatusMix): number => Object.values(m).reduce((a, b) => a + b, 0)

const ARTISTS = ["Radiohead", "Björk", "Aphex Twin", "Portishead", "Massive Attack", "Boards of Canada", "Sigur Rós", "The Knife",
  "Daft Punk", "Air", "Broadcast", "Stereolab", "Autechre", "Burial", "Four Tet", "Caribou", "Bonobo", "Moderat", "Jon Hopkins", "Röyksopp"]

/**
 * Inserts tracks and downloads straight into a migrated database file with better-sqlite3 in
 * one transaction (tens of thousands of rows per second). Timestamps spread over 60 days; some
 * downloads finished today and a few in the last ten minutes, as on a real instance.
 */
export const bulkInsertDownloads = (file: string, mix: StatusMix, nowMs = Date.now()): { millis: number; rows: number } => {
  const started = performance.now()
  const db = new Database(file)
  db.pragma("busy_timeout = 5000")
  // recording_key as the app writes it: the ANALYZE below must see real keys, or SQLite's plan for
  // the same-recording lookup of every upsert scans the tracks table
  const insTrack = db.prepare(`INSERT INTO tracks (id, request_key, title, artist, album, duration_ms, isrc, track_number, disc_number,
    spotify_id, deezer_id, recording_key, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, NULL, NULL, ?, ?, ?)`)
  const insDownload = db.prepare(`INSERT INTO downloads (id, track_id, status, priority, slskd_id, username, filename, size,
    bytes_transferred, speed_bps, eta_seconds, attempts, next_attempt_at, error, quality_profile, progress_at, created_at, updated_at,
    completed_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'balanced', ?, ?, ?, ?)`)
  const iso = (ms: number) => new Date(ms).toISOString()
  const day = 86_400_000
  let n = 0
  const insertAll = db.transaction(() => {
    for (const [status, count] of Object.entries(mix) as Array<[keyof StatusMix, number]>) {
      for (let i = 0; i < count; i++) {
        n++
        const trackId = randomUUID()
        const artist = ARTISTS[n % ARTISTS.length]!
        const title = `Track ${n} (${status.toLowerCase()} ${i})`
        const album = `Album ${Math.floor(n / 12)}`
        // Terminal rows: spread over 60 days, the first 1% today and the first 50 in the last 10 minutes.
        const age = status === "COMPLETED" || status === "FAILED" || status === "CANCELLED"
          ? (i < 50 ? (i * 11_000) : i < count / 100 ? (i * 997) % (day / 4) : ((i * 7919) % (60 * day)))
          : (i * 13_000) % day
        const created = nowMs - age - 600_000
        const updated = nowMs - age
        insTrack.run(trackId, `meta:${artist.toLowerCase()}|track ${n}|${album.toLowerCase()}`, title, artist, album,
          180_000 + (n % 240) * 1000, i % 3 === 0 ? `GB${String(100000000 + n).slice(0, 10)}` : null, (n % 12) + 1, 1,
          recordingKey({ artist, title }), iso(created), iso(created))
        const transfer = status === "QUEUED" || status === "DOWNLOADING" || status === "COMPLETED"
        const size = 8_000_000 + (n % 50) * 700_000
        const bytes = status === "DOWNLOADING" ? Math.floor(size * ((i % 97) / 100)) : status === "COMPLETED" ? size : 0
        const user = `peer${n % 40}`
        insDownload.run(randomUUID(), trackId, status, (n % 7 === 0) ? 10 : 0,
          transfer ? randomUUID() : null, transfer ? user : null,
          transfer ? `@@share\\Music\\${artist}\\${album}\\${String((n % 12) + 1).padStart(2, "0")} - Track ${n}.flac` : null,
          transfer ? size : null, bytes, status === "DOWNLOADING" ? 250_000 + (n % 10) * 1000 : 0,
          status === "DOWNLOADING" ? 60 + (n % 300) : null,
          status === "FAILED" ? 5 : status === "WAITING" ? i % 3 : 1,
          status === "WAITING" && i % 3 !== 0 ? iso(nowMs + 60_000) : null,
          status === "FAILED" ? "transfer completed, errored: Transfer failed: Remote connection closed (peer x)" : null,
          transfer ? iso(updated) : null, iso(created), iso(updated),
          status === "COMPLETED" || status === "FAILED" || status === "CANCELLED" ? iso(updated) : null)
      }
    }
  })
  insertAll()
  db.pragma("wal_checkpoint(TRUNCATE)")
  db.exec("ANALYZE")
  db.close()
  return { millis: performance.now() - started, rows: n }
}

// ---------------------------------------------------------------------------------------------
// The real app as a child process

/**
 * Role entry: the real AppLayer (workers off unless asked) on the service's own HTTP server layer
 * (src/launch.ts) at 127.0.0.1 port 0,
 * prints `PORT <n>` once it listens and runs until SIGTERM.
 */
export const runAppServer = async (db: string, options: { workers?: boolean; slskdUrl?: string } = {}): Promise<void> => {
  // Imported here, so helper roles that are not the app (plain baselines) do not load it.
  const { ConfigProvider, Context, Effect, Layer, Logger, LogLevel } = await import("effect")
  const { HttpServer } = await import("@effect/platform")
  const { NodeRuntime } = await import("@effect/platform-node")
  const { AppLayer } = await import("../src/App.js")
  const { httpServerLayer } = await import("../src/launch.js")
  const layer = AppLayer({ db, workers: options.workers ?? false }).pipe(
    Layer.provideMerge(httpServerLayer({ port: 0, host: "127.0.0.1" })),
    Layer.provide(Layer.setConfigProvider(ConfigProvider.fromMap(new Map([
      ["SOULSPOT_SLSKD_URL", options.slskdUrl ?? "http://127.0.0.1:9"]
    ]))))
  )
  // SIGUSR2: full GC, then one `MEM <heapUsed> <rss>` line (see childMemory).
  process.on("SIGUSR2", () => {
    gc()
    const m = process.memoryUsage()
    console.log(`MEM ${m.heapUsed} ${m.rss}`)
  })
  const program = Effect.gen(function*() {
    const ctx = yield* Layer.build(layer)
    const address = Context.get(ctx, HttpServer.HttpServer).address
    yield* Effect.sync(() => console.log(`PORT ${address._tag === "TcpAddress" ? address.port : 0}`))
    return yield* Effect.never
  }).pipe(Effect.scoped, Logger.withMinimumLogLevel(LogLevel.Warning))
  NodeRuntime.runMain(program)
}

/** Heap used after a full GC and RSS of an app child (runAppServer), in bytes. */
export const childMemory = async (child: Child): Promise<MemSample> => {
  const re = /MEM (\d+) (\d+)/g
  const count = () => [...child.output().matchAll(re)].length
  const before = count()
  child.proc.kill("SIGUSR2")
  const deadline = performance.now() + 10_000
  while (count() <= before && performance.now() < deadline) await sleep(10)
  const last = [...child.output().matchAll(re)].at(-1)
  return last && count() > before ? { heapUsed: Number(last[1]), rss: Number(last[2]) } : { heapUsed: NaN, rss: NaN }
}

/** The app child (runAppServer), started with the service's shipped memory settings (scripts/runtime-tuning.ts). */
export const startApp = async (benchFile: string, db: string, slskdUrl: string): Promise<{ child: Child; port: number }> => {
  const child = startChild(process.execPath, [...NODE_FLAGS, "--import", "tsx", benchFile, "--role=app", db, slskdUrl], {
    env: childEnv({ GLIBC_TUNABLES })
  })
  const m = await child.waitFor(/PORT (\d+)/)
  return { child, port: Number(m[1]) }
}

// ---------------------------------------------------------------------------------------------
// HTTP

export interface HttpReply {
  readonly status: number
  readonly headers: IncomingHttpHeaders
  readonly body: string
}

export const httpRequest = (port: number, method: string, path: string, body?: unknown, agent?: Agent): Promise<HttpReply> =>
  new Promise((res, rej) => {
    const payload = body === undefined ? undefined : JSON.stringify(body)
    const req = request({
      host: "127.0.0.1", port, method, path, ...(agent ? { agent } : {}),
      headers: payload === undefined ? {} : { "content-type": "application/json", "content-length": Buffer.byteLength(payload) }
    }, (r) => {
      const chunks: Array<Buffer> = []
      r.on("data", (c: Buffer) => chunks.push(c))
      r.on("end", () => res({ status: r.statusCode ?? 0, headers: r.headers, body: Buffer.concat(chunks).toString("utf8") }))
      r.on("error", rej)
    })
    req.on("error", rej)
    if (payload !== undefined) req.write(payload)
    req.end()
  })

export interface LoadResult {
  readonly requests: number
  readonly errors: number
  readonly seconds: number
  readonly rps: number
  readonly p50: number
  readonly p99: number
  readonly max: number
  readonly bytesPerReply: number
}

interface RawLoad {
  readonly latencies: Array<number>
  readonly errors: number
  readonly bytes: number
  readonly seconds: number
}

const summarizeLoad = (r: RawLoad): LoadResult => ({
  requests: r.latencies.length, errors: r.errors, seconds: r.seconds, rps: r.latencies.length / r.seconds,
  p50: percentile(r.latencies, 50), p99: percentile(r.latencies, 99), max: max(r.latencies),
  bytesPerReply: r.latencies.length > 0 ? r.bytes / r.latencies.length : 0
})

/** `concurrency` keep-alive clients sending GETs back to back; `between` runs after the warm-up, before the recorded part. */
const loadRun = async (port: number, path: string, options: { concurrency: number; seconds: number; warmupSeconds: number },
  between: () => void = () => {}): Promise<RawLoad> => {
  const agent = new Agent({ keepAlive: true, maxSockets: options.concurrency })
  const get = () => new Promise<{ status: number; bytes: number }>((res, rej) => {
    const req = request({ host: "127.0.0.1", port, path, agent }, (r) => {
      let bytes = 0
      r.on("data", (c: Buffer) => { bytes += c.length })
      r.on("end", () => res({ status: r.statusCode ?? 0, bytes }))
      r.on("error", rej)
    })
    req.on("error", rej)
    req.end()
  })
  const run = async (seconds: number, record: boolean) => {
    const latencies: Array<number> = []
    let errors = 0
    let bytes = 0
    const end = performance.now() + seconds * 1000
    const worker = async () => {
      while (performance.now() < end) {
        const t0 = performance.now()
        try {
          const r = await get()
          if (r.status !== 200) errors++
          if (record) {
            latencies.push(performance.now() - t0)
            bytes += r.bytes
          }
        } catch {
          errors++
        }
      }
    }
    const started = performance.now()
    await Promise.all(Array.from({ length: options.concurrency }, worker))
    return { latencies, errors, bytes, seconds: (performance.now() - started) / 1000 }
  }
  await run(options.warmupSeconds, false)
  between()
  const r = await run(options.seconds, true)
  agent.destroy()
  return r
}

/**
 * A closed-loop load generator: `concurrency` keep-alive clients, each sending the next GET as
 * soon as the previous reply is read in full, for `seconds` after `warmupSeconds`.
 */
export const closedLoop = async (port: number, path: string, options: { concurrency: number; seconds: number; warmupSeconds: number }): Promise<LoadResult> =>
  summarizeLoad(await loadRun(port, path, options))

/** User plus system CPU time of a process in milliseconds (Linux, 100 ticks a second), NaN when it is gone. */
export const cpuMillisOf = (pid: number | undefined): number => {
  if (pid === undefined) return NaN
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1]!.split(" ")
    return (Number(fields[11]) + Number(fields[12])) * 10
  } catch {
    return NaN
  }
}

export interface ComparedLoad extends LoadResult {
  /** CPU time the server process spent per answered request, in microseconds. */
  readonly cpuMicrosPerRequest: number
}

/**
 * closedLoop against each server in turn, `rounds` slices of `sliceSeconds` each (after a short
 * warm-up per slice), so that on a shared machine every server meets the same mix of quiet and
 * busy moments; the slices of one server are added up. Also each server process's CPU time per
 * request over its recorded slices: less sensitive to other load than throughput.
 */
export const interleavedLoops = async (
  servers: ReadonlyArray<{ readonly name: string; readonly port: number; readonly pid: number | undefined }>,
  path: string,
  options: { readonly concurrency: number; readonly rounds: number; readonly sliceSeconds: number; readonly warmupSeconds: number }
): Promise<Record<string, ComparedLoad>> => {
  const acc = new Map(servers.map((s) => [s.name, { latencies: [] as Array<number>, errors: 0, bytes: 0, seconds: 0, cpu: 0 }]))
  for (let round = 0; round < options.rounds; round++) {
    // the order alternates too, so neither server always follows the other
    const order = round % 2 === 0 ? servers : [...servers].reverse()
    for (const s of order) {
      let cpuBefore = NaN
      const r = await loadRun(s.port, path, { concurrency: options.concurrency, seconds: options.sliceSeconds, warmupSeconds: options.warmupSeconds },
        () => { cpuBefore = cpuMillisOf(s.pid) })
      const a = acc.get(s.name)!
      a.cpu += cpuMillisOf(s.pid) - cpuBefore
      a.latencies.push(...r.latencies)
      a.errors += r.errors
      a.bytes += r.bytes
      a.seconds += r.seconds
    }
  }
  return Object.fromEntries([...acc].map(([name, a]) => [name, {
    ...summarizeLoad(a), cpuMicrosPerRequest: a.latencies.length > 0 ? (a.cpu * 1000) / a.latencies.length : NaN
  }]))
}

/**
 * A baseline server's life as a child role: listens on 127.0.0.1 port 0, prints `PORT <n>`, and
 * on SIGTERM ends the open event streams and exits.
 */
export const serveBaseline = (server: Server, streams: ReadonlySet<ServerResponse> = new Set()): void => {
  server.keepAliveTimeout = 30_000
  server.listen(0, "127.0.0.1", () => console.log(`PORT ${(server.address() as AddressInfo).port}`))
  process.on("SIGTERM", () => {
    for (const s of streams) s.end()
    server.close(() => process.exit(0))
  })
}

/** `--role=x` from argv, if this process was started as a helper role. */
export const roleOf = (argv: ReadonlyArray<string>): string | undefined =>
  argv.find((a) => a.startsWith("--role="))?.slice("--role=".length)
