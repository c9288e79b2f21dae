import { SqlClient, SqlSchema, type SqlError, type Statement } from "@effect/sql"
import { Array as Arr, Effect, Either, Layer, Option, Schema } from "effect"
import { randomUUID } from "node:crypto"
import {
  ACTIVE_STATUSES, canTransition, type Download, DownloadStatus, type IllegalTransition, isTerminal, transition
} from "../../domain/download.js"
import { DownloadNotFound, type StatusConflict } from "../../domain/errors.js"
import { DomainEvents } from "../../domain/events.js"
import {
  type ActiveFilter, type Candidate, type DownloadChange, type DownloadChangeSpec, type DownloadPatch, DownloadRepository, type DownloadStats,
  type ListFilter, type Page, type QueueResult
} from "../../domain/ports/DownloadRepository.js"
import { TrackRepository } from "../../domain/ports/TrackRepository.js"
import { ActiveCursor, decodeCursor, encodeCursor, ftsQuery, ListCursor } from "./cursor.js"
import {
  ACTIVE_SQL, CandidateRow, CountRow, DOWNLOAD_SELECT, DownloadRow, nowIso, StatusCountRow, StatusRow, TERMINAL_SQL,
  toDownload
} from "./rows.js"

const ID_CHUNK = 500

/** What a change writes, named as Download fields: the status side effects live only here. */
type ChangeColumns = { readonly [K in keyof DownloadPatch]?: DownloadPatch[K] } & {
  readonly updatedAt: string
  readonly status?: DownloadStatus
  readonly completedAt?: string | null
}

const patchColumns = (patch: DownloadPatch): { readonly [K in keyof DownloadPatch]?: DownloadPatch[K] } =>
  Object.fromEntries(Object.entries(patch).filter(([, v]) => v !== undefined))

export const changeColumns = (from: DownloadStatus, to: DownloadStatus | undefined, patch: DownloadPatch, now: string): ChangeColumns => {
  const cols = { ...patchColumns(patch), updatedAt: now }
  if (to === undefined || to === from) return cols
  return {
    ...cols,
    status: to,
    completedAt: isTerminal(to) ? now : null,
    ...(to === "WAITING" ? { speedBps: 0, etaSeconds: null } : {}),
    // a finished download is never held
    ...(isTerminal(to) ? { paused: false } : {})
  }
}

