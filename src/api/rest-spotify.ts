import { HttpApiBuilder, HttpServer, HttpServerResponse } from "@effect/platform"
import { Effect } from "effect"
import { SpotifyPlaylists } from "../infrastructure/catalog/spotify-playlists.js"
import { type AccountStatus, SpotifyAccount } from "../infrastructure/spotify/account.js"
import { SoulSpotApi } from "./api.js"
import { BadRequest, Unavailable, UpstreamFailed } from "./errors.js"
import { html } from "./html.js"
import { layout } from "./views/layout.js"

export const accountDto = (s: AccountStatus) => ({
  connected: s.connected,
  user: s.user === null ? null : { id: s.user.id, display_name: s.user.displayName },
  scopes: s.scopes,
  redirect_uri: s.redirectUri,
  client_id_set: s.clientIdSet,
  error: s.error
})

/** The redirect URI when none is configured: this server's port on the loopback address, which Spotify accepts over http. */
export const defaultRedirectUri = Effect.map(HttpServer.HttpServer, (server) =>
  `http://127.0.0.1:${server.address._tag === "TcpAddress" ? server.address.port : 8765}/api/spotify/callback`)

const SETTINGS = "/download-manager/settings"

export const SpotifyAccountLive = HttpApiBuilder.group(SoulSpotApi, "spotify", (handlers) => Effect.gen(function*() {
  const account = yield* SpotifyAccount
  const playlists = yield* SpotifyPlaylists
  const defaultUri = yield* defaultRedirectUri
  yield* account.setDefaultRedirect(defaultUri)

  return handlers
    .handle("account", () => account.status(defaultUri).pipe(Effect.map(accountDto)))
    .handle("disconnect", () => account.disconnect.pipe(Effect.as(HttpServerResponse.empty({ status: 204 }))))
    .handle("connect", () => account.connectUrl(defaultUri).pipe(Effect.map((url) => HttpServerResponse.redirect(url, { status: 302 }))))
    .handle("callback", ({ urlParams, request }) => {
      const params = new URLSearchParams()
      for (const [k, v] of Object.entries(urlParams)) if (v !== undefined) params.set(k, v)
      return account.complete(params, defaultUri).pipe(
        Effect.map(() => HttpServerResponse.redirect(`${SETTINGS}?spotify=connected`, { status: 303 })),
        Effect.catchTag("CatalogUnavailable", () => Effect.succeed(HttpServerResponse.redirect(`${SETTINGS}?spotify=unreachable`, { status: 303 }))),
        Effect.catchTag("spotify_login_failed", (e) => {
          if (e.reason !== "state") return Effect.succeed(HttpServerResponse.redirect(`${SETTINGS}?spotify=${e.reason}`, { status: 303 }))
          // a person in a browser gets a page saying what happened; scripts get the JSON error
          return (request.headers["accept"] ?? "").includes("text/html")
            ? Effect.succeed(HttpServerResponse.html(layout("Spotify login", html`<section class="card"><h2>Spotify was not connected</h2>
                <p class="msg msg-error">${e.message}</p><p><a href="${SETTINGS}">Back to Settings</a></p></section>`, "settings").value).pipe(HttpServerResponse.setStatus(400)))
            : Effect.fail(e)
        }))
    })
    .handle("pasteCallback", ({ payload }) => Effect.gen(function*() {
      let url: URL
      try {
        url = new URL(payload.url.trim())
      } catch {
        return yield* new BadRequest({ message: "url: paste the whole address from the browser's address bar (it starts with http://127.0.0.1:...)" })
      }
      const status = yield* account.complete(url.searchParams, defaultUri).pipe(
        Effect.catchTag("CatalogUnavailable", (e) => Effect.fail(new UpstreamFailed({ message: e.message }))))
      return accountDto(status)
    }))
    .handle("playlists", ({ urlParams }) => playlists.userPlaylists(urlParams.offset ?? 0, urlParams.limit ?? 50).pipe(
      Effect.map((page) => ({
        playlists: page.playlists.map((p) => ({
          id: p.id, name: p.name, owner: p.owner, collaborative: p.collaborative, snapshot_id: p.snapshotId, readable: p.readable
        })),
        total: page.total,
        next_offset: page.nextOffset
      })),
      Effect.catchTags({
        CatalogUnavailable: (e) => Effect.fail(new UpstreamFailed({ message: e.message })),
        CatalogRateLimited: (e) => Effect.fail(new Unavailable({ message: e.message })),
        CatalogCredentialsError: (e) => Effect.fail(new Unavailable({ message: e.message }))
      })))
}))
