import { Headers } from "@effect/platform"
import { describe, expect, it } from "@effect/vitest"
import type { NotificationMessage } from "../../../src/domain/notifications/targets.js"
import { DeliveryError } from "../../../src/domain/ports/NotificationSender.js"
import { isInside, outermost } from "../../../src/infrastructure/notifications/media-servers/folders.js"
import { lidarrCommands } from "../../../src/infrastructure/notifications/media-servers/lidarr.js"
import { subsonicToken, subsonicVerdict } from "../../../src/infrastructure/notifications/media-servers/navidrome.js"
import { MAX_PARTIAL_SCANS, type PlexSection, plexRefreshes } from "../../../src/infrastructure/notifications/media-servers/plex.js"
import { classifyAnswer, parseRetryAfter, truncate } from "../../../src/infrastructure/notifications/senders/answer.js"
import { apprisePayload } from "../../../src/infrastructure/notifications/senders/apprise.js"
import { discordPayload, discordRetryAfter, discordUrl } from "../../../src/infrastructure/notifications/senders/discord.js"
import { ntfyRequest } from "../../../src/infrastructure/notifications/senders/ntfy.js"

const NOW = Date.parse("2026-12-03T12:00:00Z")

describe("parseRetryAfter", () => {
  it.each([
    [undefined, undefined],
    ["", undefined],
    ["0", 0],
    ["30", 30_000],
    [" 7 ", 7000],
    ["1.5", 1500],
    ["-3", undefined],
    ["soon", undefined],
    ["2026", 2_026_000],
    ["2026-12-03", undefined],
    ["Thu, 03 Dec 2026 12:02:00 GMT", 120_000],
    ["Thu, 03 Dec 2026 11:00:00 GMT", 0]
  ] as const)("%j → %j ms", (raw, ms) => {
    expect(parseRetryAfter(raw, NOW)).toBe(ms)
  })
})

describe("classifyAnswer", () => {
  const answer = (status: number, headers: Record<string, string> = {}, body = "") => classifyAnswer("svc", { status, headers: Headers.fromInput(headers), body }, NOW)
  it.each([
    [200, true, undefined],
    [204, true, undefined],
    [400, false, true],
    [401, false, true],
    [403, false, true],
    [404, false, true],
    [408, false, false],
    [429, false, false],
    [500, false, false],
    [502, false, false],
    [503, false, false],
    [301, false, true]
  ] as const)("HTTP %i: delivered %s, permanent %s", (status, delivered, permanent) => {
    const r = answer(status)
    expect(r instanceof DeliveryError).toBe(!delivered)
    if (r instanceof DeliveryError) expect(r.permanent).toBe(permanent)
  })

  it("says why, with the start of the body, and hints at the token on 401", () => {
    const r = answer(401, {}, "{\n  \"error\": \"bad token\"\n}")
    expect(r).toMatchObject({ message: "svc answered HTTP 401 (check the token or password): { \"error\": \"bad token\" }", status: 401 })
  })

  it("a 429 with Retry-After carries the wait; the header wins over the body", () => {
    const r = classifyAnswer("svc", { status: 429, headers: Headers.fromInput({ "retry-after": "4" }), body: "{\"retry_after\":99}" }, NOW, { retryAfterFromBody: discordRetryAfter })
    expect(r).toMatchObject({ retryAfterMillis: 4000, permanent: false })
  })

  it("keeps at most 1 KiB of a body", () => {
    expect((answer(200, {}, "é".repeat(3000)) as { body: string }).body).toHaveLength(1024)
    expect(truncate("abc", 2)).toBe("a…")
  })
})

describe("subsonicToken", () => {
  // the example of the Subsonic API documentation
  it.each([
    ["sesame", "c19b2d", "26719a1196d2a940705a59634eb18eab"],
    ["", "abc", "900150983cd24fb0d6963f7d28e17f72"]
  ])("md5(%j + %j) = %s", (password, salt, token) => {
    expect(subsonicToken(password, salt)).toBe(token)
  })
})

describe("subsonicVerdict", () => {
  const failed = (code: number) => JSON.stringify({ "subsonic-response": { status: "failed", error: { code, message: "m" } } })
  it.each([
    [JSON.stringify({ "subsonic-response": { status: "ok" } }), "ok"],
    [failed(40), "permanent"],
    [failed(41), "permanent"],
    [failed(50), "permanent"],
    [failed(10), "permanent"],
    [failed(0), "retry"],
    [failed(70), "retry"],
    ["<html>proxy error</html>", "retry"],
    ["{}", "retry"]
  ])("%s → %s", (body, verdict) => {
    const v = subsonicVerdict(body)
    expect(v.ok ? "ok" : v.permanent ? "permanent" : "retry").toBe(verdict)
  })
})

