import { SqlClient } from "@effect/sql"
import { Effect, Either, Option, ParseResult, Schema } from "effect"
import { randomUUID } from "node:crypto"
import { type NotificationEvent, NotificationTarget } from "../../domain/notifications/targets.js"
import { nowIso } from "./rows.js"

/** A target as stored: `origin` "env" is the one SOULSPOT_WEBHOOK_URL configures (not replaced by a PUT). */
export interface StoredTarget {
  readonly id: string
  readonly origin: "user" | "env"
  readonly target: NotificationTarget
  readonly createdAt: string
  readonly updatedAt: string
}

/** What a target's deliveries look like: shown in Settings and the GET answer. */
export interface DeliverySummary {
  readonly pending: number
  readonly delivered: number
  readonly gaveUp: number
  readonly lastDeliveredAt: string | null
  /** The latest failure (of a pending or given-up delivery), with when and which event. */
  readonly lastError: { readonly at: string; readonly event: string; readonly message: string; readonly gaveUp: boolean } | null
}

/** One delivery that is due, with its event. */
export interface DueDelivery {
  readonly id: string
  readonly targetId: string
  readonly outboxId: string
  readonly type: NotificationEvent
  readonly payload: string
  readonly createdAt: string
  readonly attempts: number
  readonly firstAttemptAt: string | null
}

/** A media server's folders waiting for their scan (see migrations/0016_pending_scans.sql). */
export interface PendingScan {
  readonly targetId: string
  readonly dueAt: string
  readonly upTo: number
}

/** An outbox row whose side effects (media-server scans) are not done yet. */
export interface UnhandledEvent {
  readonly seq: number
  readonly type: string
  readonly payload: string
}

interface TargetRow {
  readonly id: string
  readonly type: string
  readonly name: string
  readonly enabled: number
  readonly events: string | null
  readonly config: string
  readonly origin: "user" | "env"
  readonly createdAt: string
  readonly updatedAt: string
}

const decodeTarget = Schema.decodeUnknownEither(NotificationTarget)

/** The row's columns back into a target; a row that no longer decodes (a type's rules got stricter) is skipped with a log line. */
const toStored = (r: TargetRow): Either.Either<StoredTarget, string> => {
  const config = JSON.parse(r.config) as Record<string, unknown>
  const decoded = decodeTarget({
    ...config, type: r.type, id: r.id, name: r.name, enabled: r.enabled === 1,
    ...(r.events === null ? {} : { events: JSON.parse(r.events) as unknown })
  })
  return Either.match(decoded, {
    onLeft: (e) => Either.left(`notification target ${r.id}: ${ParseResult.TreeFormatter.formatErrorSync(e)}`),
    onRight: (target) => Either.right({ id: r.id, origin: r.origin, target, createdAt: r.createdAt, updatedAt: r.updatedAt })
  })
}

const COMMON = new Set(["id", "type", "name", "enabled", "events"])
const configOf = (t: NotificationTarget): string =>
  JSON.stringify(Object.fromEntries(Object.entries(t).filter(([k, v]) => !COMMON.has(k) && v !== undefined)))

export const ENV_TARGET_ID = "env-webhook"

