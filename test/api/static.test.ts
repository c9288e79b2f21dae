/** static/ serves regular files inside it only: a symlink placed there, or a climb out, is a 404. */
import { HttpLayerRouter } from "@effect/platform"
import { NodeHttpServer } from "@effect/platform-node"
import { describe, expect, layer } from "@effect/vitest"
import { Effect, Layer } from "effect"
import { mkdirSync, mkdtempSync, symlinkSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { StaticRoutes } from "../../src/api/static.js"
import { request } from "../support/http.js"

const outside = mkdtempSync(join(tmpdir(), "soulspot-outside-"))
writeFileSync(join(outside, "secret.txt"), "the database password")
const root = mkdtempSync(join(tmpdir(), "soulspot-static-"))
writeFileSync(join(root, "app.css"), "body{}")
mkdirSync(join(root, "img"))
writeFileSync(join(root, "img", "logo.svg"), "<svg/>")
symlinkSync(join(outside, "secret.txt"), join(root, "linked.txt"))
symlinkSync(outside, join(root, "linked-dir"))

describe("static files", () => {
  layer(HttpLayerRouter.serve(StaticRoutes(root)).pipe(Layer.provideMerge(NodeHttpServer.layerTest)))((it) => {
    it.effect("regular files inside the folder are served", () =>
      Effect.gen(function*() {
        expect(yield* request("GET", "/static/app.css")).toMatchObject({ status: 200, text: "body{}" })
        expect(yield* request("GET", "/static/img/logo.svg")).toMatchObject({ status: 200, text: "<svg/>" })
      }))

    it.effect("a symlinked file, a file in a symlinked folder, a folder and a climb out are 404s", () =>
      Effect.gen(function*() {
        for (const path of ["/static/linked.txt", "/static/linked-dir/secret.txt", "/static/img", "/static/", "/static/%2e%2e/secret.txt",
          "/static/..%2F..%2Fetc%2Fpasswd", "/static/%ZZ", "/static/nope.css"]) {
          const r = yield* request("GET", path)
          expect(r.status, path).toBe(404)
          expect(r.text, path).not.toContain("password")
        }
      }))
  })
})
