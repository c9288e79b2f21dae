/**
 * The simulator's memory and its rules. Nothing runs in the background: every search and
 * transfer stores only what happened to it (when it was posted, cancelled, forced to end) and
 * its planned outcome; what a client sees is computed from the clock at read time. So the
 * same code works on real time (demo) and under TestClock (tests), with no fibers to manage.
 */
import { randomUUID } from "node:crypto"
import { hash, type SimFile, type SimPeer } from "./catalog.js"
import type { SearchRequest } from "../../infrastructure/slskd/schema.js"
import { timeSpan, timestamp } from "./format.js"

export type Outcome =
  | "succeed" // the normal path to `Completed, Succeeded`
  | "error" // `Completed, Errored` half-way ("Transfer failed: Remote connection closed")
  | "reject" // `Completed, Rejected` ("Transfer rejected: File not shared.")
  | "timeout" // `Completed, TimedOut` while Requested
  | "stall-remote" // stays `Queued, Remotely` forever
  | "stall-progress" // InProgress, then the bytes stop moving
  | "abort" // `Completed, Aborted` (size mismatch)
  // 0.26 retries a failed download by itself (DownloadService.cs: while Attempts < retry attempts the state goes back
  // to `Queued, Locally`, the old endedAt/exception still on the record): `Completed, Errored` half-way for a moment,
  // `Queued, Locally` with attempts 2, then the rest of the file and `Completed, Succeeded`.
  | "self-retry"
  // 0.24-0.26: `Completed, TimedOut` while the peer keeps the file coming; the download goes on in the background
  // and the record ends `Completed, Succeeded` later, unless it is cancelled (DownloadService.cs, enqueue wait).
  | "timeout-continues"

export interface SimulatorTimings {
  /** Responses arrive spread over this window after a search starts running. */
  readonly searchResponseWindowMs: number
  /** Fixed search duration; when absent a search lasts window + its searchTimeout (slskd: timeout after the last response). */
  readonly searchDurationMs: number | undefined
  /** `Completed, ...` first, `endedAt` and the stored responses this much later. */
  readonly endedAtDelayMs: number
  readonly queuedLocallyMs: number
  readonly requestedMs: number
  /** Time in the peer's queue when it has a free slot. */
  readonly remoteQueueMs: number
  /** Extra remote-queue time per place in the peer's queue when it has no free slot. */
  readonly remoteQueuePerPlaceMs: number
  readonly initializingMs: number
  /** A DELETE (cancel) lands this much later (0: already Completed on the next read). */
  readonly cancelDelayMs: number
  /** How long a POST /searches stays in flight (a second concurrent one gets 429). */
  readonly searchPostDelayMs: number
  /** How long an enqueue stays in flight (peer connect; a third concurrent one gets 429). */
  readonly enqueueDelayMs: number
  /** Multiplies every peer's transfer speed. */
  readonly speedFactor: number
  /** self-retry: how long `Completed, Errored` shows, then how long `Queued, Locally` lasts before the retry runs. */
  readonly selfRetryGapMs: number
  readonly selfRetryDelayMs: number
  /**
   * slskd's `retention.transfers.download.*`: a finished record is removed this long after it ended
   * (DownloadService.cs `Prune`). undefined = off (slskd's default).
   */
  readonly retentionMs: number | undefined
}

export const defaultTimings: SimulatorTimings = {
  searchResponseWindowMs: 1500,
  searchDurationMs: undefined,
  endedAtDelayMs: 300,
  queuedLocallyMs: 150,
  requestedMs: 250,
  remoteQueueMs: 300,
  remoteQueuePerPlaceMs: 50,
  initializingMs: 200,
  cancelDelayMs: 0,
  searchPostDelayMs: 0,
  enqueueDelayMs: 0,
  speedFactor: 1,
  selfRetryGapMs: 1000,
  selfRetryDelayMs: 5000,
  retentionMs: undefined
}

/** 0.26: failed entries are `{}`; 0.24-0.25: filename strings; 0.23: an empty 201 body. */
export type EnqueueStyle = "0.26" | "0.25" | "0.23"

/**
 * How DELETE .../{id}?remove=true treats a transfer that is not complete. "0.24.2": cancels it and
 * hides nothing (204); "0.24.1" and earlier: cancels it, then answers 500 because the record could
 * not be removed, and 404 for an unknown id (TransfersController.cs `CancelDownloadAsync`).
 */
export type RemoveStyle = "0.24.2" | "0.24.1"

/** Soulseek.NET SoulseekClient.cs `SearchAsync` refuses a query without a word of two or more characters. */
export const UNSEARCHABLE = "Search query must contain at least one non-exclusion term with length greater than 1"

/** What Soulseek.NET says when an online peer cannot be connected to (PeerConnectionManager.cs, rethrown by SoulseekClient.cs). */
export const cannotConnect = (username: string) =>
  `Failed to connect to user ${username}: Failed to establish a direct or indirect message connection to ${username} (198.51.100.23:2234)`

export const NOT_LOGGED_IN_SEARCH =
  "The server connection must be connected and logged in to perform a search (currently: Disconnected)"
export const TOO_MANY = "Only one concurrent operation is permitted. Wait until the previous request completes"

