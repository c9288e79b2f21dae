/**
 * GET /metrics as Prometheus scrapes it: a strict parser of the text format 0.0.4 checks every
 * scrape, and the numbers an operator graphs move with what the service does (downloads by
 * status, slskd calls by operation and outcome, their latency, the breaker, sync ticks).
 * The service runs against the slskd simulator, both on the test's clock.
 */
import { HttpClient, HttpClientRequest, HttpServer } from "@effect/platform"
import { describe, expect, it } from "@effect/vitest"
import { Effect, TestClock } from "effect"
import { StatusSync } from "../../src/application/workers/status-sync.js"
import { makeSimulator, type SlskdSimulatorHandle } from "../../src/dev/slskd-simulator/index.js"
import { DownloadProvider } from "../../src/domain/ports/DownloadProvider.js"
import { AppTest } from "../support/app.js"
import { withTime } from "../support/simulator.js"

// ---------------------------------------------------------------------------------------------
// A strict reader of the Prometheus text exposition format 0.0.4

export interface Sample {
  readonly name: string
  readonly labels: Readonly<Record<string, string>>
  readonly value: number
}

export interface Family {
  readonly name: string
  readonly type: "counter" | "gauge" | "histogram" | "summary" | "untyped"
  readonly help: string | undefined
  readonly samples: Array<Sample>
}

const METRIC_NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/
const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/

const parseValue = (raw: string, line: string): number => {
  if (raw === "+Inf") return Infinity
  if (raw === "-Inf") return -Infinity
  if (raw === "NaN") return NaN
  if (!/^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/.test(raw)) throw new Error(`not a number "${raw}" in: ${line}`)
  return Number(raw)
}

/** `{a="x",b="y\"z"}` → record; label values may hold escaped \\, \" and \n. */
const parseLabels = (text: string, line: string): Record<string, string> => {
  const labels: Record<string, string> = {}
  let i = 0
  while (i < text.length) {
    const eq = text.indexOf("=", i)
    if (eq < 0) throw new Error(`bad labels in: ${line}`)
    const name = text.slice(i, eq)
    if (!LABEL_NAME.test(name)) throw new Error(`bad label name "${name}" in: ${line}`)
    if (name in labels) throw new Error(`label "${name}" twice in: ${line}`)
    if (text[eq + 1] !== "\"") throw new Error(`label value not quoted in: ${line}`)
    let value = ""
    let j = eq + 2
    for (; j < text.length && text[j] !== "\""; j++) {
      if (text[j] === "\\") {
        const next = text[++j]
        if (next === "n") value += "\n"
        else if (next === "\\" || next === "\"") value += next
        else throw new Error(`bad escape in: ${line}`)
      } else value += text[j]
    }
    if (j >= text.length) throw new Error(`unterminated label value in: ${line}`)
    labels[name] = value
    i = j + 1
    if (i < text.length) {
      if (text[i] !== ",") throw new Error(`expected "," between labels in: ${line}`)
      i++
    }
  }
  return labels
}

/** The family a sample line belongs to: histograms own their _bucket, _sum and _count series. */
const familyOf = (name: string, families: Map<string, Family>): Family | undefined => {
  const direct = families.get(name)
  if (direct) return direct
  const m = /^(.*)_(bucket|sum|count)$/.exec(name)
  const base = m ? families.get(m[1]!) : undefined
  return base && (base.type === "histogram" || base.type === "summary") ? base : undefined
}

/**
 * Parses a whole scrape and throws on anything a strict scraper would reject: a sample
 * without a TYPE before it, a family split in two, a second TYPE or HELP, duplicate series,
 * malformed names, labels or values, a missing final newline, broken histograms.
 */
