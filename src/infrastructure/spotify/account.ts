import { HttpApiSchema, HttpClient, HttpClientRequest } from "@effect/platform"
import { SqlClient } from "@effect/sql"
import { Clock, Effect, Option, Redacted, Ref, Schema } from "effect"
import { Setting } from "../../config.js"
import { CatalogUnavailable } from "../../domain/ports/AlbumSource.js"
import { Settings } from "../../domain/ports/Settings.js"
import { redirectUriProblem } from "../../domain/redirect-uri.js"
import { exchange, type Reply } from "../catalog/http.js"
import { challengeOf, makeState, makeVerifier, SPOTIFY_SCOPES } from "./pkce.js"

/*
 * The Spotify user behind SoulSpot, logged in with Authorization Code + PKCE (no client secret).
 * Access and refresh tokens live only in the spotify_account table: they are never returned,
 * logged or rendered. An access token is refreshed a minute before it expires and once after a
 * 401; a refresh answered `invalid_grant` marks the account "reconnect" and Spotify is not asked
 * again until the user logs in anew.
 */

const STATE_TTL_MS = 10 * 60 * 1000
const REFRESH_MARGIN_MS = 60_000
const SERVICE = "Spotify"

const fields = { message: Schema.String }

/** No client id configured: the login cannot start. */
export class SpotifyClientIdMissing extends Schema.TaggedError<SpotifyClientIdMissing>()(
  "spotify_client_id_missing", fields, HttpApiSchema.annotations({ status: 409 })) {}

/** The login came back refused, forged, reused, expired, or with a code Spotify would not exchange. */
export class SpotifyLoginFailed extends Schema.TaggedError<SpotifyLoginFailed>()(
  "spotify_login_failed",
  {
    message: Schema.String,
    /** state: unknown, used or expired (nothing to do with Spotify); refused: the user said no; code: the exchange failed. */
    reason: Schema.Literal("state", "refused", "code")
  },
  HttpApiSchema.annotations({ status: 400 })) {}

export class InvalidRedirectUri extends Schema.TaggedError<InvalidRedirectUri>()(
  "invalid_redirect_uri", fields, HttpApiSchema.annotations({ status: 422 })) {}

export interface AccountStatus {
  readonly connected: boolean
  readonly user: { readonly id: string; readonly displayName: string | null } | null
  readonly scopes: ReadonlyArray<string>
  readonly redirectUri: string
  readonly clientIdSet: boolean
  /** "reconnect" after Spotify refused the refresh token. */
  readonly error: string | null
}

/** What a caller may use to read the user's data. */
export type UserToken =
  | { readonly _tag: "Connected"; readonly token: Redacted.Redacted<string>; readonly userId: string }
  | { readonly _tag: "NotConnected" }
  | { readonly _tag: "Reconnect" }

interface AccountRow {
  readonly user_id: string
  readonly display_name: string | null
  readonly access_token: string
  readonly refresh_token: string
  readonly scopes: string
  readonly expires_at: string
  readonly error: string | null
}

const TokenBody = Schema.Struct({
  access_token: Schema.String,
  refresh_token: Schema.optional(Schema.String),
  expires_in: Schema.optional(Schema.Number),
  scope: Schema.optional(Schema.String)
})
const MeBody = Schema.Struct({ id: Schema.String, display_name: Schema.optional(Schema.NullOr(Schema.String)) })

const oauthError = (body: unknown): string | null => {
  const e = (body as { error?: unknown } | undefined)?.error
  return typeof e === "string" ? e : null
}

const REFUSALS: Record<string, string> = {
  access_denied: "you declined the access SoulSpot asked for at Spotify, so nothing was connected"
}

