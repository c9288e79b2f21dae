import { FetchHttpClient, HttpClient } from "@effect/platform"
import { describe, expect, it } from "@effect/vitest"
import { Effect, Fiber, TestClock } from "effect"
import type { NotificationMessage } from "../../../src/domain/notifications/targets.js"
import { sendApprise } from "../../../src/infrastructure/notifications/senders/apprise.js"
import { sendDiscord } from "../../../src/infrastructure/notifications/senders/discord.js"
import { sendGotify } from "../../../src/infrastructure/notifications/senders/gotify.js"
import { sendNtfy } from "../../../src/infrastructure/notifications/senders/ntfy.js"
import { makeReceiver, type Receiver, untilReceived } from "../../support/receiver.js"
import { failure, withReceiver } from "./helpers.js"

const realPause = (ms: number) => Effect.promise(() => new Promise<void>((resolve) => setTimeout(resolve, ms)))

const message: NotificationMessage = {
  version: 1, event: "download.failed", at: "2026-12-03T12:00:00.000Z",
  title: "Failed: Björk – Jóga", text: "no candidate left after 5 attempts"
}

const only = (r: Receiver) => {
  expect(r.received).toHaveLength(1)
  return r.received[0]!
}

describe("ntfy", () => {
  it.effect("publishes JSON to the server root: topic, UTF-8 title, message, priority, tags, bearer token", () =>
    withReceiver((r, http) => Effect.gen(function*() {
      r.answer({ status: 200, body: "{\"id\":\"abc\",\"event\":\"message\"}" })
      const d = yield* sendNtfy(http)({ type: "ntfy", url: `${r.url}/soulspot-alerts`, token: "tk_secret", priority: 4, tags: ["music"], enabled: true }, message)
      expect(d).toEqual({ status: 200, body: "{\"id\":\"abc\",\"event\":\"message\"}" })
      const req = only(r)
      expect([req.method, req.path]).toEqual(["POST", "/"])
      expect(req.headers["authorization"]).toBe("Bearer tk_secret")
      expect(req.headers["content-type"]).toMatch(/^application\/json/)
      expect(JSON.parse(req.body)).toEqual({
        topic: "soulspot-alerts", title: "Failed: Björk – Jóga", message: "no candidate left after 5 attempts", priority: 4, tags: ["x", "music"]
      })
    })))

  it.effect("a topic under a path prefix publishes to that prefix; no token, no Authorization", () =>
    withReceiver((r, http) => Effect.gen(function*() {
      yield* sendNtfy(http)({ type: "ntfy", url: `${r.url}/ntfy/alerts`, enabled: true }, message)
      const req = only(r)
      expect(req.path).toBe("/ntfy/")
      expect(req.headers["authorization"]).toBeUndefined()
      expect(JSON.parse(req.body)).not.toHaveProperty("priority")
    })))

  it.effect("a URL without a topic is refused without a request", () =>
    withReceiver((r, http) => Effect.gen(function*() {
      const e = failure(yield* Effect.exit(sendNtfy(http)({ type: "ntfy", url: `${r.url}/`, enabled: true }, message)))
      expect(e.permanent).toBe(true)
      expect(r.received).toHaveLength(0)
    })))
})

describe("Discord", () => {
  it.effect("posts one embed with mentions off, to the webhook URL with wait=true", () =>
    withReceiver((r, http) => Effect.gen(function*() {
      r.answer({ status: 200, body: "{\"id\":\"1\"}" })
      yield* sendDiscord(http)({ type: "discord", url: `${r.url}/api/webhooks/1/tok?thread_id=9`, enabled: true }, message)
      const req = only(r)
      expect(req.method).toBe("POST")
      const url = new URL(req.path, r.url)
      expect(url.pathname).toBe("/api/webhooks/1/tok")
      expect(Object.fromEntries(url.searchParams)).toEqual({ thread_id: "9", wait: "true" })
      const body = JSON.parse(req.body)
      expect(body.allowed_mentions).toEqual({ parse: [] })
      expect(body.embeds).toEqual([{ title: message.title, description: message.text, color: 0xcf222e, timestamp: message.at }])
    })))

  it.effect("a 429 without Retry-After waits the body's retry_after", () =>
    withReceiver((r, http) => Effect.gen(function*() {
      r.answer({ status: 429, body: "{\"message\":\"You are being rate limited.\",\"retry_after\":1.5,\"global\":false}" })
      const e = failure(yield* Effect.exit(sendDiscord(http)({ type: "discord", url: `${r.url}/api/webhooks/1/tok`, enabled: true }, message)))
      expect(e).toMatchObject({ status: 429, permanent: false, retryAfterMillis: 1500 })
    })))
})

describe("Gotify", () => {
  it.effect("posts title, message and priority to /message with X-Gotify-Key", () =>
    withReceiver((r, http) => Effect.gen(function*() {
      r.answer({ status: 200, body: "{\"id\":7}" })
      yield* sendGotify(http)({ type: "gotify", url: `${r.url}/gotify/`, token: "AppToken", priority: 8, enabled: true }, message)
      const req = only(r)
      expect([req.method, req.path, req.headers["x-gotify-key"]]).toEqual(["POST", "/gotify/message", "AppToken"])
      expect(JSON.parse(req.body)).toEqual({ title: message.title, message: message.text, priority: 8 })
    })))
})

