import { describe, expect, it } from "@effect/vitest"
import { Either, Schema } from "effect"
import { classify } from "../../../src/infrastructure/slskd/client.js"
import { adoptable, listingToSnapshot } from "../../../src/infrastructure/slskd/provider.js"
import {
  Application,
  EnqueueReplyBody,
  errorMessage,
  flattenUser,
  StatusListing,
  formatTimeSpan,
  isCompleted,
  isSucceeded,
  parseFlags,
  Search,
  searchHasResults,
  SearchResponse,
  serverLoggedIn,
  ServerState,
  SlskdTimestamp,
  TimeSpanSeconds,
  toEnqueueReply,
  Transfer,
  UserTransfers
} from "../../../src/infrastructure/slskd/schema.js"
import { transferKey } from "../../../src/domain/ports/DownloadProvider.js"

const decode = <A, I>(schema: Schema.Schema<A, I>) => (u: unknown) => Schema.decodeUnknownSync(schema)(u)
const decodeEither = <A, I>(schema: Schema.Schema<A, I>) => (u: unknown) => Schema.decodeUnknownEither(schema)(u)

describe("timestamps: with or without Z, always UTC", () => {
  it("reads a timestamp without Z as UTC, equal to the same one with Z", () => {
    const withZ = decode(SlskdTimestamp)("2026-10-04T12:17:50.781102Z")
    const withoutZ = decode(SlskdTimestamp)("2026-10-04T12:17:50.781102")
    expect(withZ).toBe("2026-10-04T12:17:50.781Z")
    expect(withoutZ).toBe(withZ)
  })

  it.each([
    ["2026-10-04T12:17:50Z", "2026-10-04T12:17:50.000Z"],
    ["2026-10-04T12:17:50", "2026-10-04T12:17:50.000Z"],
    ["2026-10-04T12:17:50.7811023", "2026-10-04T12:17:50.781Z"],
    ["2026-10-04T12:17:50.5Z", "2026-10-04T12:17:50.500Z"],
    ["2026-10-04T14:17:50.5+02:00", "2026-10-04T12:17:50.500Z"]
  ])("%s → %s", (raw, iso) => {
    expect(decode(SlskdTimestamp)(raw)).toBe(iso)
  })

  it("rejects what is not a timestamp", () => {
    expect(Either.isLeft(decodeEither(SlskdTimestamp)("yesterday"))).toBe(true)
    expect(Either.isLeft(decodeEither(SlskdTimestamp)("2026-13-45"))).toBe(true)
  })
})

describe("TimeSpan durations", () => {
  it.each([
    ["00:00:01.7870338", 1.7870338],
    ["00:00:00", 0],
    ["00:02:05", 125],
    ["1.02:03:04.5", 93784.5],
    ["00:00:00.0000001", 0.0000001]
  ])("%s is %d seconds", (raw, seconds) => {
    expect(decode(TimeSpanSeconds)(raw)).toBeCloseTo(seconds, 7)
  })

  it("formats like .NET and reads back", () => {
    expect(formatTimeSpan(1.7870338)).toBe("00:00:01.7870338")
    expect(formatTimeSpan(0)).toBe("00:00:00")
    expect(formatTimeSpan(93784.5)).toBe("1.02:03:04.5000000")
    expect(decode(TimeSpanSeconds)(formatTimeSpan(3725.25))).toBeCloseTo(3725.25, 6)
  })

  it("rejects garbage", () => {
    expect(Either.isLeft(decodeEither(TimeSpanSeconds)("5 seconds"))).toBe(true)
  })
})

