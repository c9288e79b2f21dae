/**
 * SSE fan-out to 200 open streams during a 10,000-track ingest, on a queue of 100,000 downloads.
 *
 * The real app (AppLayer on the service's HTTP server layer, workers off, the shipped memory
 * settings) runs in a child process; 200 plain node:http clients in this process hold
 * `/api/downloads/manager/events` open and parse every frame. The ingest is what a user sends:
 * one `POST /api/downloads/batch` of 10,000 new tracks (validated, stored and queued in one
 * transaction). We time from sending it to the moment the LAST client has a `stats` event with
 * the final total, and count what each client had to read on the way (the stream folds the
 * burst into one `refresh` hint).
 *
 * Baseline (same run, same clients, own child process): a plain node:http SSE server with
 * better-sqlite3 on a copy of the same file that, on POST /ingest, inserts the same 10,000 rows in
 * one transaction, reads the kept counts and writes one stats frame to every stream.
 *
 *   npm run bench -- ingest
 */
import Database from "better-sqlite3"
import { randomUUID } from "node:crypto"
import { copyFileSync } from "node:fs"
import { type ClientRequest, createServer, request, type ServerResponse } from "node:http"
import { join } from "node:path"
import { performance } from "node:perf_hooks"
import { fileURLToPath } from "node:url"
import {
  benchResult, BIG_QUEUE_MIX, bulkInsertDownloads, closedPort, httpRequest, migrateDb, mixTotal, ms, percentile, printTable, ratio,
  roleOf, round, runAppServer, serveBaseline, startApp, startRole, tempDir, times
} from "./support.js"

const SELF = fileURLToPath(import.meta.url)
const CLIENTS = 200
const INGEST = 10_000
const EVENTS_PATH = "/api/downloads/manager/events"

// ---------------------------------------------------------------------------------------------
// ---------------------------------------------------------------------------------------------
// Baseline: node:http SSE + better-sqlite3, one stats frame after the insert

const runBaseline = (file: string) => {
  const db = new Database(file)
  db.pragma("busy_timeout = 5000")
  const streams = new Set<ServerResponse>()
  let seq = 0
  const counts = db.prepare("SELECT status, n FROM download_counts")
  const stats = () => {
    const rows = counts.all() as Array<{ status: string; n: number }>
    return { total: rows.reduce((a, r) => a + r.n, 0), waiting: rows.find((r) => r.status === "WAITING")?.n ?? 0 }
  }
  const insTrack = db.prepare(`INSERT INTO tracks (id, request_key, title, artist, album, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?)`)
  const insDownload = db.prepare(`INSERT INTO downloads (id, track_id, status, priority, quality_profile, created_at, updated_at)
    VALUES (?, ?, 'WAITING', 0, 'balanced', ?, ?)`)
  const ingest = db.transaction(() => {
    const now = new Date().toISOString()
    for (let i = 0; i < INGEST; i++) {
      const id = randomUUID()
      insTrack.run(id, `ingest|${i}`, `Ingested ${i}`, `Ingest Artist ${i % 40}`, `Ingest Album ${Math.floor(i / 12)}`, now, now)
      insDownload.run(randomUUID(), id, now, now)
    }
  })
  const server = createServer((req, res) => {
    if (req.method === "GET" && req.url === EVENTS_PATH) {
      res.writeHead(200, { "content-type": "text/event-stream", "cache-control": "no-cache", connection: "keep-alive" })
      res.write(`retry: 3000\n\nid: ${seq}\nevent: stats\ndata: ${JSON.stringify(stats())}\n\n`)
      streams.add(res)
      req.on("close", () => streams.delete(res))
      return
    }
    if (req.method === "POST" && req.url === "/ingest") {
      ingest()
      const frame = `id: ${++seq}\nevent: stats\ndata: ${JSON.stringify(stats())}\n\n`
      for (const s of streams) s.write(frame)
      res.writeHead(204).end()
      return
    }
    res.writeHead(404).end()
  })
  serveBaseline(server, streams)
}

// ---------------------------------------------------------------------------------------------
// 200 clients: when did each see the final total, and how much did it read until then?

interface ClientState {
  frames: number
  bytes: number
  events: Record<string, number>
  doneAt: number
}

const openClients = (port: number, n: number, target: () => number): Promise<{ states: Array<ClientState>; requests: Array<ClientRequest> }> =>
  new Promise((resolve, reject) => {
    const states: Array<ClientState> = []
    const requests: Array<ClientRequest> = []
    let ready = 0
    for (let i = 0; i < n; i++) {
      const state: ClientState = { frames: 0, bytes: 0, events: {}, doneAt: NaN }
      states.push(state)
      let opened = false
      const req = request({ host: "127.0.0.1", port, path: EVENTS_PATH, agent: false }, (res) => {
        res.setEncoding("utf8")
        let buffer = ""
        res.on("data", (chunk: string) => {
          state.bytes += Buffer.byteLength(chunk)
          buffer += chunk
          let end: number
          while ((end = buffer.indexOf("\n\n")) >= 0) {
            const frame = buffer.slice(0, end)
            buffer = buffer.slice(end + 2)
            let event = ""
            let data = ""
            for (const line of frame.split("\n")) {
              if (line.startsWith("event:")) event = line.slice(6).trim()
              else if (line.startsWith("data:")) data += line.slice(5).trim()
            }
            if (event === "") continue
            state.frames++
            state.events[event] = (state.events[event] ?? 0) + 1
            if (event === "stats") {
              if (!opened) {
                opened = true
                if (++ready === n) resolve({ states, requests })
              } else if (Number.isNaN(state.doneAt) && (JSON.parse(data) as { total: number }).total >= target()) {
                state.doneAt = performance.now()
              }
            }
          }
        })
        res.on("error", () => undefined)
      })
      req.on("error", (e) => {
        if (!opened) reject(e)
      })
      req.end()
      requests.push(req)
    }
  })

