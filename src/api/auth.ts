import { HttpLayerRouter, HttpServerRequest, HttpServerResponse } from "@effect/platform"
import { Effect, Option, Redacted } from "effect"
import { createHash, timingSafeEqual } from "node:crypto"
import { ServerConfig } from "../config.js"
import { clientAddress, requestScheme } from "./client-address.js"
import { jsonError } from "./error-shape.js"
import { html } from "./html.js"
import { SignInLimiter } from "./rate-limit.js"
import { SESSION_LIFETIME, Sessions } from "./sessions.js"
import { layout } from "./views/layout.js"

export const SESSION_COOKIE = "soulspot_session"

const digest = (s: string) => createHash("sha256").update(s).digest()

/** Constant-time comparison of two secrets of any length (hashed first so lengths do not leak). */
export const sameSecret = (given: string, expected: string): boolean => timingSafeEqual(digest(given), digest(expected))

const HEALTH_PATHS = new Set(["/api/downloads/manager/health", "/health"])
const OPEN_PATHS = [/^\/api\/downloads\/manager\/health$/, /^\/health$/, /^\/login$/, /^\/logout$/, /^\/static\//, /^\/vendor\//, /^\/favicon\.ico$/, /^\/metrics$/]

/** Health without a key: the same fields, but no upstream error text (it may name hosts, users, paths). */
const withoutErrorText = (response: HttpServerResponse.HttpServerResponse) => {
  if (response.status !== 200 || response.body._tag !== "Uint8Array") return response
  try {
    const health = JSON.parse(new TextDecoder().decode(response.body.body)) as Record<string, unknown>
    return HttpServerResponse.unsafeJson({ ...health, last_error: null }, { status: 200, headers: response.headers })
  } catch {
    return response
  }
}

const tooMany = (seconds: number) =>
  jsonError(429, "TooManyRequests", `too many wrong keys from this address; try again in ${seconds} s`).pipe(
    HttpServerResponse.setHeader("retry-after", String(seconds)))

/**
 * With SOULSPOT_API_KEY set, every route but health, login and static files needs the key:
 * the API as header X-API-Key (or the page's session cookie), the page through a login form.
 * A wrong X-API-Key counts against the client's sign-in budget (429 once it is spent).
 */
export const AuthMiddleware = HttpLayerRouter.middleware(Effect.gen(function*() {
  const { apiKey, trustedProxies } = yield* ServerConfig
  const sessions = yield* Sessions
  const limiter = yield* SignInLimiter
  return (effect) => Option.match(apiKey, {
    onNone: () => effect,
    onSome: (secret) => Effect.gen(function*() {
      const request = yield* HttpServerRequest.HttpServerRequest
      const key = Redacted.value(secret)
      const path = request.url.split("?")[0] ?? "/"
      const header = request.headers["x-api-key"]
      const address = clientAddress(request, trustedProxies)
      let authorised = false
      if (header !== undefined) {
        const wait = yield* limiter.retryAfter(address)
        if (wait > 0) return tooMany(wait)
        authorised = sameSecret(header, key)
        if (!authorised) {
          yield* limiter.failed(address)
          yield* Effect.logWarning(`wrong X-API-Key from ${address} for ${request.method} ${path}`)
        }
      } else {
        const cookie = request.cookies[SESSION_COOKIE]
        authorised = cookie !== undefined && (yield* sessions.check(cookie, key))._tag === "Valid"
      }
      if (authorised) return yield* effect
      if (OPEN_PATHS.some((p) => p.test(path))) return HEALTH_PATHS.has(path) ? withoutErrorText(yield* effect) : yield* effect
      // htmx (the page's requests, its partials under /api included) follows HX-Redirect; a browser follows the 303
      const htmx = request.headers["hx-request"] === "true"
      if (path.startsWith("/api/")) {
        return HttpServerResponse.unsafeJson(
          { error: "Unauthorized", message: "this needs the X-API-Key header (SOULSPOT_API_KEY)", _tag: "Unauthorized" },
          { status: 401, headers: htmx ? { "www-authenticate": "X-API-Key", "hx-redirect": "/login" } : { "www-authenticate": "X-API-Key" } })
      }
      return htmx
        ? HttpServerResponse.empty({ status: 401, headers: { "hx-redirect": "/login" } })
        : HttpServerResponse.redirect("/login", { status: 303 })
    })
  })
}), { global: true })

const loginPage = (error?: string) => layout("Sign in", html`<section class="card login" aria-labelledby="login-h">
  <h2 id="login-h">Sign in</h2>
  <form method="post" action="/login">
    <label>API key <input type="password" name="key" required autocomplete="current-password" autofocus${error ? html` aria-invalid="true" aria-describedby="login-error"` : ""}></label>
    <button type="submit">Sign in</button>
    ${error ? html`<p id="login-error" class="msg msg-error" role="alert">${error}</p>` : ""}
  </form>
</section>`, "downloads")

const logoutPage = layout("Sign out", html`<section class="card login" aria-labelledby="logout-h">
  <h2 id="logout-h">Sign out</h2>
  <form method="post" action="/logout"><button type="submit">Sign out of SoulSpot</button></form>
</section>`, "downloads")

const htmlPage = (page: { readonly value: string }, status = 200) => HttpServerResponse.html(page.value).pipe(HttpServerResponse.setStatus(status))

export const LoginRoutes = HttpLayerRouter.addAll([
  HttpLayerRouter.route("GET", "/login", HttpServerResponse.html(loginPage().value)),
  HttpLayerRouter.route("POST", "/login", Effect.gen(function*() {
    const { apiKey, trustedProxies } = yield* ServerConfig
    const sessions = yield* Sessions
    const limiter = yield* SignInLimiter
    const request = yield* HttpServerRequest.HttpServerRequest
    if (Option.isNone(apiKey)) return HttpServerResponse.redirect("/download-manager", { status: 303 })
    const address = clientAddress(request, trustedProxies)
    const wait = yield* limiter.retryAfter(address)
    if (wait > 0) {
      return htmlPage(loginPage(`Too many wrong keys from this address. Try again in ${wait} seconds.`), 429).pipe(
        HttpServerResponse.setHeader("retry-after", String(wait)))
    }
    const params = yield* request.urlParamsBody.pipe(Effect.orElseSucceed(() => []))
    const given = params.find(([k]) => k === "key")?.[1] ?? ""
    const key = Redacted.value(apiKey.value)
    if (!sameSecret(given, key)) {
      yield* limiter.failed(address)
      yield* Effect.logWarning(`wrong key in the login form from ${address}`)
      return htmlPage(loginPage("That key is not right."), 401)
    }
    return yield* HttpServerResponse.redirect("/download-manager", { status: 303 }).pipe(
      HttpServerResponse.setCookie(SESSION_COOKIE, yield* sessions.issue(key), {
        httpOnly: true, sameSite: "strict", path: "/", maxAge: SESSION_LIFETIME,
        secure: requestScheme(request, trustedProxies) === "https"
      }))
  }).pipe(Effect.orDie)),
  HttpLayerRouter.route("GET", "/logout", htmlPage(logoutPage)),
  HttpLayerRouter.route("POST", "/logout", Effect.gen(function*() {
    const { apiKey, trustedProxies } = yield* ServerConfig
    const sessions = yield* Sessions
    const request = yield* HttpServerRequest.HttpServerRequest
    const cookie = request.cookies[SESSION_COOKIE]
    if (cookie !== undefined && Option.isSome(apiKey)) yield* sessions.revoke(cookie, Redacted.value(apiKey.value))
    return yield* HttpServerResponse.redirect("/login", { status: 303 }).pipe(
      HttpServerResponse.setCookie(SESSION_COOKIE, "", {
        httpOnly: true, sameSite: "strict", path: "/", maxAge: 0, secure: requestScheme(request, trustedProxies) === "https"
      }))
  }).pipe(Effect.orDie))
])
