import { HttpLayerRouter, HttpServerRequest, HttpServerResponse } from "@effect/platform"
import { Effect, Metric, Queue, Schedule, Stream } from "effect"
import { HealthReport, type ProviderHealth } from "../application/health.js"
import { type Envelope, Events } from "../application/events.js"
import { DownloadManager } from "../application/download-manager.js"
import type { AlbumGroup } from "../domain/album-group.js"
import type { Download } from "../domain/download.js"
import type { DownloadStats } from "../domain/ports/DownloadRepository.js"
import { toDto, toHealthDto, toStatsDto } from "./dto.js"
import { jsonError } from "./error-shape.js"
import { EventStreamCap } from "./stream-cap.js"

export const sseClients = Metric.gauge("soulspot_sse_clients", { description: "open server-sent event streams" })

const HEARTBEAT = "15 seconds"

/**
 * More download events than this arriving together (a bulk ingest, a bulk action) are not sent
 * one by one: the client gets the latest counts and one `refresh` hint numbered with the last id.
 * 200 open pages then cost 200 frames per burst, not 200 × 10,000.
 */
export const ROW_BURST = 100
const BATCH_MAX = 4096

/**
 * One SSE frame. EventSource ends a line at CRLF, LF or a lone CR, so the data is split on all
 * three: a CR inside a title must not start a forged `event:` or `id:` field.
 */
export const frame = (event: string, data: string, id?: number): string =>
  `${id === undefined ? "" : `id: ${id}\n`}event: ${event}\n${data.split(/\r\n|\r|\n/).map((l) => `data: ${l}`).join("\n")}\n\n`

/** How one stream writes each kind of event: JSON for the API, HTML fragments for the page. */
export interface SseFormat {
  readonly download: (d: Download) => ReadonlyArray<readonly [string, string]>
  readonly stats: (s: DownloadStats) => ReadonlyArray<readonly [string, string]>
  readonly health: (h: ProviderHealth) => ReadonlyArray<readonly [string, string]>
  /** An album group's header; nothing on the JSON stream (its events are the downloads). */
  readonly album?: (g: AlbumGroup, rows: ReadonlyArray<string>, libraryImport: boolean) => ReadonlyArray<readonly [string, string]>
}

export const JsonFormat: SseFormat = {
  download: (d) => [["download", JSON.stringify(toDto(d))]],
  stats: (s) => [["stats", JSON.stringify(toStatsDto(s))]],
  health: (h) => [["health", JSON.stringify(toHealthDto(h))]]
}

const encodedByFormat = new WeakMap<SseFormat, WeakMap<Envelope, string>>()
const encoded = (format: SseFormat): WeakMap<Envelope, string> => {
  let m = encodedByFormat.get(format)
  if (!m) {
    m = new WeakMap()
    encodedByFormat.set(format, m)
  }
  return m
}

const lastEventId = (request: HttpServerRequest.HttpServerRequest): number | undefined => {
  const raw = request.headers["last-event-id"] ?? new URL(request.url, "http://x").searchParams.get("lastEventId") ?? undefined
  const n = raw === undefined ? NaN : Number(raw)
  return Number.isInteger(n) && n >= 0 ? n : undefined
}

/**
 * One client's stream: subscribe first (so nothing slips between replay and live), replay
 * what a reconnecting client missed (or tell it to refresh when that is gone from the buffer),
 * then live events and a heartbeat comment. A disconnect interrupts the stream and frees it.
 */