describe("folders", () => {
  it.each([
    [["/music/A", "/music/A/CD1", "/music/B"], ["/music/A", "/music/B"]],
    [["/music/A/", "/music/A"], ["/music/A"]],
    [["/music2/X", "/music"], ["/music", "/music2/X"]],
    [[], []]
  ])("outermost(%j) = %j", (input, out) => {
    expect(outermost(input)).toEqual(out)
  })
  it.each([
    ["/music/A", "/music", true],
    ["/music", "/music/", true],
    ["/music2", "/music", false],
    ["/x", "/", true]
  ] as const)("isInside(%s, %s) = %s", (f, p, inside) => {
    expect(isInside(f, p)).toBe(inside)
  })
  it("Lidarr gets one command per outermost folder", () => {
    expect(lidarrCommands(["/m/A/CD2", "/m/A"])).toEqual([{ name: "DownloadedAlbumsScan", path: "/m/A" }])
  })
})

describe("plexRefreshes", () => {
  const s = (key: string, type: string, ...paths: Array<string>): PlexSection => ({ key, type, title: key, Location: paths.map((path) => ({ path })) })
  const LIBS = [s("1", "movie", "/movies"), s("2", "artist", "/music"), s("5", "artist", "/audiobooks", "/podcasts")]
  it.each([
    ["one folder: partial scan of its section", undefined, ["/music/A"], [{ section: "2", path: "/music/A" }]],
    ["folders in two sections", undefined, ["/music/A", "/podcasts/P"], [{ section: "2", path: "/music/A" }, { section: "5", path: "/podcasts/P" }]],
    ["a folder Plex does not see: every music section whole", undefined, ["/music/A", "/srv/B"], [{ section: "2" }, { section: "5" }]],
    ["the configured section only", "2", ["/music/A"], [{ section: "2", path: "/music/A" }]],
    ["a configured non-music section is allowed", "1", ["/movies/M"], [{ section: "1", path: "/movies/M" }]],
    ["no folders: whole", "2", [], [{ section: "2" }]]
  ] as const)("%s", (_, wanted, folders, out) => {
    expect(plexRefreshes(LIBS, wanted, folders)).toEqual(out)
  })
  it("many folders in one section: one whole refresh", () => {
    const many = Array.from({ length: MAX_PARTIAL_SCANS + 1 }, (_, i) => `/music/${i}`)
    expect(plexRefreshes(LIBS, "2", many)).toEqual([{ section: "2" }])
  })
  it("no music library, or an unknown section, is said in words", () => {
    expect(plexRefreshes([s("1", "movie", "/m")], undefined, ["/m/x"])).toBe("Plex has no music library")
    expect(plexRefreshes(LIBS, "7", ["/m/x"])).toBe("Plex has no library section 7")
  })
})

describe("message formats", () => {
  const msg = (event: NotificationMessage["event"]): NotificationMessage => ({ version: 1, event, at: "2026-12-03T12:00:00.000Z", title: "T", text: "B" })
  it.each([
    ["https://ntfy.sh/alerts", "https://ntfy.sh/", "alerts"],
    ["https://push.example.com/ntfy/alerts/", "https://push.example.com/ntfy/", "alerts"],
    ["http://10.0.0.2:8080/a_b-C", "http://10.0.0.2:8080/", "a_b-C"]
  ])("ntfy %s publishes to %s, topic %s", (url, root, topic) => {
    const r = ntfyRequest({ type: "ntfy", url, enabled: true }, msg("download.imported"))
    expect(r).toEqual({ url: root, body: { topic, title: "T", message: "B", tags: ["white_check_mark"] } })
  })
  it.each(["https://ntfy.sh", "https://ntfy.sh/bad topic!"])("ntfy %s has no usable topic", (url) => {
    expect(typeof ntfyRequest({ type: "ntfy", url, enabled: true }, msg("slskd.down"))).toBe("string")
  })
  it.each([
    ["download.completed", "success"], ["download.imported", "success"], ["album.completed", "success"], ["slskd.up", "success"],
    ["download.needs_review", "warning"], ["download.failed", "failure"], ["slskd.down", "failure"]
  ] as const)("Apprise type of %s is %s", (event, type) => {
    expect(apprisePayload({ type: "apprise", url: "http://a/notify/k", enabled: true }, msg(event)).type).toBe(type)
  })
  it("Discord: limits of an embed, wait=true kept with other parameters", () => {
    const long: NotificationMessage = { ...msg("download.failed"), title: "t".repeat(300), text: "d".repeat(5000) }
    const embed = discordPayload(long).embeds[0]!
    expect([embed.title.length, embed.description.length]).toEqual([256, 4096])
    expect(discordUrl("https://discord.com/api/webhooks/1/x?thread_id=3&wait=false")).toBe("https://discord.com/api/webhooks/1/x?thread_id=3&wait=true")
  })
  it.each([
    ["{\"retry_after\": 2.5}", 2.5],
    ["{\"retry_after\": \"2\"}", undefined],
    ["not json", undefined],
    ["null", undefined]
  ])("Discord retry_after of %s is %j", (body, seconds) => {
    expect(discordRetryAfter(body)).toBe(seconds)
  })
})
