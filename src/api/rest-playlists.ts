import { HttpApiBuilder } from "@effect/platform"
import { Effect, Either, Layer, ParseResult, Schema } from "effect"
import { ImportTrackList } from "../application/import-track-list.js"
import type { TrackListEntry } from "../domain/track-list.js"
import { CreateDownload, SoulSpotApi } from "./api.js"
import { Unprocessable } from "./errors.js"
import { trackFromPayload } from "./rest.js"

const decodeItem = Schema.decodeUnknownEither(CreateDownload)

/** The first useful complaint about one item, as "field: message". */
const itemMessage = (e: ParseResult.ParseError): string => {
  const issues = ParseResult.ArrayFormatter.formatErrorSync(e)
  const issue = issues.find((i) => !/^Expected undefined/.test(i.message)) ?? issues[0]
  if (!issue) return "is not a track"
  const path = issue.path.join(".")
  const message = issue.message.split("\n")[0]!
  return path && !message.startsWith(`${path}:`) ? `${path}: ${message}` : message
}

/** One batch item to a list entry, or why it is refused. Only TrackDTOs: a batch is a list of tracks to find. */
export const batchEntry = (item: unknown): Either.Either<TrackListEntry, string> => {
  if (typeof item !== "object" || item === null || Array.isArray(item)) return Either.left("must be a track object {title, artist, ...}")
  const decoded = decodeItem(item)
  if (Either.isLeft(decoded)) return Either.left(itemMessage(decoded.left))
  if (decoded.right.track_id !== undefined) return Either.left("track_id: not accepted in a batch; give title and artist")
  const track = Effect.runSync(Effect.either(trackFromPayload(decoded.right)))
  if (Either.isLeft(track)) return Either.left(track.left.message)
  return "trackId" in track.right ? Either.left("must be a track") : Either.right({ track: track.right, album: null })
}

const unprocessable = (e: { readonly message: string }) => Effect.fail(new Unprocessable({ message: e.message }))

export const BatchLive = HttpApiBuilder.group(SoulSpotApi, "batch", (handlers) => Effect.gen(function*() {
  const importer = yield* ImportTrackList
  return handlers.handle("batch", ({ payload }) => Effect.gen(function*() {
    const refused: Array<{ index: number; error: string; message: string }> = []
    const accepted: Array<{ index: number; entry: TrackListEntry }> = []
    payload.tracks.forEach((item, index) => {
      const entry = batchEntry(item)
      if (Either.isLeft(entry)) refused.push({ index, error: "BadRequest", message: `tracks.${index}: ${entry.left}` })
      else accepted.push({ index, entry: entry.right })
    })
    const results = yield* importer.queueTracks(accepted.map((a) => a.entry), {
      priority: payload.priority, qualityProfile: payload.quality_profile
    }).pipe(Effect.catchTag("UnknownProfile", unprocessable))
    const created = results.filter((r) => r.created).length
    return {
      created,
      existing: results.length - created,
      refused,
      downloads: results.map((r, i) => ({ index: accepted[i]!.index, id: r.download.id, status: r.download.status }))
    }
  }))
}))

export const PlaylistRestLive = Layer.mergeAll(BatchLive)
