import { describe, expect, it } from "@effect/vitest"
import { Effect, Layer, Option } from "effect"
import { createServer, type Server } from "node:http"
import type { AddressInfo } from "node:net"
import { Settings } from "../../../src/domain/ports/Settings.js"
import { SlskdFiles, SlskdFilesLive } from "../../../src/infrastructure/library/slskd-events.js"
import { CircuitBreaker } from "../../../src/infrastructure/slskd/circuit-breaker.js"
import { PersistenceTest } from "../../support/db.js"

/** A real HTTP server on 127.0.0.1 answering slskd's events endpoint with the given status; counts its requests. */
const server = (status: number) => Effect.acquireRelease(Effect.promise(() => new Promise<{ s: Server; hits: { n: number } }>((ok) => {
  const hits = { n: 0 }
  const s = createServer((_, res) => {
    hits.n++
    res.writeHead(status, { "content-type": "application/json" }).end("[]")
  })
  s.listen(0, "127.0.0.1", () => ok({ s, hits }))
})), ({ s }) => Effect.promise(() => new Promise<void>((ok) => s.close(() => ok()))))

const layer = () => SlskdFilesLive.pipe(Layer.provideMerge(CircuitBreaker.Default), Layer.provideMerge(PersistenceTest()))

const useServer = (status: number) => Effect.gen(function*() {
  const { s, hits } = yield* server(status)
  yield* Effect.flatMap(Settings, (x) => x.update({ "slskd.url": `http://127.0.0.1:${(s.address() as AddressInfo).port}` }))
  return hits
})

describe("slskd's events lookup goes through the circuit breaker", () => {
  it.scoped("an slskd answering 500 opens the circuit after the threshold; then the lookup fails fast without a request", () => Effect.gen(function*() {
    const hits = yield* useServer(500)
    const files = yield* SlskdFiles
    for (let i = 0; i < 3; i++) expect(Option.isNone(yield* files.completedFile("t-1", "a\\b.flac"))).toBe(true)
    expect((yield* (yield* CircuitBreaker).snapshot).state).toBe("OPEN")
    const before = hits.n
    expect(Option.isNone(yield* files.completedFile("t-1", "a\\b.flac"))).toBe(true)
    expect(hits.n).toBe(before)
  }).pipe(Effect.provide(layer())))

  it.scoped("an slskd without the events endpoint (404, before 0.22) is an answer: the circuit stays closed", () => Effect.gen(function*() {
    yield* useServer(404)
    const files = yield* SlskdFiles
    for (let i = 0; i < 5; i++) yield* files.completedFile("t-1", "a\\b.flac")
    expect((yield* (yield* CircuitBreaker).snapshot)).toMatchObject({ state: "CLOSED", failureCount: 0 })
  }).pipe(Effect.provide(layer())))
})
