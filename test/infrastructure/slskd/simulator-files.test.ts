import { describe, expect, it } from "@effect/vitest"
import { Effect } from "effect"
import { existsSync, mkdtempSync, readdirSync, statSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { destinationFolder, dotnetTicks, SimDownloads, writeSilentFlac } from "../../../src/dev/slskd-simulator/files.js"
import { makeSimulator } from "../../../src/dev/slskd-simulator/index.js"
import { probeAudio } from "../../../src/infrastructure/library/audio-file.js"

const transfer = (id: string, filename: string, size: number, lengthSeconds = 3) =>
  ({ id, username: "peer1", filename, size, lengthSeconds, json: { id, username: "peer1", filename, size, state: "Completed, Succeeded" } })

describe("the simulator's downloads folder", () => {
  it.each([
    ["@@abcde\\Music\\Artist\\Album\\01.flac", "Album"],
    ["@@abcde\\01.flac", ""],
    ["Music/Album/01.flac", "Album"],
    ["01.flac", ""]
  ])("%s goes to folder %j", (remote, folder) => {
    expect(destinationFolder(remote)).toBe(folder)
  })

  it("ticks have 18 digits", () => {
    expect(dotnetTicks(Date.UTC(2026, 0, 1))).toMatch(/^\d{18}$/)
  })

  it.each([[3_000, 1_000_000], [330_000, 43_912_402], [1_000, 9_000], [600_000, 60_000_000]])("a %i ms FLAC is exactly %i bytes", async (ms, size) => {
    const p = join(mkdtempSync(join(tmpdir(), "soulspot-simfiles-")), "x.flac")
    await writeSilentFlac(p, ms, size)
    expect(statSync(p).size).toBe(size)
    expect(await probeAudio(p)).toMatchObject({ format: "flac", durationMs: ms })
  })

  it("writes decodable files of the advertised size and length, _<ticks> on a collision, and logs events newest first", async () => {
    const dir = mkdtempSync(join(tmpdir(), "soulspot-simfiles-"))
    const dl = new SimDownloads(dir, 0)
    const first = await dl.complete(transfer("t1", "@@abcde\\Music\\Mezzanine\\01 Angel.flac", 1_000_000), Date.UTC(2026, 0, 1))
    const second = await dl.complete(transfer("t2", "x\\Mezzanine\\01 Angel.flac", 900_000), Date.UTC(2026, 0, 1, 0, 0, 1))
    const mp3 = await dl.complete(transfer("t3", "x\\Mezzanine\\02 Risingson.mp3", 200_000, 5), Date.UTC(2026, 0, 1, 0, 0, 2))
    expect(first).toBe(join(dir, "Mezzanine", "01 Angel.flac"))
    expect(second).toMatch(/Mezzanine\/01 Angel_\d{18}\.flac$/)
    expect(readdirSync(join(dir, "Mezzanine"))).toHaveLength(3)
    expect(statSync(first).size).toBe(1_000_000)
    expect(statSync(second).size).toBe(900_000)
    expect(statSync(mp3).size).toBe(200_000)
    expect(await probeAudio(first)).toMatchObject({ format: "flac", durationMs: 3000 })
    const m = await probeAudio(mp3)
    expect(m.format).toBe("mp3")
    expect(Math.abs(m.durationMs! - 5000)).toBeLessThan(100)
    const { records, total } = dl.page(0, 2)
    expect(total).toBe(3)
    expect(records.map((r) => JSON.parse(r.data).transfer.id)).toEqual(["t3", "t2"])
    expect(JSON.parse(records[1]!.data)).toMatchObject({ localFilename: second, remoteFilename: "x\\Mezzanine\\01 Angel.flac" })
  })

  it.scoped("serves GET /api/v0/events (X-Total-Count, data as a JSON string) and /api/v0/options", () => Effect.gen(function*() {
    const dir = mkdtempSync(join(tmpdir(), "soulspot-simfiles-"))
    const sim = yield* makeSimulator({ downloadsDir: dir })
    yield* Effect.promise(() => sim.control.downloads!.complete(transfer("t9", "a\\Album\\01.flac", 50_000), Date.now()))
    const headers = { "X-API-Key": sim.apiKey! }
    const events = yield* Effect.promise(() => fetch(`${sim.url}/api/v0/events?offset=0&limit=100`, { headers }))
    expect(events.status).toBe(200)
    expect(events.headers.get("x-total-count")).toBe("1")
    const body = (yield* Effect.promise(() => events.json())) as Array<{ type: string; data: unknown }>
    expect(body[0]!.type).toBe("DownloadFileComplete")
    expect(typeof body[0]!.data).toBe("string")
    const bad = yield* Effect.promise(() => fetch(`${sim.url}/api/v0/events?offset=-1`, { headers }))
    expect(bad.status).toBe(400)
    const options = (yield* Effect.promise(() => fetch(`${sim.url}/api/v0/options`, { headers }).then((r) => r.json()))) as { directories: { downloads: string } }
    expect(options.directories.downloads).toBe(dir)
    expect(existsSync(join(dir, "Album", "01.flac"))).toBe(true)
    const noKey = yield* Effect.promise(() => fetch(`${sim.url}/api/v0/events`))
    expect(noKey.status).toBe(401)
  }))
})