const key = (username: string, filename: string) => `${username}\u0000${filename}`
const isGuid = (s: string) => /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(s)

// ---------------------------------------------------------------------------------------------
// Transfers

interface Ending {
  readonly at: number
  readonly state: string
  readonly exception?: string
}

interface TransferRecord {
  readonly id: string
  readonly username: string
  readonly filename: string
  readonly size: number
  readonly requestedAt: number
  readonly sub: number
  readonly outcome: Outcome
  readonly exception: string | undefined
  /** bytes/s */
  readonly speed: number
  readonly tRequested: number
  readonly tRemote: number
  readonly tInit: number
  readonly tProgress: number
  readonly tDone: number
  cancelRequestedAt: number | undefined
  forced: Ending | undefined
  removed: boolean
  /** The last position answer, shown as placeInQueue until the state changes. */
  position: { readonly value: number; readonly state: string } | undefined
  /** self-retry: `Completed, Errored` for gap ms, then `Queued, Locally` for delay ms. */
  readonly relapseGapMs: number
  readonly relapseDelayMs: number
}

export interface TransferView {
  readonly id: string
  readonly username: string
  readonly filename: string
  readonly size: number
  readonly state: string
  readonly completed: boolean
  readonly removed: boolean
  readonly bytesTransferred: number
  /** The JSON object exactly as slskd 0.26 sends it (key order, omitted nulls). */
  readonly json: Record<string, unknown>
}

const naturalEnding = (r: TransferRecord): Ending => {
  const half = r.tProgress + (r.tDone - r.tProgress) / 2
  switch (r.outcome) {
    case "succeed": return { at: r.tDone, state: "Completed, Succeeded" }
    case "error": return { at: half, state: "Completed, Errored", exception: "Transfer failed: Remote connection closed" }
    case "reject": return { at: r.tRemote, state: "Completed, Rejected", exception: r.exception ?? "Transfer rejected: File not shared." }
    case "timeout": return { at: r.tRemote, state: "Completed, TimedOut", exception: "The wait timed out after 15000 milliseconds" }
    case "abort": return { at: r.tInit, state: "Completed, Aborted", exception: r.exception ?? "Transfer aborted" }
    case "stall-remote":
    case "stall-progress": return { at: Infinity, state: "Completed, Succeeded" }
    case "self-retry": return { at: r.tDone + r.relapseGapMs + r.relapseDelayMs, state: "Completed, Succeeded" }
    case "timeout-continues": return { at: r.tDone, state: "Completed, Succeeded" }
  }
}

const relapseAt = (r: TransferRecord) => r.tProgress + (r.tDone - r.tProgress) / 2

export const transferEnding = (r: TransferRecord, cancelDelayMs: number): Ending => {
  let end = naturalEnding(r)
  if (r.cancelRequestedAt !== undefined && r.cancelRequestedAt + cancelDelayMs < end.at) {
    end = { at: r.cancelRequestedAt + cancelDelayMs, state: "Completed, Cancelled", exception: "The operation was canceled." }
  }
  if (r.forced && r.forced.at < end.at) end = r.forced
  return end
}

const STALL_FRACTION = 0.37

const bytesAt = (r: TransferRecord, t: number) => {
  if (t < r.tProgress) return 0
  const done = Math.floor(((t - r.tProgress) / 1000) * r.speed)
  const cap = r.outcome === "stall-progress" ? Math.floor(r.size * STALL_FRACTION) : r.size
  return Math.max(0, Math.min(done, cap, r.size))
}

const activeStateAt = (r: TransferRecord, t: number): string => {
  if (t < r.tRequested) return "Queued, Locally"
  if (t < r.tRemote) return "Requested"
  if (t < r.tInit) return "Queued, Remotely"
  if (t < r.tProgress) return "Initializing"
  return "InProgress"
}

/** Whether slskd still runs a task for this record (a `Completed, TimedOut` one may still be downloading). */
const transferRunning = (r: TransferRecord, now: number, cancelDelayMs: number): boolean =>
  now < transferEnding(r, cancelDelayMs).at