export const eventStream = (format: SseFormat) => (request: HttpServerRequest.HttpServerRequest) =>
  Effect.gen(function*() {
    const events = yield* Events
    const health = yield* HealthReport
    const manager = yield* DownloadManager
    const since = lastEventId(request)
    const slot = yield* (yield* EventStreamCap).reserve(request)
    if (slot._tag === "Left") {
      const { scope, limit } = slot.left
      return jsonError(503, "Unavailable", scope === "client"
        ? `too many open event streams from this address (at most ${limit}); close a tab or raise SOULSPOT_MAX_EVENT_STREAMS_PER_CLIENT`
        : `too many open event streams (at most ${limit}); raise SOULSPOT_MAX_EVENT_STREAMS`).pipe(HttpServerResponse.setHeader("retry-after", "10"))
    }

    const encode = (e: Envelope): Effect.Effect<string> => {
      // Every client gets the same bytes for an event: encode it once per format.
      const done = encoded(format).get(e)
      return done !== undefined ? Effect.succeed(done) : Effect.tap(encodeOnce(e), (text) => Effect.sync(() => encoded(format).set(e, text)))
    }

    const encodeOnce = (e: Envelope): Effect.Effect<string> => {
      switch (e.event._tag) {
        case "DownloadChanged":
          return Effect.succeed(format.download(e.event.download).map(([ev, data]) => frame(ev, data, e.id)).join(""))
        case "StatsChanged":
          return Effect.succeed(format.stats(e.event.stats).map(([ev, data]) => frame(ev, data, e.id)).join(""))
        case "HealthChanged":
          return Effect.map(health.report, (h) => format.health(h).map(([ev, data]) => frame(ev, data, e.id)).join(""))
        case "AlbumChanged":
          return Effect.succeed((format.album?.(e.event.group, e.event.rows, e.event.libraryImport) ?? []).map(([ev, data]) => frame(ev, data, e.id)).join(""))
      }
    }

    /** A batch of envelopes as one string, a burst of download events folded into a refresh hint. */
    const encodeBatch = (batch: ReadonlyArray<Envelope>): Effect.Effect<string> => {
      const rows = batch.filter((e) => e.event._tag === "DownloadChanged").length
      if (rows <= ROW_BURST) return Effect.map(Effect.forEach(batch, encode), (texts) => texts.join(""))
      const last = (tag: Envelope["event"]["_tag"]) => [...batch].reverse().find((e) => e.event._tag === tag)
      const kept = [last("StatsChanged"), last("HealthChanged")].filter((e): e is Envelope => e !== undefined).sort((a, b) => a.id - b.id)
      const lastId = batch[batch.length - 1]!.id
      return Effect.map(Effect.forEach(kept, encode), (texts) =>
        texts.join("") + frame("refresh", JSON.stringify({ reason: `${rows} downloads changed at once; reload the lists` }), lastId))
    }

    const body = Stream.unwrapScoped(Effect.gen(function*() {
      const dequeue = yield* events.subscribe
      const current = events.lastId()
      let opening: Stream.Stream<string>
      if (since === undefined) {
        // A new client gets the current counts and health at once, numbered with the latest id.
        const [stats, h] = yield* Effect.all([manager.recentStats, health.report])
        opening = Stream.make(
          format.stats(stats).map(([ev, data]) => frame(ev, data, current)).join("") +
          format.health(h).map(([ev, data]) => frame(ev, data, current)).join(""))
      } else {
        const missed = events.since(since)
        opening = missed === undefined
          ? Stream.make(frame("refresh", JSON.stringify({ reason: "missed too many events; reload the lists" }), current))
          : Stream.fromEffect(encodeBatch(missed.filter((e) => e.id <= current)))
      }
      // Whatever has piled up is taken as one batch, so a burst is folded as a whole: a waiting
      // take is woken by the first event of a burst, the rest is in the queue by then.
      const batch = Effect.gen(function*() {
        const first = yield* Queue.takeBetween(dequeue, 1, BATCH_MAX)
        yield* Effect.yieldNow()
        const rest = yield* Queue.takeUpTo(dequeue, BATCH_MAX)
        return [...first, ...rest].filter((e) => e.id > current)
      })
      const live = Stream.repeatEffect(Effect.flatMap(batch, encodeBatch)).pipe(Stream.filter((text) => text !== ""))
      return Stream.concat(opening, live)
    }))

    const heartbeat = Stream.fromSchedule(Schedule.spaced(HEARTBEAT)).pipe(Stream.as(": heartbeat\n\n"))
    const stream = Stream.merge(Stream.concat(Stream.make("retry: 3000\n\n"), body), heartbeat, { haltStrategy: "left" }).pipe(
      Stream.encodeText,
      Stream.onStart(Metric.increment(sseClients)),
      Stream.ensuring(Metric.incrementBy(sseClients, -1)),
      Stream.ensuring(slot.right)
    )
    return HttpServerResponse.stream(stream, {
      contentType: "text/event-stream",
      headers: { "cache-control": "no-cache", "x-accel-buffering": "no", connection: "keep-alive" }
    })
  })

export const ApiEventsRoute = HttpLayerRouter.add("GET", "/api/downloads/manager/events", eventStream(JsonFormat))