export const parsePrometheus = (text: string): Map<string, Family> => {
  if (!text.endsWith("\n")) throw new Error("the text must end with a newline")
  const families = new Map<string, Family>()
  const helps = new Map<string, string>()
  const closed = new Set<string>()
  const seen = new Set<string>()
  let current: string | undefined
  const enter = (name: string) => {
    if (current !== name) {
      if (current !== undefined) closed.add(current)
      if (closed.has(name)) throw new Error(`the lines of ${name} are not together`)
      current = name
    }
  }
  for (const line of text.slice(0, -1).split("\n")) {
    if (line.trim() === "") continue
    if (line.startsWith("#")) {
      const m = /^# (HELP|TYPE) (\S+)(?: (.*))?$/.exec(line)
      if (!m) continue // other comments are allowed
      const [, kind, name, rest = ""] = m
      if (!METRIC_NAME.test(name!)) throw new Error(`bad metric name in: ${line}`)
      enter(name!)
      const existing = families.get(name!)
      if (kind === "TYPE") {
        if (existing) throw new Error(`TYPE for ${name} given twice or after its samples`)
        if (!["counter", "gauge", "histogram", "summary", "untyped"].includes(rest)) throw new Error(`unknown type in: ${line}`)
        families.set(name!, { name: name!, type: rest as Family["type"], help: helps.get(name!), samples: [] })
      } else {
        if (helps.has(name!)) throw new Error(`HELP for ${name} given twice`)
        if (existing) throw new Error(`HELP for ${name} after its TYPE line (write HELP first)`)
        helps.set(name!, rest)
      }
      continue
    }
    const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)(?: (-?\d+))?$/.exec(line)
    if (!m) throw new Error(`not a sample line: ${line}`)
    const [, name, labelText = "", rawValue] = m
    const family = familyOf(name!, families)
    if (!family) throw new Error(`sample ${name} has no TYPE line before it`)
    enter(family.name)
    const labels = parseLabels(labelText, line)
    const series = `${name}{${Object.entries(labels).sort().map(([k, v]) => `${k}=${v}`).join(",")}}`
    if (seen.has(series)) throw new Error(`series given twice: ${series}`)
    seen.add(series)
    const value = parseValue(rawValue!, line)
    if (family.type === "counter" && !(value >= 0)) throw new Error(`counter below zero: ${line}`)
    family.samples.push({ name: name!, labels, value })
  }
  for (const f of families.values()) if (f.type === "histogram") checkHistogram(f)
  return families
}

/** Per label set: buckets by ascending `le`, cumulative, ending in +Inf, which equals _count; _sum present. */
const checkHistogram = (f: Family) => {
  const key = (labels: Record<string, string>) => JSON.stringify(Object.entries(labels).filter(([k]) => k !== "le").sort())
  const groups = new Map<string, { buckets: Array<[number, number]>; count?: number; sum?: number }>()
  for (const s of f.samples) {
    const g = groups.get(key(s.labels)) ?? { buckets: [] }
    groups.set(key(s.labels), g)
    if (s.name === `${f.name}_bucket`) {
      if (s.labels.le === undefined) throw new Error(`${f.name}_bucket without le`)
      g.buckets.push([parseValue(s.labels.le, s.name), s.value])
    } else if (s.name === `${f.name}_count`) g.count = s.value
    else if (s.name === `${f.name}_sum`) g.sum = s.value
    else throw new Error(`histogram ${f.name} has a sample named ${s.name}`)
  }
  if (groups.size === 0) throw new Error(`histogram ${f.name} has no samples`)
  for (const [labels, g] of groups) {
    const where = `${f.name}${labels}`
    if (g.count === undefined || g.sum === undefined) throw new Error(`${where}: _count or _sum missing`)
    if (g.buckets.length === 0) throw new Error(`${where}: no buckets`)
    for (let i = 1; i < g.buckets.length; i++) {
      const [le0, c0] = g.buckets[i - 1]!
      const [le1, c1] = g.buckets[i]!
      if (!(le1 > le0)) throw new Error(`${where}: buckets not in ascending le order (${le0} then ${le1})`)
      if (c1 < c0) throw new Error(`${where}: buckets not cumulative (${c0} then ${c1} at le=${le1})`)
    }
    const last = g.buckets[g.buckets.length - 1]!
    if (last[0] !== Infinity) throw new Error(`${where}: the last bucket is not le="+Inf"`)
    if (last[1] !== g.count) throw new Error(`${where}: +Inf bucket ${last[1]} differs from _count ${g.count}`)
  }
}

