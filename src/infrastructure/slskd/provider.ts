/**
 * DownloadProvider over slskd (the contract it relies on is in docs/slskd-notes.md). The traps
 * it handles: search results only after `endedAt`, composite state flags, omitted nulls, 404
 * for a user with no downloads, ids only from the 0.24+ enqueue reply (else by filename), a
 * remove that older slskd answers with 500 while the transfer is active, and, above all, never
 * a second enqueue for a file slskd already holds.
 */
import { Duration, Effect, Layer, Option, RcMap } from "effect"
import { randomUUID } from "node:crypto"
import { Setting } from "../../config.js"
import type { PeerResponse } from "../../domain/matching/types.js"
import {
  DownloadProvider,
  type EnqueueRequest,
  type EnqueueResult,
  ProviderError,
  type ProviderStatus,
  type TransferSnapshot,
  type TransferStatus,
  transferKey
} from "../../domain/ports/DownloadProvider.js"
import { Settings } from "../../domain/ports/Settings.js"
import { SlskdClient } from "./client.js"
import {
  isCompleted,
  isSucceeded,
  parseFlags,
  parseTimeSpan,
  parseTimestamp,
  StatusListing,
  type StatusTransfer,
  type Search,
  searchHasResults,
  type SearchResponse,
  serverLoggedIn,
  type Transfer
} from "./schema.js"

/** How the provider paces itself; tests may shorten these. */
export interface ProviderTimings {
  /** Between two GET /searches/{id} while a search runs. */
  readonly searchPollInterval: Duration.DurationInput
  /** Added to searchTimeout before we stop a search that does not end by itself. */
  readonly searchGraceMin: Duration.DurationInput
  /** After a stop (PUT), how long we wait for endedAt before reading whatever is stored. */
  readonly searchStopGrace: Duration.DurationInput
  /** Between the checks for a cancelled transfer to reach a Completed state. */
  readonly cancelPollInterval: Duration.DurationInput
  readonly cancelPolls: number
}

export const DefaultProviderTimings: ProviderTimings = {
  searchPollInterval: "500 millis",
  searchGraceMin: "10 seconds",
  searchStopGrace: "3 seconds",
  cancelPollInterval: "250 millis",
  cancelPolls: 8
}

const toMillis = (d: Duration.DurationInput) => Duration.toMillis(Duration.decode(d))

// ---------------------------------------------------------------------------------------------
// Pure mapping

const toPeerResponse = (r: SearchResponse): PeerResponse => ({
  username: r.username,
  files: r.files,
  lockedFiles: r.lockedFiles,
  hasFreeUploadSlot: r.hasFreeUploadSlot,
  queueLength: r.queueLength,
  uploadSpeed: r.uploadSpeed,
  fileCount: r.fileCount,
  lockedFileCount: r.lockedFileCount,
  token: r.token
})

const isoOrNull = (raw: string | null | undefined): string | null => {
  if (raw === null || raw === undefined) return null
  const t = parseTimestamp(raw)
  return t === undefined ? null : new Date(t).toISOString()
}

const toStatus = (t: typeof StatusTransfer.Type): TransferStatus => {
    const remaining = t.remainingTime ? parseTimeSpan(t.remainingTime) : undefined
    return {
      id: t.id,
      username: t.username,
      filename: t.filename,
      size: t.size ?? 0,
      state: parseFlags(t.state),
      bytesTransferred: t.bytesTransferred ?? 0,
      percentComplete: t.percentComplete ?? 0,
      averageSpeed: t.averageSpeed ?? 0,
      remainingSeconds: remaining ?? null,
      attempts: t.attempts ?? 0,
      exception: t.exception ?? null,
      requestedAt: isoOrNull(t.requestedAt),
      enqueuedAt: isoOrNull(t.enqueuedAt),
      startedAt: isoOrNull(t.startedAt),
      endedAt: isoOrNull(t.endedAt)
    }
  }

/** The lean listing of one sync tick to the snapshot the sync plans from. */
export const listingToSnapshot = (users: typeof StatusListing.Type): TransferSnapshot =>
  snapshotOf(users.flatMap((u) => (u.directories ?? []).flatMap((d) => d.files ?? [])).map(toStatus))

