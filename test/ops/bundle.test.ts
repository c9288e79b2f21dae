/**
 * The single-file build runs on its own: `scripts/build.ts` into a temp dir, then only the
 * bundle, static/, migrations/, vendor/ and the native SQLite binding (as the Dockerfile copies
 * them) in a fresh directory, started with plain `node soulspot.mjs`.
 */
import Database from "better-sqlite3"
import { execFileSync } from "node:child_process"
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { Worker } from "node:worker_threads"
import { afterAll, afterEach, describe, expect, it } from "vitest"
import { killAll, listeningPort, startNode } from "./child.js"

const root = mkdtempSync(join(tmpdir(), "soulspot-bundle-"))
afterEach(() => killAll())
afterAll(() => {
  killAll()
  rmSync(root, { recursive: true, force: true })
})

/** As the Dockerfile does: the binding without its sources and object files. */
const copyModule = (name: string, to: string) =>
  cpSync(join("node_modules", name), join(to, "node_modules", name), {
    recursive: true,
    filter: (src) => !/node_modules\/better-sqlite3\/(deps|src)(\/|$)|\/build\/Release\/obj/.test(src)
  })

describe("the bundle", () => {
  it("builds, and runs from a directory holding nothing else: page, htmx, health, migrations; SIGTERM exits 0", async () => {
    const build = join(root, "build")
    const started = Date.now()
    const log = execFileSync(process.execPath, ["--import", "tsx", "scripts/build.ts", "--outdir", build], { encoding: "utf8", timeout: 60_000 })
    expect(log).toMatch(/built .*soulspot\.mjs/)
    console.log(`build: ${Date.now() - started} ms, ${log.trim()}`)
    expect(readdirSync(build).sort()).toEqual(["audio-worker.mjs", "migrations", "soulspot.mjs", "static", "vendor"])

    const app = join(root, "app")
    mkdirSync(app)
    for (const entry of ["soulspot.mjs", "audio-worker.mjs", "static", "migrations", "vendor"]) cpSync(join(build, entry), join(app, entry), { recursive: true })
    for (const m of ["better-sqlite3", "bindings", "file-uri-to-path"]) copyModule(m, app)
    expect(existsSync(join(app, "node_modules", "better-sqlite3", "src"))).toBe(false)

    // the audio worker thread the server starts for tags and digests loads from its own file
    const reply = await new Promise<unknown>((ok, ko) => {
      const w = new Worker(join(app, "audio-worker.mjs"))
      w.once("message", (m) => void w.terminate().then(() => ok(m)))
      w.once("error", ko)
      w.postMessage({ id: 1, job: { kind: "digest", path: join(import.meta.dirname, "../fixtures/audio/track.mp3"), format: "mp3" } })
    })
    expect(reply).toMatchObject({ id: 1, ok: true, value: expect.stringMatching(/^[0-9a-f]{64}$/) })

    const db = join(app, "data", "x.db")
    const service = startNode(["soulspot.mjs"], {
      cwd: app,
      env: { SOULSPOT_PORT: "0", SOULSPOT_HOST: "127.0.0.1", SOULSPOT_DB: db, SOULSPOT_SLSKD_URL: "http://127.0.0.1:9", NODE_PATH: "" }
    })
    const port = await listeningPort(service)
    const get = async (path: string) => {
      const r = await fetch(`http://127.0.0.1:${port}${path}`)
      return { status: r.status, type: r.headers.get("content-type") ?? "", text: await r.text() }
    }

    const page = await get("/download-manager")
    expect(page.status).toBe(200)
    expect(page.type).toMatch(/text\/html/)
    expect(page.text).toMatch(/<html/i)
    expect(page.text).toContain("/vendor/htmx.min.js")
    const htmx = await get("/vendor/htmx.min.js")
    expect(htmx.status).toBe(200)
    expect(htmx.type).toMatch(/javascript/)
    expect(htmx.text.length).toBeGreaterThan(10_000)
    expect((await get("/vendor/sse.js")).status).toBe(200)
    // the API reference: its page, and the viewer from the file beside the bundle (not held in memory)
    const docs = await get("/docs")
    expect(docs.status).toBe(200)
    expect(docs.text).toContain('<script src="/vendor/scalar.js"></script>')
    expect(JSON.parse(/<script id="api-reference" type="application\/json"[^>]*>(.*?)<\/script>/s.exec(docs.text)?.[1] ?? "null")).toMatchObject({ openapi: "3.1.0" })
    const viewer = await get("/vendor/scalar.js")
    expect(viewer.status).toBe(200)
    expect(viewer.type).toMatch(/javascript/)
    expect(viewer.text.length).toBeGreaterThan(1_000_000)
    expect((await get("/static/app.css")).status).toBe(200)
    const health = await get("/api/downloads/manager/health")
    expect(health.status).toBe(200)
    expect(JSON.parse(health.text)).toMatchObject({ provider: "slskd", state: expect.stringMatching(/CLOSED|OPEN|HALF_OPEN/) })
    const queued = await fetch(`http://127.0.0.1:${port}/api/downloads`, {
      method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ title: "Angel", artist: "Massive Attack" })
    })
    expect(queued.status).toBe(201)

    const stopped = await service.stop("SIGTERM")
    expect(stopped, service.output().split("\n").slice(-15).join("\n")).toMatchObject({ code: 0, signal: null })
    expect(stopped.ms).toBeLessThan(5_000)

    const file = new Database(db, { readonly: true, fileMustExist: true })
    try {
      const tables = (file.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").all() as Array<{ name: string }>).map((t) => t.name)
      expect(tables).toEqual(expect.arrayContaining(["tracks", "downloads", "download_candidates", "app_settings", "albums", "effect_sql_migrations"]))
      const migrations = readdirSync(join(app, "migrations")).filter((f) => f.endsWith(".sql"))
      const applied = file.prepare("SELECT migration_id FROM effect_sql_migrations").all()
      expect(applied).toHaveLength(migrations.length)
      expect(file.prepare("SELECT count(*) AS n FROM downloads").get()).toEqual({ n: 1 })
    } finally {
      file.close()
    }
  }, 90_000)
})
