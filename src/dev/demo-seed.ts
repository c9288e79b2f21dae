/**
 * What `npm run demo` sets up: quick settings for the simulator, the database guard and the
 * sample downloads a visitor watches (a few that succeed, one retried on another peer after
 * its first peer breaks off, one nobody shares, and an album folder).
 */
import { SqlClient } from "@effect/sql"
import { Data, Effect, Layer, Option } from "effect"
import { QueueAlbumDownloads } from "../application/queue-album-downloads.js"
import { QueueTrackDownload } from "../application/queue-track-download.js"
import { builtInProfile, DEFAULT_PROFILE_NAME } from "../domain/matching/profiles.js"
import { select } from "../domain/matching/select.js"
import type { TrackInput } from "../domain/track.js"
import { DatabaseLive } from "../infrastructure/persistence/sqlite.js"
import type { SimPeer, SimulatorControl, SimulatorTimings } from "./slskd-simulator/index.js"

/**
 * Settings for a demo run, given to the service as environment values (never stored): searches
 * of a few seconds, progress every second, retries seconds apart, FAILED after three attempts.
 */
export const DEMO_SETTINGS: Readonly<Record<string, string>> = {
  SOULSPOT_DISPATCH_INTERVAL: "2 seconds",
  SOULSPOT_SYNC_INTERVAL: "1 second",
  SOULSPOT_SEARCH_TIMEOUT: "2 seconds",
  SOULSPOT_RETRY_BASE_DELAY: "3 seconds",
  SOULSPOT_MAX_ATTEMPTS: "3",
  SOULSPOT_STALL_TIMEOUT: "30 seconds",
  SOULSPOT_REMOTE_QUEUE_TIMEOUT: "1 minute",
  SOULSPOT_BREAKER_RECOVERY_TIMEOUT: "10 seconds"
}

/** Simulator timings for the demo: a peer's queue takes a moment, transfers take tens of seconds. */
export const DEMO_TIMINGS: Partial<SimulatorTimings> = {
  searchResponseWindowMs: 1500,
  queuedLocallyMs: 400,
  requestedMs: 600,
  remoteQueueMs: 1500,
  remoteQueuePerPlaceMs: 300,
  initializingMs: 500,
  speedFactor: 0.5
}

export interface DemoTrack extends TrackInput {
  readonly title: string
  readonly artist: string
  /** Why it is in the demo (logged). */
  readonly shows: string
}

/** Shared by several peers of the seeded catalog. */
export const DEMO_TRACKS: ReadonlyArray<DemoTrack> = [
  { title: "Angel", artist: "Massive Attack", album: "Mezzanine", durationMs: 379_000, shows: "search, queue, progress" },
  { title: "Come as You Are", artist: "Nirvana", album: "Nevermind", durationMs: 219_000, shows: "a studio take chosen over a live one, from a peer with a queue" },
  { title: "Dreams", artist: "Fleetwood Mac", album: "Rumours", durationMs: 257_000, shows: "a large hi-res vinyl rip chosen over covers and karaoke" }
]

/** Its first choice breaks off half-way, so it is retried on the next peer. */
export const DEMO_RETRY_TRACK: DemoTrack = {
  title: "Get Lucky", artist: "Daft Punk", album: "Random Access Memories", durationMs: 369_000,
  shows: "a transfer that breaks off and is retried on another peer"
}

/** Nobody shares it: searched until the attempts run out, then FAILED with the reason. */
export const DEMO_MISSING_TRACK: DemoTrack = {
  title: "Wuthering Heights", artist: "Kate Bush", album: "The Kick Inside", durationMs: 268_000,
  shows: "a track nobody shares, FAILED after its attempts"
}

/** One peer shares these four as one album folder. */
export const DEMO_ALBUM = {
  title: "OK Computer", artist: "Radiohead", releaseDate: "1997-05-21",
  tracks: [
    { title: "Airbag", artist: "Radiohead", trackNumber: 1, durationMs: 284_000 },
    { title: "Paranoid Android", artist: "Radiohead", trackNumber: 2, durationMs: 383_000 },
    { title: "Karma Police", artist: "Radiohead", trackNumber: 6, durationMs: 261_000 },
    { title: "No Surprises", artist: "Radiohead", trackNumber: 10, durationMs: 228_000 }
  ]
} as const

const fold = (s: string) => s.normalize("NFKD").replace(/[\u0300-\u036f]/g, "").toLowerCase()

/** Files of the catalog whose path names both the artist and the title. */
export const sharedCopies = (catalog: ReadonlyArray<SimPeer>, t: { title: string; artist: string }) =>
  catalog.filter((p) => p.online !== false).flatMap((p) => p.files
    .filter((f) => fold(f.filename).includes(fold(t.title)) && fold(f.filename).includes(fold(t.artist)))
    .map((f) => ({ username: p.username, filename: f.filename })))

/**
 * The file the workers will pick first for a track, by the same `select` they use, over
 * every online peer's shares (what a search for the track can return at most).
 */