export const viewTransfer = (r: TransferRecord, now: number, cancelDelayMs: number, enqueueReply = false): TransferView => {
  if (r.outcome === "self-retry" && !enqueueReply) {
    const at = relapseAt(r)
    const ending = transferEnding(r, cancelDelayMs)
    if (now >= at && ending.at > at) {
      const resumeAt = at + r.relapseGapMs + r.relapseDelayMs
      const before = viewTransfer({ ...r, outcome: "succeed" }, at, cancelDelayMs)
      const failedJson: Record<string, unknown> = { ...before.json, endedAt: timestamp(at, true, (r.sub * 5) % 10_000), exception: "Transfer failed: Remote connection closed" }
      if (now < at + r.relapseGapMs) {
        return { ...before, state: "Completed, Errored", completed: true, json: { ...failedJson, state: "Completed, Errored", averageSpeed: 0 } }
      }
      if (now < resumeAt) {
        const { remainingTime: _, ...json } = failedJson
        return { ...before, state: "Queued, Locally", completed: false, json: { ...json, state: "Queued, Locally", averageSpeed: 0, attempts: 2 } }
      }
      // the retry resumes the partial file: the rest of the timeline, shifted by the pause
      const shift = resumeAt - at
      const shifted = (t: number | undefined) => (t === undefined ? undefined : Math.max(at, t - shift))
      const later = viewTransfer({
        ...r, outcome: "succeed",
        cancelRequestedAt: shifted(r.cancelRequestedAt),
        forced: r.forced ? { ...r.forced, at: shifted(r.forced.at)! } : undefined
      }, now - shift, cancelDelayMs)
      return { ...later, json: { ...later.json, attempts: 2 } }
    }
  }
  if (r.outcome === "timeout-continues" && !enqueueReply) {
    const ending = transferEnding(r, cancelDelayMs)
    if (now >= r.tRemote && now < ending.at) {
      const before = viewTransfer({ ...r, outcome: "timeout" }, now, cancelDelayMs)
      return before
    }
  }
  const ending = transferEnding(r, cancelDelayMs)
  const completed = now >= ending.at
  const t = completed ? ending.at : now
  const state = completed ? ending.state : activeStateAt(r, t)
  const started = t >= r.tProgress
  const startedAt = started ? r.tProgress : completed ? ending.at : undefined
  const passedRemote = t >= r.tRemote && r.outcome !== "reject" && r.outcome !== "timeout"
  const bytes = bytesAt(r, t)
  const elapsedMs = started ? t - r.tProgress : 0
  const averageSpeed = started && elapsedMs > 0 ? bytes / (elapsedMs / 1000) : 0
  const remaining = r.size - bytes
  const json: Record<string, unknown> = {
    id: r.id,
    username: r.username,
    direction: "Download",
    filename: r.filename,
    size: r.size,
    state,
    requestedAt: timestamp(r.requestedAt, enqueueReply, r.sub)
  }
  if (passedRemote) json["enqueuedAt"] = timestamp(r.tRemote, false, (r.sub * 7) % 10_000)
  if (startedAt !== undefined) json["startedAt"] = timestamp(startedAt, true, (r.sub * 3) % 10_000)
  if (completed) json["endedAt"] = timestamp(ending.at, true, (r.sub * 5) % 10_000)
  json["bytesTransferred"] = bytes
  json["averageSpeed"] = averageSpeed
  if (r.position !== undefined && r.position.state === state) json["placeInQueue"] = r.position.value
  if (completed && ending.exception !== undefined) json["exception"] = ending.exception
  // 0.26 retries errors and timeouts itself (DownloadService.cs, 3 attempts): a final one shows them all spent.
  const natural = naturalEnding(r)
  const retriedAway = completed && ending.at === natural.at && ending.state === natural.state && (r.outcome === "error" || r.outcome === "timeout")
  json["attempts"] = enqueueReply || t < r.tRequested ? 0 : retriedAway ? 3 : 1
  json["removed"] = r.removed
  json["bytesRemaining"] = remaining
  if (startedAt !== undefined) json["elapsedTime"] = timeSpan((completed ? ending.at : now) - startedAt)
  json["percentComplete"] = r.size > 0 ? (bytes / r.size) * 100 : 0
  if (remaining === 0 && started) json["remainingTime"] = "00:00:00"
  else if (averageSpeed > 0) json["remainingTime"] = timeSpan((remaining / averageSpeed) * 1000)
  return { id: r.id, username: r.username, filename: r.filename, size: r.size, state, completed, removed: r.removed, bytesTransferred: bytes, json }
}

/** `directory` = the remote filename minus its last segment (split on `/` if present, else `\`). */
export const directoryOf = (filename: string): string => {
  const sep = filename.includes("/") ? "/" : "\\"
  const i = filename.lastIndexOf(sep)
  return i < 0 ? "" : filename.slice(0, i)
}

// ---------------------------------------------------------------------------------------------
// Searches

interface PlannedResponse {
  readonly username: string
  readonly files: ReadonlyArray<SimFile>
  readonly lockedFiles: ReadonlyArray<SimFile>
  readonly hasFreeUploadSlot: boolean
  readonly queueLength: number
  readonly uploadSpeed: number
}

interface SearchRecord {
  readonly id: string
  readonly searchText: string
  readonly token: number
  readonly postedAt: number
  readonly searchTimeout: number
  readonly responseLimit: number
  readonly fileLimit: number
  readonly responses: ReadonlyArray<PlannedResponse>
  /** Not logged in at POST: `Completed, Errored` at once, endedAt = startedAt. */
  readonly erroredAtPost: boolean
  cancelledAt: number | undefined
  /** slskd restarted while it ran: `Completed, TimedOut` with zero counts. */
  forcedAt: number | undefined
  deleted: boolean
}

interface SearchTimeline {
  readonly start: number
  readonly end: number
  readonly reason: string
  /** Arrival time of each planned response (Infinity for none). */
  readonly arrivals: ReadonlyArray<number>
  readonly zeroed: boolean
}

/** What a client may POST: our client's request, but slskd also accepts it without id and timeout. */
export type SearchRequestBody = Omit<SearchRequest, "id" | "searchTimeout"> & {
  readonly id?: string
  readonly searchTimeout?: number
}

