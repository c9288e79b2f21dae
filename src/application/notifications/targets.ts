/**
 * The targets as the API and Settings see them: listed with secrets as "****" and the state of
 * their deliveries, replaced as a whole (a "****" keeps the stored secret; one bad target
 * refuses the whole change), and tried with a test message whose answer is shown as is.
 */
import { HttpClient } from "@effect/platform"
import { Clock, Effect, Either, ParseResult, Schema } from "effect"
import { testMessage } from "../../domain/notifications/messages.js"
import { isMediaServer, NotificationTarget, SECRET_FIELDS } from "../../domain/notifications/targets.js"
import { testMediaServer } from "../../infrastructure/notifications/media-servers/dispatch.js"
import { sendMessage } from "../../infrastructure/notifications/senders/registry.js"
import { type DeliverySummary, ENV_TARGET_ID, NotificationStore, type StoredTarget } from "../../infrastructure/persistence/notification-repository.js"

export const MASK = "****"

export class InvalidNotificationTargets extends Schema.TaggedError<InvalidNotificationTargets>()("InvalidNotificationTargets", { message: Schema.String }) {}
export class NotificationTargetNotFound extends Schema.TaggedError<NotificationTargetNotFound>()("NotificationTargetNotFound", { message: Schema.String }) {}

export interface TargetView {
  readonly id: string
  readonly origin: "user" | "env"
  /** The target's fields as PUT takes them, secrets as "****". */
  readonly fields: Readonly<Record<string, unknown>>
  readonly deliveries: DeliverySummary
}

export interface TestAnswer {
  readonly ok: boolean
  readonly status: number | null
  /** What the target answered (its body, shortened), or why nothing was delivered. */
  readonly body: string
  readonly message: string | null
}

const NO_DELIVERIES: DeliverySummary = { pending: 0, delivered: 0, gaveUp: 0, lastDeliveredAt: null, lastError: null }

export const masked = (t: NotificationTarget): Record<string, unknown> => {
  const out: Record<string, unknown> = { ...t }
  for (const f of SECRET_FIELDS[t.type]) if (typeof out[f] === "string" && out[f] !== "") out[f] = MASK
  return out
}

const decode = Schema.decodeUnknownEither(NotificationTarget, { errors: "first", onExcessProperty: "error" })

/** "field: message" for the first issue (the union's issue for the declared type, not the other members'). */
const firstIssue = (e: ParseResult.ParseError): string => {
  const issues = ParseResult.ArrayFormatter.formatErrorSync(e)
  const issue = issues.find((i) => i.path.length > 0 && i.path[0] !== "type") ?? issues[0]
  if (issue === undefined) return "is not a notification target"
  const path = issue.path.join(".")
  return path === "" ? issue.message : `${path}: ${issue.message}`
}

const TYPES = new Set(Object.keys(SECRET_FIELDS))

/** One item of a PUT (or a test) to a target: "****" replaced by the stored secret of the same target. */
export const resolveTarget = (raw: unknown, stored: ReadonlyMap<string, StoredTarget>, where: string): Either.Either<NotificationTarget, string> => {
  if (typeof raw !== "object" || raw === null || Array.isArray(raw)) return Either.left(`${where}: must be a target object {type, url, ...}`)
  // origin and deliveries are GET's read-only fields: a GET-edit-PUT round trip sends them back
  const { origin: _origin, deliveries: _deliveries, ...item } = raw as Record<string, unknown>
  if (typeof item.type !== "string" || !TYPES.has(item.type)) {
    return Either.left(`${where === "" ? "" : `${where}.`}type: must be one of ${[...TYPES].join(", ")}`)
  }
  const type = item.type as NotificationTarget["type"]
  const before = typeof item.id === "string" ? stored.get(item.id) : undefined
  for (const f of SECRET_FIELDS[type]) {
    if (item[f] !== MASK) continue
    const kept = before !== undefined && before.target.type === type ? (before.target as Record<string, unknown>)[f] : undefined
    if (typeof kept !== "string") return Either.left(`${where === "" ? "" : `${where}.`}${f}: "${MASK}" keeps the stored value, but this target has none; enter it`)
    item[f] = kept
  }
  // the form sends empty optional fields as ""
  for (const [k, v] of Object.entries(item)) if (v === "" && k !== "type") delete item[k]
  return Either.mapLeft(decode(item), (e) => where === "" ? firstIssue(e) : `${where}.${firstIssue(e)}`)
}

