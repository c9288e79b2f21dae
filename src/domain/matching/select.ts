/**
 * The one selection function: the workers, `cli match` and the UI all call `select`.
 * Pure: same input, same ranking, same reasons.
 */
import { analyseWanted, scoreFile, type Ranked, type WantedTrack } from "./score.js"
import type { QualityProfile } from "./profiles.js"
import type { PeerResponse } from "./types.js"

export type { Ranked, WantedTrack } from "./score.js"

export interface SelectOptions {
  /** User names never to download from (compared case-insensitively). */
  readonly blockedUsers?: ReadonlyArray<string> | undefined
}

export interface Selection {
  /** The best accepted candidate, or null: choosing nothing is better than choosing wrong. */
  readonly chosen: Ranked | null
  /** Every audio file seen (cover art, logs and playlists left out): accepted first, best first. */
  readonly candidates: ReadonlyArray<Ranked>
}

/** Accepted before rejected, then score, availability, and names for a stable order. */
export const compareRanked = (a: Ranked, b: Ranked): number =>
  Number(b.accepted) - Number(a.accepted)
  || b.score - a.score
  || b.identity - a.identity
  || b.availability - a.availability
  || (a.username < b.username ? -1 : a.username > b.username ? 1 : 0)
  || (a.filename < b.filename ? -1 : a.filename > b.filename ? 1 : 0)

export const select = (
  track: WantedTrack,
  responses: ReadonlyArray<PeerResponse>,
  profile: QualityProfile,
  options: SelectOptions = {}
): Selection => {
  const wanted = analyseWanted(track)
  const ctx = {
    profile,
    blockedUsers: new Set((options.blockedUsers ?? []).map((u) => u.toLowerCase()))
  }
  const seen = new Set<string>()
  const candidates: Array<Ranked> = []
  const add = (peer: PeerResponse, file: PeerResponse["files"][number], locked: boolean) => {
    const key = `${peer.username}\u0000${file.filename}`
    if (seen.has(key)) return
    seen.add(key)
    const ranked = scoreFile(wanted, { peer, file, locked }, ctx)
    if (ranked !== null) candidates.push(ranked)
  }
  for (const peer of responses) {
    for (const file of peer.lockedFiles ?? []) add(peer, file, true)
    for (const file of peer.files) add(peer, file, false)
  }
  candidates.sort(compareRanked)
  const first = candidates[0]
  return { chosen: first !== undefined && first.accepted ? first : null, candidates }
}
