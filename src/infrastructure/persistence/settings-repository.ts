import { SqlClient } from "@effect/sql"
import { Config, Effect, Either, Layer, Option, Ref } from "effect"
import { AllSettings, SecretsOfUrl } from "../../config.js"
import { InvalidSetting } from "../../domain/errors.js"
import {
  parseSetting, type SettingDef, type SettingSource, Settings, type SettingView, showSetting
} from "../../domain/ports/Settings.js"
import { nowIso } from "./rows.js"

interface Resolved {
  readonly value: unknown
  readonly source: SettingSource
}

/**
 * Effective value = app_settings row, else environment, else default. Rows are read once
 * and cached: this process is the only writer, and workers read settings every tick.
 */
export const makeSettings = Effect.gen(function*() {
  const sql = yield* SqlClient.SqlClient
  const byKey = new Map(AllSettings.map((d) => [d.key, d]))

  const envValues = new Map<string, Resolved>()
  for (const def of AllSettings) {
    const raw = yield* Config.string(def.env).pipe(Config.option)
    if (Option.isNone(raw)) continue
    const parsed = parseSetting(def, raw.value)
    if (Either.isLeft(parsed)) {
      yield* Effect.logWarning(`ignoring ${def.env}: ${parsed.left}; using the default`)
      continue
    }
    envValues.set(def.key, { value: parsed.right, source: "environment" })
  }

  const loadRows = sql<{ key: string; value: string }>`SELECT key, value FROM app_settings`.pipe(
    Effect.map((rows) => {
      const m = new Map<string, Resolved>()
      for (const r of rows) {
        const def = byKey.get(r.key)
        if (!def) continue
        const parsed = parseSetting(def, r.value)
        if (Either.isRight(parsed)) m.set(r.key, { value: parsed.right, source: "database" })
      }
      return m
    })
  )
  const stored = yield* Ref.make(yield* loadRows)

  const resolve = (def: SettingDef<unknown>, rows: Map<string, Resolved>): Resolved =>
    rows.get(def.key) ?? envValues.get(def.key) ?? { value: def.default, source: "default" }

  const view = (def: SettingDef<unknown>, r: Resolved): SettingView => {
    const shown = showSetting(def, r.value)
    return {
      key: def.key, env: def.env, description: def.description, source: r.source,
      value: shown === "" ? null : def.secret ? "****" : shown
    }
  }

  const describe = Effect.map(Ref.get(stored), (rows) => AllSettings.map((d) => view(d, resolve(d, rows))))

  /** A write: a value, the row deleted (back to environment or default), or an explicit "none" that hides the environment's. */
  interface Write {
    readonly key: string
    readonly raw: string
    readonly kind: "set" | "delete" | "none"
  }

  const update = (entries: Readonly<Record<string, unknown>>) => Effect.gen(function*() {
    const writes: Array<Write> = []
    for (const [key, value] of Object.entries(entries)) {
      const def = byKey.get(key)
      if (!def) return yield* new InvalidSetting({ key: key.slice(0, 60), reason: "unknown setting" })
      if (typeof value !== "string" && typeof value !== "number") {
        return yield* new InvalidSetting({ key, reason: "must be a string or a number" })
      }
      const raw = String(value)
      // "****" is the masked value the UI shows: sending it back means "unchanged".
      if (def.secret && raw === "****") continue
      if (raw.trim() !== "") {
        const parsed = parseSetting(def, raw)
        if (Either.isLeft(parsed)) return yield* new InvalidSetting({ key, reason: parsed.left })
      }
      writes.push({ key, raw: raw.trim(), kind: raw.trim() === "" ? "delete" : "set" })
    }

    // A URL that moves to another origin takes no secret along: the one entered for the old host is cleared.
    const rowsBefore = yield* Ref.get(stored)
    const effective = (def: SettingDef<unknown>, write: Write | undefined): string =>
      write === undefined ? String(resolve(def, rowsBefore).value)
        : write.kind === "delete" ? String((envValues.get(def.key) ?? { value: def.default }).value)
        : Either.getOrElse(parseSetting(def, write.raw), () => "") as string
    const notices: Array<string> = []
    const changes: Array<string> = []
    const tokenTables = new Set<string>()
    for (const { url, secrets, tokenTables: tables } of SecretsOfUrl) {
      const write = writes.find((w) => w.key === url.key)
      if (write === undefined) continue
      const before = effective(url as SettingDef<unknown>, undefined)
      const after = effective(url as SettingDef<unknown>, write)
      if (before === after) continue
      changes.push(`${url.key} changed: ${hostOf(before)} → ${hostOf(after)}`)
      if (originOf(before) === originOf(after)) continue
      for (const table of tables) tokenTables.add(table)
      for (const secret of secrets) {
        if (writes.some((w) => w.key === secret.key)) continue
        const current = resolve(secret as SettingDef<unknown>, rowsBefore).value as Option.Option<unknown>
        if (Option.isNone(current)) continue
        writes.push({ key: secret.key, raw: "", kind: "none" })
        changes.push(`${secret.key} cleared: it was entered for ${hostOf(before)}`)
        notices.push(`${url.key} now points at another host (${hostOf(after)}), so ${secret.key} was cleared: enter the API key for the new host`)
      }
    }

    // only say so when there was a login to forget
    let heldTokens = 0
    for (const table of tokenTables) {
      const [row] = yield* sql<{ n: number }>`SELECT COUNT(*) AS n FROM ${sql(table)}`.pipe(Effect.orDie)
      heldTokens += row?.n ?? 0
    }
    const now = yield* nowIso
    yield* Effect.forEach(writes, ({ key, raw, kind }) => kind === "delete"
      ? sql`DELETE FROM app_settings WHERE key = ${key}`
      : sql`INSERT INTO app_settings (key, value, updated_at) VALUES (${key}, ${raw}, ${now})
          ON CONFLICT (key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at`,
    { discard: true }).pipe(
      // the login's tokens were issued by and for the old host: forget them with the URL change
      Effect.zipRight(Effect.forEach(tokenTables, (table) => sql`DELETE FROM ${sql(table)}`, { discard: true })),
      sql.withTransaction, Effect.orDie)
    if (heldTokens > 0) {
      changes.push(`${[...tokenTables].join(", ")} cleared: its tokens belong to the old host`)
      notices.push("the Spotify login belongs to the old host and was forgotten: connect Spotify again")
    }
    yield* Ref.set(stored, yield* Effect.orDie(loadRows))
    yield* Effect.forEach(changes, (c) => Effect.logInfo(c), { discard: true })
    yield* Effect.logInfo(`settings changed: ${[...new Set(writes.map((w) => w.key))].join(", ") || "nothing"}`)
    return { settings: yield* describe, notices }
  })

  return Settings.of({
    get: <A>(def: SettingDef<A>) => Effect.map(Ref.get(stored), (rows) => resolve(def as SettingDef<unknown>, rows).value as A),
    describe,
    update: (entries) => update(entries).pipe(Effect.withSpan("Settings.update"))
  })
})

const originOf = (url: string): string => {
  try {
    return new URL(url).origin
  } catch {
    return url
  }
}

/** host:port only: what a log line may show of a URL. */
const hostOf = (url: string): string => {
  try {
    return new URL(url).host
  } catch {
    return "(not a URL)"
  }
}

export const SettingsLive = Layer.effect(Settings, makeSettings)
