/**
 * Issue 6: fan-out of download events to 200 open SSE streams.
 *
 * The real app (AppLayer, workers off, 50,000 downloads in its database) runs in a child
 * process; 200 plain node:http clients in this process hold `/api/downloads/manager/events`
 * open and parse every frame. Then a download changes status 40 times through the REST API
 * (20 × POST /api/downloads → WAITING, each followed by DELETE → CANCELLED), and for each
 * change we time from just before the call to the moment the LAST of the 200 clients has
 * parsed the matching `download` event.
 *
 * Baseline (same run, same 200 clients, own child process): a plain node:http SSE server that
 * writes the same Download JSON to every open stream when told to (POST /emit): the cost of
 * fan-out alone, without the database, the event bus or Effect streams.
 *
 *   node --import tsx bench/sse.bench.ts
 */
import { type ClientRequest, createServer, type IncomingMessage, request, type ServerResponse } from "node:http"
import { join } from "node:path"
import { performance } from "node:perf_hooks"
import { fileURLToPath } from "node:url"
import {
  benchResult, bulkInsertDownloads, childMemory, closedPort, httpRequest, migrateDb, mib, mixTotal, ms, printTable, ratio, REALISTIC_MIX,
  roleOf, round, serveBaseline, rssOf, runAppServer, sleep, startApp, startRole, summarize, type Summary, tempDir, times
} from "./support.js"

const SELF = fileURLToPath(import.meta.url)
const CLIENTS = 200
const ROUNDS = 20
/** Pause between changes, so the stats event each burst triggers (after 250 ms) is not mixed into the next one. */
const PAUSE_MS = 350
const EVENTS_PATH = "/api/downloads/manager/events"

// ---------------------------------------------------------------------------------------------
// Baseline SSE server

const runBaselineSse = () => {
  const streams = new Set<ServerResponse>()
  let seq = 0
  const server = createServer((req, res) => {
    if (req.method === "GET" && req.url === EVENTS_PATH) {
      res.writeHead(200, { "content-type": "text/event-stream", "cache-control": "no-cache", connection: "keep-alive" })
      res.write("retry: 3000\n\n")
      res.write(`id: ${seq}\nevent: stats\ndata: {}\n\n`)
      streams.add(res)
      req.on("close", () => streams.delete(res))
      return
    }
    if (req.method === "POST" && req.url === "/emit") {
      const chunks: Array<Buffer> = []
      req.on("data", (c: Buffer) => chunks.push(c))
      req.on("end", () => {
        const data = Buffer.concat(chunks).toString("utf8")
        const frame = `id: ${++seq}\nevent: download\ndata: ${data}\n\n`
        for (const s of streams) s.write(frame)
        res.writeHead(204).end()
      })
      return
    }
    res.writeHead(404).end()
  })
  serveBaseline(server, streams)
}

// ---------------------------------------------------------------------------------------------
// 200 SSE clients

interface Arrival {
  count: number
  last: number
  resolve?: () => void
}

class Clients {
  readonly arrivals = new Map<string, Arrival>()
  readonly requests: Array<ClientRequest> = []
  readonly responses: Array<IncomingMessage> = []
  opened = 0
  frames = 0

  /** Opens n streams; resolves once each has received its opening frames (a `stats` event). */
  open(port: number, n: number): Promise<number> {
    const started = performance.now()
    return new Promise((resolve, reject) => {
      let ready = 0
      for (let i = 0; i < n; i++) {
        const req = request({ host: "127.0.0.1", port, path: EVENTS_PATH, agent: false, headers: { accept: "text/event-stream" } }, (res) => {
          this.responses.push(res)
          if (res.statusCode !== 200) reject(new Error(`SSE answered ${res.statusCode}`))
          res.setEncoding("utf8")
          let buffer = ""
          let gotStats = false
          res.on("data", (chunk: string) => {
            buffer += chunk
            let end: number
            while ((end = buffer.indexOf("\n\n")) >= 0) {
              const frame = buffer.slice(0, end)
              buffer = buffer.slice(end + 2)
              this.frames++
              let event = "message"
              const data: Array<string> = []
              for (const line of frame.split("\n")) {
                if (line.startsWith("event:")) event = line.slice(6).trim()
                else if (line.startsWith("data:")) data.push(line.slice(5).replace(/^ /, ""))
              }
              if (event === "stats" && !gotStats) {
                gotStats = true
                if (++ready === n) resolve(performance.now() - started)
              } else if (event === "download") {
                const d = JSON.parse(data.join("\n")) as { id: string; status: string }
                this.arrived(`${d.id}:${d.status}`, n)
              }
            }
          })
          res.on("error", () => undefined)
        })
        req.on("error", (e) => {
          if (!closing) reject(e)
        })
        req.end()
        this.requests.push(req)
        this.opened++
      }
    })
  }