/** A transfer read by id (removed records included) as the sync sees it. */
const transferToStatus = (t: Transfer): TransferStatus => ({
  id: t.id, username: t.username, filename: t.filename, size: t.size, state: t.state,
  bytesTransferred: t.bytesTransferred, percentComplete: t.percentComplete, averageSpeed: t.averageSpeed,
  remainingSeconds: t.remainingTime ?? null, attempts: t.attempts, exception: t.exception ?? null,
  requestedAt: t.requestedAt ?? null, enqueuedAt: t.enqueuedAt ?? null, startedAt: t.startedAt ?? null, endedAt: t.endedAt ?? null
})

const requestedMillis = (t: { readonly requestedAt?: string | null | undefined }) =>
  t.requestedAt ? parseTimestamp(t.requestedAt) ?? 0 : 0

/** byId, and byKey keeping the newest record per user and file (by requestedAt, then list order). */
const snapshotOf = (statuses: ReadonlyArray<TransferStatus>): TransferSnapshot => {
  const byId = new Map<string, TransferStatus>()
  const byKey = new Map<string, TransferStatus>()
  for (const status of statuses) {
    byId.set(status.id, status)
    const key = transferKey(status.username, status.filename)
    const prev = byKey.get(key)
    if (prev === undefined || requestedMillis(status) >= requestedMillis(prev)) byKey.set(key, status)
  }
  return { byId, byKey }
}

/**
 * The transfer slskd already holds for this exact filename (byte-for-byte, case-sensitive)
 * that we should take over instead of enqueueing: an active one, else a succeeded one that
 * is still listed. A failed/cancelled one is not adopted: enqueueing again is the retry.
 */
export const adoptable = (transfers: ReadonlyArray<Transfer>, filename: string): Transfer | undefined => {
  const same = transfers
    .filter((t) => t.filename === filename && !t.removed)
    .sort((a, b) => requestedMillis(b) - requestedMillis(a))
  return same.find((t) => !isCompleted(t.state)) ?? same.find((t) => isSucceeded(t.state))
}

// ---------------------------------------------------------------------------------------------
// The provider

