/**
 * Browser sessions: the cookie is `v1.<issued ms>.<nonce>.<HMAC>`, signed with a random secret
 * kept in the database and bound to the API key (a new key signs everybody out). It expires
 * 30 days after it was issued, whatever the browser keeps, and /logout revokes it.
 */
import { SqlClient } from "@effect/sql"
import { Clock, Duration, Effect, Redacted } from "effect"
import { createHash, createHmac, randomBytes, timingSafeEqual } from "node:crypto"

export const SESSION_LIFETIME = Duration.days(30)
const LIFETIME_MS = Duration.toMillis(SESSION_LIFETIME)
/** A cookie issued a little "in the future" is a clock step, not a forgery. */
const CLOCK_SKEW_MS = 60_000

const mac = (secret: string, keyFingerprint: string, issuedAt: number, nonce: string) =>
  createHmac("sha256", secret).update(`v1.${issuedAt}.${nonce}.${keyFingerprint}`).digest("base64url")

export const keyFingerprint = (key: string): string => createHash("sha256").update(`soulspot-key:${key}`).digest("hex")

export const signSession = (secret: string, fingerprint: string, issuedAt: number, nonce: string): string =>
  `v1.${issuedAt}.${nonce}.${mac(secret, fingerprint, issuedAt, nonce)}`

export type SessionCheck =
  | { readonly _tag: "Valid"; readonly nonce: string; readonly issuedAt: number }
  | { readonly _tag: "Expired" }
  | { readonly _tag: "Invalid" }

/** What a cookie value is worth at `now` (revocation aside). */
export const checkSession = (cookie: string, secret: string, fingerprint: string, now: number): SessionCheck => {
  const m = /^v1\.(\d{1,15})\.([0-9a-f]{32})\.([A-Za-z0-9_-]{43})$/.exec(cookie)
  if (!m) return { _tag: "Invalid" }
  const issuedAt = Number(m[1])
  const expected = Buffer.from(mac(secret, fingerprint, issuedAt, m[2]!))
  const given = Buffer.from(m[3]!)
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return { _tag: "Invalid" }
  if (issuedAt > now + CLOCK_SKEW_MS) return { _tag: "Invalid" }
  if (now - issuedAt >= LIFETIME_MS) return { _tag: "Expired" }
  return { _tag: "Valid", nonce: m[2]!, issuedAt }
}

export class Sessions extends Effect.Service<Sessions>()("soulspot/Sessions", {
  effect: Effect.gen(function*() {
    const sql = yield* SqlClient.SqlClient
    const nowIso = Effect.map(Clock.currentTimeMillis, (t) => new Date(t).toISOString())

    // The signing secret: made once, on first start, and kept.
    yield* sql`INSERT INTO auth_secret (id, secret, created_at) VALUES (1, ${randomBytes(32).toString("hex")}, ${yield* nowIso})
      ON CONFLICT (id) DO NOTHING`.pipe(Effect.orDie)
    const [row] = yield* sql<{ secret: string }>`SELECT secret FROM auth_secret WHERE id = 1`.pipe(Effect.orDie)
    const secret = Redacted.make(row!.secret)

    yield* sql`DELETE FROM revoked_sessions WHERE expires_at < ${yield* nowIso}`.pipe(Effect.orDie)
    const revoked = new Set((yield* sql<{ nonce: string }>`SELECT nonce FROM revoked_sessions`.pipe(Effect.orDie)).map((r) => r.nonce))

    return {
      /** A new cookie value for a browser that just proved it knows `key`. */
      issue: (key: string) => Effect.map(Clock.currentTimeMillis, (now) =>
        signSession(Redacted.value(secret), keyFingerprint(key), now, randomBytes(16).toString("hex"))),

      check: (cookie: string, key: string) => Effect.map(Clock.currentTimeMillis, (now): SessionCheck => {
        const result = checkSession(cookie, Redacted.value(secret), keyFingerprint(key), now)
        return result._tag === "Valid" && revoked.has(result.nonce) ? { _tag: "Invalid" } : result
      }),

      /** Signs this session out for good (until it would have expired anyway). */
      revoke: (cookie: string, key: string) => Effect.gen(function*() {
        const now = yield* Clock.currentTimeMillis
        const result = checkSession(cookie, Redacted.value(secret), keyFingerprint(key), now)
        if (result._tag !== "Valid") return
        revoked.add(result.nonce)
        const expires = new Date(result.issuedAt + LIFETIME_MS).toISOString()
        yield* sql`INSERT INTO revoked_sessions (nonce, expires_at) VALUES (${result.nonce}, ${expires}) ON CONFLICT (nonce) DO NOTHING`.pipe(Effect.orDie)
      })
    } as const
  })
}) {}