describe("Apprise", () => {
  it.effect("stateful key: title, body, type and tag to the key URL", () =>
    withReceiver((r, http) => Effect.gen(function*() {
      r.answer({ status: 200, body: "ok" })
      yield* sendApprise(http)({ type: "apprise", url: `${r.url}/notify/soulspot`, tags: "music", enabled: true }, message)
      const req = only(r)
      expect([req.method, req.path]).toEqual(["POST", "/notify/soulspot"])
      expect(JSON.parse(req.body)).toEqual({ title: message.title, body: message.text, type: "failure", tag: "music" })
    })))

  it.effect("stateless: the service URLs go in the body", () =>
    withReceiver((r, http) => Effect.gen(function*() {
      r.answer({ status: 200, body: "ok" })
      yield* sendApprise(http)({ type: "apprise", url: `${r.url}/notify`, urls: "tgram://bot/chat", enabled: true }, message)
      expect(JSON.parse(only(r).body)).toEqual({ urls: "tgram://bot/chat", title: message.title, body: message.text, type: "failure" })
    })))

  it.effect("a key without configuration (204) is not delivered; a failed service behind Apprise (424) is retried", () =>
    withReceiver((r, http) => Effect.gen(function*() {
      const send = sendApprise(http)
      const target = { type: "apprise" as const, url: `${r.url}/notify/empty`, enabled: true }
      r.answer({ status: 204 }, { status: 424, body: "{\"error\":\"one or more notifications could not be sent\"}" })
      expect(failure(yield* Effect.exit(send(target, message)))).toMatchObject({ status: 204, permanent: true })
      expect(failure(yield* Effect.exit(send(target, message)))).toMatchObject({ status: 424, permanent: false })
    })))
})

describe("answer mapping, the same for every sender", () => {
  const senders = [
    ["ntfy", (r: Receiver, http: HttpClient.HttpClient) => sendNtfy(http)({ type: "ntfy", url: `${r.url}/t`, enabled: true }, message)],
    ["Discord", (r: Receiver, http: HttpClient.HttpClient) => sendDiscord(http)({ type: "discord", url: `${r.url}/api/webhooks/1/x`, enabled: true }, message)],
    ["Gotify", (r: Receiver, http: HttpClient.HttpClient) => sendGotify(http)({ type: "gotify", url: r.url, token: "t", enabled: true }, message)],
    ["Apprise", (r: Receiver, http: HttpClient.HttpClient) => sendApprise(http)({ type: "apprise", url: `${r.url}/notify`, urls: "json://x", enabled: true }, message)]
  ] as const

  for (const [name, send] of senders) {
    it.effect(`${name}: 204 delivered, 401 permanent, 429 waits Retry-After, 500 retryable, a redirect is not followed`, () =>
      withReceiver((r, http) => Effect.gen(function*() {
        r.answer({ status: 204 }, { status: 401, body: "{\"error\":\"unauthorized\"}" }, { status: 429, retryAfter: "30" }, { status: 500 }, { status: 302, body: "" })
        expect(yield* send(r, http)).toEqual({ status: 204, body: "" })
        expect(failure(yield* Effect.exit(send(r, http)))).toMatchObject({ status: 401, permanent: true })
        expect(failure(yield* Effect.exit(send(r, http)))).toMatchObject({ status: 429, permanent: false, retryAfterMillis: 30_000 })
        expect(failure(yield* Effect.exit(send(r, http)))).toMatchObject({ status: 500, permanent: false })
        expect(failure(yield* Effect.exit(send(r, http)))).toMatchObject({ status: 302, permanent: true })
        expect(r.received).toHaveLength(5)
      })))

    it.effect(`${name}: a target that never answers times out after 10 s, retryable`, () =>
      withReceiver((r, http) => Effect.gen(function*() {
        r.answer({ hang: true })
        const fiber = yield* Effect.fork(Effect.exit(send(r, http)))
        yield* untilReceived(r, 1)
        yield* TestClock.adjust("9 seconds")
        expect(fiber.unsafePoll()).toBeNull()
        yield* TestClock.adjust("1 second")
        const e = failure(yield* Fiber.join(fiber))
        expect(e.permanent).toBe(false)
        expect(e.message).toMatch(/did not answer within 10s/)
      })))
  }

  it.effect("a redirect to another host is not followed: the token stays home", () =>
    withReceiver((r, http) => Effect.gen(function*() {
      const elsewhere = yield* makeReceiver
      r.answer({ status: 307, headers: { location: `${elsewhere.url}/message` } })
      const e = failure(yield* Effect.exit(sendGotify(http)({ type: "gotify", url: r.url, token: "AppToken", enabled: true }, message)))
      expect(e).toMatchObject({ status: 307, permanent: true })
      expect(e.message).toContain(`redirected (HTTP 307) to ${elsewhere.url}/message`)
      yield* realPause(50)
      expect(elsewhere.received).toHaveLength(0)
    })))

  it.effect("a long answer is kept to 1 KiB", () =>
    withReceiver((r, http) => Effect.gen(function*() {
      r.answer({ status: 200, body: "x".repeat(5000), contentType: "text/plain" })
      const d = yield* sendGotify(http)({ type: "gotify", url: r.url, token: "t", enabled: true }, message)
      expect(d.body.length).toBe(1024)
    })))

  it.effect("nobody listening: retryable", () =>
    Effect.gen(function*() {
      const http = yield* HttpClient.HttpClient
      const e = failure(yield* Effect.exit(sendGotify(http)({ type: "gotify", url: "http://127.0.0.1:1", token: "t", enabled: true }, message)))
      expect(e.permanent).toBe(false)
      expect(e.message).toMatch(/cannot reach Gotify/)
    }).pipe(Effect.provide(FetchHttpClient.layer)))
})
