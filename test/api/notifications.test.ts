/**
 * GET/PUT /api/notifications and POST /api/notifications/test on the whole service: secrets
 * masked and kept, bad input refused with 400 and nothing changed, a test message answered with
 * what the target said, and the state of deliveries in the list.
 */
import { describe, expect, it } from "@effect/vitest"
import { Effect } from "effect"
import { createHmac } from "node:crypto"
import { NotificationDelivery } from "../../src/application/notifications/delivery.js"
import { NotificationStore } from "../../src/infrastructure/persistence/notification-repository.js"
import { AppTest } from "../support/app.js"
import { tempDbFile } from "../support/db.js"
import { request } from "../support/http.js"
import { makeReceiver, untilReceived } from "../support/receiver.js"

const realPause = (ms: number) => Effect.promise(() => new Promise<void>((resolve) => setTimeout(resolve, ms)))

interface TargetJson { id: string; type: string; name: string; origin: string; deliveries: { pending: number; gave_up: number; last_error: { message: string; gave_up: boolean } | null }; [k: string]: unknown }
const list = Effect.map(request("GET", "/api/notifications"), (r) => {
  expect(r.status).toBe(200)
  return (JSON.parse(r.text) as { targets: Array<TargetJson> }).targets
})

describe("notifications API", () => {
  it.effect("PUT stores the targets, GET answers secrets as ****, and **** in a PUT keeps the stored secret", () =>
    Effect.gen(function*() {
      const r = yield* makeReceiver
      const put = yield* request("PUT", "/api/notifications", { json: { targets: [
        { type: "webhook", name: "scripts", url: `${r.url}/hook`, secret: "hmac-key", headers: { "X-Team": "music" }, events: ["download.failed", "album.completed"] },
        { type: "gotify", url: "https://gotify.example", token: "app-token", priority: 5, enabled: false },
        { type: "discord", url: "https://discord.com/api/webhooks/1/very-secret" }
      ] } })
      expect(put.status).toBe(200)
      const targets = yield* list
      expect(targets.map((t) => [t.type, t.name, t.enabled])).toEqual([["webhook", "scripts", true], ["gotify", "gotify", false], ["discord", "discord", true]])
      expect(targets[0]).toMatchObject({ secret: "****", url: `${r.url}/hook`, headers: { "X-Team": "music" }, events: ["download.failed", "album.completed"], origin: "user" })
      expect(targets[1]).toMatchObject({ token: "****", priority: 5 })
      expect(targets[2]!.url).toBe("****")
      expect(put.text).not.toContain("hmac-key")
      expect(JSON.stringify(targets)).not.toMatch(/app-token|very-secret|hmac-key/)
      // the list sent back as it came, one field changed: the secrets stay
      const again = yield* request("PUT", "/api/notifications", { json: { targets: targets.map((t, i) => i === 0 ? { ...t, name: "renamed" } : t) } })
      expect(again.status, again.text).toBe(200)
      const stored = yield* Effect.flatMap(NotificationStore, (s) => s.listTargets)
      expect(stored.map((s) => s.id)).toEqual(targets.map((t) => t.id))
      expect(stored[0]!.target).toMatchObject({ name: "renamed", secret: "hmac-key" })
      expect(stored[1]!.target).toMatchObject({ token: "app-token" })
      expect(stored[2]!.target).toMatchObject({ url: "https://discord.com/api/webhooks/1/very-secret" })
      // and the kept secret signs: a test message to the stored target
      const test = yield* request("POST", "/api/notifications/test", { json: { id: targets[0]!.id } })
      expect(JSON.parse(test.text)).toEqual({ ok: true, status: 204, body: "", message: null })
      yield* untilReceived(r, 1)
      const got = r.received[0]!
      expect(got.headers["x-soulspot-signature"]).toBe(`sha256=${createHmac("sha256", "hmac-key").update(got.body).digest("hex")}`)
      expect(JSON.parse(got.body)).toMatchObject({ version: 1, test: true, title: "SoulSpot test message" })
    }).pipe(Effect.scoped, Effect.provide(AppTest({ db: tempDbFile() }))))

  it.effect("a bad target is refused with 400 and changes nothing", () =>
    Effect.gen(function*() {
      yield* request("PUT", "/api/notifications", { json: { targets: [{ type: "ntfy", url: "https://ntfy.sh/mine", token: "tk" }] } })
      const before = yield* list
      const cases: ReadonlyArray<[unknown, RegExp]> = [
        [{ targets: [{ type: "ntfy", url: "not a url" }] }, /^targets\.0\.url: /],
        [{ targets: [{ type: "pager", url: "https://x.example" }] }, /^targets\.0\.type: must be one of webhook, ntfy/],
        [{ targets: [{ type: "gotify", url: "https://g.example", token: "****" }] }, /^targets\.0\.token: "\*\*\*\*" keeps the stored value, but this target has none/],
        [{ targets: [{ type: "webhook", url: "https://h.example", events: ["download.exploded"] }] }, /^targets\.0\.events\.0: /],
        [{ targets: [{ type: "webhook", url: "https://h.example", id: "made-up" }] }, /^targets\.0\.id: no target has the id "made-up"/],
        [{ targets: [before[0], { type: "webhook", url: "ftp://h.example" }] }, /^targets\.1\.url: /],
        [{ targets: [{ type: "ntfy", url: "https://ntfy.sh/x", prority: 3 }] }, /prority/],
        [{ targets: "all" }, /targets/]
      ]
      for (const [body, message] of cases) {
        const r = yield* request("PUT", "/api/notifications", { json: body })
        expect(r.status, JSON.stringify(body)).toBe(400)
        const err = JSON.parse(r.text) as { error: string; message: string; _tag: string }
        expect(err.error, r.text).toBe("BadRequest")
        expect(err.message, r.text).toMatch(message)
      }
      expect(yield* list).toEqual(before)
      expect((yield* Effect.flatMap(NotificationStore, (s) => s.listTargets))[0]!.target).toMatchObject({ token: "tk" })
    }).pipe(Effect.provide(AppTest({ db: tempDbFile() }))))

  it.effect("a test message answers what the target answered; an unknown id is 404", () =>
    Effect.gen(function*() {
      const r = yield* makeReceiver
      r.answer({ status: 401, body: "{\"error\":\"bad token\"}" })
      const refused = yield* request("POST", "/api/notifications/test", { json: { target: { type: "gotify", url: r.url, token: "nope" } } })
      expect(refused.status).toBe(200)
      expect(JSON.parse(refused.text)).toMatchObject({ ok: false, status: 401, message: expect.stringMatching(/HTTP 401 \(check the token or password\).*bad token/) })
      r.answer({ status: 200, body: "{\"id\":7}" })
      const ok = yield* request("POST", "/api/notifications/test", { json: { target: { type: "gotify", url: r.url, token: "right" } } })
      expect(JSON.parse(ok.text)).toEqual({ ok: true, status: 200, body: "{\"id\":7}", message: null })
      expect(r.received[1]!.headers["x-gotify-key"]).toBe("right")
      const missing = yield* request("POST", "/api/notifications/test", { json: { id: "nope" } })
      expect(missing.status).toBe(404)
      expect(JSON.parse(missing.text)).toMatchObject({ error: "NotFound" })
      const empty = yield* request("POST", "/api/notifications/test", { json: {} })
      expect(empty.status).toBe(400)
    }).pipe(Effect.scoped, Effect.provide(AppTest({ db: tempDbFile() }))))

  it.effect("GET shows each target's deliveries and last error; the SOULSPOT_WEBHOOK_URL target is listed and a PUT leaves it", () =>
    Effect.gen(function*() {
      const r = yield* makeReceiver
      r.fallback({ status: 500, body: "down for maintenance" })
      yield* Effect.flatMap(NotificationDelivery, (d) => d.configureEnvTarget)
      yield* request("PUT", "/api/notifications", { json: { targets: [{ type: "webhook", url: `${r.url}/user` }] } })
      yield* Effect.flatMap(NotificationStore, (s) => s.addEvent("slskd.down", { health: { seconds: 400 } }, new Date().toISOString()))
      yield* Effect.flatMap(NotificationDelivery, (d) => d.tick)
      yield* untilReceived(r, 1)
      let targets = yield* list
      for (let i = 0; i < 200 && targets.some((t) => t.deliveries.last_error === null); i++) {
        yield* realPause(10)
        targets = yield* list
      }
      expect(targets.map((t) => [t.origin, t.name])).toEqual([["env", "SOULSPOT_WEBHOOK_URL"], ["user", "webhook"]])
      expect(targets[0]!.secret).toBe("****")
      for (const t of targets) expect(t.deliveries).toMatchObject({ pending: 1, gave_up: 0, last_error: { gave_up: false } })
      expect(targets[0]!.deliveries.last_error!.message).toMatch(/cannot reach webhook/)
      expect(targets[1]!.deliveries.last_error!.message).toMatch(/HTTP 500: down for maintenance/)
      const put = yield* request("PUT", "/api/notifications", { json: { targets: [] } })
      expect(put.status).toBe(200)
      expect((yield* list).map((t) => t.origin)).toEqual(["env"])
    }).pipe(Effect.scoped, Effect.provide(AppTest({ db: tempDbFile() }, { SOULSPOT_WEBHOOK_URL: "http://127.0.0.1:1/env-hook", SOULSPOT_WEBHOOK_SECRET: "env-secret" }))))
})
