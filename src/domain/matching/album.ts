/**
 * Album-folder selection: one search for "artist album", then the peer folder that holds the
 * most wanted tracks (ideally all, in one format) wins. Each track is still chosen by `select`,
 * only among that folder's files, so the same gates and reasons apply. Pure.
 */
import { primaryArtist, stripBrackets } from "./normalise.js"
import type { QualityProfile } from "./profiles.js"
import { searchSafe } from "./query.js"
import { type Ranked, select, type SelectOptions, type WantedTrack } from "./select.js"
import type { PeerFile, PeerResponse } from "./types.js"

export interface AlbumFolderChoice {
  readonly username: string
  readonly directory: string
  /** One entry per wanted track, in order: the file from this folder, or null when the folder lacks it. */
  readonly picks: ReadonlyArray<Ranked | null>
  readonly covered: number
  readonly uniformFormat: boolean
}

export const albumQuery = (artist: string, album: string): string =>
  searchSafe(`${primaryArtist(artist)} ${stripBrackets(album) || album}`)

export const directoryOf = (filename: string): string => {
  const cut = Math.max(filename.lastIndexOf("\\"), filename.lastIndexOf("/"))
  return cut < 0 ? "" : filename.slice(0, cut)
}

const byDirectory = (files: ReadonlyArray<PeerFile>): Map<string, Array<PeerFile>> => {
  const out = new Map<string, Array<PeerFile>>()
  for (const f of files) {
    const dir = directoryOf(f.filename)
    out.set(dir, [...(out.get(dir) ?? []), f])
  }
  return out
}

/**
 * The best folder for these tracks, or null when no folder holds at least two of them.
 * Ranking: tracks covered, then one format for all, then the mean score of the picks.
 */
export const selectAlbumFolder = (
  wanted: ReadonlyArray<WantedTrack>,
  responses: ReadonlyArray<PeerResponse>,
  profile: QualityProfile,
  options: SelectOptions = {}
): AlbumFolderChoice | null => {
  let best: { choice: AlbumFolderChoice; rank: number } | null = null
  for (const peer of responses) {
    const open = byDirectory(peer.files)
    const locked = byDirectory(peer.lockedFiles ?? [])
    for (const [directory, files] of open) {
      if (files.length < 2) continue
      const folder: PeerResponse = { ...peer, files, lockedFiles: locked.get(directory) ?? [] }
      const picks: Array<Ranked | null> = wanted.map((t) => select(t, [folder], profile, options).chosen)
      // one file can only be one track: keep it for the track it suits best
      const owner = new Map<string, number>()
      picks.forEach((p, i) => {
        if (!p) return
        const prev = owner.get(p.filename)
        if (prev === undefined || (picks[prev]?.score ?? 0) < p.score) owner.set(p.filename, i)
      })
      const distinct = picks.map((p, i) => (p && owner.get(p.filename) === i ? p : null))
      const chosen = distinct.filter((p): p is Ranked => p !== null)
      if (chosen.length < 2) continue
      const uniformFormat = new Set(chosen.map((p) => p.format)).size === 1
      const mean = chosen.reduce((a, p) => a + p.score, 0) / chosen.length
      const rank = chosen.length * 1000 + (uniformFormat ? 100 : 0) + mean
      if (!best || rank > best.rank) {
        best = { rank, choice: { username: peer.username, directory, picks: distinct, covered: chosen.length, uniformFormat } }
      }
    }
  }
  return best?.choice ?? null
}
