import { createHash } from "node:crypto"
import { type HttpClient, HttpClientRequest } from "@effect/platform"
import { Effect, Random } from "effect"
import type { NavidromeTarget } from "../../../domain/notifications/targets.js"
import { type Delivered, DeliveryError, type RequestScan } from "../../../domain/ports/NotificationSender.js"
import { base, send } from "../senders/answer.js"

type Navidrome = typeof NavidromeTarget.Type

/** Subsonic token authentication: t = md5(password + salt), so the password never travels. */
export const subsonicToken = (password: string, salt: string): string => createHash("md5").update(password + salt, "utf8").digest("hex")

/** Subsonic error codes that no retry can fix: missing parameter, version mismatch, wrong credentials, token auth refused, not allowed. */
const PERMANENT_CODES = new Set([10, 20, 30, 40, 41, 50])

/**
 * A Subsonic server answers HTTP 200 also for failures; the verdict is
 * `subsonic-response.status`, with `error.code` saying why.
 */
export const subsonicVerdict = (body: string): { readonly ok: true } | { readonly ok: false; readonly permanent: boolean; readonly message: string } => {
  let parsed: unknown
  try {
    parsed = JSON.parse(body)
  } catch {
    return { ok: false, permanent: false, message: "the answer is not Subsonic JSON" }
  }
  const r = typeof parsed === "object" && parsed !== null ? (parsed as Record<string, unknown>)["subsonic-response"] : undefined
  if (typeof r !== "object" || r === null) return { ok: false, permanent: false, message: "the answer has no subsonic-response" }
  const { status, error } = r as { status?: unknown; error?: { code?: unknown; message?: unknown } }
  if (status === "ok") return { ok: true }
  const code = typeof error?.code === "number" ? error.code : undefined
  const text = typeof error?.message === "string" ? error.message : "no reason given"
  const hint = code === 40 || code === 41 ? " (check the user name and password)" : code === 50 ? " (the user must be an administrator to start a scan)" : ""
  return { ok: false, permanent: code !== undefined && PERMANENT_CODES.has(code), message: `Subsonic error ${code ?? "?"}: ${text}${hint}` }
}

const SALT_ALPHABET = "abcdefghijklmnopqrstuvwxyz0123456789"

/** A fresh salt for every request, so a logged URL cannot be replayed with another salt. */
const salt = Effect.map(Effect.all(Array.from({ length: 12 }, () => Random.nextIntBetween(0, SALT_ALPHABET.length))), (ix) =>
  ix.map((i) => SALT_ALPHABET[i]).join(""))

const call = (http: HttpClient.HttpClient, target: Navidrome, endpoint: "ping" | "startScan") =>
  Effect.gen(function*() {
    const s = yield* salt
    const req = HttpClientRequest.get(`${base(target.url)}/rest/${endpoint}`).pipe(
      HttpClientRequest.acceptJson,
      HttpClientRequest.setUrlParams({ u: target.username, t: subsonicToken(target.password, s), s, v: "1.16.1", c: "soulspot", f: "json" }))
    const answer = yield* send(http, "Navidrome", req)
    const verdict = subsonicVerdict(answer.body)
    return verdict.ok
      ? answer
      : yield* Effect.fail(new DeliveryError({ message: `Navidrome: ${verdict.message}`, status: answer.status, permanent: verdict.permanent }))
  })

/** Navidrome scans its whole library (Subsonic's startScan takes no folder); it skips unchanged folders quickly. */
export const scanNavidrome = (http: HttpClient.HttpClient): RequestScan<Navidrome> => (target) => call(http, target, "startScan")

/** "Send a test message": Subsonic ping, which checks the user name and password. */
export const testNavidrome = (http: HttpClient.HttpClient) => (target: Navidrome): Effect.Effect<Delivered, DeliveryError> => call(http, target, "ping")