export const makeSlskdDownloadProvider = (timings: ProviderTimings = DefaultProviderTimings) =>
  Effect.gen(function*() {
    const client = yield* SlskdClient
    const settings = yield* Settings
    // slskd answers 429 to a second POST /searches in flight and to a third enqueue call.
    const searchPost = yield* Effect.makeSemaphore(1)
    const enqueueSlots = yield* Effect.makeSemaphore(2)
    // One download() per (username, filename) at a time, so check-then-enqueue cannot race itself;
    // a key's semaphore lives while someone holds or waits for it.
    const keyLocks = yield* RcMap.make({ lookup: (_key: string) => Effect.makeSemaphore(1) })
    const withKeyLock = (key: string) => <A, E, R>(self: Effect.Effect<A, E, R>) =>
      Effect.scoped(Effect.flatMap(RcMap.get(keyLocks, key), (lock) => lock.withPermits(1)(self)))

    /** A 5xx might really be "not logged in": ask the server block before blaming slskd. */
    const refine = (e: ProviderError): Effect.Effect<never, ProviderError> =>
      e.reason !== "Upstream"
        ? Effect.fail(e)
        : client.server.pipe(
          Effect.flatMap((s) => serverLoggedIn(s)
            ? Effect.fail(e)
            : Effect.fail(new ProviderError({
              reason: "NotLoggedIn",
              message: `slskd is not logged in to the Soulseek network (server state: ${s.state.join(", ") || "unknown"}); ${e.message}`,
              ...(e.status === undefined ? {} : { status: e.status })
            }))),
          Effect.catchAll(() => Effect.fail(e))
        )

    // ---- search -------------------------------------------------------------------------------

    const pollSearch = (id: string, deadline: number) =>
      Effect.gen(function*() {
        const interval = toMillis(timings.searchPollInterval)
        while (true) {
          const s = yield* client.getSearch(id)
          if (searchHasResults(s)) return Option.some(s)
          const now = yield* Effect.clockWith((c) => c.currentTimeMillis)
          if (now >= deadline) return Option.none<Search>()
          yield* Effect.sleep(Duration.millis(Math.min(interval, Math.max(1, deadline - now))))
        }
      })

    /** Whether slskd may hold a record for this search (so it must be deleted afterwards). */
    const runSearch = (query: string, id: string, created: { value: boolean }) =>
      Effect.gen(function*() {
        const timeout = toMillis(yield* settings.get(Setting.searchTimeout))
        const searchTimeout = Math.max(5, Math.round(timeout))
        yield* searchPost.withPermits(1)(client.startSearch({ id, searchText: query, searchTimeout }).pipe(
          // A 409 (not logged in) and a 400 (a query slskd cannot run) still leave a `Completed, Errored`
          // record behind; a 429 leaves none; without an answer we cannot know, so we delete anyway.
          Effect.onExit((exit) => Effect.sync(() => {
            created.value = exit._tag === "Success" || exit.cause._tag !== "Fail"
              || exit.cause.error.status === 409 || exit.cause.error.status === 400 || exit.cause.error.reason === "Timeout"
              || exit.cause.error.reason === "Unreachable"
          })),
          Effect.catchAll(refine)))
        const started = yield* Effect.clockWith((c) => c.currentTimeMillis)
        const grace = Math.max(toMillis(timings.searchGraceMin), searchTimeout)
        let done = yield* pollSearch(id, started + searchTimeout + grace)
        if (Option.isNone(done)) {
          // It would not end by itself: stop it, give slskd a moment to store what arrived.
          yield* Effect.logWarning(`slskd search "${query}" did not end in time; stopping it`)
          yield* client.stopSearch(id)
          const stopped = yield* Effect.clockWith((c) => c.currentTimeMillis)
          done = yield* pollSearch(id, stopped + toMillis(timings.searchStopGrace))
        }
        // Errored and cancelled searches keep what arrived: read the responses either way.
        const responses = yield* client.searchResponses(id)
        return responses.map(toPeerResponse)
      })

    const search = (query: string) =>
      Effect.suspend(() => {
        const id = randomUUID()
        const created = { value: false }
        return runSearch(query, id, created).pipe(
          // Always forget the search (also on failure or interrupt); best effort.
          Effect.ensuring(Effect.suspend(() => created.value
            ? client.deleteSearch(id).pipe(Effect.timeout("5 seconds"), Effect.ignore)
            : Effect.void)),
          Effect.withSpan("SlskdDownloadProvider.search", { attributes: { query, id } })
        )
      })

    // ---- download -----------------------------------------------------------------------------

    const adoptAfterEnqueue = (request: EnqueueRequest, why: string, adopted: boolean) =>
      Effect.gen(function*() {
        const transfers = yield* client.userDownloads(request.username)
        const found = adoptable(transfers, request.filename)
          ?? transfers.filter((t) => t.filename === request.filename && !t.removed)
            .sort((a, b) => requestedMillis(b) - requestedMillis(a))[0]
        if (found) return { transferId: found.id, adopted } satisfies EnqueueResult
        return yield* new ProviderError({
          reason: "Rejected",
          message: `slskd did not enqueue ${request.filename} from ${request.username} (${why})`
        })
      })

    const download = (request: EnqueueRequest) =>
      withKeyLock(transferKey(request.username, request.filename))(Effect.gen(function*() {
        // Exactly once: what slskd holds already wins over a new enqueue.
        const existing = adoptable(yield* client.userDownloads(request.username), request.filename)
        if (existing) {
          yield* Effect.logInfo(`adopting slskd transfer ${existing.id} (${existing.state.join(", ")}) for ${request.filename}`)
          return { transferId: existing.id, adopted: true } satisfies EnqueueResult
        }
        const reply = yield* enqueueSlots.withPermits(1)(
          client.enqueue(request.username, [{ filename: request.filename, size: request.size }])
        ).pipe(Effect.catchAll(refine))
        if (reply._tag === "Legacy") return yield* adoptAfterEnqueue(request, "0.23 reply without ids", false)
        const mine = reply.enqueued.find((t) => t.filename === request.filename) ?? reply.enqueued[0]
        if (mine) return { transferId: mine.id, adopted: false } satisfies EnqueueResult
        const why = reply.failed.map((f) => f.message).filter((m) => m !== null).join("; ") || "already in progress"
        return yield* adoptAfterEnqueue(request, why, true)
      })).pipe(Effect.withSpan("SlskdDownloadProvider.download", {
        attributes: { username: request.username, filename: request.filename }
      }))

    // ---- status, cancel, health ---------------------------------------------------------------

    const getStatus = client.statusListing.pipe(
      Effect.map(listingToSnapshot),
      Effect.withSpan("SlskdDownloadProvider.getStatus")
    )

    // Cancel without remove first: before 0.24.2, remove=true on an active transfer cancels it and then
    // answers 500. The record is removed once it reports a Completed state.
    const cancel = (transfer: { readonly username: string; readonly id: string }) =>
      Effect.gen(function*() {
        yield* client.cancelDownload(transfer.username, transfer.id, false)
        const removeOnceCompleted = Effect.gen(function*() {
          for (let i = 0; i <= timings.cancelPolls; i++) {
            if (i > 0) yield* Effect.sleep(timings.cancelPollInterval)
            const t = yield* client.getDownload(transfer.username, transfer.id)
            if (Option.isNone(t) || t.value.removed) return
            if (isCompleted(t.value.state)) {
              yield* client.cancelDownload(transfer.username, transfer.id, true)
              return
            }
          }
          yield* Effect.logWarning(`slskd transfer ${transfer.id} is not completed after cancel; leaving it listed`)
        })
        yield* removeOnceCompleted.pipe(Effect.catchAll((e) =>
          Effect.logWarning(`could not remove cancelled slskd transfer ${transfer.id}: ${e.message}`)))
      }).pipe(Effect.withSpan("SlskdDownloadProvider.cancel", { attributes: { ...transfer } }))

    const health: Effect.Effect<ProviderStatus> = client.application.pipe(
      Effect.map((app): ProviderStatus => ({
        reachable: true,
        loggedIn: app.server ? serverLoggedIn(app.server) : null,
        version: app.version?.current ?? app.version?.full ?? null
      })),
      Effect.catchAll((e) => {
        if (e.reason === "Unreachable" || e.reason === "Timeout") {
          return Effect.succeed<ProviderStatus>({ reachable: false, loggedIn: null, version: null })
        }
        if (e.reason === "Unauthorized") return Effect.succeed<ProviderStatus>({ reachable: true, loggedIn: null, version: null })
        // An older or odd /application: fall back to /server and /application/version.
        return Effect.all({
          server: client.server.pipe(Effect.option),
          version: client.version.pipe(Effect.option)
        }, { concurrency: 2 }).pipe(Effect.map(({ server, version }): ProviderStatus => ({
          reachable: true,
          loggedIn: Option.match(server, { onNone: () => null, onSome: serverLoggedIn }),
          version: Option.getOrNull(version)
        })))
      }),
      Effect.catchAllCause(() => Effect.succeed<ProviderStatus>({ reachable: false, loggedIn: null, version: null })),
      Effect.withSpan("SlskdDownloadProvider.health")
    )

    const lookup = (transfer: { readonly username: string; readonly id: string }) =>
      client.getDownload(transfer.username, transfer.id).pipe(
        Effect.map(Option.map(transferToStatus)),
        Effect.withSpan("SlskdDownloadProvider.lookup", { attributes: { ...transfer } }))

    const forget = (transfer: { readonly username: string; readonly id: string }) =>
      client.cancelDownload(transfer.username, transfer.id, true).pipe(
        Effect.withSpan("SlskdDownloadProvider.forget", { attributes: { ...transfer } }))

    return DownloadProvider.of({ search, download, getStatus, cancel, lookup, forget, health })
  })

/** The slskd provider; needs SlskdClient (which needs Settings and an HttpClient) and Settings. */
export const SlskdDownloadProviderLive: Layer.Layer<DownloadProvider, never, SlskdClient | Settings> =
  Layer.scoped(DownloadProvider, makeSlskdDownloadProvider())

/** The same with other timings (tests). */
export const slskdDownloadProviderLayer = (timings: Partial<ProviderTimings>) =>
  Layer.scoped(DownloadProvider, makeSlskdDownloadProvider({ ...DefaultProviderTimings, ...timings }))

/** Provider + client over the default fetch HttpClient: needs only Settings. */
export const SlskdLive: Layer.Layer<DownloadProvider | SlskdClient, never, Settings> =
  SlskdDownloadProviderLive.pipe(Layer.provideMerge(SlskdClient.Default))
