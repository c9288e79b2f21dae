import { SqlClient, type SqlError } from "@effect/sql"
import { Array as Arr, Effect, Either, Layer, Option } from "effect"
import { randomUUID } from "node:crypto"
import { type Download, type DownloadStatus, type IllegalTransition, isTerminal, transition } from "../../domain/download.js"
import { DownloadNotFound } from "../../domain/errors.js"
import { DomainEvents } from "../../domain/events.js"
import {
  type Candidate, type DownloadChange, type DownloadPatch, DownloadRepository, type DownloadStats, type ListFilter,
  type QueueResult
} from "../../domain/ports/DownloadRepository.js"
import { TrackRepository } from "../../domain/ports/TrackRepository.js"
import { DOWNLOAD_SELECT, type DownloadRow, nowIso, toDownload } from "./rows.js"

const ACTIVE_SQL = "('WAITING', 'PENDING', 'QUEUED', 'DOWNLOADING')"
const ID_CHUNK = 500

const sqliteCode = (e: unknown): string =>
  String((e as { cause?: { code?: unknown } } | undefined)?.cause?.code ?? "")

/** Another writer won the race: its row (or its lock) is there now, so running the transaction again is right. */
const isLostRace = (e: unknown): e is SqlError.SqlError =>
  (e as { _tag?: string })._tag === "SqlError" &&
  (sqliteCode(e) === "SQLITE_CONSTRAINT_UNIQUE" || sqliteCode(e).startsWith("SQLITE_BUSY"))