const encodeActiveCursor = encodeCursor(ActiveCursor)
const encodeListCursor = encodeCursor(ListCursor)
const decodeRows = Schema.decodeUnknown(Schema.Array(DownloadRow))

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

  const downloadSelect = sql.literal(DOWNLOAD_SELECT)

  /** DOWNLOAD_SELECT with the rest of the query, each row checked against DownloadRow. */
  const select = (rest: Statement.Fragment) =>
    sql<DownloadRow>`${downloadSelect} ${rest}`.withoutTransform.pipe(
      Effect.flatMap(decodeRows),
      Effect.map((rows) => rows.map(toDownload))
    )

  /**
   * The hot reads (the sync tick's in-flight rows and read-back, the pages of the active list and
   * History) map the rows without decoding them: measured in bench/sync.bench.ts, where that read
   * is most of a 2,000-row tick, and on a 100-row page, where the decode cost ~8 µs per row, a
   * third of the read. The columns are the ones DownloadRow checks on every other read.
   */
  const selectHot = (rest: Statement.Fragment) =>
    sql<DownloadRow>`${downloadSelect} ${rest}`.withoutTransform.pipe(Effect.map((rows) => rows.map(toDownload)))

  const findRaw = (id: string) => select(sql`WHERE d.id = ${id}`).pipe(Effect.map((ds) => Option.fromNullable(ds[0])))

  const findMany = (ids: ReadonlyArray<string>) =>
    Effect.forEach(Arr.chunksOf(ids, ID_CHUNK), (chunk) => selectHot(sql`WHERE d.id IN ${sql.in(chunk)}`))
      .pipe(Effect.map((xs) => xs.flat()))

  // The download the API should answer with instead of creating a second one.
  const existingFor = (trackId: string) =>
    select(sql`WHERE d.track_id = ${trackId} AND (d.status IN ${sql.literal(ACTIVE_SQL)} OR d.status = 'COMPLETED')
      ORDER BY CASE WHEN d.status = 'COMPLETED' THEN 1 ELSE 0 END, d.created_at DESC LIMIT 1`)
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

  // SQLite has no boolean: paused is stored as 0 or 1.
  const writeChange = (id: string, cols: ChangeColumns) =>
    sql`UPDATE downloads SET ${sql.update(cols.paused === undefined ? cols : { ...cols, paused: cols.paused ? 1 : 0 })} WHERE id = ${id}`

  const HoldRow = Schema.Struct({ id: Schema.String, status: DownloadStatus, paused: Schema.Number })
  const holdsOf = SqlSchema.findAll({
    Request: Schema.Array(Schema.String),
    Result: HoldRow,
    execute: (ids) => sql`SELECT id, status, paused FROM downloads WHERE id IN ${sql.in(ids)}`
  })

  const statusesOf = SqlSchema.findAll({
    Request: Schema.Array(Schema.String),
    Result: StatusRow,
    execute: (ids) => sql`SELECT id, status FROM downloads WHERE id IN ${sql.in(ids)}`
  })

  const updateStatus = (id: string, to: DownloadStatus, patch: DownloadPatch = {}) =>
    Effect.gen(function*() {
      const row = (yield* statusesOf([id]))[0]
      if (!row) return yield* new DownloadNotFound({ id })
      const next = transition(row.status, to)
      if (Either.isLeft(next)) return yield* next.left
      yield* writeChange(id, changeColumns(row.status, to, patch, yield* nowIso))
      return Option.getOrThrow(yield* findRaw(id))
    }).pipe(
      sql.withTransaction,
      Effect.catchTags({ SqlError: Effect.die, ParseError: Effect.die }),
      Effect.tap((d) => publish([d])),
      Effect.withSpan("DownloadRepository.updateStatus", { attributes: { id, to } })
    )

  // The same columns applied to a row in memory: the event shows exactly what was written.
  const merged = (d: Download, cols: ChangeColumns): Download => ({ ...d, ...cols })

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
        // A transfer the user paused was cancelled by us: what the sync read of it meanwhile is void.
        for (const r of yield* holdsOf(chunk)) if (!(r.paused === 1 && (r.status === "QUEUED" || r.status === "DOWNLOADING"))) current.set(r.id, r.status)
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
          const row = merged(base, changeColumns(from, undefined, c.patch, now))
          progress.set(c.id, row)
          inMemory.set(c.id, row)
        } else {
          // an earlier progress write for this row goes first, so the order of changes holds
          const earlier = progress.get(c.id)
          if (earlier) {
            yield* writeProgress([earlier])
            progress.delete(c.id)
          }
          const cols = changeColumns(from, c.status, c.patch, now)
          yield* writeChange(c.id, cols)
          if (fresh) inMemory.set(c.id, merged(base, cols))
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

  const ftsMatch = (match: string) => sql`t.rowid IN (SELECT rowid FROM tracks_fts WHERE tracks_fts MATCH ${match})`

  const counts = SqlSchema.findAll({
    Request: Schema.Void,
    Result: StatusCountRow,
    execute: () => sql`SELECT status, n FROM download_counts`
  })

  const countWhere = (where: Statement.Fragment) =>
    sql`SELECT count(*) AS n FROM downloads d JOIN tracks t ON t.id = d.track_id WHERE ${where}`.pipe(
      Effect.flatMap(Schema.decodeUnknown(Schema.Tuple(CountRow))),
      Effect.map(([row]) => row.n))

  /** Rows matching the filter: the kept counts unless a text filter needs the index. */
  const totalOf = (statuses: ReadonlyArray<DownloadStatus>, where: Statement.Fragment, text: boolean) =>
    text
      ? countWhere(where)
      : Effect.map(counts(undefined), (rows) => rows.filter((r) => statuses.includes(r.status)).reduce((a, r) => a + r.n, 0))

  /** Fetches one row more than the page, to know whether there is a next one. */
  const paged = (rows: ReadonlyArray<Download>, limit: number, cursorOf: (last: Download) => string) => {
    const downloads = rows.slice(0, limit)
    const last = downloads[downloads.length - 1]
    return { downloads, nextCursor: rows.length > limit && last ? cursorOf(last) : null }
  }

  /**
   * The rows after a cursor as two index ranges: the rest of the cursor's priority, then the lower
   * priorities. SQLite does not seek downloads_active_order with a row value that starts with its
   * expression, (-priority, created_at, id) > (...): it scans from the top of the index, so page
   * 800 read 80,000 entries (measured: ~10 times the first page). It does seek both ranges here.
   */
  const activeAfter = (filters: ReadonlyArray<Statement.Fragment>, [, p, c, id]: typeof ActiveCursor.Type, want: number) =>
    Effect.gen(function*() {
      const same = yield* selectHot(sql`WHERE ${sql.and([...filters, sql`-d.priority = ${-p}`, sql`(d.created_at, d.id) > (${c}, ${id})`])}
        ORDER BY d.created_at, d.id LIMIT ${want}`)
      if (same.length >= want) return same
      const lower = yield* selectHot(sql`WHERE ${sql.and([...filters, sql`-d.priority > ${-p}`])}
        ORDER BY -d.priority, d.created_at, d.id LIMIT ${want - same.length}`)
      return [...same, ...lower]
    })

  // Keyset order (-priority, created_at, id) matches downloads_active_order, so a page is an index
  // range. A status subset is checked with +status: on the same index, never instead of it.
  const listActive = ({ limit, cursor, q, statuses }: ActiveFilter) => Effect.gen(function*() {
    const subset = statuses?.filter((s) => ACTIVE_STATUSES.includes(s)) ?? []
    const wanted = statuses === undefined || statuses.length === 0 ? ACTIVE_STATUSES : subset
    if (wanted.length === 0) return { downloads: [], total: 0, nextCursor: null } satisfies Page
    const match = ftsQuery(q)
    const filters = [
      sql`d.status IN ${sql.literal(ACTIVE_SQL)}`,
      ...(wanted.length < ACTIVE_STATUSES.length ? [sql`+d.status IN ${sql.in(wanted)}`] : []),
      ...(match ? [ftsMatch(match)] : [])
    ]
    const rows = cursor === undefined
      ? yield* selectHot(sql`WHERE ${sql.and(filters)} ORDER BY -d.priority, d.created_at, d.id LIMIT ${limit + 1}`)
      : yield* activeAfter(filters, yield* decodeCursor(ActiveCursor, cursor), limit + 1)
    const total = yield* totalOf(wanted, sql.and(filters), match !== undefined)
    return { ...paged(rows, limit, (d) => encodeActiveCursor(["a", d.priority, d.createdAt, d.id])), total } satisfies Page
  })

  // Newest first on downloads_created; one status uses the (status, created_at, id) range instead.
  const list = ({ limit, offset, cursor, q, statuses }: ListFilter) => Effect.gen(function*() {
    const wanted = statuses === undefined || statuses.length === 0 ? undefined : statuses
    const match = ftsQuery(q)
    const filters = [
      ...(wanted === undefined ? [] : wanted.length === 1 ? [sql`d.status = ${wanted[0]}`] : [sql`+d.status IN ${sql.in(wanted)}`]),
      ...(match ? [ftsMatch(match)] : [])
    ]
    const after = cursor === undefined ? [] : [yield* Effect.map(decodeCursor(ListCursor, cursor), ([, c, id]) =>
      sql`(d.created_at, d.id) < (${c}, ${id})`)]
    const where = [...filters, ...after]
    const skip = cursor === undefined ? offset ?? 0 : 0
    const rows = yield* selectHot(sql`${where.length > 0 ? sql`WHERE ${sql.and(where)}` : sql``}
      ORDER BY d.created_at DESC, d.id DESC LIMIT ${limit + 1} OFFSET ${skip}`)
    const all: ReadonlyArray<DownloadStatus> = wanted ?? [...ACTIVE_STATUSES, "COMPLETED", "FAILED", "CANCELLED"]
    const total = yield* totalOf(all, filters.length > 0 ? sql.and(filters) : sql`1 = 1`, match !== undefined)
    return { ...paged(rows, limit, (d) => encodeListCursor(["l", d.createdAt, d.id])), total } satisfies Page
  })

  // download_counts and download_day_counts are kept by triggers (migrations/0006_big_queues.sql):
  // a handful of rows, whatever the queue size. `todayStart` is a UTC midnight, so whole days add up.
  const finishedSince = SqlSchema.findAll({
    Request: Schema.String,
    Result: StatusCountRow,
    execute: (todayStart) => sql`SELECT status, sum(n) AS n FROM download_day_counts WHERE day >= ${todayStart.slice(0, 10)} GROUP BY status`
  })

  const stats = (todayStart: string) => Effect.gen(function*() {
    const rows = yield* counts(undefined)
    const today = yield* finishedSince(todayStart)
    const by = (s: DownloadStatus) => rows.find((r) => r.status === s)?.n ?? 0
    const on = (s: DownloadStatus) => today.find((r) => r.status === s)?.n ?? 0
    return {
      waiting: by("WAITING"), pending: by("PENDING"), queued: by("QUEUED"), downloading: by("DOWNLOADING"),
      completed: by("COMPLETED"), failed: by("FAILED"), cancelled: by("CANCELLED"),
      total: rows.reduce((a, r) => a + r.n, 0),
      completedToday: on("COMPLETED"), failedToday: on("FAILED")
    } satisfies DownloadStats
  })

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

  const candidates = SqlSchema.findAll({
    Request: Schema.String,
    Result: CandidateRow,
    execute: (downloadId) => sql`SELECT rank, username, filename, size, score, accepted, reasons, query, outcome
      FROM download_candidates WHERE download_id = ${downloadId} ORDER BY rank`
  })

  const setPriority = (ids: ReadonlyArray<string>, priority: number) => Effect.gen(function*() {
    const now = yield* nowIso
    for (const chunk of Arr.chunksOf(ids, ID_CHUNK)) {
      yield* sql`UPDATE downloads SET priority = ${priority}, updated_at = ${now} WHERE id IN ${sql.in(chunk)}`
    }
    return yield* findMany(ids)
  }).pipe(
    sql.withTransaction,
    Effect.orDie,
    Effect.tap(publish),
    Effect.withSpan("DownloadRepository.setPriority", { attributes: { downloads: ids.length, priority } })
  )

  const maxActivePriority = SqlSchema.findOne({
    Request: Schema.Void,
    Result: Schema.Struct({ priority: Schema.Number }),
    execute: () => sql`SELECT d.priority FROM downloads d WHERE d.status IN ${sql.literal(ACTIVE_SQL)} ORDER BY -d.priority LIMIT 1`
  })

  const IdRow = Schema.Struct({ id: Schema.String })
  const activeOfStoredAlbums = SqlSchema.findAll({
    Request: Schema.String,
    Result: IdRow,
    execute: (trackId) => sql`SELECT d.id FROM downloads d WHERE d.status IN ${sql.literal(ACTIVE_SQL)} AND d.track_id IN (
      SELECT mate.track_id FROM album_tracks mine JOIN album_tracks mate ON mate.album_id = mine.album_id WHERE mine.track_id = ${trackId})`
  })
  const activeOfAlbumText = SqlSchema.findAll({
    Request: Schema.Struct({ artist: Schema.String, album: Schema.String }),
    Result: IdRow,
    execute: ({ album, artist }) => sql`SELECT d.id FROM downloads d JOIN tracks t ON t.id = d.track_id
      WHERE d.status IN ${sql.literal(ACTIVE_SQL)} AND t.album = ${album} COLLATE NOCASE AND t.artist = ${artist} COLLATE NOCASE`
  })

  const albumMates = (id: string) => Effect.gen(function*() {
    const d = yield* findRaw(id).pipe(Effect.orDie, Effect.flatMap(Option.match({
      onNone: () => Effect.fail(new DownloadNotFound({ id })),
      onSome: Effect.succeed
    })))
    const stored = yield* activeOfStoredAlbums(d.trackId).pipe(Effect.orDie)
    if (stored.length > 0) return stored.map((r) => r.id)
    if (d.track.album !== null) {
      return (yield* activeOfAlbumText({ artist: d.track.artist, album: d.track.album }).pipe(Effect.orDie)).map((r) => r.id)
    }
    return ACTIVE_STATUSES.includes(d.status) ? [d.id] : []
  })

  /** One download read, judged by `decide` and written in one transaction; the event goes out after the commit. */
  const modify = (id: string, decide: (d: Download) => Either.Either<DownloadChangeSpec, StatusConflict>) =>
    Effect.gen(function*() {
      const before = yield* findRaw(id).pipe(Effect.flatMap(Option.match({
        onNone: () => Effect.fail(new DownloadNotFound({ id })),
        onSome: Effect.succeed
      })))
      const change = decide(before)
      if (Either.isLeft(change)) return yield* Effect.fail(change.left)
      const { status, patch } = change.right
      if (status !== undefined && status !== before.status && !canTransition(before.status, status)) {
        return yield* Effect.die(new Error(`modify ${id}: ${before.status} → ${status} is not a legal move`))
      }
      yield* writeChange(id, changeColumns(before.status, status, patch, yield* nowIso))
      return { before, after: Option.getOrThrow(yield* findRaw(id)) }
    }).pipe(
      sql.withTransaction,
      Effect.catchTags({ SqlError: Effect.die, ParseError: Effect.die }),
      Effect.tap(({ after }) => publish([after])),
      Effect.withSpan("DownloadRepository.modify", { attributes: { id } })
    )

  // Finished rows only, re-checked in the statement: a row retried meanwhile stays.
  const remove = (ids: ReadonlyArray<string>) =>
    Effect.forEach(Arr.chunksOf(ids, ID_CHUNK), (chunk) =>
      sql<{ id: string }>`DELETE FROM downloads WHERE id IN ${sql.in(chunk)} AND status IN ${sql.literal(TERMINAL_SQL)} RETURNING id`.withoutTransform
    ).pipe(
      Effect.map((xs) => xs.flat().map((r) => r.id)),
      sql.withTransaction,
      Effect.orDie,
      Effect.withSpan("DownloadRepository.remove", { attributes: { downloads: ids.length } })
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
    list: (f) => list(f).pipe(Effect.catchTags({ SqlError: Effect.die, ParseError: Effect.die })),
    listActive: (f) => listActive(f).pipe(Effect.catchTags({ SqlError: Effect.die, ParseError: Effect.die })),
    listFinishedSince: (since, limit) =>
      select(sql`WHERE d.status IN ${sql.literal(TERMINAL_SQL)} AND d.updated_at >= ${since} ORDER BY d.updated_at DESC LIMIT ${limit}`)
        .pipe(Effect.orDie),
    // downloads_waiting_due: the scan stops after `limit` due rows; rows in back-off are skipped in the index.
    getWaitingDue: (now, limit) =>
      select(sql`WHERE d.status = 'WAITING' AND d.paused = 0 AND (d.next_attempt_at IS NULL OR d.next_attempt_at <= ${now})
        ORDER BY -d.priority, d.created_at, d.id LIMIT ${limit}`).pipe(Effect.orDie),
    nextWaitingAt: (now) =>
      sql<{ at: string | null }>`SELECT min(next_attempt_at) AS at FROM downloads WHERE status = 'WAITING' AND paused = 0 AND next_attempt_at > ${now}`
        .pipe(Effect.map((rows) => Option.fromNullable(rows[0]?.at)), Effect.orDie),
    getPending: select(sql`WHERE d.status = 'PENDING' AND d.paused = 0 ORDER BY d.priority DESC, d.created_at, d.id`).pipe(Effect.orDie),
    getInFlight: selectHot(sql`WHERE d.status IN ('QUEUED', 'DOWNLOADING') AND d.paused = 0 ORDER BY d.created_at, d.id`).pipe(Effect.orDie),
    updateStatus,
    applyChanges,
    modify,
    remove,
    idsWithStatus: (statuses) =>
      sql<{ id: string }>`SELECT id FROM downloads WHERE status IN ${sql.in(statuses)} ORDER BY created_at, id`.withoutTransform.pipe(
        Effect.map((rows) => rows.map((r) => r.id)), Effect.orDie),
    stats: (t) => stats(t).pipe(Effect.orDie),
    setPriority,
    maxActivePriority: maxActivePriority(undefined).pipe(Effect.map(Option.match({ onNone: () => 0, onSome: (r) => r.priority })), Effect.orDie),
    highestOtherPriority: (id) =>
      sql<{ p: number | null }>`SELECT max(d.priority) AS p FROM downloads d WHERE d.status IN ${sql.literal(ACTIVE_SQL)} AND d.id <> ${id}`.pipe(
        Effect.map((rows) => rows[0]?.p ?? -1000), Effect.orDie),
    albumMates,
    saveCandidates,
    candidates: (id) => candidates(id).pipe(Effect.orDie),
    markCandidate: (downloadId, rank, outcome) =>
      sql`UPDATE download_candidates SET outcome = ${outcome} WHERE download_id = ${downloadId} AND rank = ${rank}`
        .pipe(Effect.asVoid, Effect.orDie),
    markFailedCandidate: (downloadId, username, filename, reason) =>
      sql`UPDATE download_candidates SET outcome = ${`failed: ${reason}`}
        WHERE download_id = ${downloadId} AND username = ${username} AND filename = ${filename}`
        .pipe(Effect.asVoid, Effect.orDie),
    markCandidateFile: (downloadId, username, filename, outcome) =>
      sql`UPDATE download_candidates SET outcome = ${outcome}
        WHERE download_id = ${downloadId} AND username = ${username} AND filename = ${filename}`
        .pipe(Effect.asVoid, Effect.orDie)
  })
})

export const DownloadRepositoryLive = Layer.effect(DownloadRepository, makeDownloadRepository)
