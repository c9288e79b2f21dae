/** The OpenAPI document and its companions: every operation explained, the package's version, /health as JSON. */
import { describe, expect, layer } from "@effect/vitest"
import { Effect } from "effect"
import { readFileSync } from "node:fs"
import { OPERATION_DOCS } from "../../src/api/openapi-docs.js"
import { AppTest } from "../support/app.js"
import { request } from "../support/http.js"

const version = (JSON.parse(readFileSync("package.json", "utf8")) as { version: string }).version

interface Operation { readonly operationId: string; readonly summary?: string; readonly description?: string }

describe("OpenAPI document", () => {
  layer(AppTest())((it) => {
    it.effect("every operation has a summary and a description, and info.version is the package's", () =>
      Effect.gen(function*() {
        const r = yield* request("GET", "/api/openapi.json")
        expect(r.status).toBe(200)
        const spec = JSON.parse(r.text) as { info: { version: string }; paths: Record<string, Record<string, Operation>> }
        expect(spec.info.version).toBe(version)
        const ops = Object.entries(spec.paths).flatMap(([path, methods]) =>
          Object.entries(methods).map(([method, op]) => ({ where: `${method.toUpperCase()} ${path}`, ...op })))
        expect(ops.length).toBeGreaterThan(25)
        for (const op of ops) {
          expect(op.summary, op.where).toMatch(/\w/)
          expect(op.description, op.where).toMatch(/\w{3,}.*\w{3,}/)
        }
        // no stale entries: each documented id is an operation of the document
        const ids = new Set(ops.map((o) => o.operationId))
        for (const id of Object.keys(OPERATION_DOCS)) expect(ids.has(id), id).toBe(true)
      }))

    it.effect("GET /health answers the manager health JSON", () =>
      Effect.gen(function*() {
        const alias = yield* request("GET", "/health")
        expect(alias.status).toBe(200)
        expect(alias.headers["content-type"]).toMatch(/^application\/json/)
        const body = JSON.parse(alias.text) as Record<string, unknown>
        const manager = JSON.parse((yield* request("GET", "/api/downloads/manager/health")).text) as Record<string, unknown>
        expect(Object.keys(body).sort()).toEqual(Object.keys(manager).sort())
        expect(body).toMatchObject({ provider: "slskd", state: manager["state"] })
      }))
  })

  layer(AppTest({}, { SOULSPOT_API_KEY: "k".repeat(32) }))((it) => {
    it.effect("with an API key set, /health answers without the key (health checks) and hides the error text", () =>
      Effect.gen(function*() {
        const r = yield* request("GET", "/health")
        expect(r.status).toBe(200)
        expect(JSON.parse(r.text)).toMatchObject({ provider: "slskd", last_error: null })
        expect((yield* request("GET", "/api/downloads/manager/stats")).status).toBe(401)
      }))
  })
})
