import { HttpLayerRouter, HttpServerRequest, HttpServerResponse } from "@effect/platform"
import { Effect, Option, Redacted } from "effect"
import { createHash, timingSafeEqual } from "node:crypto"
import { ServerConfig } from "../config.js"
import { html } from "./html.js"
import { layout } from "./views/layout.js"

export const SESSION_COOKIE = "soulspot_session"

const digest = (s: string) => createHash("sha256").update(s).digest()

/** Constant-time comparison of two secrets of any length (hashed first so lengths do not leak). */
export const sameSecret = (given: string, expected: string): boolean => timingSafeEqual(digest(given), digest(expected))

/** The cookie holds a value derived from the key, never the key itself. */
export const sessionToken = (key: string): string => createHash("sha256").update(`soulspot-session:${key}`).digest("hex")

const OPEN_PATHS = [/^\/api\/downloads\/manager\/health$/, /^\/login$/, /^\/static\//, /^\/vendor\//, /^\/favicon\.ico$/, /^\/metrics$/]

const authorised = (request: HttpServerRequest.HttpServerRequest, key: string): boolean => {
  const header = request.headers["x-api-key"]
  if (header !== undefined && sameSecret(header, key)) return true
  const cookie = request.cookies[SESSION_COOKIE]
  return cookie !== undefined && sameSecret(cookie, sessionToken(key))
}

/**
 * With SOULSPOT_API_KEY set, every route but health, login and static files needs the key:
 * the API as header X-API-Key (or the page's cookie), the page through a login form.
 */
export const AuthMiddleware = HttpLayerRouter.middleware(Effect.gen(function*() {
  const { apiKey } = yield* ServerConfig
  return (effect) => Option.match(apiKey, {
    onNone: () => effect,
    onSome: (secret) => Effect.flatMap(HttpServerRequest.HttpServerRequest, (request) => {
      const path = request.url.split("?")[0] ?? "/"
      if (OPEN_PATHS.some((p) => p.test(path)) || authorised(request, Redacted.value(secret))) return effect
      // htmx (the page's requests, its partials under /api included) follows HX-Redirect; a browser follows the 303
      const htmx = request.headers["hx-request"] === "true"
      if (path.startsWith("/api/")) {
        return Effect.succeed(HttpServerResponse.unsafeJson(
          { error: "Unauthorized", message: "this needs the X-API-Key header (SOULSPOT_API_KEY)", _tag: "Unauthorized" },
          { status: 401, headers: htmx ? { "www-authenticate": "X-API-Key", "hx-redirect": "/login" } : { "www-authenticate": "X-API-Key" } }))
      }
      return Effect.succeed(htmx
        ? HttpServerResponse.empty({ status: 401, headers: { "hx-redirect": "/login" } })
        : HttpServerResponse.redirect("/login", { status: 303 }))
    })
  })
}), { global: true })

const loginPage = (error?: string) => layout("Sign in", html`<section class="card login" aria-labelledby="login-h">
  <h2 id="login-h">Sign in</h2>
  <form method="post" action="/login">
    <label>API key <input type="password" name="key" required autocomplete="current-password" autofocus></label>
    <button type="submit">Sign in</button>
  </form>
  ${error ? html`<p class="msg msg-error" role="alert">${error}</p>` : ""}
</section>`, "downloads")

export const LoginRoutes = HttpLayerRouter.addAll([
  HttpLayerRouter.route("GET", "/login", HttpServerResponse.html(loginPage().value)),
  HttpLayerRouter.route("POST", "/login", Effect.gen(function*() {
    const { apiKey } = yield* ServerConfig
    const request = yield* HttpServerRequest.HttpServerRequest
    const params = yield* request.urlParamsBody.pipe(Effect.orElseSucceed(() => []))
    const given = params.find(([k]) => k === "key")?.[1] ?? ""
    if (Option.isNone(apiKey)) return HttpServerResponse.redirect("/download-manager", { status: 303 })
    const key = Redacted.value(apiKey.value)
    if (!sameSecret(given, key)) return HttpServerResponse.html(loginPage("That key is not right.").value).pipe(HttpServerResponse.setStatus(401))
    return yield* HttpServerResponse.redirect("/download-manager", { status: 303 }).pipe(
      HttpServerResponse.setCookie(SESSION_COOKIE, sessionToken(key), { httpOnly: true, sameSite: "strict", path: "/", maxAge: "30 days" }))
  }).pipe(Effect.orDie))
])