/** Include words (lower case) and exclusions (`-word`), slskd's echo (exclusions last, deduplicated). */
export const parseQuery = (searchText: string) => {
  const words = searchText.toLowerCase().split(/\s+/).filter((w) => w.length > 0)
  const include = [...new Set(words.filter((w) => !w.startsWith("-")))]
  const exclude = [...new Set(words.filter((w) => w.startsWith("-") && w.length > 1).map((w) => w.slice(1)))]
  const echoWords = searchText.split(/\s+/).filter((w) => w.length > 0)
  const echo = [
    ...new Set(echoWords.filter((w) => !w.startsWith("-"))),
    ...new Set(echoWords.filter((w) => w.startsWith("-") && w.length > 1))
  ].join(" ")
  return { include, exclude, echo }
}

export const matches = (path: string, q: { readonly include: ReadonlyArray<string>; readonly exclude: ReadonlyArray<string> }) => {
  const p = path.toLowerCase()
  return q.include.length > 0 && q.include.every((w) => p.includes(w)) && !q.exclude.some((w) => p.includes(w))
}

const fileJson = (f: SimFile): Record<string, unknown> => {
  const o: Record<string, unknown> = {}
  if (f.bitDepth !== undefined) o["bitDepth"] = f.bitDepth
  if (f.bitRate !== undefined) o["bitRate"] = f.bitRate
  o["code"] = 1
  o["extension"] = f.extension ?? ""
  o["filename"] = f.filename
  if (f.isVariableBitRate !== undefined) o["isVariableBitRate"] = f.isVariableBitRate
  if (f.length !== undefined) o["length"] = f.length
  if (f.sampleRate !== undefined) o["sampleRate"] = f.sampleRate
  o["size"] = f.size
  // slskd never copies isLocked: it is false even inside lockedFiles.
  o["isLocked"] = false
  return o
}

const responseJson = (r: PlannedResponse, token: number): Record<string, unknown> => ({
  fileCount: r.files.length,
  files: r.files.map(fileJson),
  hasFreeUploadSlot: r.hasFreeUploadSlot,
  lockedFileCount: r.lockedFiles.length,
  lockedFiles: r.lockedFiles.map(fileJson),
  queueLength: r.queueLength,
  token,
  uploadSpeed: r.uploadSpeed,
  username: r.username
})

// ---------------------------------------------------------------------------------------------
// The state

export type Reply =
  | { readonly _tag: "Json"; readonly status: number; readonly body: unknown }
  | { readonly _tag: "Empty"; readonly status: number }
  | { readonly _tag: "Message"; readonly status: number; readonly message: string }

const json = (status: number, body: unknown): Reply => ({ _tag: "Json", status, body })
const empty = (status: number): Reply => ({ _tag: "Empty", status })
const message = (status: number, text: string): Reply => ({ _tag: "Message", status, message: text })

/** Which calls a fault applies to: method and/or path prefix (decoded, without /api/v0). */
export interface CallMatch {
  readonly method?: string
  readonly path?: string
}

export interface Fault {
  readonly status: number
  readonly match: CallMatch | undefined
}

export const matchesCall = (m: CallMatch | undefined, method: string, path: string): boolean =>
  m === undefined || ((m.method === undefined || m.method.toUpperCase() === method.toUpperCase())
    && (m.path === undefined || path.toLowerCase().startsWith(m.path.toLowerCase())))

/** Removes and returns the first fault that applies to this call. */
export const takeFault = (faults: Array<Fault>, method: string, path: string): Fault | undefined => {
  const i = faults.findIndex((f) => matchesCall(f.match, method, path))
  return i < 0 ? undefined : faults.splice(i, 1)[0]
}

export interface RequestRecord {
  readonly method: string
  readonly path: string
  readonly status: number
}

export class SimState {
  timings: SimulatorTimings
  enqueueStyle: EnqueueStyle = "0.26"
  removeStyle: RemoveStyle = "0.24.2"
  loggedIn = true
  latencyMs = 0
  failures: Array<Fault> = []
  malformed: Array<Fault> = []
  inflightSearchPosts = 0
  inflightEnqueues = 0
  readonly requests: Array<RequestRecord> = []

  private readonly peers = new Map<string, SimPeer>()
  private readonly outcomes = new Map<string, Outcome>()
  private readonly transfers: Array<TransferRecord> = []
  private readonly transfersById = new Map<string, TransferRecord>()
  private readonly searches: Array<SearchRecord> = []
  private readonly searchesById = new Map<string, SearchRecord>()
  private readonly enqueueCounts = new Map<string, number>()
  private acceptedSearches = 0
  /** Downloads that were active when slskd last shut down: re-enqueued per user after the next login. */
  private resumeIds: Array<string> = []
  private tokenSeq = 0

  constructor(catalog: ReadonlyArray<SimPeer>, timings: Partial<SimulatorTimings> = {}) {
    this.timings = { ...defaultTimings, ...timings }
    for (const p of catalog) this.addPeer(p)
  }

  // ---- catalog and plans --------------------------------------------------------------------

  addPeer(peer: SimPeer): void {
    const existing = this.peers.get(peer.username)
    this.peers.set(peer.username, existing ? { ...peer, files: [...existing.files, ...peer.files] } : peer)
  }

  addFiles(username: string, files: ReadonlyArray<SimFile>): void {
    const p = this.peers.get(username)
    if (!p) throw new Error(`no peer ${username}`)
    this.peers.set(username, { ...p, files: [...p.files, ...files] })
  }

