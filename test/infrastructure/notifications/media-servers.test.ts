import { describe, expect, it } from "@effect/vitest"
import { Effect, Fiber, TestClock } from "effect"
import { scanJellyfin, testJellyfin } from "../../../src/infrastructure/notifications/media-servers/jellyfin.js"
import { scanLidarr, testLidarr } from "../../../src/infrastructure/notifications/media-servers/lidarr.js"
import { scanNavidrome, subsonicToken, testNavidrome } from "../../../src/infrastructure/notifications/media-servers/navidrome.js"
import { scanPlex, testPlex } from "../../../src/infrastructure/notifications/media-servers/plex.js"
import { type Receiver, untilReceived } from "../../support/receiver.js"
import { failure, withReceiver } from "./helpers.js"

const url = (r: Receiver, path: string) => new URL(path, r.url)
const FOLDERS = ["/music/Björk/Homogenic (1997)", "/music/Björk/Homogenic (1997)/CD2"]

describe("Navidrome", () => {
  const target = (r: Receiver) => ({ type: "navidrome" as const, url: r.url, username: "admin", password: "sesam", enabled: true })
  const ok = { status: 200, body: JSON.stringify({ "subsonic-response": { status: "ok", version: "1.16.1", scanStatus: { scanning: true, count: 0 } } }) }

  it.effect("startScan with token auth: t = md5(password + s), a fresh salt per request, JSON", () =>
    withReceiver((r, http) => Effect.gen(function*() {
      r.answer(ok, ok)
      yield* scanNavidrome(http)(target(r), FOLDERS)
      yield* scanNavidrome(http)(target(r), FOLDERS)
      const [a, b] = r.received.map((q) => url(r, q.path))
      expect(a!.pathname).toBe("/rest/startScan")
      const p = Object.fromEntries(a!.searchParams)
      expect(p).toMatchObject({ u: "admin", v: "1.16.1", c: "soulspot", f: "json" })
      expect(p["t"]).toBe(subsonicToken("sesam", p["s"]!))
      expect(a!.search).not.toContain("sesam")
      expect(b!.searchParams.get("s")).not.toBe(p["s"])
      expect(r.received[0]!.method).toBe("GET")
    })))

  it.effect("a Subsonic failure in a 200: wrong password (40) and not an admin (50) are permanent, others retryable", () =>
    withReceiver((r, http) => Effect.gen(function*() {
      const failed = (code: number, message: string) => ({ status: 200, body: JSON.stringify({ "subsonic-response": { status: "failed", error: { code, message } } }) })
      r.answer(failed(40, "Wrong username or password"), failed(50, "not authorized"), failed(0, "scan already running"))
      expect(failure(yield* Effect.exit(scanNavidrome(http)(target(r), FOLDERS)))).toMatchObject({ permanent: true, message: expect.stringMatching(/40.*check the user name/) })
      expect(failure(yield* Effect.exit(scanNavidrome(http)(target(r), FOLDERS)))).toMatchObject({ permanent: true, message: expect.stringMatching(/administrator/) })
      expect(failure(yield* Effect.exit(scanNavidrome(http)(target(r), FOLDERS)))).toMatchObject({ permanent: false })
    })))

  it.effect("the test message is a ping", () =>
    withReceiver((r, http) => Effect.gen(function*() {
      r.answer(ok)
      const d = yield* testNavidrome(http)(target(r))
      expect(d.status).toBe(200)
      expect(url(r, r.received[0]!.path).pathname).toBe("/rest/ping")
    })))
})

describe("Jellyfin", () => {
  const target = (r: Receiver) => ({ type: "jellyfin" as const, url: `${r.url}/jf/`, token: "0123abcd", enabled: true })

  it.effect("POST /Library/Refresh with the API key in the MediaBrowser Authorization header", () =>
    withReceiver((r, http) => Effect.gen(function*() {
      expect(yield* scanJellyfin(http)(target(r), FOLDERS)).toEqual({ status: 204, body: "" })
      const q = r.received[0]!
      expect([q.method, q.path]).toEqual(["POST", "/jf/Library/Refresh"])
      expect(q.headers["authorization"]).toMatch(/^MediaBrowser .*Token="0123abcd"/)
    })))

  it.effect("401 is permanent; the test message reads /System/Info", () =>
    withReceiver((r, http) => Effect.gen(function*() {
      r.answer({ status: 401 }, { status: 200, body: "{\"ServerName\":\"jelly\",\"Version\":\"10.11.0\"}" })
      expect(failure(yield* Effect.exit(scanJellyfin(http)(target(r), FOLDERS)))).toMatchObject({ status: 401, permanent: true })
      expect((yield* testJellyfin(http)(target(r))).body).toContain("10.11.0")
      expect([r.received[1]!.method, r.received[1]!.path]).toEqual(["GET", "/jf/System/Info"])
    })))
})