export class NotificationTargets extends Effect.Service<NotificationTargets>()("soulspot/NotificationTargets", {
  effect: Effect.gen(function*() {
    const store = yield* NotificationStore
    const http = yield* HttpClient.HttpClient
    const send = sendMessage(http)
    const probe = testMediaServer(http)

    const list = Effect.gen(function*() {
      const [targets, summaries] = yield* Effect.all([store.listTargets, store.summaries])
      return targets.map((s): TargetView => ({ id: s.id, origin: s.origin, fields: masked(s.target), deliveries: summaries.get(s.id) ?? NO_DELIVERIES }))
    }).pipe(Effect.withSpan("NotificationTargets.list"))

    const storedById = Effect.map(store.listTargets, (ts) => new Map(ts.map((t) => [t.id, t] as const)))

    const replace = Effect.fn("NotificationTargets.replace")(function*(items: ReadonlyArray<unknown>) {
      const stored = yield* storedById
      const targets: Array<NotificationTarget> = []
      const seen = new Set<string>()
      for (const [i, raw] of items.entries()) {
        // the env target comes back from a GET-edit-PUT round trip; it is not the PUT's to change
        if (typeof raw === "object" && raw !== null && (raw as { id?: unknown }).id === ENV_TARGET_ID) continue
        const t = resolveTarget(raw, stored, `targets.${i}`)
        if (Either.isLeft(t)) return yield* new InvalidNotificationTargets({ message: t.left })
        if (t.right.id !== undefined) {
          if (seen.has(t.right.id)) return yield* new InvalidNotificationTargets({ message: `targets.${i}.id: "${t.right.id}" appears twice` })
          seen.add(t.right.id)
          const before = stored.get(t.right.id)
          if (before === undefined) return yield* new InvalidNotificationTargets({ message: `targets.${i}.id: no target has the id "${t.right.id}"; leave it out for a new target` })
        }
        targets.push(t.right)
      }
      yield* store.replaceTargets(targets)
      yield* Effect.logInfo(`notification targets replaced: ${targets.length} target(s)`)
      return yield* list
    })

    /** A test message to a stored target (by id) or to one being edited (its fields, "****" from the stored one). */
    const test = Effect.fn("NotificationTargets.test")(function*(input: { readonly id?: string | undefined; readonly target?: unknown }) {
      const stored = yield* storedById
      let target: NotificationTarget
      if (input.target !== undefined) {
        const raw = input.id !== undefined && typeof input.target === "object" && input.target !== null ? { ...(input.target as object), id: input.id } : input.target
        const t = resolveTarget(raw, stored, "target")
        if (Either.isLeft(t)) return yield* new InvalidNotificationTargets({ message: t.left })
        target = t.right
      } else {
        const s = input.id === undefined ? undefined : stored.get(input.id)
        if (s === undefined) return yield* new NotificationTargetNotFound({ message: `no notification target has the id "${input.id ?? ""}"` })
        target = s.target
      }
      const at = new Date(yield* Clock.currentTimeMillis).toISOString()
      const sent = isMediaServer(target) ? probe(target) : send(target, testMessage(at))
      const result = yield* Effect.either(sent)
      const answer: TestAnswer = Either.match(result, {
        onRight: (d) => ({ ok: true, status: d.status, body: d.body, message: null }),
        onLeft: (e) => ({ ok: false, status: e.status ?? null, body: "", message: e.message })
      })
      yield* Effect.logInfo(`notification test to ${target.name ?? target.type} (${target.type}): ${answer.ok ? `HTTP ${answer.status}` : answer.message}`)
      return answer
    })

    const userTargets = Effect.map(store.listTargets, (ts) => ts.filter((t) => t.origin === "user"))
    const notFound = (id: string) => new NotificationTargetNotFound({ message: `no notification target has the id "${id}"` })

    /** Settings' form: one target added (no id) or changed (its id); the others stay as they are. */
    const save = Effect.fn("NotificationTargets.save")(function*(raw: Readonly<Record<string, unknown>>) {
      const stored = yield* storedById
      const t = resolveTarget(raw, stored, "")
      if (Either.isLeft(t)) return yield* new InvalidNotificationTargets({ message: t.left })
      const users = yield* userTargets
      const id = t.right.id
      if (id !== undefined && !users.some((u) => u.id === id)) return yield* notFound(id)
      const next = id === undefined ? [...users.map((u) => u.target), t.right] : users.map((u) => u.id === id ? t.right : u.target)
      yield* store.replaceTargets(next)
      yield* Effect.logInfo(`notification target ${id === undefined ? "added" : "changed"}: ${t.right.name ?? t.right.type} (${t.right.type})`)
    })

    const setEnabled = Effect.fn("NotificationTargets.setEnabled")(function*(id: string, enabled: boolean) {
      const users = yield* userTargets
      if (!users.some((u) => u.id === id)) return yield* notFound(id)
      yield* store.replaceTargets(users.map((u) => u.id === id ? { ...u.target, enabled } : u.target))
    })

    const remove = Effect.fn("NotificationTargets.remove")(function*(id: string) {
      const users = yield* userTargets
      if (!users.some((u) => u.id === id)) return yield* notFound(id)
      yield* store.replaceTargets(users.filter((u) => u.id !== id).map((u) => u.target))
    })

    return { list, replace, test, save, setEnabled, remove } as const
  })
}) {}