export class SpotifyAccount extends Effect.Service<SpotifyAccount>()("soulspot/SpotifyAccount", {
  effect: Effect.gen(function*() {
    const sql = yield* SqlClient.SqlClient
    const settings = yield* Settings
    const client = yield* HttpClient.HttpClient
    const refreshLock = yield* Effect.makeSemaphore(1)
    // where the server listens, told by the HTTP layer once it is bound (pages have no server handle)
    const listening = yield* Ref.make("http://127.0.0.1:8765/api/spotify/callback")

    const send = (request: HttpClientRequest.HttpClientRequest) =>
      exchange(request).pipe(Effect.provideService(HttpClient.HttpClient, client))
    const nowMs = Clock.currentTimeMillis
    const iso = (ms: number) => new Date(ms).toISOString()

    const readRow = sql.unsafe<AccountRow>(`SELECT user_id, display_name, access_token, refresh_token, scopes, expires_at, error
      FROM spotify_account WHERE id = 1`).withoutTransform.pipe(Effect.map((rs) => Option.fromNullable(rs[0])), Effect.orDie)

    const clientId = Effect.map(settings.get(Setting.spotifyClientId), Option.map(Redacted.value))
    const accountsUrl = settings.get(Setting.spotifyAccountsUrl)

    /** The configured redirect URI, else the loopback default for the port the server listens on. */
    const redirectUri = (defaultUri: string) =>
      Effect.map(settings.get(Setting.spotifyRedirectUri), (configured) => configured === "" ? defaultUri : configured)

    const status = Effect.fn("SpotifyAccount.status")(function*(defaultUri: string) {
      const row = yield* readRow
      const id = yield* clientId
      return {
        connected: Option.isSome(row) && row.value.error === null,
        user: Option.match(row, { onNone: () => null, onSome: (r) => ({ id: r.user_id, displayName: r.display_name }) }),
        scopes: Option.match(row, { onNone: () => [], onSome: (r) => r.scopes.split(" ").filter((s) => s !== "") }),
        redirectUri: yield* redirectUri(defaultUri),
        clientIdSet: Option.isSome(id),
        error: Option.match(row, { onNone: () => null, onSome: (r) => r.error })
      } satisfies AccountStatus
    })

    /** Where to send the browser: Spotify's consent page with a fresh single-use state and S256 challenge. */
    const connectUrl = Effect.fn("SpotifyAccount.connectUrl")(function*(defaultUri: string) {
      const id = yield* clientId
      if (Option.isNone(id)) {
        return yield* new SpotifyClientIdMissing({
          message: "set SOULSPOT_SPOTIFY_CLIENT_ID (or the setting spotify.client_id) to the client id of your Spotify app first"
        })
      }
      const redirect = yield* redirectUri(defaultUri)
      const problem = redirectUriProblem(redirect)
      if (problem !== null) return yield* new InvalidRedirectUri({ message: problem })
      const state = makeState()
      const verifier = makeVerifier()
      const now = yield* nowMs
      yield* sql`DELETE FROM spotify_login_states WHERE created_at < ${iso(now - STATE_TTL_MS)}`.pipe(Effect.orDie)
      yield* sql`INSERT INTO spotify_login_states ${sql.insert({ state, verifier, redirectUri: redirect, createdAt: iso(now) })}`.pipe(Effect.orDie)
      const query = new URLSearchParams({
        response_type: "code", client_id: id.value, redirect_uri: redirect, state,
        code_challenge_method: "S256", code_challenge: challengeOf(verifier), scope: SPOTIFY_SCOPES.join(" ")
      })
      yield* Effect.logInfo("Spotify login started")
      return `${yield* accountsUrl}/authorize?${query.toString()}`
    })

    const failed = (message: string, reason: "state" | "refused" | "code" = "state") =>
      Effect.fail(new SpotifyLoginFailed({ message, reason }))

    const tokenRequest = (form: Record<string, string>, what: string) => Effect.gen(function*() {
      const reply: Reply = yield* send(HttpClientRequest.post(`${yield* accountsUrl}/api/token`).pipe(
        HttpClientRequest.bodyUrlParams(form), HttpClientRequest.acceptJson))
      if (reply.status === 0 || reply.status >= 500) {
        return yield* new CatalogUnavailable({ service: SERVICE, reason: `${what}: ${reply.status === 0 ? reply.problem ?? "no answer" : `HTTP ${reply.status}`}` })
      }
      return reply
    })

    const storeTokens = (body: typeof TokenBody.Type, user: typeof MeBody.Type, refreshToken: string) => Effect.gen(function*() {
      const now = yield* nowMs
      yield* sql`INSERT INTO spotify_account ${sql.insert({
        id: 1, userId: user.id, displayName: user.display_name ?? null, accessToken: body.access_token, refreshToken,
        scopes: body.scope ?? SPOTIFY_SCOPES.join(" "), expiresAt: iso(now + (body.expires_in ?? 3600) * 1000), error: null,
        connectedAt: iso(now), updatedAt: iso(now)
      })} ON CONFLICT (id) DO UPDATE SET user_id = excluded.user_id, display_name = excluded.display_name,
        access_token = excluded.access_token, refresh_token = excluded.refresh_token, scopes = excluded.scopes,
        expires_at = excluded.expires_at, error = NULL, connected_at = excluded.connected_at, updated_at = excluded.updated_at`
    }).pipe(Effect.orDie)

    /**
     * Spotify's redirect back (query parameters, or the address the user pasted): checks the state,
     * exchanges the code with that state's verifier, reads who logged in, stores the tokens.
     * Every failure stores nothing.
     */
    const complete = Effect.fn("SpotifyAccount.complete")(function*(params: URLSearchParams, defaultUri: string) {
      const state = params.get("state") ?? ""
      if (state === "") return yield* failed("the address has no state parameter, so it is not Spotify's answer to a login SoulSpot started; connect again")
      const rows = yield* sql<{ verifier: string; redirectUri: string; createdAt: string }>`
        SELECT verifier, redirect_uri, created_at FROM spotify_login_states WHERE state = ${state}`.pipe(Effect.orDie)
      // single use: whatever happens next, this state is spent
      yield* sql`DELETE FROM spotify_login_states WHERE state = ${state}`.pipe(Effect.orDie)
      const pending = rows[0]
      if (!pending) return yield* failed("this login answer does not belong to a login SoulSpot started, or it was already used; connect again")
      if (Date.parse(pending.createdAt) + STATE_TTL_MS < (yield* nowMs)) {
        return yield* failed("this login took longer than 10 minutes and has expired; connect again")
      }
      const refusal = params.get("error")
      if (refusal !== null) {
        yield* Effect.logInfo(`Spotify login refused: ${refusal}`)
        return yield* failed(`Spotify did not connect: ${REFUSALS[refusal] ?? `Spotify answered "${refusal}"`}`, "refused")
      }
      const code = params.get("code") ?? ""
      if (code === "") return yield* failed("the address has no code parameter; connect again", "code")
      const id = yield* clientId
      if (Option.isNone(id)) return yield* failed("no Spotify client id is configured any more; set it and connect again", "code")
      const reply = yield* tokenRequest({
        grant_type: "authorization_code", code, redirect_uri: pending.redirectUri, client_id: id.value, code_verifier: pending.verifier
      }, "code exchange")
      if (reply.status !== 200) {
        yield* Effect.logWarning(`Spotify refused the login code (HTTP ${reply.status}${oauthError(reply.body) ? `, ${oauthError(reply.body)}` : ""})`)
        return yield* failed(oauthError(reply.body) === "invalid_grant"
          ? "Spotify did not accept the login code (it was wrong, already used or expired); connect again"
          : `Spotify refused the login (HTTP ${reply.status}${oauthError(reply.body) ? `: ${oauthError(reply.body)}` : ""}); check the client id and the redirect URI, then connect again`, "code")
      }
      const tokens = yield* Schema.decodeUnknown(TokenBody)(reply.body).pipe(
        Effect.mapError(() => new CatalogUnavailable({ service: SERVICE, reason: "code exchange: unexpected reply" })))
      if (tokens.refresh_token === undefined) return yield* failed("Spotify sent no refresh token; connect again", "code")
      const me = yield* send(HttpClientRequest.get(`${yield* settings.get(Setting.spotifyApiUrl)}/me`).pipe(
        HttpClientRequest.bearerToken(tokens.access_token), HttpClientRequest.acceptJson))
      if (me.status !== 200) return yield* failed(`Spotify would not say who logged in (HTTP ${me.status}); connect again`, "code")
      const user = yield* Schema.decodeUnknown(MeBody)(me.body).pipe(
        Effect.mapError(() => new CatalogUnavailable({ service: SERVICE, reason: "/me: unexpected reply" })))
      yield* storeTokens(tokens, user, tokens.refresh_token)
      yield* Effect.logInfo(`Spotify account connected: ${user.id}`)
      return yield* status(defaultUri)
    })

    const disconnect = Effect.gen(function*() {
      yield* sql`DELETE FROM spotify_account`.pipe(Effect.orDie)
      yield* Effect.logInfo("Spotify account disconnected; its tokens are forgotten")
    }).pipe(Effect.withSpan("SpotifyAccount.disconnect"))

    /** A new access token from the refresh token; invalid_grant marks the account "reconnect". */
    const refresh = (row: AccountRow) => Effect.gen(function*() {
      const id = yield* clientId
      if (Option.isNone(id)) return { _tag: "NotConnected" } as UserToken
      const reply = yield* tokenRequest({ grant_type: "refresh_token", refresh_token: row.refresh_token, client_id: id.value }, "token refresh")
      if (reply.status === 400 && oauthError(reply.body) === "invalid_grant") {
        yield* sql`UPDATE spotify_account SET error = 'reconnect', updated_at = ${iso(yield* nowMs)}`.pipe(Effect.orDie)
        yield* Effect.logWarning("Spotify refused the refresh token (invalid_grant): the account must be connected again; Spotify is not asked until then")
        return { _tag: "Reconnect" } as UserToken
      }
      if (reply.status !== 200) {
        return yield* new CatalogUnavailable({ service: SERVICE, reason: `token refresh: HTTP ${reply.status}${oauthError(reply.body) ? ` (${oauthError(reply.body)})` : ""}` })
      }
      const body = yield* Schema.decodeUnknown(TokenBody)(reply.body).pipe(
        Effect.mapError(() => new CatalogUnavailable({ service: SERVICE, reason: "token refresh: unexpected reply" })))
      const now = yield* nowMs
      // Spotify may rotate the refresh token: the new one replaces the old
      yield* sql`UPDATE spotify_account SET access_token = ${body.access_token},
        refresh_token = ${body.refresh_token ?? row.refresh_token}, expires_at = ${iso(now + (body.expires_in ?? 3600) * 1000)},
        updated_at = ${iso(now)}`.pipe(Effect.orDie)
      yield* Effect.logInfo(`Spotify access token refreshed${body.refresh_token ? " (new refresh token)" : ""}`)
      return { _tag: "Connected", token: Redacted.make(body.access_token), userId: row.user_id } as UserToken
    })

    /**
     * A usable access token. `failed`: the token that just got a 401, so it is replaced even if it
     * has not expired yet (once; a second caller with the same token gets the new one).
     */
    const userToken = (failed?: Redacted.Redacted<string>) => refreshLock.withPermits(1)(Effect.gen(function*() {
      const row = yield* readRow
      if (Option.isNone(row)) return { _tag: "NotConnected" } as UserToken
      if (row.value.error !== null) return { _tag: "Reconnect" } as UserToken
      const stale = failed !== undefined && Redacted.value(failed) === row.value.access_token
      if (!stale && Date.parse(row.value.expires_at) - REFRESH_MARGIN_MS > (yield* nowMs)) {
        return { _tag: "Connected", token: Redacted.make(row.value.access_token), userId: row.value.user_id } as UserToken
      }
      return yield* refresh(row.value)
    })).pipe(Effect.withSpan("SpotifyAccount.userToken"))

    /** The loopback redirect URI for the port the server listens on (the default when none is configured). */
    const defaultRedirect = Ref.get(listening)
    const setDefaultRedirect = (uri: string) => Ref.set(listening, uri)

    return { status, connectUrl, complete, disconnect, userToken, defaultRedirect, setDefaultRedirect } as const
  })
}) {}
