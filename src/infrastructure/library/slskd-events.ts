import { Context, Effect, Layer, Option, Redacted, Schema } from "effect"
import { Setting } from "../../config.js"
import { ProviderError } from "../../domain/ports/DownloadProvider.js"
import { Settings } from "../../domain/ports/Settings.js"
import { CircuitBreaker } from "../slskd/circuit-breaker.js"

/**
 * slskd's record of where it put each finished file. `GET /api/v0/events` (slskd 0.22+,
 * src/slskd/Events/API/EventsController.cs) lists records newest first with `X-Total-Count`;
 * a `DownloadFileComplete` record's `data` is a JSON string holding `localFilename`,
 * `remoteFilename` and the `transfer` (src/slskd/Events/Types/EventRecord.cs, Events.cs).
 * `GET /api/v0/options` gives slskd's own `directories.downloads`.
 */
const EventRecord = Schema.Struct({ id: Schema.String, type: Schema.String, data: Schema.String })
const Completed = Schema.parseJson(Schema.Struct({
  localFilename: Schema.String,
  remoteFilename: Schema.String,
  transfer: Schema.optional(Schema.Struct({ id: Schema.String, username: Schema.optional(Schema.String) }))
}))
const Options = Schema.Struct({ directories: Schema.optional(Schema.Struct({ downloads: Schema.optional(Schema.String) })) })

export interface CompletedFile {
  readonly localFilename: string
  readonly slskdDownloadsDir: string | null
}

export class SlskdFiles extends Context.Tag("soulspot/SlskdFiles")<SlskdFiles, {
  /** Where slskd says it put this transfer (by id, else by remote file name); None when it does not say. */
  readonly completedFile: (transferId: string | null, remoteFilename: string) => Effect.Effect<Option.Option<CompletedFile>>
}>() {}

const PAGE = 100
const PAGES = 5

export const SlskdFilesLive = Layer.effect(SlskdFiles, Effect.gen(function*() {
  const settings = yield* Settings
  const breaker = yield* CircuitBreaker

  // Through the same breaker as every other slskd call: an slskd that is down fails fast here
  // too (the import falls back to the folder layout), and these failures count like the others.
  // A 4xx (an slskd older than 0.22 has no events endpoint) is an answer, not a failure.
  const get = (path: string) => breaker.protect(Effect.gen(function*() {
    const base = yield* settings.get(Setting.slskdUrl)
    const key = yield* settings.get(Setting.slskdApiKey)
    const headers: Record<string, string> = { accept: "application/json" }
    if (Option.isSome(key)) headers["X-API-Key"] = Redacted.value(key.value)
    const res = yield* Effect.tryPromise({
      try: (signal) => fetch(`${base}${path}`, { headers, redirect: "manual", signal }),
      catch: (e) => new ProviderError({ reason: "Unreachable", message: `slskd ${path}: ${(e as Error).message}` })
    })
    if (!res.ok) {
      const reason = res.status >= 500 ? "Upstream" : res.status === 401 || res.status === 403 ? "Unauthorized" : "Rejected"
      return yield* new ProviderError({ reason, status: res.status, message: `slskd ${path} answered HTTP ${res.status}` })
    }
    return yield* Effect.tryPromise({
      try: () => res.json() as Promise<unknown>,
      catch: () => new ProviderError({ reason: "Malformed", message: `slskd ${path} answered something that is not JSON` })
    })
  }).pipe(Effect.timeoutFail({
    duration: "10 seconds",
    onTimeout: () => new ProviderError({ reason: "Timeout", message: `slskd ${path} did not answer within 10 s` })
  })))

  const downloadsDir = get("/api/v0/options").pipe(
    Effect.flatMap(Schema.decodeUnknown(Options)),
    Effect.map((o) => o.directories?.downloads ?? null),
    Effect.orElseSucceed(() => null))

  const completedFile = (transferId: string | null, remote: string) => Effect.gen(function*() {
    for (let page = 0; page < PAGES; page++) {
      const raw = yield* get(`/api/v0/events?offset=${page * PAGE}&limit=${PAGE}`)
      const records = yield* Schema.decodeUnknown(Schema.Array(EventRecord))(raw)
      for (const r of records) {
        if (r.type !== "DownloadFileComplete") continue
        const data = yield* Schema.decodeUnknown(Completed)(r.data).pipe(Effect.option)
        if (Option.isNone(data)) continue
        const d = data.value
        if ((transferId !== null && d.transfer?.id === transferId) || d.remoteFilename === remote) {
          return Option.some({ localFilename: d.localFilename, slskdDownloadsDir: yield* downloadsDir })
        }
      }
      if (records.length < PAGE) break
    }
    return Option.none<CompletedFile>()
  }).pipe(
    Effect.tapError((e) => Effect.logDebug(`slskd events unavailable: ${String(e)}`)),
    Effect.orElseSucceed(() => Option.none<CompletedFile>()))

  return SlskdFiles.of({ completedFile })
}))