describe("state flags: composite strings, membership only", () => {
  // Every serialized transfer state slskd sends: flags, terminal, success.
  it.each([
    ["None", ["None"], false, false],
    ["Requested", ["Requested"], false, false],
    ["Queued", ["Queued"], false, false],
    ["Queued, Locally", ["Queued", "Locally"], false, false],
    ["Queued, Remotely", ["Queued", "Remotely"], false, false],
    ["Initializing", ["Initializing"], false, false],
    ["InProgress", ["InProgress"], false, false],
    ["Completed", ["Completed"], true, false],
    ["Completed, Succeeded", ["Completed", "Succeeded"], true, true],
    ["Completed, Cancelled", ["Completed", "Cancelled"], true, false],
    ["Completed, TimedOut", ["Completed", "TimedOut"], true, false],
    ["Completed, Errored", ["Completed", "Errored"], true, false],
    ["Completed, Rejected", ["Completed", "Rejected"], true, false],
    ["Completed, Aborted", ["Completed", "Aborted"], true, false]
  ] as const)("%s", (raw, flags, terminal, success) => {
    const t = decode(Transfer)({ id: "a", username: "u", filename: "f", size: 1, state: raw })
    expect(t.state).toEqual(flags)
    expect(isCompleted(t.state)).toBe(terminal)
    expect(isSucceeded(t.state)).toBe(success)
  })

  it("never matches by substring: LoggingIn is not LoggedIn", () => {
    expect(parseFlags("Connected, LoggingIn")).toEqual(["Connected", "LoggingIn"])
    const loggingIn = decode(ServerState)({ state: "Connected, LoggingIn" })
    expect(serverLoggedIn(loggingIn)).toBe(false)
    expect(serverLoggedIn(decode(ServerState)({ state: "Connected, LoggedIn" }))).toBe(true)
    expect(serverLoggedIn(decode(ServerState)({ state: "Disconnected", isConnected: false, isLoggedIn: false }))).toBe(false)
    // isLoggedIn wins when present
    expect(serverLoggedIn(decode(ServerState)({ state: "Connected, LoggedIn", isLoggedIn: false }))).toBe(false)
  })
})

