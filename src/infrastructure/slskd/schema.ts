/**
 * slskd's JSON shapes (the contract is summed up in docs/slskd-notes.md), decoded defensively:
 * every nullable field is optional (slskd omits nulls; an explicit null is accepted too),
 * unknown fields are ignored, timestamps with and without `Z` are UTC, TimeSpans become
 * seconds and [Flags] state strings become their list of flags.
 */
import { ParseResult, Schema } from "effect"

// ---------------------------------------------------------------------------------------------
// Scalars

const TIMESTAMP = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?(Z|[+-]\d{2}:?\d{2})?$/

/**
 * An ISO 8601 timestamp as slskd writes it (up to 7 fractional digits; with or without
 * `Z`, and a missing zone means UTC, never local time) to epoch milliseconds.
 */
export const parseTimestamp = (raw: string): number | undefined => {
  const m = TIMESTAMP.exec(raw.trim())
  if (!m) return undefined
  const [, y, mo, d, h, mi, s, frac, zone] = m
  const ms = frac === undefined ? 0 : Math.floor(Number(`0.${frac}`) * 1000)
  let t = Date.UTC(Number(y), Number(mo) - 1, Number(d), Number(h), Number(mi), Number(s), ms)
  if (Number.isNaN(t)) return undefined
  if (zone !== undefined && zone !== "Z") {
    const z = /^([+-])(\d{2}):?(\d{2})$/.exec(zone)
    if (!z) return undefined
    const offset = (Number(z[2]) * 60 + Number(z[3])) * 60_000
    t = z[1] === "+" ? t - offset : t + offset
  }
  return t
}

/** A slskd timestamp decoded to a normalised ISO string in UTC with `Z` (millisecond precision). */
export const SlskdTimestamp = Schema.transformOrFail(Schema.String, Schema.String, {
  strict: true,
  decode: (raw, _, ast) => {
    const t = parseTimestamp(raw)
    return t === undefined
      ? ParseResult.fail(new ParseResult.Type(ast, raw, `not a timestamp: ${JSON.stringify(raw)}`))
      : ParseResult.succeed(new Date(t).toISOString())
  },
  encode: (iso) => ParseResult.succeed(iso)
}).annotations({ identifier: "SlskdTimestamp" })

const TIMESPAN = /^(-)?(?:(\d+)\.)?(\d{1,2}):(\d{2}):(\d{2})(?:\.(\d{1,7}))?$/

/** A .NET TimeSpan string `[-][d.]hh:mm:ss[.fffffff]` to seconds. */
export const parseTimeSpan = (raw: string): number | undefined => {
  const m = TIMESPAN.exec(raw.trim())
  if (!m) return undefined
  const [, neg, days, h, mi, s, frac] = m
  const seconds = Number(days ?? 0) * 86_400 + Number(h) * 3600 + Number(mi) * 60 + Number(s)
    + (frac === undefined ? 0 : Number(`0.${frac}`))
  return neg ? -seconds : seconds
}

/** Seconds as a .NET TimeSpan string (7 fractional digits when there is a fraction), as slskd writes it. */
export const formatTimeSpan = (seconds: number): string => {
  const ticks = Math.max(0, Math.round(seconds * 10_000_000))
  const whole = Math.floor(ticks / 10_000_000)
  const frac = ticks % 10_000_000
  const days = Math.floor(whole / 86_400)
  const pad = (n: number) => String(n).padStart(2, "0")
  const hms = `${pad(Math.floor((whole % 86_400) / 3600))}:${pad(Math.floor((whole % 3600) / 60))}:${pad(whole % 60)}`
  return `${days > 0 ? `${days}.` : ""}${hms}${frac > 0 ? `.${String(frac).padStart(7, "0")}` : ""}`
}

export const TimeSpanSeconds = Schema.transformOrFail(Schema.String, Schema.Number, {
  strict: true,
  decode: (raw, _, ast) => {
    const s = parseTimeSpan(raw)
    return s === undefined
      ? ParseResult.fail(new ParseResult.Type(ast, raw, `not a TimeSpan: ${JSON.stringify(raw)}`))
      : ParseResult.succeed(s)
  },
  encode: (s) => ParseResult.succeed(formatTimeSpan(s))
}).annotations({ identifier: "TimeSpanSeconds" })

/** A [Flags] enum string ("Completed, Succeeded") to its flags. Membership only, never substrings. */
export const parseFlags = (raw: string): ReadonlyArray<string> =>
  raw.split(",").map((s) => s.trim()).filter((s) => s.length > 0)

export const StateFlags = Schema.transform(Schema.String, Schema.Array(Schema.String), {
  strict: true,
  decode: parseFlags,
  encode: (flags) => flags.join(", ")
}).annotations({ identifier: "StateFlags" })