  private arrived(key: string, n: number) {
    const now = performance.now()
    let a = this.arrivals.get(key)
    if (!a) {
      a = { count: 0, last: 0 }
      this.arrivals.set(key, a)
    }
    a.count++
    a.last = now
    if (a.count === n) a.resolve?.()
  }

  /** Resolves with the arrival time at the last client (or NaN after the timeout). */
  waitAll(key: string, n: number, timeoutMs = 10_000): Promise<number> {
    let a = this.arrivals.get(key)
    if (!a) {
      a = { count: 0, last: 0 }
      this.arrivals.set(key, a)
    }
    const entry = a
    if (entry.count >= n) return Promise.resolve(entry.last)
    return new Promise((resolve) => {
      const timer = setTimeout(() => resolve(NaN), timeoutMs)
      entry.resolve = () => {
        clearTimeout(timer)
        resolve(entry.last)
      }
    })
  }

  close() {
    for (const r of this.requests) r.destroy()
  }
}

let closing = false

interface Sample {
  readonly kind: "create" | "cancel"
  /** change call → last client */
  readonly fanout: number
  /** the REST call's own round trip */
  readonly call: number
}

// ---------------------------------------------------------------------------------------------

const main = async () => {
  console.log(`SSE fan-out: ${CLIENTS} clients on ${EVENTS_PATH}, ${ROUNDS * 2} status changes through the REST API ` +
    `(${mixTotal(REALISTIC_MIX).toLocaleString("en")} downloads in the database)`)
  const dir = tempDir("sse")
  const db = join(dir, "soulspot.db")
  await migrateDb(db)
  bulkInsertDownloads(db, REALISTIC_MIX)

  // ---- the app --------------------------------------------------------------------------------
  const app = await startApp(SELF, db, `http://127.0.0.1:${await closedPort()}`)
  await sleep(1000)
  const memIdle = await childMemory(app.child)
  const clients = new Clients()
  const connectMs = await clients.open(app.port, CLIENTS)
  await sleep(1000)
  const memConnected = await childMemory(app.child)

  const samples: Array<Sample> = []
  const payloads: Array<{ key: string; body: string }> = []
  let missing = 0
  for (let i = 0; i < ROUNDS; i++) {
    let t0 = performance.now()
    const created = await httpRequest(app.port, "POST", "/api/downloads", {
      title: `Fan-out ${i} ${Date.now()}`, artist: "SSE Bench", album: "Latency", duration_ms: 200_000
    })
    let call = performance.now() - t0
    if (created.status !== 201) throw new Error(`POST /api/downloads answered ${created.status}: ${created.body}`)
    const d = JSON.parse(created.body) as { id: string; status: string }
    let last = await clients.waitAll(`${d.id}:${d.status}`, CLIENTS)
    if (Number.isNaN(last)) missing++
    samples.push({ kind: "create", fanout: last - t0, call })
    payloads.push({ key: `${d.id}:${d.status}`, body: created.body })
    await sleep(PAUSE_MS)

    t0 = performance.now()
    const cancelled = await httpRequest(app.port, "DELETE", `/api/downloads/${d.id}`)
    call = performance.now() - t0
    if (cancelled.status !== 200) throw new Error(`DELETE answered ${cancelled.status}: ${cancelled.body}`)
    const c = JSON.parse(cancelled.body) as { id: string; status: string }
    last = await clients.waitAll(`${c.id}:${c.status}`, CLIENTS)
    if (Number.isNaN(last)) missing++
    samples.push({ kind: "cancel", fanout: last - t0, call })
    payloads.push({ key: `${c.id}:${c.status}`, body: cancelled.body })
    await sleep(PAUSE_MS)
  }
  const memAfter = await childMemory(app.child)
  const appFrames = clients.frames
  closing = true
  clients.close()
  await sleep(500)
  const memClosed = await childMemory(app.child)
  const appStop = await app.child.stop()
  closing = false

  // ---- the baseline ---------------------------------------------------------------------------
  const base = startRole(SELF, "--role=sse-baseline")
  const basePort = Number((await base.waitFor(/PORT (\d+)/))[1])
  await sleep(500)
  const baseRssIdle = rssOf(base.pid)
  const baseClients = new Clients()
  const baseConnectMs = await baseClients.open(basePort, CLIENTS)
  await sleep(1000)
  const baseRssConnected = rssOf(base.pid)
  const baseSamples: Array<number> = []
  for (const p of payloads) {
    const t0 = performance.now()
    const r = await httpRequest(basePort, "POST", "/emit", JSON.parse(p.body))
    if (r.status !== 204) throw new Error(`baseline /emit answered ${r.status}`)
    const last = await baseClients.waitAll(p.key, CLIENTS)
    baseSamples.push(last - t0)
    await sleep(PAUSE_MS)
  }
  closing = true
  baseClients.close()
  await base.stop()

  // ---- report ---------------------------------------------------------------------------------
  const all = summarize(samples.map((s) => s.fanout))
  const creates = summarize(samples.filter((s) => s.kind === "create").map((s) => s.fanout))
  const cancels = summarize(samples.filter((s) => s.kind === "cancel").map((s) => s.fanout))
  const calls = summarize(samples.map((s) => s.call))
  const baseline = summarize(baseSamples)
  const row = (name: string, s: Summary, withRatio = true) =>
    [name, String(s.n), ms(s.median), ms(s.p95), ms(s.max), withRatio ? times(ratio(s.median, baseline.median)) : ""]
  printTable(`change → last of ${CLIENTS} clients has the event (ms)`, ["what", "n", "median", "p95", "max", "vs baseline"], [
    row("app: all changes", all),
    row("app: POST /api/downloads (→ WAITING)", creates),
    row("app: DELETE /api/downloads/{id} (→ CANCELLED)", cancels),
    row("app: the REST call alone (round trip)", calls, false),
    row("baseline: plain node:http fan-out", baseline)
  ])
  if (missing > 0) console.log(`  ${missing} change(s) did not reach every client within 10 s (counted as NaN)`)
  printTable("memory of the server process (app: heap after a full GC and VmRSS; baseline: VmRSS)",
    ["server", "idle", `${CLIENTS} clients`, "after changes", "clients gone", "per client"], [
      ["app heap", mib(memIdle.heapUsed), mib(memConnected.heapUsed), mib(memAfter.heapUsed), mib(memClosed.heapUsed),
        `${((memConnected.heapUsed - memIdle.heapUsed) / CLIENTS / 1024).toFixed(0)} KiB`],
      ["app RSS", mib(memIdle.rss), mib(memConnected.rss), mib(memAfter.rss), mib(memClosed.rss),
        `${((memConnected.rss - memIdle.rss) / CLIENTS / 1024).toFixed(0)} KiB`],
      ["baseline RSS", mib(baseRssIdle), mib(baseRssConnected), "", "", `${((baseRssConnected - baseRssIdle) / CLIENTS / 1024).toFixed(0)} KiB`]
    ])
  console.log(`connecting ${CLIENTS} clients until each had its opening stats event: app ${ms(connectMs)} ms, baseline ${ms(baseConnectMs)} ms`)
  console.log(`app SIGTERM → exit ${appStop.code ?? appStop.signal} in ${ms(appStop.millis)} ms; ` +
    `frames parsed from the app: ${appFrames}`)

  benchResult("sse", {
    clients: CLIENTS, changes: samples.length, missing,
    fanout_ms: { median: round(all.median), p95: round(all.p95), max: round(all.max) },
    create_ms: round(creates.median), cancel_ms: round(cancels.median), rest_call_ms: round(calls.median),
    baseline_ms: { median: round(baseline.median), p95: round(baseline.p95), max: round(baseline.max) },
    app_vs_baseline: round(ratio(all.median, baseline.median)),
    connect_ms: { app: round(connectMs), baseline: round(baseConnectMs) },
    app_heap_mib: [memIdle, memConnected, memAfter, memClosed].map((m) => round(m.heapUsed / 1048576, 1)),
    rss_mib: {
      app_idle: round(memIdle.rss / 1048576, 1), app_clients: round(memConnected.rss / 1048576, 1), app_after: round(memAfter.rss / 1048576, 1),
      app_clients_gone: round(memClosed.rss / 1048576, 1),
      baseline_idle: round(baseRssIdle / 1048576, 1), baseline_clients: round(baseRssConnected / 1048576, 1)
    }
  })
}

const role = roleOf(process.argv)
if (role === "app") void runAppServer(process.argv[3]!, { slskdUrl: process.argv[4]! })
else if (role === "sse-baseline") runBaselineSse()
else {
  main().then(() => process.exit(0), (e) => {
    console.error(e)
    process.exit(1)
  })
}