/** The value of one series, or undefined when the scrape does not have it. */
export const valueOf = (families: Map<string, Family>, name: string, labels: Record<string, string> = {}): number | undefined => {
  for (const f of families.values()) {
    for (const s of f.samples) {
      if (s.name !== name) continue
      const want = Object.entries(labels)
      if (want.length === Object.keys(s.labels).length && want.every(([k, v]) => s.labels[k] === v)) return s.value
    }
  }
  return undefined
}

// ---------------------------------------------------------------------------------------------

describe("the strict parser itself", () => {
  it("accepts a well-formed scrape and rejects the usual mistakes", () => {
    const good = [
      "# HELP a_total things", "# TYPE a_total counter", "a_total{op=\"x\\\"y\"} 3",
      "# TYPE h histogram", "h_bucket{le=\"0.1\"} 1", "h_bucket{le=\"1\"} 2", "h_bucket{le=\"+Inf\"} 2", "h_sum 0.7", "h_count 2", ""
    ].join("\n")
    const parsed = parsePrometheus(good)
    expect(valueOf(parsed, "a_total", { op: "x\"y" })).toBe(3)
    expect(valueOf(parsed, "h_count")).toBe(2)
    const bad: ReadonlyArray<readonly [string, RegExp]> = [
      ["x 1\n", /no TYPE/],
      ["# TYPE x gauge\nx 1", /newline/],
      ["# TYPE x gauge\nx{a=1} 1\n", /not quoted/],
      ["# TYPE x gauge\nx one\n", /not a number/],
      ["# TYPE x gauge\nx 1\nx 2\n", /twice/],
      ["# TYPE x gauge\n# TYPE y gauge\ny 1\nx 1\n", /not together/],
      ["# TYPE h histogram\nh_bucket{le=\"1\"} 2\nh_bucket{le=\"+Inf\"} 1\nh_sum 1\nh_count 1\n", /cumulative/],
      ["# TYPE h histogram\nh_bucket{le=\"1\"} 1\nh_bucket{le=\"+Inf\"} 1\nh_sum 1\nh_count 2\n", /differs from _count/],
      ["# TYPE h histogram\nh_bucket{le=\"1\"} 1\nh_sum 1\nh_count 1\n", /\+Inf/],
      ["# TYPE c counter\nc -1\n", /below zero/]
    ]
    for (const [text, error] of bad) {
      expect(() => parsePrometheus(text), text).toThrow(error)
    }
  })
})

// ---------------------------------------------------------------------------------------------

const ENV = {
  SOULSPOT_SEARCH_TIMEOUT: "1 second",
  SOULSPOT_BREAKER_FAILURE_THRESHOLD: "2",
  SOULSPOT_BREAKER_RECOVERY_TIMEOUT: "30 seconds"
}

/** The service (workers off) and a simulator, both on the test's clock. */
const withService = <A, E, R>(body: (sim: SlskdSimulatorHandle) => Effect.Effect<A, E, R>) => Effect.gen(function*() {
  const sim = yield* makeSimulator({ apiKey: null, timings: { searchResponseWindowMs: 200, endedAtDelayMs: 100 } })
  return yield* body(sim).pipe(Effect.provide(AppTest({}, { ...ENV, SOULSPOT_SLSKD_URL: sim.url })))
})

const scrape = Effect.gen(function*() {
  const client = yield* HttpClient.HttpClient
  const r = yield* client.get("/metrics")
  expect(r.status).toBe(200)
  expect(r.headers["content-type"]).toBe("text/plain; version=0.0.4; charset=utf-8")
  return parsePrometheus(yield* r.text)
}).pipe(Effect.orDie)