export const hasFlag = (flags: ReadonlyArray<string>, flag: string): boolean => flags.includes(flag)
/** Terminal: the state contains Completed. */
export const isCompleted = (flags: ReadonlyArray<string>): boolean => flags.includes("Completed")
/** Success is exactly `Completed, Succeeded`. */
export const isSucceeded = (flags: ReadonlyArray<string>): boolean =>
  flags.length === 2 && flags.includes("Completed") && flags.includes("Succeeded")

/** Optional, and an explicit null counts as absent. */
const opt = <A, I, R>(s: Schema.Schema<A, I, R>) => Schema.optionalWith(s, { nullable: true, exact: true })
const withDefault = <A, I, R>(s: Schema.Schema<A, I, R>, value: () => A) =>
  Schema.optionalWith(s, { nullable: true, default: value })

// ---------------------------------------------------------------------------------------------
// Searches

export const SearchFile = Schema.Struct({
  filename: Schema.String,
  size: Schema.Number,
  code: opt(Schema.Number),
  extension: opt(Schema.String),
  bitRate: opt(Schema.Number),
  bitDepth: opt(Schema.Number),
  sampleRate: opt(Schema.Number),
  length: opt(Schema.Number),
  isVariableBitRate: opt(Schema.Boolean),
  isLocked: opt(Schema.Boolean)
})
export type SearchFile = typeof SearchFile.Type

export const SearchResponse = Schema.Struct({
  username: Schema.String,
  files: withDefault(Schema.Array(SearchFile), () => []),
  lockedFiles: withDefault(Schema.Array(SearchFile), () => []),
  hasFreeUploadSlot: withDefault(Schema.Boolean, () => false),
  queueLength: withDefault(Schema.Number, () => 0),
  uploadSpeed: withDefault(Schema.Number, () => 0),
  fileCount: opt(Schema.Number),
  lockedFileCount: opt(Schema.Number),
  token: opt(Schema.Number)
})
export type SearchResponse = typeof SearchResponse.Type

export const Search = Schema.Struct({
  id: Schema.String,
  searchText: withDefault(Schema.String, () => ""),
  state: StateFlags,
  isComplete: withDefault(Schema.Boolean, () => false),
  startedAt: opt(SlskdTimestamp),
  endedAt: opt(SlskdTimestamp),
  fileCount: withDefault(Schema.Number, () => 0),
  lockedFileCount: withDefault(Schema.Number, () => 0),
  responseCount: withDefault(Schema.Number, () => 0),
  token: opt(Schema.Number),
  responses: withDefault(Schema.Array(SearchResponse), () => [])
})
export type Search = typeof Search.Type

/** Responses are stored (and readable) only once the search is complete AND has its endedAt. */
export const searchHasResults = (s: Search): boolean =>
  (s.isComplete || isCompleted(s.state)) && s.endedAt !== undefined

export interface SearchRequest {
  readonly id: string
  readonly searchText: string
  /** Milliseconds, despite slskd's doc comment. */
  readonly searchTimeout: number
  readonly responseLimit?: number
  readonly fileLimit?: number
  readonly filterResponses?: boolean
  readonly minimumResponseFileCount?: number
  readonly minimumPeerUploadSpeed?: number
  readonly maximumPeerQueueLength?: number
}

// ---------------------------------------------------------------------------------------------
// Transfers

export const Transfer = Schema.Struct({
  id: Schema.String,
  username: Schema.String,
  filename: Schema.String,
  size: withDefault(Schema.Number, () => 0),
  direction: opt(Schema.String),
  state: StateFlags,
  stateDescription: opt(Schema.String),
  batchId: opt(Schema.String),
  requestedAt: opt(SlskdTimestamp),
  enqueuedAt: opt(SlskdTimestamp),
  startedAt: opt(SlskdTimestamp),
  endedAt: opt(SlskdTimestamp),
  bytesTransferred: withDefault(Schema.Number, () => 0),
  averageSpeed: withDefault(Schema.Number, () => 0),
  bytesRemaining: opt(Schema.Number),
  percentComplete: withDefault(Schema.Number, () => 0),
  elapsedTime: opt(TimeSpanSeconds),
  remainingTime: opt(TimeSpanSeconds),
  placeInQueue: opt(Schema.Number),
  exception: opt(Schema.String),
  attempts: withDefault(Schema.Number, () => 0),
  removed: withDefault(Schema.Boolean, () => false)
})
export type Transfer = typeof Transfer.Type

export const TransferDirectory = Schema.Struct({
  directory: withDefault(Schema.String, () => ""),
  fileCount: opt(Schema.Number),
  files: withDefault(Schema.Array(Transfer), () => [])
})

export const UserTransfers = Schema.Struct({
  username: Schema.String,
  directories: withDefault(Schema.Array(TransferDirectory), () => [])
})
export type UserTransfers = typeof UserTransfers.Type