  setPeerOnline(username: string, online: boolean): void {
    const p = this.peers.get(username)
    if (p) this.peers.set(username, { ...p, online })
  }

  setPeerReachable(username: string, reachable: boolean): void {
    const p = this.peers.get(username)
    if (p) this.peers.set(username, { ...p, reachable })
  }

  peer(username: string): SimPeer | undefined {
    return this.peers.get(username)
  }

  allPeers(): ReadonlyArray<SimPeer> {
    return [...this.peers.values()]
  }

  setOutcome(username: string, filename: string, outcome: Outcome): void {
    this.outcomes.set(key(username, filename), outcome)
  }

  enqueueCount(username: string, filename: string): number {
    return this.enqueueCounts.get(key(username, filename)) ?? 0
  }

  searchCount(): number {
    return this.acceptedSearches
  }

  // ---- searches -----------------------------------------------------------------------------

  private planResponses(body: SearchRequestBody): ReadonlyArray<PlannedResponse> {
    const q = parseQuery(body.searchText)
    const filter = body.filterResponses ?? true
    const minFiles = body.minimumResponseFileCount ?? 1
    const minSpeed = body.minimumPeerUploadSpeed ?? 0
    const maxQueue = body.maximumPeerQueueLength ?? Number.MAX_SAFE_INTEGER
    const out: Array<PlannedResponse> = []
    for (const p of this.peers.values()) {
      if (p.online === false) continue
      const hits = p.files.filter((f) => matches(f.filename, q))
      const files = hits.filter((f) => f.locked !== true)
      const lockedFiles = hits.filter((f) => f.locked === true)
      if (hits.length === 0) continue
      if (filter && (hits.length < minFiles || p.uploadSpeed < minSpeed || p.queueLength >= maxQueue)) continue
      out.push({ username: p.username, files, lockedFiles, hasFreeUploadSlot: p.hasFreeUploadSlot, queueLength: p.queueLength, uploadSpeed: p.uploadSpeed })
    }
    // A stable but irregular arrival order.
    return out.sort((a, b) => hash(`${body.searchText}|${a.username}`) - hash(`${body.searchText}|${b.username}`))
  }

  /** Who runs when: at most two network searches at once, the others wait `Queued` in POST order. */
  private timelines(): Map<string, SearchTimeline> {
    const result = new Map<string, SearchTimeline>()
    const slots = [-Infinity, -Infinity]
    for (const s of this.searches) {
      if (s.erroredAtPost) {
        result.set(s.id, { start: s.postedAt, end: s.postedAt, reason: "Errored", arrivals: [], zeroed: true })
        continue
      }
      const slot = slots[0]! <= slots[1]! ? 0 : 1
      const start = Math.max(s.postedAt, slots[slot]!)
      const stopAt = Math.min(s.cancelledAt ?? Infinity, s.forcedAt ?? Infinity)
      if (stopAt <= start) {
        // Stopped while still queued: it never took a slot.
        const forced = s.forcedAt !== undefined && s.forcedAt <= (s.cancelledAt ?? Infinity)
        result.set(s.id, { start: stopAt, end: stopAt, reason: forced ? "TimedOut" : "Cancelled", arrivals: [], zeroed: true })
        continue
      }
      const window = this.timings.searchDurationMs === undefined
        ? this.timings.searchResponseWindowMs
        : Math.min(this.timings.searchResponseWindowMs, this.timings.searchDurationMs / 2)
      const n = s.responses.length
      const arrivals = s.responses.map((_, k) => start + (window * (k + 1)) / (n + 1))
      let end = start + (this.timings.searchDurationMs ?? window + s.searchTimeout)
      let reason = "TimedOut"
      let files = 0
      for (let k = 0; k < n; k++) {
        files += s.responses[k]!.files.length + s.responses[k]!.lockedFiles.length
        if (k + 1 >= s.responseLimit && arrivals[k]! < end) {
          end = arrivals[k]!
          reason = "ResponseLimitReached"
          break
        }
        if (files >= s.fileLimit && arrivals[k]! < end) {
          end = arrivals[k]!
          reason = "FileLimitReached"
          break
        }
      }
      let zeroed = false
      if (stopAt < end) {
        end = stopAt
        const forced = s.forcedAt !== undefined && s.forcedAt <= (s.cancelledAt ?? Infinity)
        reason = forced ? "TimedOut" : "Cancelled"
        zeroed = forced
      }
      slots[slot] = end
      result.set(s.id, { start, end, reason, arrivals, zeroed })
    }
    return result
  }

