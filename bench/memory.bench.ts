/**
 * Resident memory of the service with 100,000 downloads (90 % WAITING), as users run it: the
 * bundle (`npm run build`, as in the container image) with the Node flags and glibc malloc
 * settings of scripts/runtime-tuning.ts. Same run, same database file, same load, one after
 * another: the bundle under plain `node` (what the tuning saves) and the plain node:http +
 * better-sqlite3 server of the HTTP bench (bench/baseline-reads.ts, answering only the JSON reads).
 *
 * Each server: RSS 5 s after start (workers running, slskd unreachable), the peak while 32
 * keep-alive clients loop over stats, the first active page, page 2 (cursor) and the full
 * Download Manager page for 8 s, and 2 s after the load. Repeated ROUNDS times, medians printed.
 *
 *   npm run bench -- memory
 */
import { execFileSync } from "node:child_process"
import { Agent, request } from "node:http"
import { join } from "node:path"
import { fileURLToPath } from "node:url"
import { GLIBC_TUNABLES, NODE_FLAGS } from "../scripts/runtime-tuning.js"
import { ACTIVE, runBaselineServer, STATS } from "./baseline-reads.js"
import {
  benchResult, BIG_QUEUE_MIX, bulkInsertDownloads, type Child, childEnv, closedPort, httpRequest, migrateDb, mib, mixTotal, ms, note,
  onCleanup, printTable, REPO_ROOT, roleOf, round, rssOf, sleep, startChild, startRole, tempDir
} from "./support.js"

const SELF = fileURLToPath(import.meta.url)
const CLIENTS = 32
const LOAD_SECONDS = 8
const ROUNDS = 3
const TARGET_MIB = 200
const PAGE = "/download-manager"

interface Figures {
  readonly idle: number
  readonly peak: number
  readonly after: number
  readonly requests: number
}

/** Closed loop over `paths` by `CLIENTS` keep-alive clients; RSS of `pid` sampled every 50 ms. */
const loadWhileSampling = async (port: number, pid: number, paths: ReadonlyArray<string>): Promise<{ peak: number; requests: number }> => {
  const agent = new Agent({ keepAlive: true, maxSockets: CLIENTS })
  let peak = rssOf(pid)
  const sampler = setInterval(() => { peak = Math.max(peak, rssOf(pid)) }, 50)
  const until = Date.now() + LOAD_SECONDS * 1000
  let requests = 0
  const get = (path: string) => new Promise<void>((res, rej) => {
    const r = request({ host: "127.0.0.1", port, path, agent }, (reply) => {
      if (reply.statusCode !== 200) rej(new Error(`${path} answered ${reply.statusCode}`))
      reply.resume()
      reply.on("end", () => res())
    })
    r.on("error", rej)
    r.end()
  })
  await Promise.all(Array.from({ length: CLIENTS }, async (_, i) => {
    for (let k = i; Date.now() < until; k++) {
      await get(paths[k % paths.length]!)
      requests++
    }
  }))
  clearInterval(sampler)
  agent.destroy()
  return { peak: Math.max(peak, rssOf(pid)), requests }
}

const measure = async (child: Child, port: number, paths: ReadonlyArray<string>): Promise<Figures> => {
  await sleep(5000)
  const idle = rssOf(child.pid)
  const { peak, requests } = await loadWhileSampling(port, child.pid, paths)
  await sleep(2000)
  const after = rssOf(child.pid)
  await child.stop()
  return { idle, peak, after, requests }
}

const median = (xs: ReadonlyArray<number>): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!

