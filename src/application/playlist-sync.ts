import { Clock, Effect, Layer, Metric } from "effect"
import { playlistSyncs } from "../metrics.js"
import { Setting } from "../config.js"
import { type Playlist, PlaylistRepository } from "../domain/ports/PlaylistRepository.js"
import { Settings } from "../domain/ports/Settings.js"
import { type ListRead, type TrackListError, TrackListSource } from "../domain/ports/TrackListSource.js"
import { ImportTrackList } from "./import-track-list.js"
import { workerLoop } from "./workers/loop.js"

/**
 * Watched playlists: every SOULSPOT_PLAYLIST_SYNC_INTERVAL each one is read again with the
 * snapshot of its last read, so an unchanged playlist costs one request. Entries added since are
 * queued through the same importer as a first import; entries removed are left alone (their
 * downloads stay). A failing playlist is logged and marked, and the others go on.
 */
export class PlaylistSync extends Effect.Service<PlaylistSync>()("soulspot/PlaylistSync", {
  effect: Effect.gen(function*() {
    const playlists = yield* PlaylistRepository
    const sources = yield* TrackListSource
    const importer = yield* ImportTrackList

    const read = (p: Playlist): Effect.Effect<ListRead, TrackListError> =>
      p.sourceId.startsWith("liked:") ? sources.liked(p.snapshot)
        : sources.playlist(p.source === "deezer" ? "deezer" : "spotify", p.sourceId, p.snapshot)

    const syncOne = (p: Playlist) => Effect.gen(function*() {
      const at = new Date(yield* Clock.currentTimeMillis).toISOString()
      if (p.source === "file") return yield* playlists.markSynced(p.id, at, "a playlist file cannot be read again; upload the new version")
      const outcome = yield* read(p).pipe(Effect.either)
      if (outcome._tag === "Left") {
        yield* Metric.incrementBy(playlistSyncs.pipe(Metric.tagged("outcome", "failed")), 1)
        yield* Effect.logWarning(`watched playlist "${p.title}" not synced: ${outcome.left.message}`)
        return yield* playlists.markSynced(p.id, at, outcome.left.message)
      }
      if (outcome.right._tag === "Unchanged") {
        yield* Metric.incrementBy(playlistSyncs.pipe(Metric.tagged("outcome", "unchanged")), 1)
        yield* Effect.logInfo(`watched playlist "${p.title}" unchanged (same snapshot); nothing to queue`)
        return yield* playlists.markSynced(p.id, at, null)
      }
      const list = outcome.right.list
      // a profile deleted since the first import: the default one
      const result = yield* importer.importList(list, { priority: p.priority, qualityProfile: p.qualityProfile ?? undefined }).pipe(
        Effect.catchTag("UnknownProfile", () => importer.importList(list, { priority: p.priority })),
        Effect.orDie)
      yield* Metric.incrementBy(playlistSyncs.pipe(Metric.tagged("outcome", "changed")), 1)
      yield* Effect.logInfo(`watched playlist "${p.title}" changed: ${result.createdCount} new tracks queued`)
    }).pipe(Effect.annotateLogs({ playlist: p.id, source: p.source }))

    const tick = Effect.gen(function*() {
      const watched = yield* playlists.watched
      yield* Effect.forEach(watched, syncOne, { discard: true })
    })
    return { tick, syncOne } as const
  })
}) {}

export const PlaylistSyncWorkerLive = Layer.scopedDiscard(Effect.gen(function*() {
  const sync = yield* PlaylistSync
  const settings = yield* Settings
  yield* Effect.forkScoped(workerLoop("playlist-sync", sync.tick, settings.get(Setting.playlistSyncInterval)))
}))
