import { HttpClient, HttpClientRequest } from "@effect/platform"
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