describe("Plex", () => {
  const sections = (dirs: ReadonlyArray<{ key: string; type: string; title: string; paths: ReadonlyArray<string> }>) => ({
    status: 200,
    body: JSON.stringify({ MediaContainer: { size: dirs.length, Directory: dirs.map((d) => ({ ...d, paths: undefined, Location: d.paths.map((path, id) => ({ id, path })) })) } })
  })
  const LIBS = sections([
    { key: "1", type: "movie", title: "Films", paths: ["/movies"] },
    { key: "3", type: "artist", title: "Music", paths: ["/music"] }
  ])
  const target = (r: Receiver, section?: string) => ({ type: "plex" as const, url: r.url, token: "plex-token", enabled: true, ...(section === undefined ? {} : { section }) })

  it.effect("lists the sections, then a partial scan of the music section for the imported folder (token in X-Plex-Token)", () =>
    withReceiver((r, http) => Effect.gen(function*() {
      r.answer(LIBS, { status: 200 })
      const d = yield* scanPlex(http)(target(r), FOLDERS)
      expect(r.received.map((q) => q.method)).toEqual(["GET", "GET"])
      expect(r.received[0]!.path).toBe("/library/sections")
      expect(r.received[0]!.headers["accept"]).toBe("application/json")
      const refresh = url(r, r.received[1]!.path)
      expect(refresh.pathname).toBe("/library/sections/3/refresh")
      expect(refresh.searchParams.get("path")).toBe("/music/Björk/Homogenic (1997)")
      expect(r.received.every((q) => q.headers["x-plex-token"] === "plex-token" && !q.path.includes("plex-token"))).toBe(true)
      expect(d.body).toBe("section 3: /music/Björk/Homogenic (1997)")
    })))

  it.effect("a folder outside every music location (another mount) refreshes the section whole", () =>
    withReceiver((r, http) => Effect.gen(function*() {
      r.answer(LIBS, { status: 200 })
      yield* scanPlex(http)(target(r), ["/srv/library/Björk"])
      expect(r.received[1]!.path).toBe("/library/sections/3/refresh")
    })))

  it.effect("a configured section that Plex does not have is permanent; the test lists the music libraries", () =>
    withReceiver((r, http) => Effect.gen(function*() {
      r.answer(LIBS, LIBS)
      expect(failure(yield* Effect.exit(scanPlex(http)(target(r, "9"), FOLDERS)))).toMatchObject({ permanent: true, message: "Plex: Plex has no library section 9" })
      expect(yield* testPlex(http)(target(r))).toEqual({ status: 200, body: "music libraries: 3 Music" })
    })))

  it.effect("401 on the list is permanent and nothing is refreshed", () =>
    withReceiver((r, http) => Effect.gen(function*() {
      r.answer({ status: 401 })
      expect(failure(yield* Effect.exit(scanPlex(http)(target(r), FOLDERS)))).toMatchObject({ status: 401, permanent: true })
      expect(r.received).toHaveLength(1)
    })))
})

describe("Lidarr", () => {
  const target = (r: Receiver) => ({ type: "lidarr" as const, url: r.url, api_key: "lidarr-key", enabled: true })

  it.effect("one DownloadedAlbumsScan command per outermost folder, with X-Api-Key", () =>
    withReceiver((r, http) => Effect.gen(function*() {
      r.fallback({ status: 201, body: "{\"id\":1,\"name\":\"DownloadedAlbumsScan\",\"status\":\"queued\"}" })
      const d = yield* scanLidarr(http)(target(r), [...FOLDERS, "/music/Low/Double Negative"])
      expect(r.received.map((q) => [q.method, q.path, q.headers["x-api-key"]])).toEqual([
        ["POST", "/api/v1/command", "lidarr-key"], ["POST", "/api/v1/command", "lidarr-key"]
      ])
      expect(r.received.map((q) => JSON.parse(q.body))).toEqual([
        { name: "DownloadedAlbumsScan", path: "/music/Björk/Homogenic (1997)" },
        { name: "DownloadedAlbumsScan", path: "/music/Low/Double Negative" }
      ])
      expect(d).toEqual({ status: 201, body: "2 folders queued for import" })
    })))

  it.effect("the test message reads the system status", () =>
    withReceiver((r, http) => Effect.gen(function*() {
      r.answer({ status: 200, body: "{\"appName\":\"Lidarr\",\"version\":\"2.9.6\"}" })
      expect((yield* testLidarr(http)(target(r))).body).toContain("Lidarr")
      expect(r.received[0]!.path).toBe("/api/v1/system/status")
    })))

  it.effect("500 is retryable, 429 waits an HTTP-date Retry-After, a hang times out", () =>
    withReceiver((r, http) => Effect.gen(function*() {
      const now = Date.parse("2026-12-03T12:00:00Z")
      yield* TestClock.setTime(now)
      const at = new Date(now + 120_000).toUTCString()
      r.answer({ status: 500 }, { status: 429, retryAfter: at }, { hang: true })
      expect(failure(yield* Effect.exit(scanLidarr(http)(target(r), FOLDERS)))).toMatchObject({ status: 500, permanent: false })
      expect(failure(yield* Effect.exit(scanLidarr(http)(target(r), FOLDERS)))).toMatchObject({ status: 429, retryAfterMillis: 120_000 })
      const fiber = yield* Effect.fork(Effect.exit(scanLidarr(http)(target(r), FOLDERS)))
      yield* untilReceived(r, 3)
      yield* TestClock.adjust("10 seconds")
      expect(failure(yield* Fiber.join(fiber))).toMatchObject({ permanent: false })
    })))
})
