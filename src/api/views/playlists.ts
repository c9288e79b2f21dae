import type { PlaylistSummary } from "../../domain/ports/PlaylistRepository.js"
import type { AccountStatus } from "../../infrastructure/spotify/account.js"
import { html, type SafeHtml } from "../html.js"

/** What ?spotify=<outcome> on the Settings page says after the login came back. */
export const LOGIN_OUTCOMES: Record<string, string> = {
  connected: "Spotify is connected.",
  refused: "Spotify did not connect: the access was declined at Spotify. Nothing was stored.",
  code: "Spotify did not accept the login (the code was wrong, used or expired). Nothing was stored; connect again.",
  unreachable: "Spotify could not be reached to finish the login. Nothing was stored; try again."
}

export const spotifyCard = (a: AccountStatus, message: { readonly kind: "ok" | "error"; readonly text: string } | null = null): SafeHtml => html`<section id="spotify-account" class="card" aria-labelledby="spotify-h">
  <h2 id="spotify-h">Spotify account</h2>
  <div role="status" aria-live="polite">${message ? html`<p class="msg msg-${message.kind}">${message.text}</p>` : ""}</div>
  ${a.connected && a.user
    ? html`<p id="spotify-who">Connected as <strong>${a.user.displayName ?? a.user.id}</strong> <span class="muted">(${a.user.id})</span>. Your playlists and Liked Songs can be queued.</p>
      <form hx-post="/download-manager/spotify/disconnect" hx-target="#spotify-account" hx-swap="outerHTML" hx-confirm="Disconnect Spotify? SoulSpot forgets the login."><button type="submit">Disconnect</button></form>`
    : a.error === "reconnect"
      ? html`<p id="spotify-who" class="msg msg-error">reconnect: Spotify no longer accepts the stored login${a.user ? html` of ${a.user.displayName ?? a.user.id}` : ""}. Connect again.</p>`
      : html`<p id="spotify-who">Not connected. Since 2026 Spotify lets SoulSpot read only the playlists of the account you connect (owned or collaborative) and its Liked Songs.</p>`}
  ${a.clientIdSet
    ? html`<p><a class="button" id="spotify-connect" href="/api/spotify/connect">Connect Spotify</a></p>`
    : html`<p class="muted">Set the Spotify client id (spotify.client_id below) of your app at developer.spotify.com first; no secret is needed for the login.</p>`}
  <p>Redirect URI to register in your Spotify app: <code id="spotify-redirect">${a.redirectUri}</code>
    <span class="muted">(Spotify refuses <code>localhost</code>: use 127.0.0.1. It can redirect over plain http only to this machine.)</span></p>
  <form class="queue" hx-post="/download-manager/spotify/callback" hx-target="#spotify-account" hx-swap="outerHTML">
    <label class="wide">Opened SoulSpot from another machine? After approving at Spotify, your browser ends on an address that does not load; paste it here
      <input name="url" required maxlength="4096" placeholder="http://127.0.0.1:8765/api/spotify/callback?code=…&amp;state=…" autocomplete="off"></label>
    <button type="submit">Finish login</button>
  </form>
</section>`

const when = (iso: string | null) => (iso === null ? "never" : iso.replace("T", " ").replace(/\.\d+Z$/, " UTC"))

export const playlistsCard = (playlists: ReadonlyArray<PlaylistSummary>): SafeHtml => html`<section id="playlists" class="card" aria-labelledby="playlists-h">
  <h2 id="playlists-h">Playlists</h2>
  ${playlists.length === 0
    ? html`<p class="muted">No playlist imported yet. Queue one from the Downloads page.</p>`
    : html`<ul class="rows">${playlists.map((p) => html`<li id="playlist-${p.id}" class="row">
        <strong>${p.title}</strong> <span class="muted">${p.source} · ${p.totalTracks} tracks · last sync ${when(p.lastSyncedAt)}</span>
        <span>${p.queued} queued · ${p.done} done · ${p.failed} failed</span>
        ${p.lastError ? html`<span class="msg msg-error">${p.lastError}</span>` : ""}
        ${p.source === "file" ? "" : html`<form hx-post="/download-manager/playlists/${p.id}/watch" hx-target="#playlists" hx-swap="outerHTML">
          <input type="hidden" name="watch" value="${p.watch ? "false" : "true"}">
          <button type="submit">${p.watch ? "Stop watching" : "Watch"}</button></form>`}
      </li>`)}</ul>`}
</section>`

/** On the Downloads page, beside the track and album forms. */
export const playlistForms = (): SafeHtml => html`<form class="queue" hx-post="/download-manager/queue-playlist" hx-target="#queue-result" hx-swap="innerHTML">
    <label class="wide">Spotify or Deezer playlist link <input name="playlist_url" required maxlength="300" placeholder="https://open.spotify.com/playlist/… or https://www.deezer.com/playlist/…"></label>
    <label><input type="checkbox" name="watch" value="true"> keep in sync</label>
    <button type="submit">Queue playlist</button>
  </form>
  <form class="queue" hx-post="/download-manager/queue-liked" hx-target="#queue-result" hx-swap="innerHTML">
    <button type="submit">Queue my Spotify Liked Songs</button>
  </form>
  <form class="queue" hx-post="/download-manager/queue-file" hx-encoding="multipart/form-data" hx-target="#queue-result" hx-swap="innerHTML">
    <label class="wide">Playlist file: Exportify or plain CSV, M3U/M3U8 <input type="file" name="file" required accept=".csv,.m3u,.m3u8,.txt,text/csv,audio/x-mpegurl"></label>
    <button type="submit">Queue file</button>
  </form>`
