import { Effect, Option } from "effect"
import { Setting } from "../config.js"
import { TrackNotFound, UnknownProfile } from "../domain/errors.js"
import { QualityProfiles } from "../domain/ports/QualityProfiles.js"
import { DownloadRepository, type QueueResult } from "../domain/ports/DownloadRepository.js"
import { Settings } from "../domain/ports/Settings.js"
import { TrackRepository } from "../domain/ports/TrackRepository.js"
import type { TrackInput } from "../domain/track.js"
import { LibraryIndexer } from "./library/library-indexer.js"

export interface QueueTrackRequest {
  readonly track: TrackInput | { readonly trackId: string }
  readonly priority?: number | undefined
  readonly qualityProfile?: string | undefined
}

/** Queue one track: stored in one transaction, idempotent by request key; the workers pick it up from the row. */
export class QueueTrackDownload extends Effect.Service<QueueTrackDownload>()("soulspot/QueueTrackDownload", {
  effect: Effect.gen(function*() {
    const downloads = yield* DownloadRepository
    const tracks = yield* TrackRepository
    const settings = yield* Settings
    const profiles = yield* QualityProfiles
    const library = yield* LibraryIndexer

    /** The named profile, or the configured default; an unknown name is refused before anything is stored. */
    const checkProfile = Effect.fn("QueueTrackDownload.checkProfile")(function*(name: string | undefined) {
      const chosen = name ?? (yield* settings.get(Setting.defaultProfile))
      if (Option.isNone(yield* profiles.get(chosen))) return yield* new UnknownProfile({ name: chosen })
      return chosen
    })

    const run = Effect.fn("QueueTrackDownload")(function*(req: QueueTrackRequest) {
      const priority = req.priority ?? 0
      const qualityProfile = yield* checkProfile(req.qualityProfile)
      let track
      if ("trackId" in req.track) {
        const id = req.track.trackId
        const found = yield* tracks.find(id)
        if (Option.isNone(found)) return yield* new TrackNotFound({ id })
        track = found.value
      } else {
        track = yield* tracks.upsert(req.track)
      }
      // a track already in the library is answered with that file instead of a search
      const fromLibrary = yield* library.answer(track, priority, qualityProfile)
      const result: QueueResult = Option.isSome(fromLibrary)
        ? { download: fromLibrary.value, created: true }
        : yield* downloads.queueTrack(track.id, priority, qualityProfile)
      yield* Effect.logInfo(result.created ? "download queued" : "track already queued or downloaded; returning the existing download")
        .pipe(Effect.annotateLogs({ download: result.download.id, status: result.download.status }))
      return result
    })
    return { run, checkProfile } as const
  })
}) {}