const main = async () => {
  console.log(`RSS with ${mixTotal(BIG_QUEUE_MIX).toLocaleString("en")} downloads: ${CLIENTS} keep-alive clients for ${LOAD_SECONDS} s, ` +
    `median of ${ROUNDS} rounds; flags ${NODE_FLAGS.join(" ")}, GLIBC_TUNABLES=${GLIBC_TUNABLES}`)
  const dir = tempDir("memory")
  const db = join(dir, "soulspot.db")
  await migrateDb(db)
  const loaded = bulkInsertDownloads(db, BIG_QUEUE_MIX)
  console.log(`loaded ${loaded.rows.toLocaleString("en")} downloads in ${ms(loaded.millis)} ms`)

  // The bundle, built where node finds the project's node_modules (better-sqlite3) by walking up.
  const build = join(REPO_ROOT, "node_modules", ".cache", "soulspot-bench-memory")
  onCleanup(() => execFileSync("rm", ["-rf", build]))
  execFileSync(process.execPath, ["--import", "tsx", "scripts/build.ts", "--outdir", build], { cwd: REPO_ROOT, stdio: "ignore" })
  const slskd = `http://127.0.0.1:${await closedPort()}`

  const startBundle = async (tuned: boolean) => {
    const env = childEnv({
      SOULSPOT_DB: db, SOULSPOT_PORT: "0", SOULSPOT_HOST: "127.0.0.1", SOULSPOT_SLSKD_URL: slskd,
      ...(tuned ? { GLIBC_TUNABLES } : {})
    })
    const child = startChild(process.execPath, [...(tuned ? NODE_FLAGS : []), join(build, "soulspot.mjs")], { cwd: build, env })
    const port = Number((await child.waitFor(/Listening on http:\/\/127\.0\.0\.1:(\d+)/))[1])
    return { child, port }
  }
  const pathsFor = async (port: number, withPage: boolean) => {
    const first = JSON.parse((await httpRequest(port, "GET", ACTIVE)).body) as { next_cursor: string }
    return [STATS, ACTIVE, `${ACTIVE}?cursor=${first.next_cursor}`, ...(withPage ? [PAGE] : [])]
  }

  const runs: Record<"tuned" | "plain" | "baseline", Array<Figures>> = { tuned: [], plain: [], baseline: [] }
  for (let round = 0; round < ROUNDS; round++) {
    for (const tuned of [true, false]) {
      const { child, port } = await startBundle(tuned)
      runs[tuned ? "tuned" : "plain"].push(await measure(child, port, await pathsFor(port, true)))
    }
    const base = startRole(SELF, "--role=baseline", [db])
    const port = Number((await base.waitFor(/PORT (\d+)/))[1])
    runs.baseline.push(await measure(base, port, await pathsFor(port, false)))
  }

  const summary = (key: keyof typeof runs) => {
    const r = runs[key]
    return { idle: median(r.map((x) => x.idle)), peak: median(r.map((x) => x.peak)), after: median(r.map((x) => x.after)), rps: median(r.map((x) => x.requests)) / LOAD_SECONDS }
  }
  const tuned = summary("tuned")
  const plain = summary("plain")
  const baseline = summary("baseline")
  const row = (label: string, s: ReturnType<typeof summary>) => [label, mib(s.idle), mib(s.peak), mib(s.after), s.rps.toFixed(0)]
  printTable("resident memory (VmRSS), medians", ["server", "idle", "peak under load", "2 s after load", "req/s"], [
    row("app, shipped settings", tuned),
    row("app, plain node", plain),
    row("baseline node:http (JSON reads only)", baseline)
  ])
  const met = tuned.peak < TARGET_MIB * 1048576 && tuned.after < TARGET_MIB * 1048576
  console.log(`target: under ${TARGET_MIB} MiB with the shipped settings: ${met ? "yes" : "NO"} ` +
    `(peak ${mib(tuned.peak)}, after the load ${mib(tuned.after)}); the settings save ${mib(plain.after - tuned.after)} after the load`)
  note("the app's load includes the full Download Manager page (first 50 active rows, 25 recent); the baseline answers only the JSON reads")
  const fig = (s: ReturnType<typeof summary>) => ({
    idle_mib: round(s.idle / 1048576, 1), peak_mib: round(s.peak / 1048576, 1), after_mib: round(s.after / 1048576, 1), rps: round(s.rps, 0)
  })
  benchResult("memory", {
    downloads: loaded.rows, clients: CLIENTS, seconds: LOAD_SECONDS, rounds: ROUNDS,
    app_shipped: fig(tuned), app_plain_node: fig(plain), baseline: fig(baseline),
    target_under_200_mib_met: met
  })
}

const role = roleOf(process.argv)
if (role === "baseline") runBaselineServer(process.argv[3]!)
else {
  main().then(() => process.exit(0), (e) => {
    console.error(e)
    process.exit(1)
  })
}