  private searchJson(s: SearchRecord, tl: SearchTimeline, now: number, includeResponses: boolean): Record<string, unknown> {
    const completed = now >= tl.end
    const running = !completed && now >= tl.start
    const t = completed ? tl.end : now
    const arrived = tl.zeroed ? [] : s.responses.filter((_, k) => (tl.arrivals[k] ?? Infinity) <= t)
    const stored = completed && (s.erroredAtPost || now >= tl.end + this.timings.endedAtDelayMs)
    const state = completed ? `Completed, ${tl.reason}` : running ? "InProgress" : "Queued"
    const o: Record<string, unknown> = {}
    if (stored) o["endedAt"] = timestamp(tl.end, true, hash(s.id) % 10_000)
    o["fileCount"] = arrived.reduce((n, r) => n + r.files.length, 0)
    o["id"] = s.id
    o["isComplete"] = completed
    o["lockedFileCount"] = arrived.reduce((n, r) => n + r.lockedFiles.length, 0)
    o["responseCount"] = arrived.length
    o["responses"] = includeResponses && stored ? arrived.map((r) => responseJson(r, s.token)) : []
    o["searchText"] = s.searchText
    o["startedAt"] = timestamp(s.postedAt, true, (hash(s.id) >>> 3) % 10_000)
    o["state"] = state
    o["token"] = s.token
    return o
  }

  private storedResponses(s: SearchRecord, tl: SearchTimeline, now: number): Array<Record<string, unknown>> {
    const stored = now >= tl.end && (s.erroredAtPost || now >= tl.end + this.timings.endedAtDelayMs)
    if (!stored || tl.zeroed) return []
    return s.responses.filter((_, k) => (tl.arrivals[k] ?? Infinity) <= tl.end).map((r) => responseJson(r, s.token))
  }

  startSearch(body: SearchRequestBody, now: number): Reply {
    if (typeof body.searchText !== "string" || body.searchText.trim() === "") return message(400, "SearchText may not be null or empty")
    if (body.searchTimeout !== undefined && (!Number.isInteger(body.searchTimeout) || body.searchTimeout < 5)) {
      return message(400, "The field SearchTimeout must be between 5 and 2147483647.")
    }
    const id = body.id ?? randomUUID()
    if (!isGuid(id)) return message(400, "The value is not a valid GUID.")
    if (this.searchesById.has(id.toLowerCase())) return message(409, `A search with ID ${id} already exists`)
    const q = parseQuery(body.searchText)
    // Soulseek.NET SoulseekClient.cs refuses a query without a two-character word (ArgumentException), which
    // SearchesController.cs answers 400; the search record slskd created first is left `Completed, Errored`.
    const unsearchable = !q.include.some((w) => [...w].length > 1)
    const record: SearchRecord = {
      id,
      searchText: q.echo,
      token: 1_000_000 + (++this.tokenSeq) * 7919 % 900_000,
      postedAt: now,
      searchTimeout: body.searchTimeout ?? 15_000,
      responseLimit: body.responseLimit ?? 250,
      fileLimit: body.fileLimit ?? 25_000,
      responses: this.loggedIn && !unsearchable ? this.planResponses(body) : [],
      erroredAtPost: !this.loggedIn || unsearchable,
      cancelledAt: undefined,
      forcedAt: undefined,
      deleted: false
    }
    this.searches.push(record)
    this.searchesById.set(id.toLowerCase(), record)
    if (unsearchable) return message(400, UNSEARCHABLE)
    if (!this.loggedIn) return message(409, NOT_LOGGED_IN_SEARCH)
    this.acceptedSearches++
    const tl = this.timelines().get(id)!
    return json(200, this.searchJson(record, tl, now, false))
  }

  private findSearch(id: string): SearchRecord | undefined {
    const s = this.searchesById.get(id.toLowerCase())
    return s && !s.deleted ? s : undefined
  }

  listSearches(now: number): Reply {
    const tls = this.timelines()
    return json(200, this.searches.filter((s) => !s.deleted).map((s) => this.searchJson(s, tls.get(s.id)!, now, false)))
  }

  getSearch(id: string, includeResponses: boolean, now: number): Reply {
    const s = this.findSearch(id)
    if (!s) return empty(404)
    const tl = this.timelines().get(s.id)!
    const o = this.searchJson(s, tl, now, false)
    if (includeResponses) o["responses"] = this.storedResponses(s, tl, now)
    return json(200, o)
  }

  searchResponses(id: string, now: number): Reply {
    const s = this.findSearch(id)
    if (!s) return empty(404)
    return json(200, this.storedResponses(s, this.timelines().get(s.id)!, now))
  }

  stopSearch(id: string, now: number): Reply {
    const s = this.findSearch(id)
    if (!s) return empty(404)
    const tl = this.timelines().get(s.id)!
    if (now < tl.end && s.cancelledAt === undefined) s.cancelledAt = now
    return empty(200)
  }

  deleteSearch(id: string): Reply {
    const s = this.findSearch(id)
    if (!s) return empty(404)
    s.deleted = true // does not stop it: it keeps its network slot until it ends
    return empty(204)
  }

  /** Searches as slskd would list them, including deleted ones (for tests). */
  searchViews(now: number): ReadonlyArray<Record<string, unknown> & { readonly deleted: boolean }> {
    const tls = this.timelines()
    return this.searches.map((s) => ({ ...this.searchJson(s, tls.get(s.id)!, now, false), deleted: s.deleted }))
  }

  // ---- transfers ----------------------------------------------------------------------------

