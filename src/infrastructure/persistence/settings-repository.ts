import { SqlClient } from "@effect/sql"
import { Config, Effect, Either, Layer, Option, Ref } from "effect"
import { AllSettings } from "../../config.js"
import { InvalidSetting } from "../../domain/errors.js"
import { type SettingDef, type SettingSource, Settings, type SettingView } from "../../domain/ports/Settings.js"
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
    const parsed = def.parse(raw.value)
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
        const parsed = def.parse(r.value)
        if (Either.isRight(parsed)) m.set(r.key, { value: parsed.right, source: "database" })
      }
      return m
    })
  )
  const stored = yield* Ref.make(yield* loadRows)

  const resolve = (def: SettingDef<unknown>, rows: Map<string, Resolved>): Resolved =>
    rows.get(def.key) ?? envValues.get(def.key) ?? { value: def.default, source: "default" }

  const view = (def: SettingDef<unknown>, r: Resolved): SettingView => {
    const shown = def.show(r.value)
    return {
      key: def.key, env: def.env, description: def.description, source: r.source,
      value: shown === "" ? null : def.secret ? "****" : shown
    }
  }

  const describe = Effect.map(Ref.get(stored), (rows) => AllSettings.map((d) => view(d, resolve(d, rows))))

  const update = (entries: Readonly<Record<string, unknown>>) => Effect.gen(function*() {
    const writes: Array<{ key: string; raw: string }> = []
    for (const [key, value] of Object.entries(entries)) {
      const def = byKey.get(key)
      if (!def) return yield* new InvalidSetting({ key, reason: "unknown setting" })
      if (typeof value !== "string" && typeof value !== "number") {
        return yield* new InvalidSetting({ key, reason: "must be a string or a number" })
      }
      const raw = String(value)
      // "****" is the masked value the UI shows: sending it back means "unchanged".
      if (def.secret && raw === "****") continue
      if (raw.trim() !== "") {
        const parsed = def.parse(raw)
        if (Either.isLeft(parsed)) return yield* new InvalidSetting({ key, reason: parsed.left })
      }
      writes.push({ key, raw: raw.trim() })
    }
    const now = yield* nowIso
    yield* Effect.forEach(writes, ({ key, raw }) => raw === ""
      ? sql`DELETE FROM app_settings WHERE key = ${key}`
      : sql`INSERT INTO app_settings (key, value, updated_at) VALUES (${key}, ${raw}, ${now})
          ON CONFLICT (key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at`,
    { discard: true }).pipe(sql.withTransaction, Effect.orDie)
    yield* Ref.set(stored, yield* Effect.orDie(loadRows))
    yield* Effect.logInfo(`settings changed: ${writes.map((w) => w.key).join(", ") || "nothing"}`)
    return yield* describe
  })

  return Settings.of({
    get: <A>(def: SettingDef<A>) => Effect.map(Ref.get(stored), (rows) => resolve(def as SettingDef<unknown>, rows).value as A),
    describe,
    update: (entries) => update(entries).pipe(Effect.withSpan("Settings.update"))
  })
})

export const SettingsLive = Layer.effect(Settings, makeSettings)
