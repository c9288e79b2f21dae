import { describe, expect, it } from "@effect/vitest"
import { Effect } from "effect"
import { normaliseMalformedUrl } from "../../src/api/error-shape.js"
import { AppTest } from "../support/app.js"
import { request } from "../support/http.js"

describe("URLs the router cannot take", () => {
  it.each([
    ["/api/downloads/%ZZ", "/api/_malformed-url"],
    ["/api/downloads/%E0%A4%A", "/api/_malformed-url"],
    ["/api/downloads/ok?x=%ZZ", "/api/downloads/ok?x=%ZZ"], // the query is the handler's business
    ["/api/downloads/caf%C3%A9", "/api/downloads/caf%C3%A9"],
    ["/download-manager/%ZZ", "/download-manager/%ZZ"] // not the API
  ])("%s → %s", (url, expected) => {
    const req = { url }
    normaliseMalformedUrl(req)
    expect(req.url).toBe(expected)
  })

  it.layer(AppTest())((it) => {
    it.effect("a malformed escape is a 400 and a very long id a 404, both as JSON", () =>
      Effect.gen(function*() {
        const malformed = yield* request("GET", "/api/_malformed-url")
        expect(malformed.status).toBe(400)
        expect(JSON.parse(malformed.text)).toMatchObject({ error: "BadRequest", message: "the URL has a malformed %-escape" })
        const long = yield* request("DELETE", `/api/downloads/${"a".repeat(1500)}`)
        expect(long.status).toBe(404)
        expect(JSON.parse(long.text).error).toBe("NotFound")
      }))
  })
})