  private plan(username: string, filename: string, size: number, now: number, outcomeOverride?: Outcome): TransferRecord {
    const t = this.timings
    const peer = this.peers.get(username)
    const file = peer?.files.find((f) => f.filename === filename)
    let outcome: Outcome = outcomeOverride ?? this.outcomes.get(key(username, filename)) ?? "succeed"
    let exception: string | undefined
    if (!file || file.locked === true) {
      outcome = "reject"
      exception = "Transfer rejected: File not shared."
    } else if (file.size !== size) {
      outcome = "abort" // the peer reports another size: slskd aborts whatever the plan was
    }
    if (outcome === "abort") {
      exception = `Transfer aborted: the remote size of ${file?.size ?? 0} does not match expected size ${size}`
    }
    const speed = Math.max(1, (peer?.transferSpeed ?? peer?.uploadSpeed ?? 100_000) * t.speedFactor)
    const tRequested = now + t.queuedLocallyMs
    const tRemote = tRequested + t.requestedMs
    const queueWait = peer && !peer.hasFreeUploadSlot ? t.remoteQueueMs + peer.queueLength * t.remoteQueuePerPlaceMs : t.remoteQueueMs
    const tInit = outcome === "stall-remote" ? Infinity : tRemote + queueWait
    const tProgress = tInit + t.initializingMs
    const tDone = tProgress + (size / speed) * 1000
    const id = randomUUID()
    return {
      id, username, filename, size, requestedAt: now, sub: hash(id) % 10_000, outcome, exception, speed,
      tRequested, tRemote, tInit, tProgress, tDone,
      cancelRequestedAt: undefined, forced: undefined, removed: false, position: undefined,
      relapseGapMs: t.selfRetryGapMs, relapseDelayMs: t.selfRetryDelayMs
    }
  }

  private insertTransfer(r: TransferRecord): void {
    this.transfers.push(r)
    this.transfersById.set(r.id.toLowerCase(), r)
  }

  private view(r: TransferRecord, now: number, enqueueReply = false): TransferView {
    return viewTransfer(r, now, this.timings.cancelDelayMs, enqueueReply)
  }

  /** Retention: finished records older than the setting are removed, as slskd's periodic prune does (read lazily). */
  private prune(now: number): void {
    const keep = this.timings.retentionMs
    if (keep === undefined) return
    for (const r of this.transfers) {
      if (r.removed) continue
      const end = transferEnding(r, this.timings.cancelDelayMs).at
      if (this.view(r, now).completed && now >= end + keep) r.removed = true
    }
  }

  /** POST /transfers/downloads/{username} after the guards (login, concurrency) passed. */
  enqueue(username: string, body: unknown, now: number): Reply {
    if (!Array.isArray(body) || body.length === 0) return message(400, "At least one file is required")
    const files: Array<{ filename: string; size: number }> = []
    for (const f of body) {
      if (f === null || typeof f !== "object" || typeof (f as { filename?: unknown }).filename !== "string") {
        return message(400, "Each file must have a filename")
      }
      const o = f as { filename: string; size?: unknown }
      if (o.filename.split(/[\\/]/).includes("..")) return message(400, "Filenames may not contain '..' segments")
      files.push({ filename: o.filename, size: typeof o.size === "number" ? o.size : 0 })
    }
    const peer = this.peers.get(username)
    // DownloadService.cs `EnqueueAsync` looks the peer up and connects before it creates any record:
    // an offline or unreachable peer is a 500 with Soulseek.NET's message and nothing is stored.
    if (peer?.online === false) return message(500, `User ${username} appears to be offline`)
    if (peer?.reachable === false) return message(500, cannotConnect(username))
    this.prune(now)
    const enqueued: Array<TransferRecord> = []
    const failed: Array<string> = []
    for (const f of files) {
      const same = this.transfers.filter((t) => t.username === username && t.filename === f.filename && !t.removed)
      if (same.some((t) => !this.view(t, now).completed)) {
        failed.push(f.filename) // already in progress: no new record, the existing id carries on
        continue
      }
      for (const old of same) old.removed = true // completed ones are replaced by a new record
      const r = this.plan(username, f.filename, f.size, now)
      this.insertTransfer(r)
      enqueued.push(r)
      this.enqueueCounts.set(key(username, f.filename), this.enqueueCount(username, f.filename) + 1)
    }
    if (this.enqueueStyle === "0.23") return empty(201)
    return json(201, {
      enqueued: enqueued.map((r) => this.view(r, now, true).json),
      failed: this.enqueueStyle === "0.25" ? failed : failed.map(() => ({}))
    })
  }

  private grouped(transfers: ReadonlyArray<TransferRecord>, now: number): Array<Record<string, unknown>> {
    const users = new Map<string, Map<string, Array<Record<string, unknown>>>>()
    for (const r of transfers) {
      const dirs = users.get(r.username) ?? new Map<string, Array<Record<string, unknown>>>()
      users.set(r.username, dirs)
      const dir = directoryOf(r.filename)
      const list = dirs.get(dir) ?? []
      dirs.set(dir, list)
      list.push(this.view(r, now).json)
    }
    return [...users].map(([username, dirs]) => ({
      username,
      directories: [...dirs].map(([directory, files]) => ({ directory, fileCount: files.length, files }))
    }))
  }

  listDownloads(includeRemoved: boolean, now: number): Reply {
    this.prune(now)
    return json(200, this.grouped(this.transfers.filter((t) => includeRemoved || !t.removed), now))
  }

