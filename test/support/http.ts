import { HttpClient, HttpClientRequest, HttpServer } from "@effect/platform"
import { expect } from "@effect/vitest"
import { Effect } from "effect"

export interface RequestOptions {
  readonly json?: unknown
  readonly form?: Record<string, string>
  readonly headers?: Record<string, string>
}

/** One request to the app under test (AppTest's client), answered as status, text and headers. */
export const request = (method: "GET" | "POST" | "PUT" | "DELETE" | "PATCH", url: string, options: RequestOptions = {}) =>
  Effect.flatMap(HttpClient.HttpClient, (c) => {
    let req = HttpClientRequest.make(method)(url)
    if (options.json !== undefined) req = HttpClientRequest.bodyUnsafeJson(req, options.json)
    if (options.form) req = HttpClientRequest.bodyUrlParams(req, options.form)
    if (options.headers) req = HttpClientRequest.setHeaders(req, options.headers)
    return c.execute(req)
  }).pipe(Effect.flatMap((r) => Effect.map(r.text, (text) => ({ status: r.status, text, headers: r.headers }))), Effect.orDie)

/** A page or fragment that must answer 200 with HTML. */
export const getHtml = (url: string, headers: Record<string, string> = {}) => Effect.map(request("GET", url, { headers }), (r) => {
  expect(r.status, url).toBe(200)
  expect(r.headers["content-type"], url).toMatch(/^text\/html/)
  return r.text
})

/** The app under test's own address (AppTest listens on 127.0.0.1, port 0). */
export const baseUrl = Effect.map(HttpServer.HttpServer, (s) =>
  s.address._tag === "TcpAddress" ? `http://127.0.0.1:${s.address.port}` : "http://unreachable")

/** A request over a real socket with fetch, redirects not followed (every 303 and Set-Cookie visible). */
export const call = (path: string, init: RequestInit = {}) => Effect.flatMap(baseUrl, (base) =>
  Effect.promise(async () => {
    const r = await fetch(base + path, { redirect: "manual", ...init })
    const text = await r.text()
    return { status: r.status, headers: r.headers, text }
  }))

/** An event stream's text up to its first event (the whole body when it is not a 200 stream). */
export const untilFirstEvent = async (r: Response): Promise<string> => {
  if (r.status !== 200 || !r.body) return await r.text()
  let text = ""
  const reader = r.body.getReader()
  const decoder = new TextDecoder()
  while (!text.includes("event:")) {
    const { value, done } = await reader.read()
    if (done) break
    text += decoder.decode(value, { stream: true })
  }
  return text
}