export const flattenUser = (u: UserTransfers): ReadonlyArray<Transfer> => u.directories.flatMap((d) => d.files)

/**
 * A `failed` entry of the legacy enqueue reply: a filename string in 0.24-0.25, an empty
 * object in 0.26 (a serialized tuple), maybe `{filename, message}` some day.
 */
export interface EnqueueFailure {
  readonly filename: string | null
  readonly message: string | null
}

const toFailure = (u: unknown): EnqueueFailure => {
  if (typeof u === "string") return { filename: u, message: null }
  if (u !== null && typeof u === "object") {
    const o = u as Record<string, unknown>
    const str = (v: unknown) => (typeof v === "string" ? v : null)
    return { filename: str(o["filename"]) ?? str(o["item1"]) ?? str(o["Item1"]), message: str(o["message"]) ?? str(o["item2"]) ?? str(o["Item2"]) }
  }
  return { filename: null, message: null }
}

export const EnqueueReplyBody = Schema.Struct({
  enqueued: withDefault(Schema.Array(Transfer), () => []),
  failed: withDefault(Schema.Array(Schema.Unknown), () => [])
})

/** The enqueue reply of any version: 0.24+ `{enqueued, failed}` or 0.23's empty 201. */
export type EnqueueReply =
  | { readonly _tag: "Reply"; readonly enqueued: ReadonlyArray<Transfer>; readonly failed: ReadonlyArray<EnqueueFailure> }
  | { readonly _tag: "Legacy" }

export const toEnqueueReply = (body: typeof EnqueueReplyBody.Type): EnqueueReply => ({
  _tag: "Reply", enqueued: body.enqueued, failed: body.failed.map(toFailure)
})

// ---------------------------------------------------------------------------------------------
// Application and server

export const ServerState = Schema.Struct({
  address: opt(Schema.String),
  ipEndPoint: opt(Schema.String),
  state: withDefault(StateFlags, () => []),
  isConnected: opt(Schema.Boolean),
  isLoggedIn: opt(Schema.Boolean),
  isConnecting: opt(Schema.Boolean),
  isLoggingIn: opt(Schema.Boolean),
  isTransitioning: opt(Schema.Boolean)
})
export type ServerState = typeof ServerState.Type

/** isLoggedIn when present, else both Connected and LoggedIn in the state flags. */
export const serverLoggedIn = (s: ServerState): boolean =>
  s.isLoggedIn ?? (hasFlag(s.state, "Connected") && hasFlag(s.state, "LoggedIn"))

export const ApplicationVersion = Schema.Struct({
  full: opt(Schema.String),
  current: opt(Schema.String),
  latest: opt(Schema.String),
  isUpdateAvailable: opt(Schema.Boolean)
})

export const Application = Schema.Struct({
  version: opt(ApplicationVersion),
  server: opt(ServerState)
})
export type Application = typeof Application.Type

// ---------------------------------------------------------------------------------------------
// Error bodies

/**
 * The human message of an error reply: a JSON string, plain text, a ProblemDetails-like
 * object, or nothing at all.
 */
export const errorMessage = (body: string): string => {
  const text = body.trim()
  if (text === "") return ""
  try {
    const parsed: unknown = JSON.parse(text)
    if (typeof parsed === "string") return parsed
    if (parsed !== null && typeof parsed === "object") {
      const o = parsed as Record<string, unknown>
      for (const k of ["message", "detail", "title", "error"]) {
        if (typeof o[k] === "string") return o[k]
      }
    }
  } catch {
    // plain text
  }
  return text.length > 300 ? `${text.slice(0, 300)}…` : text
}

// --- The status listing: one GET per sync tick, thousands of records, so only what the sync
// uses is decoded, with plain fields; timestamps and TimeSpans are parsed by hand afterwards.
const optNum = Schema.optional(Schema.NullOr(Schema.Number))
const optStr = Schema.optional(Schema.NullOr(Schema.String))

export const StatusTransfer = Schema.Struct({
  id: Schema.String,
  username: Schema.String,
  filename: Schema.String,
  size: optNum,
  state: Schema.String,
  bytesTransferred: optNum,
  averageSpeed: optNum,
  percentComplete: optNum,
  remainingTime: optStr,
  attempts: optNum,
  exception: optStr,
  requestedAt: optStr,
  enqueuedAt: optStr,
  startedAt: optStr,
  endedAt: optStr
})
export type StatusTransfer = typeof StatusTransfer.Type

export const StatusListing = Schema.Array(Schema.Struct({
  username: Schema.String,
  directories: Schema.optional(Schema.NullOr(Schema.Array(Schema.Struct({
    files: Schema.optional(Schema.NullOr(Schema.Array(StatusTransfer)))
  }))))
}))