export const makeDownloadRepository = Effect.gen(function*() {
  const sql = yield* SqlClient.SqlClient
  const tracks = yield* TrackRepository
  const events = yield* DomainEvents

  const publish = (downloads: ReadonlyArray<Download>) =>
    downloads.length === 0 ? Effect.void : events.publish(downloads.map((download) => ({ _tag: "DownloadChanged" as const, download })))

  const select = (where: string, ...params: ReadonlyArray<unknown>) =>
    sql.unsafe<DownloadRow>(`${DOWNLOAD_SELECT} ${where}`, params as Array<unknown>).withoutTransform.pipe(Effect.map((rows) => rows.map(toDownload)))

  const findRaw = (id: string) => select("WHERE d.id = ?", id).pipe(Effect.map((ds) => Option.fromNullable(ds[0])))

  const findMany = (ids: ReadonlyArray<string>) =>
    Effect.forEach(Arr.chunksOf(ids, ID_CHUNK), (chunk) =>
      select(`WHERE d.id IN (${chunk.map(() => "?").join(",")})`, ...chunk)).pipe(Effect.map((xs) => xs.flat()))

  // The download the API should answer with instead of creating a second one.
  const existingFor = (trackId: string) =>
    select(`WHERE d.track_id = ? AND (d.status IN ${ACTIVE_SQL} OR d.status = 'COMPLETED')
      ORDER BY CASE WHEN d.status = 'COMPLETED' THEN 1 ELSE 0 END, d.created_at DESC LIMIT 1`, trackId)
      .pipe(Effect.map((ds) => Option.fromNullable(ds[0])))

  const insertWaiting = (trackId: string, priority: number, qualityProfile: string) => Effect.gen(function*() {
    const existing = yield* existingFor(trackId)
    if (Option.isSome(existing)) return { download: existing.value, created: false } satisfies QueueResult
    const id = randomUUID()
    const now = yield* nowIso
    yield* sql`INSERT INTO downloads ${sql.insert({
      id, trackId, status: "WAITING", priority, qualityProfile, createdAt: now, updatedAt: now
    })}`
    return { download: Option.getOrThrow(yield* findRaw(id)), created: true } satisfies QueueResult
  })

  // A second process may win the unique index or the write lock: run again and read its row then.
  const queueOnce = <E, R>(tx: Effect.Effect<QueueResult, E | SqlError.SqlError, R>) =>
    tx.pipe(
      sql.withTransaction,
      Effect.retry({ times: 5, while: isLostRace }),
      Effect.orDie,
      Effect.tap((r) => r.created ? publish([r.download]) : Effect.void)
    )

  const patchColumns = (patch: DownloadPatch): Record<string, unknown> => {
    const out: Record<string, unknown> = {}
    for (const [k, v] of Object.entries(patch)) if (v !== undefined) out[k] = v
    return out
  }

  const writeChange = (id: string, from: DownloadStatus, to: DownloadStatus | undefined, patch: DownloadPatch, now: string) => {
    const cols = patchColumns(patch)
    cols.updatedAt = now
    if (to !== undefined && to !== from) {
      cols.status = to
      cols.completedAt = isTerminal(to) ? now : null
      if (to === "WAITING") Object.assign(cols, { speedBps: 0, etaSeconds: null })
    }
    return sql`UPDATE downloads SET ${sql.update(cols)} WHERE id = ${id}`
  }

  const updateStatus = (id: string, to: DownloadStatus, patch: DownloadPatch = {}) =>
    Effect.gen(function*() {
      const rows = yield* sql<{ status: DownloadStatus }>`SELECT status FROM downloads WHERE id = ${id}`
      const row = rows[0]
      if (!row) return yield* new DownloadNotFound({ id })
      const next = transition(row.status, to)
      if (Either.isLeft(next)) return yield* next.left
      yield* writeChange(id, row.status, to, patch, yield* nowIso)
      return Option.getOrThrow(yield* findRaw(id))
    }).pipe(
      sql.withTransaction,
      Effect.catchTag("SqlError", Effect.die),
      Effect.tap((d) => publish([d])),
      Effect.withSpan("DownloadRepository.updateStatus", { attributes: { id, to } })
    )

  // What writeChange sets, applied to a row in memory: the event shows exactly what was written.
  const merged = (d: Download, to: DownloadStatus | undefined, patch: DownloadPatch, now: string): Download => {
    const out: Record<string, unknown> = { ...d, ...patchColumns(patch), updatedAt: now }
    if (to !== undefined && to !== d.status) {
      out.status = to
      out.completedAt = isTerminal(to) ? now : null
      if (to === "WAITING") Object.assign(out, { speedBps: 0, etaSeconds: null })
    }
    return out as unknown as Download
  }

  const PROGRESS_KEYS = new Set(["bytesTransferred", "speedBps", "etaSeconds", "progressAt", "slskdId"])

  // The common sync write (progress only) for many rows in one statement: per-statement overhead,
  // not SQLite, was most of a 2,000-row tick.
  const writeProgress = (rows: ReadonlyArray<Download>) =>
    Effect.forEach(Arr.chunksOf(rows, 1000), (chunk) => sql`UPDATE downloads SET
        bytes_transferred = j.value ->> 'b', speed_bps = j.value ->> 's', eta_seconds = j.value ->> 'e',
        progress_at = j.value ->> 'p', slskd_id = j.value ->> 'k', updated_at = j.value ->> 'u'
      FROM json_each(${JSON.stringify(chunk.map((d) => ({
        id: d.id, b: d.bytesTransferred, s: d.speedBps, e: d.etaSeconds, p: d.progressAt, k: d.slskdId, u: d.updatedAt
      })))}) AS j
      WHERE downloads.id = j.value ->> 'id'`, { discard: true })

  /**
   * `known` holds the rows as the caller read them (a sync tick): when a row's status has not
   * moved since, the result is built in memory instead of being read back.
   */
  const applyChanges = (changes: ReadonlyArray<DownloadChange>, known?: ReadonlyMap<string, Download>) =>
    Effect.gen(function*() {
      if (changes.length === 0) return { applied: [], rejected: [] }
      const now = yield* nowIso
      const current = new Map<string, DownloadStatus>()
      for (const chunk of Arr.chunksOf(changes.map((c) => c.id), ID_CHUNK)) {
        const rows = yield* sql.unsafe<{ id: string; status: DownloadStatus }>(
          `SELECT id, status FROM downloads WHERE id IN (${chunk.map(() => "?").join(",")})`, chunk as Array<string>)
        for (const r of rows) current.set(r.id, r.status)
      }
      const rejected: Array<IllegalTransition & { readonly id: string }> = []
      const inMemory = new Map<string, Download>()
      const reread = new Set<string>()
      const progress = new Map<string, Download>()
      for (const c of changes) {
        const from = current.get(c.id)
        if (from === undefined) continue
        if (c.status !== undefined && c.status !== from) {
          const next = transition(from, c.status)
          if (Either.isLeft(next)) {
            rejected.push(Object.assign(next.left, { id: c.id }))
            continue
          }
        }
        const base = inMemory.get(c.id) ?? known?.get(c.id)
        const fresh = base !== undefined && base.status === from && !reread.has(c.id)
        if (fresh && c.status === undefined && Object.keys(c.patch).every((k) => PROGRESS_KEYS.has(k))) {
          const row = merged(base, undefined, c.patch, now)
          progress.set(c.id, row)
          inMemory.set(c.id, row)
        } else {
          // an earlier progress write for this row goes first, so the order of changes holds
          const earlier = progress.get(c.id)
          if (earlier) {
            yield* writeProgress([earlier])
            progress.delete(c.id)
          }
          yield* writeChange(c.id, from, c.status, c.patch, now)
          if (fresh) inMemory.set(c.id, merged(base, c.status, c.patch, now))
          else reread.add(c.id)
        }
        current.set(c.id, c.status ?? from)
      }
      yield* writeProgress([...progress.values()])
      for (const id of reread) inMemory.delete(id)
      const readBack = yield* findMany([...reread])
      const byId = new Map([...inMemory, ...readBack.map((d) => [d.id, d] as const)])
      // in the order the changes came, one entry per download
      const applied = [...new Set(changes.map((c) => c.id))].flatMap((id) => byId.get(id) ?? [])
      return { applied, rejected }
    }).pipe(
      sql.withTransaction,
      Effect.orDie,
      Effect.tap((r) => publish(r.applied)),
      Effect.withSpan("DownloadRepository.applyChanges", { attributes: { changes: changes.length } })
    )

  const list = ({ limit, offset, statuses }: ListFilter) => Effect.gen(function*() {
    const where = statuses && statuses.length > 0 ? `WHERE d.status IN (${statuses.map(() => "?").join(",")})` : ""
    const params = statuses ?? []
    const downloads = yield* select(`${where} ORDER BY d.created_at DESC, d.id LIMIT ? OFFSET ?`, ...params, limit, offset)
    const [count] = yield* sql.unsafe<{ n: number }>(`SELECT count(*) AS n FROM downloads d ${where}`, [...params])
    return { downloads, total: count?.n ?? 0 }
  })

  const stats = (todayStart: string) => Effect.gen(function*() {
    const rows = yield* sql<{ status: DownloadStatus; n: number }>`SELECT status, count(*) AS n FROM downloads GROUP BY status`
    const [today] = yield* sql<{ completed: number | null; failed: number | null }>`
      SELECT sum(status = 'COMPLETED') AS completed, sum(status = 'FAILED') AS failed
      FROM downloads WHERE completed_at >= ${todayStart}`
    const by = (s: DownloadStatus) => rows.find((r) => r.status === s)?.n ?? 0
    return {
      waiting: by("WAITING"), pending: by("PENDING"), queued: by("QUEUED"), downloading: by("DOWNLOADING"),
      completed: by("COMPLETED"), failed: by("FAILED"), cancelled: by("CANCELLED"),
      total: rows.reduce((a, r) => a + r.n, 0),
      completedToday: today?.completed ?? 0, failedToday: today?.failed ?? 0
    } satisfies DownloadStats
  })

  interface CandidateRow {
    readonly rank: number
    readonly username: string
    readonly filename: string
    readonly size: number
    readonly score: number
    readonly accepted: number
    readonly reasons: string
    readonly query: string | null
    readonly outcome: string | null
  }

  const saveCandidates = (downloadId: string, list: ReadonlyArray<Omit<Candidate, "outcome">>) =>
    Effect.gen(function*() {
      const now = yield* nowIso
      yield* sql`DELETE FROM download_candidates WHERE download_id = ${downloadId}`
      for (const chunk of Arr.chunksOf(list, 100)) {
        yield* sql`INSERT INTO download_candidates ${sql.insert(chunk.map((c) => ({
          downloadId, rank: c.rank, username: c.username, filename: c.filename, size: c.size, score: c.score,
          accepted: c.accepted ? 1 : 0, reasons: JSON.stringify(c.reasons), query: c.query, createdAt: now
        })))}`
      }
    }).pipe(sql.withTransaction, Effect.orDie)

  const candidates = (downloadId: string) =>
    sql<CandidateRow>`SELECT rank, username, filename, size, score, accepted, reasons, query, outcome
      FROM download_candidates WHERE download_id = ${downloadId} ORDER BY rank`.pipe(
      Effect.map((rows) => rows.map((r): Candidate => ({
        ...r, accepted: r.accepted === 1, reasons: JSON.parse(r.reasons) as ReadonlyArray<string>
      }))),
      Effect.orDie
    )

  return DownloadRepository.of({
    queue: (req) => queueOnce(Effect.gen(function*() {
      const track = yield* tracks.upsert(req.track)
      return yield* insertWaiting(track.id, req.priority, req.qualityProfile)
    })).pipe(Effect.withSpan("DownloadRepository.queue")),
    queueTrack: (trackId, priority, profile) =>
      queueOnce(insertWaiting(trackId, priority, profile)).pipe(Effect.withSpan("DownloadRepository.queueTrack")),
    queueTracks: (trackIds, priority, profile) =>
      Effect.forEach(trackIds, (id) => insertWaiting(id, priority, profile)).pipe(
        sql.withTransaction,
        Effect.retry({ times: 5, while: isLostRace }),
        Effect.orDie,
        Effect.tap((rs) => publish(rs.flatMap((r) => (r.created ? [r.download] : [])))),
        Effect.withSpan("DownloadRepository.queueTracks", { attributes: { tracks: trackIds.length } })),
    find: (id) => findRaw(id).pipe(Effect.orDie),
    get: (id) => findRaw(id).pipe(Effect.orDie, Effect.flatMap(Option.match({
      onNone: () => Effect.fail(new DownloadNotFound({ id })),
      onSome: Effect.succeed
    }))),
    list: (f) => list(f).pipe(Effect.orDie),
    listActive: select(`WHERE d.status IN ${ACTIVE_SQL} ORDER BY d.priority DESC, d.created_at, d.id`).pipe(Effect.orDie),
    listFinishedSince: (since, limit) =>
      select(`WHERE d.status IN ('COMPLETED', 'FAILED', 'CANCELLED') AND d.updated_at >= ? ORDER BY d.updated_at DESC LIMIT ?`, since, limit)
        .pipe(Effect.orDie),
    getWaitingDue: (now, limit) =>
      select(`WHERE d.status = 'WAITING' AND (d.next_attempt_at IS NULL OR d.next_attempt_at <= ?)
        ORDER BY d.priority DESC, d.created_at, d.id LIMIT ?`, now, limit).pipe(Effect.orDie),
    nextWaitingAt: (now) =>
      sql<{ at: string | null }>`SELECT min(next_attempt_at) AS at FROM downloads WHERE status = 'WAITING' AND next_attempt_at > ${now}`
        .pipe(Effect.map((rows) => Option.fromNullable(rows[0]?.at)), Effect.orDie),
    getPending: select(`WHERE d.status = 'PENDING' ORDER BY d.priority DESC, d.created_at, d.id`).pipe(Effect.orDie),
    getInFlight: select(`WHERE d.status IN ('QUEUED', 'DOWNLOADING') ORDER BY d.created_at, d.id`).pipe(Effect.orDie),
    updateStatus,
    applyChanges,
    stats: (t) => stats(t).pipe(Effect.orDie),
    saveCandidates,
    candidates,
    markCandidate: (downloadId, rank, outcome) =>
      sql`UPDATE download_candidates SET outcome = ${outcome} WHERE download_id = ${downloadId} AND rank = ${rank}`
        .pipe(Effect.asVoid, Effect.orDie),
    markFailedCandidate: (downloadId, username, filename, reason) =>
      sql`UPDATE download_candidates SET outcome = ${`failed: ${reason}`}
        WHERE download_id = ${downloadId} AND username = ${username} AND filename = ${filename}`
        .pipe(Effect.asVoid, Effect.orDie)
  })
})

export const DownloadRepositoryLive = Layer.effect(DownloadRepository, makeDownloadRepository)