export const firstChoice = (catalog: ReadonlyArray<SimPeer>, t: TrackInput): Option.Option<{ username: string; filename: string }> => {
  const profile = Option.getOrThrow(builtInProfile(DEFAULT_PROFILE_NAME))
  const responses = catalog.filter((p) => p.online !== false).map((p) => ({
    username: p.username,
    files: p.files.filter((f) => !f.locked),
    lockedFiles: p.files.filter((f) => f.locked === true),
    hasFreeUploadSlot: p.hasFreeUploadSlot,
    queueLength: p.queueLength,
    uploadSpeed: p.uploadSpeed
  }))
  const { chosen } = select({
    title: t.title, artist: t.artist, album: t.album ?? null, durationMs: t.durationMs ?? null, trackNumber: t.trackNumber ?? null
  }, responses, profile)
  return chosen === null ? Option.none() : Option.some({ username: chosen.username, filename: chosen.filename })
}

export class DemoSetupError extends Data.TaggedError("DemoSetupError")<{ readonly message: string }> {}

/**
 * Queues the samples (call it on a fresh database only). Before that, the retry track's first
 * choice is told to break off half-way, so the visitor sees a retry on another peer.
 */
export const queueDemoSamples = (sim: SimulatorControl) => Effect.gen(function*() {
  const catalog = yield* sim.catalog
  for (const t of [...DEMO_TRACKS, DEMO_RETRY_TRACK]) {
    if (sharedCopies(catalog, t).length === 0) {
      return yield* new DemoSetupError({ message: `the simulator's catalog has no "${t.artist} - ${t.title}"` })
    }
  }
  if (sharedCopies(catalog, DEMO_MISSING_TRACK).length > 0) {
    return yield* new DemoSetupError({ message: `the simulator's catalog shares "${DEMO_MISSING_TRACK.title}", which should be missing` })
  }
  const breaking = firstChoice(catalog, DEMO_RETRY_TRACK)
  if (Option.isSome(breaking)) {
    yield* sim.setOutcome(breaking.value.username, breaking.value.filename, "error")
    yield* Effect.logInfo(`demo: ${breaking.value.username} will break off "${DEMO_RETRY_TRACK.title}" half-way`)
  }

  const tracks = yield* QueueTrackDownload
  const albums = yield* QueueAlbumDownloads
  for (const [i, t] of [...DEMO_TRACKS, DEMO_RETRY_TRACK, DEMO_MISSING_TRACK].entries()) {
    const { shows, ...track } = t
    // earlier samples first, so the page fills in a readable order
    yield* tracks.run({ track, priority: 10 - i })
    yield* Effect.logInfo(`demo: queued ${t.artist} - ${t.title} (${shows})`)
  }
  const album = yield* albums.importLocalAlbum({ ...DEMO_ALBUM, tracks: DEMO_ALBUM.tracks.map((t) => ({ ...t, album: DEMO_ALBUM.title })) })
  yield* albums.run({ source: "local", albumRef: album.album.id })
  yield* Effect.logInfo(`demo: queued the album ${DEMO_ALBUM.artist} - ${DEMO_ALBUM.title} (${DEMO_ALBUM.tracks.length} tracks from one folder)`)
}).pipe(Effect.orDie)

/** Row in app_settings that marks a database the demo created (Settings ignores unknown keys). */
export const DEMO_MARKER = "demo.database"

/**
 * The demo only runs on a database it made, so it never hands a user's real downloads to the
 * simulator. A fresh database (no downloads, tracks or stored settings) is marked as the
 * demo's; a marked one is reused; anything else is refused. slskd.url and slskd.api_key
 * stored in a demo database (saved in the demo's settings page) are removed, because they
 * would win over the simulator's address. Returns whether the samples should be queued.
 */
export const prepareDemoDatabase = (db: string) => Effect.gen(function*() {
  if (db === ":memory:") return { fresh: true }
  const sql = yield* SqlClient.SqlClient
  const count = (rows: ReadonlyArray<{ n: number }>) => rows[0]?.n ?? 0
  const marked = (yield* sql<{ value: string }>`SELECT value FROM app_settings WHERE key = ${DEMO_MARKER}`).length > 0
  const downloads = count(yield* sql<{ n: number }>`SELECT count(*) AS n FROM downloads`)
  if (marked) {
    const pinned = yield* sql<{ key: string }>`SELECT key FROM app_settings WHERE key IN ('slskd.url', 'slskd.api_key')`
    if (pinned.length > 0) {
      yield* sql`DELETE FROM app_settings WHERE key IN ('slskd.url', 'slskd.api_key')`
      yield* Effect.logWarning(`demo: removed ${pinned.map((r) => r.key).join(", ")} stored in the demo database; the demo talks to its simulator`)
    }
    return { fresh: downloads === 0 }
  }
  const tracks = count(yield* sql<{ n: number }>`SELECT count(*) AS n FROM tracks`)
  const settings = count(yield* sql<{ n: number }>`SELECT count(*) AS n FROM app_settings`)
  if (downloads > 0 || tracks > 0 || settings > 0) {
    return yield* new DemoSetupError({
      message: `${db} is not a demo database (it holds ${downloads} downloads, ${tracks} tracks, ${settings} stored settings); ` +
        "the demo would hand them to its simulator. Leave SOULSPOT_DB unset (the demo uses ./data/demo.db) or name a new file."
    })
  }
  yield* sql`INSERT INTO app_settings (key, value, updated_at) VALUES (${DEMO_MARKER}, 'npm run demo', ${new Date().toISOString()})`
  return { fresh: true }
}).pipe(
  Effect.catchTag("SqlError", (e) => Effect.fail(new DemoSetupError({ message: `cannot read ${db}: ${e.message}` }))),
  Effect.provide(Layer.orDie(DatabaseLive(db)))
)