  userDownloads(username: string, now: number): Reply {
    this.prune(now)
    const mine = this.transfers.filter((t) => t.username === username && !t.removed)
    if (mine.length === 0) return empty(404)
    return json(200, this.grouped(mine, now)[0])
  }

  getDownload(id: string, now: number): Reply {
    if (!isGuid(id)) return message(400, "The value is not a valid GUID.")
    this.prune(now)
    const r = this.transfersById.get(id.toLowerCase())
    return r ? json(200, this.view(r, now).json) : empty(404)
  }

  /** GET .../{id}/position: asks the peer; only for an active download while logged in. */
  position(id: string, now: number): Reply {
    if (!isGuid(id)) return message(400, "The value is not a valid GUID.")
    const r = this.transfersById.get(id.toLowerCase())
    if (!r) return empty(404)
    if (!this.loggedIn) {
      return message(500, "The server connection must be Connected and LoggedIn to check download queue position (currently: Disconnected)")
    }
    const v = this.view(r, now)
    if (v.completed) return message(500, `A download of ${r.filename} from user ${r.username} is not active`)
    const peer = this.peers.get(r.username)
    // Peers answer with a stale, often meaningless number.
    const value = v.state === "Queued, Remotely" ? (peer?.queueLength ?? 0) + (hash(r.id) % 7) : 0
    r.position = { value, state: v.state }
    return json(200, value)
  }

  /** DELETE .../{id}?remove=: cancel; remove only hides a record that is already Completed. */
  cancel(id: string, remove: boolean, now: number): Reply {
    if (!isGuid(id)) return message(400, "The value is not a valid GUID.")
    const r = this.transfersById.get(id.toLowerCase())
    if (!r) return empty(remove && this.removeStyle === "0.24.1" ? 404 : 204)
    const completed = this.view(r, now).completed
    if (transferRunning(r, now, this.timings.cancelDelayMs) && r.cancelRequestedAt === undefined) r.cancelRequestedAt = now
    if (remove && completed) r.removed = true
    if (remove && !completed && this.removeStyle === "0.24.1") {
      return message(500, `Failed to remove download ${id}: the transfer is not complete`)
    }
    return empty(204)
  }

  clearCompleted(now: number): Reply {
    for (const r of this.transfers) if (!r.removed && this.view(r, now).completed) r.removed = true
    return empty(204)
  }

  transferViews(now: number): ReadonlyArray<TransferView> {
    return this.transfers.map((r) => this.view(r, now))
  }

  // ---- application --------------------------------------------------------------------------

  serverJson(): Record<string, unknown> {
    return this.loggedIn
      ? {
        address: "server.slsknet.org", ipEndPoint: "208.76.170.59:2271", state: "Connected, LoggedIn",
        isConnected: true, isConnecting: false, isLoggedIn: true, isLoggingIn: false, isTransitioning: false
      }
      : {
        state: "Disconnected", isConnected: false, isConnecting: false, isLoggedIn: false, isLoggingIn: false, isTransitioning: false
      }
  }

  /**
   * slskd stops and starts again (Application.cs, start-up): every download still active is set
   * `Completed, Errored` with exception "Application shut down" (not removed), its id kept for
   * the re-enqueue after login; running searches end `Completed, TimedOut` with zero counts.
   * slskd is logged out until `login`.
   */
  shutdown(now: number): void {
    for (const r of this.transfers) {
      if (r.removed || !transferRunning(r, now, this.timings.cancelDelayMs)) continue
      r.forced = { at: now, state: "Completed, Errored", exception: "Application shut down" }
      this.resumeIds.push(r.id)
    }
    const tls = this.timelines()
    for (const s of this.searches) {
      const tl = tls.get(s.id)!
      if (now < tl.end && s.forcedAt === undefined) s.forcedAt = now
    }
    this.loggedIn = false
    this.inflightEnqueues = 0
    this.inflightSearchPosts = 0
  }

  /** Users whose downloads slskd will re-enqueue after login, in the order it does them. */
  resumeUsers(): ReadonlyArray<string> {
    return [...new Set(this.resumeIds.map((id) => this.transfersById.get(id.toLowerCase())!.username))]
  }

  /**
   * After login slskd re-enqueues the saved downloads one user at a time (Application.cs
   * `Client_LoggedIn`); each goes through `EnqueueAsync` (DownloadService.cs), so an offline or
   * unreachable peer is skipped, and each file gets a new id while the old record is marked
   * removed. A record removed meanwhile is not brought back. Not counted as a client's enqueue.
   */
  resumeUser(username: string, now: number): void {
    const peer = this.peers.get(username)
    const mine = this.resumeIds.map((id) => this.transfersById.get(id.toLowerCase())!).filter((r) => r.username === username)
    this.resumeIds = this.resumeIds.filter((id) => !mine.some((r) => r.id === id))
    if (peer?.online === false || peer?.reachable === false) return
    for (const old of mine) {
      if (old.removed) continue
      const same = this.transfers.filter((t) => t.username === username && t.filename === old.filename && !t.removed)
      if (same.some((t) => !this.view(t, now).completed)) continue
      for (const t of same) t.removed = true
      this.insertTransfer(this.plan(username, old.filename, old.size, now, old.outcome))
    }
  }
}
