/**
 * A secret stays with the host it was entered for: a listener on another port of 127.0.0.1
 * sees what SoulSpot sends after a URL change or through a redirect, and never sees a key.
 */
import { describe, expect, it } from "@effect/vitest"
import { SqlClient } from "@effect/sql"
import { Effect, Layer } from "effect"
import { createServer, type IncomingHttpHeaders, type Server } from "node:http"
import type { AddressInfo } from "node:net"
import { AppTest } from "../support/app.js"
import { request } from "../support/http.js"

interface Listener {
  readonly url: string
  readonly seen: Array<{ readonly method: string; readonly url: string; readonly headers: IncomingHttpHeaders; readonly body: string }>
}

/** An HTTP server on a free port that records every request; `answer` decides the reply. */
const listener = (answer: (res: import("node:http").ServerResponse) => void) => Effect.acquireRelease(
  Effect.promise(() => new Promise<Listener & { server: Server }>((resolve) => {
    const seen: Listener["seen"] = []
    const server = createServer((req, res) => {
      let body = ""
      req.on("data", (c) => (body += c))
      req.on("end", () => {
        seen.push({ method: req.method ?? "", url: req.url ?? "", headers: req.headers, body })
        answer(res)
      })
    })
    server.listen(0, "127.0.0.1", () => resolve({ server, seen, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` }))
  })),
  (l) => Effect.promise(() => new Promise<void>((resolve) => l.server.close(() => resolve())))
)

const SLSKD_KEY = "slskd-key-entered-for-the-real-host"
const SPOTIFY_SECRET = "spotify-client-secret-for-tests"

const secretsIn = (l: Listener) => l.seen.filter((r) =>
  JSON.stringify(r.headers).includes(SLSKD_KEY) || JSON.stringify(r.headers).includes(Buffer.from(`id:${SPOTIFY_SECRET}`).toString("base64"))
  || r.body.includes(SPOTIFY_SECRET) || r.headers.authorization !== undefined || r.headers["x-api-key"] !== undefined)

const app = (env: Record<string, string>) => AppTest({}, {
  SOULSPOT_SLSKD_API_KEY: SLSKD_KEY, SOULSPOT_SPOTIFY_CLIENT_ID: "id", SOULSPOT_SPOTIFY_CLIENT_SECRET: SPOTIFY_SECRET, ...env
})

describe("no secret leaves for another host", () => {
  it.effect("slskd.url changed to a listener: the PUT says the key was cleared, and the listener's requests carry no key", () =>
    Effect.gen(function*() {
      const evil = yield* listener((res) => res.writeHead(200, { "content-type": "application/json" }).end("{}"))
      const put = yield* request("PUT", "/api/settings", { json: { "slskd.url": evil.url } })
      expect(put.status).toBe(200)
      expect(JSON.parse(put.text).notices).toEqual([
        `slskd.url now points at another host (${evil.url.slice(7)}), so slskd.api_key was cleared: enter the API key for the new host`
      ])
      yield* request("GET", "/api/downloads/manager/health")
      expect(evil.seen.length).toBeGreaterThan(0)
      expect(secretsIn(evil)).toEqual([])
    }).pipe(Effect.provide(Layer.fresh(app({}))), Effect.scoped))

  it.effect("spotify.api_url moved to another host: the Spotify login's tokens are forgotten with it, and the PUT says so", () =>
    Effect.gen(function*() {
      const sql = yield* SqlClient.SqlClient
      const login = () => sql`INSERT INTO spotify_account (id, user_id, access_token, refresh_token, expires_at, connected_at, updated_at)
        VALUES (1, 'me', 'access-token-for-spotify', 'refresh-token-for-spotify', '2099-01-01T00:00:00Z', '2026-01-01T00:00:00Z', '2026-01-01T00:00:00Z')`
      yield* login()
      // the same origin keeps the login
      const same = yield* request("PUT", "/api/settings", { json: { "spotify.api_url": "https://api.spotify.com/v1/" } })
      expect(same.status).toBe(200)
      expect(yield* sql`SELECT user_id FROM spotify_account`).toHaveLength(1)
      const moved = yield* request("PUT", "/api/settings", { json: { "spotify.api_url": "http://127.0.0.1:9/v1", "spotify.client_secret": SPOTIFY_SECRET } })
      expect(moved.status).toBe(200)
      expect(JSON.parse(moved.text).notices).toContain("the Spotify login belongs to the old host and was forgotten: connect Spotify again")
      expect(yield* sql`SELECT user_id FROM spotify_account`).toEqual([])
      // nothing to forget: no notice
      const again = yield* request("PUT", "/api/settings", { json: { "spotify.api_url": "http://127.0.0.2:9/v1", "spotify.client_secret": SPOTIFY_SECRET } })
      expect(JSON.parse(again.text).notices).toEqual([])
    }).pipe(Effect.provide(Layer.fresh(app({}))), Effect.scoped))

  it.effect("the Settings page says so too when its form moves slskd.url", () =>
    Effect.gen(function*() {
      const r = yield* request("POST", "/download-manager/settings", { form: { "slskd.url": "http://127.0.0.1:7", "slskd.api_key": "****" } })
      expect(r.status).toBe(200)
      expect(r.text).toContain("so slskd.api_key was cleared: enter the API key for the new host")
      const settings = JSON.parse((yield* request("GET", "/api/settings")).text).settings
      expect(settings.find((s: { key: string }) => s.key === "slskd.api_key").value).toBeNull()
    }).pipe(Effect.provide(Layer.fresh(app({}))), Effect.scoped))

  it.effect("an slskd that answers with a redirect: the key goes to slskd.url only, the redirect target gets nothing, the error says where it pointed", () =>
    Effect.gen(function*() {
      const evil = yield* listener((res) => res.writeHead(200, { "content-type": "application/json" }).end("{}"))
      const redirector = yield* listener((res) => res.writeHead(307, { location: `${evil.url}/api/v0/application` }).end())
      expect((yield* request("PUT", "/api/settings", { json: { "slskd.url": redirector.url, "slskd.api_key": SLSKD_KEY } })).status).toBe(200)
      const queued = yield* request("POST", "/api/downloads/preview", { json: { title: "T", artist: "A" } })
      expect(redirector.seen.length).toBeGreaterThan(0)
      expect(redirector.seen[0]!.headers["x-api-key"]).toBe(SLSKD_KEY)
      expect(evil.seen).toEqual([])
      expect(queued.status).toBe(503)
      expect(JSON.parse(queued.text).message).toContain(`redirect (HTTP 307) to ${evil.url}`)
    }).pipe(Effect.provide(Layer.fresh(app({}))), Effect.scoped))

  it.live("Spotify's accounts URL answering a redirect, or moved to a listener: neither the client secret nor a token reaches it", () =>
    Effect.gen(function*() {
      const evil = yield* listener((res) => res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify({ access_token: "t", expires_in: 3600 })))
      const redirector = yield* listener((res) => res.writeHead(307, { location: `${evil.url}/api/token` }).end())
      expect((yield* request("PUT", "/api/settings", { json: { "spotify.accounts_url": redirector.url, "spotify.client_secret": SPOTIFY_SECRET } })).status).toBe(200)
      const viaRedirect = yield* request("POST", "/api/downloads/album", { json: { source: "spotify", album_id: "4aawyAB9vmqN3uQ7FjRGTy" } })
      expect(viaRedirect.status).toBeGreaterThanOrEqual(500)
      expect(JSON.parse(viaRedirect.text).message).toContain("redirect")
      expect(redirector.seen.length).toBeGreaterThan(0)
      expect(evil.seen).toEqual([])

      const moved = yield* request("PUT", "/api/settings", { json: { "spotify.accounts_url": evil.url, "spotify.api_url": `${evil.url}/v1` } })
      expect(JSON.parse(moved.text).notices.join(" ")).toContain("spotify.client_secret was cleared")
      const afterMove = yield* request("POST", "/api/downloads/album", { json: { source: "spotify", album_id: "4aawyAB9vmqN3uQ7FjRGTy" } })
      expect(afterMove.status).toBeGreaterThanOrEqual(400)
      expect(secretsIn(evil)).toEqual([])
    }).pipe(Effect.provide(Layer.fresh(app({}))), Effect.scoped))
})