describe("shapes seen in captured replies [cap]", () => {
  it("the 0.24+ enqueue reply: requestedAt with Z, failed as strings (0.25) or {} (0.26)", () => {
    const body = {
      enqueued: [{
        id: "3f1e2b7c-7d1a-4a52-9d7e-0f4a5b6c7d8e", username: "someone", direction: "Download",
        filename: "@@abcd\\Music\\Album\\01 Track.flac", size: 31_457_280, state: "Queued, Locally",
        requestedAt: "2026-10-04T12:17:50.781102Z", bytesTransferred: 0, averageSpeed: 0, attempts: 0,
        removed: false, bytesRemaining: 31_457_280, percentComplete: 0
      }],
      failed: ["@@abcd\\Music\\Album\\02 Track.flac", {}]
    }
    const reply = toEnqueueReply(decode(EnqueueReplyBody)(body))
    expect(reply._tag).toBe("Reply")
    if (reply._tag !== "Reply") return
    expect(reply.enqueued[0]?.id).toBe("3f1e2b7c-7d1a-4a52-9d7e-0f4a5b6c7d8e")
    expect(reply.enqueued[0]?.requestedAt).toBe("2026-10-04T12:17:50.781Z")
    expect(reply.enqueued[0]?.startedAt).toBeUndefined()
    expect(reply.failed).toEqual([
      { filename: "@@abcd\\Music\\Album\\02 Track.flac", message: null },
      { filename: null, message: null }
    ])
  })

  it("a downloads list: requestedAt/enqueuedAt without Z, omitted nulls, old version fields ignored", () => {
    const user = decode(UserTransfers)({
      username: "someone",
      directories: [{
        directory: "@@abcd\\Music\\Album",
        fileCount: 2,
        files: [
          {
            id: "a1", username: "someone", direction: "Download", filename: "@@abcd\\Music\\Album\\01 Track.flac",
            size: 1000, startOffset: 0, state: "InProgress", stateDescription: "InProgress",
            requestedAt: "2026-10-04T12:17:50.781102", enqueuedAt: "2026-10-04T12:17:51.1", startedAt: "2026-10-04T12:17:52Z",
            bytesTransferred: 250, averageSpeed: 125.5, bytesRemaining: 750, elapsedTime: "00:00:02",
            percentComplete: 25, remainingTime: "00:00:05.9760956"
          },
          {
            id: "a2", username: "someone", direction: "Download", filename: "@@abcd\\Music\\Album\\02 Track.flac",
            size: 1000, state: "Completed, Errored", requestedAt: "2026-10-04T12:17:50.9", startedAt: "2026-10-04T12:18:00Z",
            endedAt: "2026-10-04T12:18:00Z", bytesTransferred: 0, averageSpeed: 0, exception: "Transfer failed: Remote connection closed",
            attempts: 1, removed: false, bytesRemaining: 1000, elapsedTime: "00:00:00", percentComplete: 0
          }
        ]
      }]
    })
    const [a, b] = flattenUser(user)
    expect(a?.requestedAt).toBe("2026-10-04T12:17:50.781Z")
    expect(a?.enqueuedAt).toBe("2026-10-04T12:17:51.100Z")
    expect(a?.endedAt).toBeUndefined()
    expect(a?.exception).toBeUndefined()
    expect(a?.attempts).toBe(0) // absent before 0.25
    expect(a?.remainingTime).toBeCloseTo(5.9760956, 6)
    expect(b?.state).toEqual(["Completed", "Errored"])
    expect(b?.exception).toBe("Transfer failed: Remote connection closed")
  })

  it("a search in `Completed, Errored` with responses: responses are results, not an error", () => {
    const search = decode(Search)({
      endedAt: "2026-10-04T12:20:01.1234567Z", fileCount: 3, id: "0b8d3c1a-0000-4000-8000-000000000001", isComplete: true,
      lockedFileCount: 1, responseCount: 2, searchText: "artist album", startedAt: "2026-10-04T12:19:46.5Z",
      state: "Completed, Errored", token: 123456,
      responses: [
        {
          fileCount: 2, hasFreeUploadSlot: true, lockedFileCount: 1, queueLength: 0, token: 123456, uploadSpeed: 1_048_576,
          username: "peer one",
          files: [
            { code: 1, extension: "", filename: "@@x\\Music\\Artist\\Album\\01.flac", length: 200, size: 25_000_000, isLocked: false },
            { bitRate: 320, code: 1, extension: "", filename: "@@x\\Music\\Artist\\Album\\01.mp3", length: 200, size: 8_000_000, isLocked: false }
          ],
          lockedFiles: [{ code: 1, extension: "flac", filename: "@@x\\Private\\01.flac", size: 1, isLocked: false }]
        },
        { fileCount: 1, hasFreeUploadSlot: false, lockedFileCount: 0, queueLength: 14, token: 123456, uploadSpeed: 0, username: "b", files: [
          { bitDepth: 24, code: 1, extension: "", filename: "/music/a.flac", length: 200, sampleRate: 96000, size: 1, isLocked: false }
        ], lockedFiles: [] }
      ]
    })
    expect(search.state).toEqual(["Completed", "Errored"])
    expect(searchHasResults(search)).toBe(true)
    expect(search.responses).toHaveLength(2)
    expect(search.responses[0]?.files[0]?.bitRate).toBeUndefined()
    expect(search.responses[0]?.files[1]?.bitRate).toBe(320)
    expect(search.responses[0]?.lockedFiles).toHaveLength(1)
    expect(search.responses[1]?.files[0]?.sampleRate).toBe(96000)
  })

  it("a running search has no endedAt: not ready, even when already complete", () => {
    const base = { id: "x", searchText: "a", startedAt: "2026-10-04T12:19:46.5Z", fileCount: 0, lockedFileCount: 0, responseCount: 0, token: 1, responses: [] }
    expect(searchHasResults(decode(Search)({ ...base, state: "InProgress", isComplete: false }))).toBe(false)
    expect(searchHasResults(decode(Search)({ ...base, state: "Completed, TimedOut", isComplete: true }))).toBe(false)
    expect(searchHasResults(decode(Search)({ ...base, state: "Completed, TimedOut", isComplete: true, endedAt: "2026-10-04T12:20:01Z" }))).toBe(true)
  })

  it("explicit nulls (older slskd) count as absent", () => {
    const t = decode(Transfer)({ id: "a", username: "u", filename: "f", size: 1, state: "Requested", startedAt: null, exception: null, remainingTime: null })
    expect(t.startedAt).toBeUndefined()
    expect(t.exception).toBeUndefined()
    const r = decode(SearchResponse)({ username: "u", files: [], lockedFiles: null, hasFreeUploadSlot: true, queueLength: 0, uploadSpeed: 1 })
    expect(r.lockedFiles).toEqual([])
  })

  it("the application block: version and server", () => {
    const app = decode(Application)({
      version: { full: "0.26.0.0", current: "0.26.0", isUpdateAvailable: false, isCanary: false, isDevelopment: false },
      pendingReconnect: false,
      server: { state: "Connected, LoggedIn", isConnected: true, isLoggedIn: true, address: "server.slsknet.org" },
      user: { username: "me" }
    })
    expect(app.version?.current).toBe("0.26.0")
    expect(app.server && serverLoggedIn(app.server)).toBe(true)
  })
})