/** Real, bounded polling: a disconnect reaches the server a moment after the client hangs up. */
const eventually = <A, R>(value: Effect.Effect<A, never, R>, ok: (a: A) => boolean, ms = 3_000) => Effect.gen(function*() {
  const deadline = Date.now() + ms
  let last = yield* value
  while (!ok(last)) {
    if (Date.now() > deadline) return yield* Effect.dieMessage(`still ${JSON.stringify(last)} after ${ms} ms`)
    yield* Effect.promise(() => new Promise((r) => setTimeout(r, 10)))
    last = yield* value
  }
  return last
})

const read = (name: string, labels: Record<string, string> = {}) => Effect.map(scrape, (m) => valueOf(m, name, labels) ?? 0)

const postJson = (path: string, body: unknown) => Effect.flatMap(HttpClient.HttpClient, (c) =>
  c.execute(HttpClientRequest.post(path).pipe(HttpClientRequest.bodyUnsafeJson(body)))).pipe(
  Effect.flatMap((r) => Effect.map(r.json, (json) => ({ status: r.status, json: json as { id: string; status: string } }))),
  Effect.orDie)

describe("GET /metrics", () => {
  it.scoped("a scrape parses strictly and names every family an operator looks at", () =>
    withService(() => Effect.gen(function*() {
      const provider = yield* DownloadProvider
      const sync = yield* StatusSync
      yield* provider.getStatus.pipe(Effect.orDie)
      yield* sync.tick
      const m = yield* scrape
      const types = Object.fromEntries([...m.values()].map((f) => [f.name, f.type]))
      expect(types).toMatchObject({
        soulspot_downloads: "gauge",
        soulspot_breaker_open: "gauge",
        soulspot_breaker_failures: "gauge",
        soulspot_search_next_slot_seconds: "gauge",
        soulspot_slskd_requests_total: "counter",
        soulspot_slskd_request_seconds: "histogram",
        soulspot_sync_tick_seconds: "histogram",
        soulspot_sse_clients: "gauge"
      })
      for (const status of ["WAITING", "PENDING", "QUEUED", "DOWNLOADING", "COMPLETED", "FAILED", "CANCELLED"]) {
        expect(valueOf(m, "soulspot_downloads", { status }), status).toBe(0)
      }
      expect(valueOf(m, "soulspot_sync_tick_seconds_count")).toBeGreaterThanOrEqual(1)
      for (const f of m.values()) expect(f.help, `HELP of ${f.name}`).toBeTruthy()
      expect(valueOf(m, "soulspot_sse_clients")).toBe(0)
      // Effect's count of live fibers goes up and down: only ever-growing counters are typed counter
      if (m.has("effect_fiber_active")) expect(m.get("effect_fiber_active")!.type).toBe("gauge")
      expect(m.get("effect_fiber_started")?.type ?? "counter").toBe("counter")
    })))

  it.scoped("soulspot_sse_clients counts open event streams", () =>
    withService(() => Effect.gen(function*() {
      const server = yield* HttpServer.HttpServer
      const port = server.address._tag === "TcpAddress" ? server.address.port : 0
      const before = yield* read("soulspot_sse_clients")
      const controller = new AbortController()
      yield* Effect.addFinalizer(() => Effect.sync(() => controller.abort()))
      const response = yield* Effect.promise(() => fetch(`http://127.0.0.1:${port}/api/downloads/manager/events`, { signal: controller.signal }))
      expect(response.status).toBe(200)
      yield* eventually(read("soulspot_sse_clients"), (n) => n === before + 1)
      controller.abort()
      yield* eventually(read("soulspot_sse_clients"), (n) => n === before)
    })))

  it.scoped("soulspot_downloads follows a download from WAITING to CANCELLED", () =>
    withService(() => Effect.gen(function*() {
      const client = yield* HttpClient.HttpClient
      const waiting = () => read("soulspot_downloads", { status: "WAITING" })
      const cancelled = () => read("soulspot_downloads", { status: "CANCELLED" })
      expect(yield* waiting()).toBe(0)
      const created = yield* postJson("/api/downloads", { title: "Angel", artist: "Massive Attack" })
      expect(created.status).toBe(201)
      expect(created.json.status).toBe("WAITING")
      expect(yield* waiting()).toBe(1)
      expect((yield* postJson("/api/downloads", { title: "Teardrop", artist: "Massive Attack" })).status).toBe(201)
      expect(yield* waiting()).toBe(2)
      expect(yield* cancelled()).toBe(0)
      const r = yield* client.del(`/api/downloads/${created.json.id}`).pipe(Effect.orDie)
      expect(r.status).toBe(200)
      expect(yield* waiting()).toBe(1)
      expect(yield* cancelled()).toBe(1)
    })))

  it.scoped("slskd calls are counted by operation and outcome, with their latency", () =>
    withService((sim) => Effect.gen(function*() {
      const provider = yield* DownloadProvider
      const ok = (operation: string) => read("soulspot_slskd_requests_total", { operation, outcome: "ok" })
      const latencyCount = (operation: string) => read("soulspot_slskd_request_seconds_count", { operation })
      const [listBefore, listLatencyBefore, searchBefore, searchesBefore] =
        [yield* ok("list_transfers"), yield* latencyCount("list_transfers"), yield* ok("search"), yield* read("soulspot_searches_total")]

      yield* provider.getStatus.pipe(Effect.orDie)
      yield* provider.getStatus.pipe(Effect.orDie)
      expect(yield* ok("list_transfers")).toBe(listBefore + 2)
      expect(yield* latencyCount("list_transfers")).toBe(listLatencyBefore + 2)

      const responses = yield* withTime(provider.search("Massive Attack Teardrop").pipe(Effect.orDie), { limit: "1 minute" })
      expect(responses.length).toBeGreaterThan(0)
      expect(yield* ok("search")).toBe(searchBefore + 1)
      expect(yield* read("soulspot_searches_total")).toBe(searchesBefore + 1)
      expect(yield* latencyCount("search")).toBeGreaterThanOrEqual(1)

      // a failing call is counted under its reason, not as ok
      const failedBefore = (yield* scrape).get("soulspot_slskd_requests_total")!.samples
        .filter((s) => s.labels.operation === "list_transfers" && s.labels.outcome !== "ok").reduce((n, s) => n + s.value, 0)
      yield* sim.control.failNext(1, 500)
      yield* provider.getStatus.pipe(Effect.flip)
      const after = (yield* scrape).get("soulspot_slskd_requests_total")!.samples
        .filter((s) => s.labels.operation === "list_transfers" && s.labels.outcome !== "ok")
      expect(after.reduce((n, s) => n + s.value, 0)).toBe(failedBefore + 1)
      expect(yield* ok("list_transfers")).toBe(listBefore + 2)
    })))

  it.scoped("the breaker gauges: failures count up, the circuit opens at the threshold and closes after a good probe", () =>
    withService((sim) => Effect.gen(function*() {
      const provider = yield* DownloadProvider
      expect(yield* read("soulspot_breaker_open")).toBe(0)
      expect(yield* read("soulspot_breaker_failures")).toBe(0)
      yield* sim.control.failNext(1, 503)
      yield* provider.getStatus.pipe(Effect.flip)
      expect(yield* read("soulspot_breaker_failures")).toBe(1)
      expect(yield* read("soulspot_breaker_open")).toBe(0)
      yield* sim.control.setDown(true)
      yield* provider.getStatus.pipe(Effect.flip)
      expect(yield* read("soulspot_breaker_failures")).toBe(2)
      expect(yield* read("soulspot_breaker_open")).toBe(2)
      // open: calls fail fast without reaching slskd
      const requests = (yield* sim.control.requests).length
      yield* provider.getStatus.pipe(Effect.flip)
      expect((yield* sim.control.requests).length).toBe(requests)
      yield* sim.control.setDown(false)
      yield* TestClock.adjust("31 seconds")
      yield* provider.getStatus.pipe(Effect.orDie)
      expect(yield* read("soulspot_breaker_open")).toBe(0)
      expect(yield* read("soulspot_breaker_failures")).toBe(0)
    })))
})