const measure = async (name: string, port: number, total: number, trigger: () => void) => {
  const target = total + INGEST
  const { states, requests } = await openClients(port, CLIENTS, () => target)
  for (const s of states) {
    s.frames = 0
    s.bytes = 0
    s.events = {}
  }
  const started = performance.now()
  trigger()
  const deadline = started + 120_000
  while (states.some((s) => Number.isNaN(s.doneAt)) && performance.now() < deadline) await new Promise((r) => setTimeout(r, 5))
  const times = states.map((s) => s.doneAt - started)
  for (const r of requests) r.destroy()
  const mean = (f: (s: ClientState) => number) => states.reduce((a, s) => a + f(s), 0) / states.length
  const events: Record<string, number> = {}
  for (const s of states) for (const [k, v] of Object.entries(s.events)) events[k] = (events[k] ?? 0) + v / states.length
  console.log(`${name}: all ${CLIENTS} clients had the final counts after ${ms(Math.max(...times))} ms; per client ${mean((s) => s.frames).toFixed(1)} frames, ` +
    `${(mean((s) => s.bytes) / 1024).toFixed(1)} KiB (${Object.entries(events).map(([k, v]) => `${k} ${v.toFixed(1)}`).join(", ")})`)
  return {
    last_ms: Math.max(...times), p50_ms: percentile(times, 50), missing: times.filter((t) => Number.isNaN(t)).length,
    frames_per_client: mean((s) => s.frames), kib_per_client: mean((s) => s.bytes) / 1024, events_per_client: events
  }
}

const main = async () => {
  console.log(`SSE fan-out: ${CLIENTS} streams during an ingest of ${INGEST.toLocaleString("en")} tracks into a queue of ${mixTotal(BIG_QUEUE_MIX).toLocaleString("en")} downloads`)
  const dir = tempDir("ingest")
  const appDb = join(dir, "app.db")
  await migrateDb(appDb)
  const loaded = bulkInsertDownloads(appDb, BIG_QUEUE_MIX)
  const baseDb = join(dir, "baseline.db")
  copyFileSync(appDb, baseDb)
  console.log(`loaded ${loaded.rows.toLocaleString("en")} downloads in ${ms(loaded.millis)} ms`)

  const { child: app, port: appPort } = await startApp(SELF, appDb, `http://127.0.0.1:${await closedPort()}`)
  const total = (JSON.parse((await httpRequest(appPort, "GET", "/api/downloads/manager/stats")).body) as { total: number }).total
  const tracks = Array.from({ length: INGEST }, (_, i) => ({ title: `Ingested ${i}`, artist: `Ingest Artist ${i % 40}`, album: `Ingest Album ${Math.floor(i / 12)}` }))
  let answered: Promise<number> = Promise.resolve(NaN)
  const appFigures = await measure("app", appPort, total, () => {
    const sent = performance.now()
    answered = httpRequest(appPort, "POST", "/api/downloads/batch", { tracks }).then((r) => {
      if (r.status !== 200) throw new Error(`the batch answered ${r.status}: ${r.body.slice(0, 300)}`)
      return performance.now() - sent
    })
  })
  const ingestMs = await answered
  console.log(`app: POST /api/downloads/batch of ${INGEST.toLocaleString("en")} tracks answered after ${ms(ingestMs)} ms`)
  await app.stop()

  const baseline = startRole(SELF, "--role=baseline", [baseDb])
  const basePort = Number((await baseline.waitFor(/PORT (\d+)/))[1])
  const baseFigures = await measure("baseline", basePort, total, () => void httpRequest(basePort, "POST", "/ingest"))
  await baseline.stop()

  printTable(`time until all ${CLIENTS} clients have the final counts (ms)`, ["server", "last client", "p50 client", "frames/client", "KiB/client"], [
    ["app", ms(appFigures.last_ms), ms(appFigures.p50_ms), appFigures.frames_per_client.toFixed(1), appFigures.kib_per_client.toFixed(1)],
    ["baseline", ms(baseFigures.last_ms), ms(baseFigures.p50_ms), baseFigures.frames_per_client.toFixed(1), baseFigures.kib_per_client.toFixed(1)]
  ])
  console.log(`app / baseline (last client): ${times(ratio(appFigures.last_ms, baseFigures.last_ms))}`)
  benchResult("ingest", {
    clients: CLIENTS, ingest: INGEST, downloads_before: total, app_batch_answered_ms: round(ingestMs),
    app: { ...appFigures, last_ms: round(appFigures.last_ms), p50_ms: round(appFigures.p50_ms) },
    baseline: { ...baseFigures, last_ms: round(baseFigures.last_ms), p50_ms: round(baseFigures.p50_ms) }
  })
}

const role = roleOf(process.argv)
if (role === "app") void runAppServer(process.argv[3]!, { slskdUrl: process.argv[4]! })
else if (role === "baseline") runBaseline(process.argv[3]!)
else {
  main().then(() => process.exit(0), (e) => {
    console.error(e)
    process.exit(1)
  })
}