describe("error bodies and classification", () => {
  it("reads a JSON string, plain text, an object or nothing", () => {
    expect(errorMessage("\"Only one concurrent operation is permitted\"")).toBe("Only one concurrent operation is permitted")
    expect(errorMessage("User x appears to be offline")).toBe("User x appears to be offline")
    expect(errorMessage("")).toBe("")
    expect(errorMessage("{\"title\":\"Bad\",\"status\":400}")).toBe("Bad")
  })

  const reply = (status: number, body = "", retryAfter?: string) => ({ status, body, retryAfter })

  it.each([
    [401, "", "search", "Unauthorized"],
    [403, "", "read", "Unauthorized"],
    [409, "\"The server connection must be connected and logged in to perform a search (currently: Disconnected)\"", "search", "NotLoggedIn"],
    [409, "\"A batch with ID x already exists\"", "enqueue", "Rejected"],
    [500, "\"Failed to resolve: The server connection must be connected and logged in to perform this operation (currently: Disconnected)\"", "enqueue", "NotLoggedIn"],
    [500, "\"User bob appears to be offline\"", "enqueue", "Rejected"],
    // an online peer that cannot be connected to, and 0.23's rejections: the candidate's failure, never the breaker's
    [500, "\"Failed to connect to user bob: Failed to establish a direct or indirect message connection to bob (198.51.100.23:2234)\"", "enqueue", "Rejected"],
    [500, "\"One or more errors occurred. (Transfer rejected: File not shared.)\"", "enqueue", "Rejected"],
    [500, "\"Failed to connect to user bob: Operation timed out\"", "enqueue", "Rejected"],
    [500, "\"Object reference not set to an instance of an object.\"", "enqueue", "Upstream"],
    [500, "\"Failed to connect to user bob: Failed to establish a direct or indirect message connection to bob (198.51.100.23:2234)\"", "read", "Upstream"],
    [500, "\"Object reference not set to an instance of an object.\"", "read", "Upstream"],
    [502, "", "read", "Upstream"],
    [503, "Service Unavailable", "read", "Upstream"],
    [429, "\"Only one concurrent operation is permitted. Wait until the previous request completes\"", "search", "RateLimited"],
    [400, "\"SearchText may not be null or empty\"", "search", "Rejected"],
    [404, "", "read", "Rejected"]
  ] as const)("HTTP %d (%s…) on %s is %s", (status, body, op, reason) => {
    const e = classify(reply(status, body), op, "the call")
    expect(e.reason).toBe(reason)
    expect(e.status).toBe(status)
  })

  it("asks to check the API key on 401/403", () => {
    expect(classify(reply(401), "read", "GET /x").message).toContain("check the slskd API key")
    expect(classify(reply(403), "read", "GET /x").message).toContain("check the slskd API key")
  })

  it("backs off 2 s on a 429, or what Retry-After says", () => {
    expect(classify(reply(429), "enqueue", "x").retryAfterMillis).toBe(2000)
    expect(classify(reply(429, "", "5"), "enqueue", "x").retryAfterMillis).toBe(5000)
  })
})