export class NotificationStore extends Effect.Service<NotificationStore>()("soulspot/NotificationStore", {
  effect: Effect.gen(function*() {
    const sql = yield* SqlClient.SqlClient

    const listTargets = Effect.gen(function*() {
      const rows = yield* sql<TargetRow>`SELECT id, type, name, enabled, events, config, origin, created_at, updated_at
        FROM notification_targets ORDER BY origin = 'env' DESC, position, created_at, id`
      const out: Array<StoredTarget> = []
      for (const r of rows) {
        const s = toStored(r)
        if (Either.isRight(s)) out.push(s.right)
        else yield* Effect.logWarning(s.left)
      }
      return out as ReadonlyArray<StoredTarget>
    })

    const write = (id: string, t: NotificationTarget, origin: "user" | "env", position: number, now: string) =>
      sql`INSERT INTO notification_targets ${sql.insert({
        id, type: t.type, name: t.name ?? t.type, enabled: t.enabled ? 1 : 0,
        events: t.events === undefined ? null : JSON.stringify(t.events), config: configOf(t), origin, position,
        createdAt: now, updatedAt: now
      })} ON CONFLICT (id) DO UPDATE SET type = excluded.type, name = excluded.name, enabled = excluded.enabled,
        events = excluded.events, config = excluded.config, position = excluded.position,
        updated_at = CASE WHEN notification_targets.type IS excluded.type AND notification_targets.name IS excluded.name
          AND notification_targets.enabled IS excluded.enabled AND notification_targets.events IS excluded.events
          AND notification_targets.config IS excluded.config THEN notification_targets.updated_at ELSE excluded.updated_at END`

    /**
     * The user's targets become exactly these (ids kept, new ones get one); a removed target's
     * pending deliveries go with it. The env target is left alone.
     */
    const replaceTargets = (targets: ReadonlyArray<NotificationTarget>) => Effect.gen(function*() {
      const now = yield* nowIso
      const ids = targets.map((t) => t.id ?? randomUUID())
      const keep = JSON.stringify(ids)
      yield* sql`DELETE FROM notification_targets WHERE origin = 'user' AND id NOT IN (SELECT value FROM json_each(${keep}))`
      let position = 0
      for (const [i, t] of targets.entries()) yield* write(ids[i]!, t, "user", position++, now)
      return ids
    }).pipe(sql.withTransaction)

    /** The SOULSPOT_WEBHOOK_URL target: written when configured, removed when not. */
    const setEnvTarget = (target: Option.Option<NotificationTarget>) => Effect.gen(function*() {
      if (Option.isNone(target)) {
        yield* sql`DELETE FROM notification_targets WHERE id = ${ENV_TARGET_ID}`
        return
      }
      yield* write(ENV_TARGET_ID, target.value, "env", 0, yield* nowIso)
    })

    const summaries = Effect.gen(function*() {
      const counts = yield* sql<{ targetId: string; pending: number; delivered: number; gaveUp: number; lastDeliveredAt: string | null }>`
        SELECT target_id, sum(state = 'pending') AS pending, sum(state = 'delivered') AS delivered, sum(state = 'gave_up') AS gave_up,
          max(delivered_at) AS last_delivered_at
        FROM notification_deliveries GROUP BY target_id`
      const errors = yield* sql<{ targetId: string; updatedAt: string; type: string; lastError: string; state: string }>`
        SELECT d.target_id, d.updated_at, o.type, d.last_error, d.state FROM notification_deliveries d
        JOIN notification_outbox o ON o.seq = d.outbox_seq
        WHERE d.last_error IS NOT NULL AND d.state <> 'delivered' AND d.updated_at = (
          SELECT max(e.updated_at) FROM notification_deliveries e WHERE e.target_id = d.target_id AND e.last_error IS NOT NULL AND e.state <> 'delivered')`
      const out = new Map<string, DeliverySummary>()
      for (const c of counts) {
        out.set(c.targetId, { pending: c.pending, delivered: c.delivered, gaveUp: c.gaveUp, lastDeliveredAt: c.lastDeliveredAt, lastError: null })
      }
      for (const e of errors) {
        const s = out.get(e.targetId)
        if (s !== undefined && s.lastError === null) {
          out.set(e.targetId, { ...s, lastError: { at: e.updatedAt, event: e.type, message: e.lastError, gaveUp: e.state === "gave_up" } })
        }
      }
      return out as ReadonlyMap<string, DeliverySummary>
    })

    /** An event written by code rather than a trigger (slskd outages, tests); fans out like any other. */
    const addEvent = (type: NotificationEvent, payload: unknown, at: string) =>
      sql`INSERT INTO notification_outbox ${sql.insert({ type, payload: JSON.stringify(payload), createdAt: at })}`

    const setImportOn = (on: boolean) =>
      sql`INSERT INTO notification_state (key, value) VALUES ('import_on', ${on ? "1" : "0"})
        ON CONFLICT (key) DO UPDATE SET value = excluded.value WHERE value <> excluded.value`

    const getState = (key: string) =>
      Effect.map(sql<{ value: string }>`SELECT value FROM notification_state WHERE key = ${key}`, (r) => Option.fromNullable(r[0]?.value))

    /** A state change and the events it causes, in one transaction. */
    const setState = (key: string, value: string | null, events: ReadonlyArray<{ readonly type: NotificationEvent; readonly payload: unknown; readonly at: string }>) =>
      Effect.gen(function*() {
        if (value === null) yield* sql`DELETE FROM notification_state WHERE key = ${key}`
        else yield* sql`INSERT INTO notification_state (key, value) VALUES (${key}, ${value}) ON CONFLICT (key) DO UPDATE SET value = excluded.value`
        for (const e of events) yield* addEvent(e.type, e.payload, e.at)
      }).pipe(sql.withTransaction)

    /**
     * Targets with a pending delivery due at `now` (a delivery not tried yet is due at once) that
     * are not resting: a failed delivery's next try (`next_attempt_at`, written with the failure)
     * holds back the target's other messages too, also across a restart; success clears it.
     */
    const dueTargets = (now: string) =>
      Effect.map(sql<{ targetId: string }>`SELECT target_id FROM notification_deliveries WHERE state = 'pending'
        GROUP BY target_id HAVING coalesce(max(next_attempt_at), '') <= ${now}`, (r) => r.map((x) => x.targetId))

    /** A target's due deliveries, oldest event first. */
    const dueFor = (targetId: string, now: string, limit: number) =>
      sql<DueDelivery>`SELECT d.id, d.target_id, o.id AS outbox_id, o.type, o.payload, o.created_at, d.attempts, d.first_attempt_at
        FROM notification_deliveries d JOIN notification_outbox o ON o.seq = d.outbox_seq
        WHERE d.target_id = ${targetId} AND d.state = 'pending' AND (d.next_attempt_at IS NULL OR d.next_attempt_at <= ${now})
        ORDER BY d.outbox_seq LIMIT ${limit}`

    const findTarget = (id: string) => Effect.map(listTargets, (ts) => Option.fromNullable(ts.find((t) => t.id === id)))

    /** The outcome of one attempt, written only while the delivery is still pending (a second writer changes nothing). */
    const recordAttempt = (id: string, outcome: {
      readonly state: "pending" | "delivered" | "gave_up"
      readonly attempts: number
      readonly firstAttemptAt: string
      readonly nextAttemptAt: string | null
      readonly error: string | null
      readonly status: number | null
      readonly now: string
    }) => sql`UPDATE notification_deliveries SET state = ${outcome.state}, attempts = ${outcome.attempts},
        first_attempt_at = coalesce(first_attempt_at, ${outcome.firstAttemptAt}), next_attempt_at = ${outcome.nextAttemptAt},
        last_error = ${outcome.error}, last_status = ${outcome.status},
        delivered_at = ${outcome.state === "delivered" ? outcome.now : null}, updated_at = ${outcome.now}
      WHERE id = ${id} AND state = 'pending'`

    const unhandled = (limit: number) =>
      sql<UnhandledEvent>`SELECT seq, type, payload FROM notification_outbox WHERE handled = 0 ORDER BY seq LIMIT ${limit}`

    const markHandled = (seqs: ReadonlyArray<number>) =>
      seqs.length === 0 ? Effect.void : sql`UPDATE notification_outbox SET handled = 1 WHERE ${sql.in("seq", seqs)}`.pipe(Effect.asVoid)

    /** Events older than `before` that are done everywhere; album.completed rows stay, they keep "once per album". */
    const prune = (before: string) =>
      sql`DELETE FROM notification_outbox WHERE created_at < ${before} AND handled = 1 AND dedupe IS NULL
        AND NOT EXISTS (SELECT 1 FROM notification_deliveries d WHERE d.outbox_seq = notification_outbox.seq AND d.state = 'pending')`

    /** Notes a folder with new files for these media servers; their scan is due at `dueAt` unless a later import moves it. */
    const addPendingScan = (targetIds: ReadonlyArray<string>, folder: string, dueAt: string) =>
      sql`INSERT INTO notification_pending_scans ${sql.insert(targetIds.map((targetId) => ({ targetId, folder, dueAt })))}`

    /** Each server with folders waiting: when its scan is due (its latest import's) and the last row it covers. */
    const pendingScans = sql<PendingScan>`SELECT target_id, max(due_at) AS due_at, max(seq) AS up_to
      FROM notification_pending_scans GROUP BY target_id`

    /** A server's folders whose quiet spell had ended by `dueBy` (duplicates removed), and the last row they cover. */
    const dueScanFolders = (targetId: string, dueBy: string) => Effect.map(
      sql<{ seq: number; folder: string }>`SELECT seq, folder FROM notification_pending_scans
        WHERE target_id = ${targetId} AND due_at <= ${dueBy} ORDER BY seq`,
      (rows) => ({ folders: [...new Set(rows.map((r) => r.folder))], upTo: rows.at(-1)?.seq ?? 0 }))

    /** Forgets what `dueScanFolders(targetId, dueBy)` answered (rows up to `upTo`); imports since stay. */
    const dropScanFolders = (targetId: string, upTo: number, dueBy: string) =>
      sql`DELETE FROM notification_pending_scans WHERE target_id = ${targetId} AND seq <= ${upTo} AND due_at <= ${dueBy}`

    return {
      addPendingScan: Effect.fn("NotificationStore.addPendingScan")(function*(targetIds: ReadonlyArray<string>, folder: string, dueAt: string) {
        yield* addPendingScan(targetIds, folder, dueAt)
      }, Effect.orDie),
      pendingScans: Effect.orDie(pendingScans).pipe(Effect.withSpan("NotificationStore.pendingScans")),
      dueScanFolders: Effect.fn("NotificationStore.dueScanFolders")(function*(targetId: string, dueBy: string) {
        return yield* dueScanFolders(targetId, dueBy)
      }, Effect.orDie),
      dropScanFolders: Effect.fn("NotificationStore.dropScanFolders")(function*(targetId: string, upTo: number, dueBy: string) {
        yield* dropScanFolders(targetId, upTo, dueBy)
      }, Effect.orDie),
      prune: (before: string) => Effect.orDie(Effect.asVoid(prune(before))),
      listTargets: Effect.orDie(listTargets),
      findTarget: (id: string) => Effect.orDie(findTarget(id)),
      replaceTargets: (targets: ReadonlyArray<NotificationTarget>) => Effect.orDie(replaceTargets(targets)),
      setEnvTarget: (t: Option.Option<NotificationTarget>) => Effect.orDie(setEnvTarget(t)),
      summaries: Effect.orDie(summaries),
      addEvent: (type: NotificationEvent, payload: unknown, at: string) => Effect.orDie(Effect.asVoid(addEvent(type, payload, at))),
      setImportOn: (on: boolean) => Effect.orDie(Effect.asVoid(setImportOn(on))),
      getState: (key: string) => Effect.orDie(getState(key)),
      setState: (key: string, value: string | null, events: Parameters<typeof setState>[2] = []) => Effect.orDie(setState(key, value, events)),
      dueTargets: (now: string) => Effect.orDie(dueTargets(now)),
      dueFor: (targetId: string, now: string, limit: number) => Effect.orDie(dueFor(targetId, now, limit)),
      recordAttempt: (id: string, outcome: Parameters<typeof recordAttempt>[1]) => Effect.orDie(Effect.asVoid(recordAttempt(id, outcome))),
      unhandled: (limit: number) => Effect.orDie(unhandled(limit)),
      markHandled: (seqs: ReadonlyArray<number>) => Effect.orDie(markHandled(seqs))
    } as const
  })
}) {}