describe("snapshot and adoption rules", () => {
  const t = (over: Record<string, unknown>) => decode(Transfer)({
    id: "id", username: "u", filename: "f", size: 10, state: "InProgress", requestedAt: "2026-10-04T12:00:00", ...over
  })

  // what the status sync decodes: slskd's listing (users → directories → files) through the lean schema
  const raw = (over: Record<string, unknown>) => ({
    id: "id", username: "u", filename: "f", size: 10, state: "InProgress", requestedAt: "2026-10-04T12:00:00", ...over
  })
  const toSnapshot = (files: ReadonlyArray<Record<string, unknown>>) =>
    listingToSnapshot(decode(StatusListing)([{ username: "u", directories: [{ directory: "d", files }] }]))

  it("keys by (username, filename); the newest requestedAt wins whatever the list order", () => {
    const newer = raw({ id: "new", requestedAt: "2026-10-04T12:05:00", state: "Queued, Remotely" })
    const older = raw({ id: "old", requestedAt: "2026-10-04T12:00:00Z", state: "Completed, Errored" })
    for (const list of [[newer, older], [older, newer]]) {
      const snap = toSnapshot(list)
      expect(snap.byId.size).toBe(2)
      expect(snap.byKey.get(transferKey("u", "f"))?.id).toBe("new")
    }
  })

  it("maps remainingTime, exception, attempts and timestamps", () => {
    const snap = toSnapshot([raw({ remainingTime: "00:01:00.5", exception: "boom", attempts: 2, startedAt: "2026-10-04T12:00:01Z" })])
    const s = snap.byId.get("id")
    expect(s).toMatchObject({ remainingSeconds: 60.5, exception: "boom", attempts: 2, state: ["InProgress"], startedAt: "2026-10-04T12:00:01.000Z", endedAt: null })
    expect(toSnapshot([raw({})]).byId.get("id")).toMatchObject({ remainingSeconds: null, exception: null, attempts: 0 })
    // slskd omits or nulls what it does not know; requestedAt without Z is UTC
    expect(toSnapshot([raw({ size: null, averageSpeed: null, remainingTime: null })]).byId.get("id"))
      .toMatchObject({ size: 0, averageSpeed: 0, remainingSeconds: null, requestedAt: "2026-10-04T12:00:00.000Z" })
  })

  it("adopts an active or succeeded transfer with the byte-identical filename only", () => {
    const file = "@@abcd\\Music\\Album\\01 Track.flac"
    expect(adoptable([t({ filename: file, state: "Queued, Remotely" })], file)?.id).toBe("id")
    expect(adoptable([t({ filename: file, state: "Completed, Succeeded" })], file)?.id).toBe("id")
    expect(adoptable([t({ filename: file, state: "Completed, Errored" })], file)).toBeUndefined()
    expect(adoptable([t({ filename: file, state: "Completed, Cancelled" })], file)).toBeUndefined()
    expect(adoptable([t({ filename: file, state: "Completed, Succeeded", removed: true })], file)).toBeUndefined()
    expect(adoptable([t({ filename: file.toLowerCase(), state: "InProgress" })], file)).toBeUndefined()
    expect(adoptable([t({ filename: file.replaceAll("\\", "/"), state: "InProgress" })], file)).toBeUndefined()
    // an active one beats a newer succeeded one
    expect(adoptable([
      t({ id: "done", filename: file, state: "Completed, Succeeded", requestedAt: "2026-10-04T13:00:00" }),
      t({ id: "active", filename: file, state: "Requested", requestedAt: "2026-10-04T12:00:00" })
    ], file)?.id).toBe("active")
  })
})
