import { Clock, Duration, Effect, Layer, Option, Random, Ref } from "effect"
import { Setting } from "../../config.js"
import type { Download } from "../../domain/download.js"
import { builtInProfile, DEFAULT_PROFILE_NAME, type QualityProfile } from "../../domain/matching/profiles.js"
import { queryLadder } from "../../domain/matching/query.js"
import { type Ranked, select, type WantedTrack } from "../../domain/matching/select.js"
import type { PeerResponse } from "../../domain/matching/types.js"
import { DownloadProvider, ProviderError } from "../../domain/ports/DownloadProvider.js"
import { type Candidate, DownloadRepository } from "../../domain/ports/DownloadRepository.js"
import { QualityProfiles } from "../../domain/ports/QualityProfiles.js"
import { SearchGate } from "../../domain/ports/SearchGate.js"
import { Settings } from "../../domain/ports/Settings.js"
import { TrackRepository } from "../../domain/ports/TrackRepository.js"
import { albumQuery, selectAlbumFolder } from "../../domain/matching/album.js"
import { afterFailure } from "../../domain/retry-policy.js"
import { waitingForSlskd } from "./download-worker.js"
import { Outage, Wakeups, workerLoop } from "./loop.js"

const BATCH = 8
/** Rejected candidates kept for the "why this file" view, after all accepted ones. */
const KEEP_REJECTED = 25

const iso = (ms: number) => new Date(ms).toISOString()

export interface SearchOutcome {
  readonly queries: ReadonlyArray<string>
  /** Queries slskd refused to run (HTTP 400), with its reason. */
  readonly refused?: ReadonlyArray<{ readonly query: string; readonly message: string }>
  readonly chosen: Ranked | null
  readonly candidates: ReadonlyArray<Ranked>
}

/**
 * QueueDispatcherWorker: WAITING → PENDING. Takes due downloads by priority then age; reuses
 * an untried candidate from the last search (another user first) before searching again;
 * otherwise walks the query ladder through the search budget until a file is acceptable.
 * Nothing acceptable → back to WAITING with backoff, FAILED when attempts run out; a query
 * slskd refuses (400) is skipped for the next rung. An slskd outage never costs an attempt:
 * the row waits until slskd is back (see Outage).
 */
export class QueueDispatcher extends Effect.Service<QueueDispatcher>()("soulspot/QueueDispatcher", {
  effect: Effect.gen(function*() {
    const repo = yield* DownloadRepository
    const tracks = yield* TrackRepository
    const provider = yield* DownloadProvider
    const settings = yield* Settings
    const budget = yield* SearchGate
    const profiles = yield* QualityProfiles
    const outage = yield* Outage

    // A profile deleted since the download was queued falls back to the default, never to nothing.
    const profileFor = (name: string): Effect.Effect<QualityProfile> => profiles.get(name).pipe(
      Effect.map(Option.orElse(() => builtInProfile(name))),
      Effect.map(Option.getOrElse(() => Option.getOrThrow(builtInProfile(DEFAULT_PROFILE_NAME)))))

    /** Runs the ladder; stops at the first query that yields an acceptable file. */
    const searchTrack = (label: string, wanted: WantedTrack, profile: QualityProfile, blockedUsers: ReadonlyArray<string>) =>
      Effect.gen(function*() {
        const queries: Array<string> = []
        const refused: Array<{ query: string; message: string }> = []
        const seen = new Map<string, Ranked>()
        for (const query of queryLadder(wanted)) {
          queries.push(query)
          const reply = yield* budget.withSearchSlot(provider.search(query)).pipe(
            Effect.map((responses) => ({ responses })),
            // slskd refuses some queries outright (all words one letter long, only exclusions): next rung
            Effect.catchIf((e) => e.reason === "Rejected" && e.status === 400, (e) => Effect.succeed({ refused: e.message })))
          if ("refused" in reply) {
            refused.push({ query, message: reply.refused })
            yield* Effect.logInfo(`${label}: slskd cannot run the search "${query}": ${reply.refused}`)
            continue
          }
          yield* outage.resume
          const responses: ReadonlyArray<PeerResponse> = reply.responses
          const result = select(wanted, responses, profile, { blockedUsers })
          for (const c of result.candidates) if (!seen.has(`${c.username}\u0000${c.filename}`)) seen.set(`${c.username}\u0000${c.filename}`, c)
          yield* Effect.logInfo(`${label}: search "${query}": ${responses.length} peers, ${result.candidates.filter((c) => c.accepted).length} acceptable files`)
          if (result.chosen) break
        }
        const all = [...seen.values()].sort((a, b) => Number(b.accepted) - Number(a.accepted) || b.score - a.score)
        return { queries, refused, chosen: all[0]?.accepted ? all[0] : null, candidates: all } satisfies SearchOutcome
      })

    const toPending = (d: Download, c: { username: string; filename: string; size: number }, why: string) =>
      repo.updateStatus(d.id, "PENDING", { username: c.username, filename: c.filename, size: c.size, error: null, nextAttemptAt: null }).pipe(
        Effect.tap(() => Effect.logInfo(`${d.id}: chose ${c.filename} from ${c.username} (${why})`)))

    const noFile = (d: Download, outcome: SearchOutcome) => Effect.gen(function*() {
      const now = yield* Clock.currentTimeMillis
      const refused = outcome.refused ?? []
      const unsearchable = refused.length > 0 && refused.length === outcome.queries.length
      const decision = afterFailure(unsearchable ? "unsearchable" : "no-file", d.attempts, {
        maxAttempts: yield* settings.get(Setting.maxAttempts),
        baseDelayMillis: Duration.toMillis(yield* settings.get(Setting.retryBaseDelay))
      }, yield* Random.next)
      const attempts = decision.attempts
      const best = outcome.candidates.slice(0, 3).map((c) => `${c.filename.split(/[\\/]/).pop()}: ${c.reasons.filter((r) => r.startsWith("rejected")).join(", ") || c.reasons[0] || "not good enough"}`)
      const reason = unsearchable
        ? `slskd cannot run the search for this track: ${refused.map((r) => `"${r.query}": ${r.message}`).join("; ")}`
        : outcome.candidates.length === 0
        ? `no acceptable file found: nobody shared a match for ${outcome.queries.map((q) => `"${q}"`).join(", ")}`
        : `no acceptable file found; best rejected: ${best.join("; ")}`
      if (decision.next === "FAILED") {
        yield* repo.updateStatus(d.id, "FAILED", { attempts, error: reason })
        yield* Effect.logInfo(`${d.id}: FAILED after ${attempts} attempts: ${reason}`)
        return
      }
      const delay = decision.delayMillis ?? 0
      yield* repo.applyChanges([{ id: d.id, patch: { attempts, error: reason, nextAttemptAt: iso(now + delay) } }])
      yield* Effect.logInfo(`${d.id}: ${reason}; searching again in ${Math.round(delay / 1000)} s`)
    })

    const save = (d: Download, outcome: SearchOutcome) => {
      const accepted = outcome.candidates.filter((c) => c.accepted)
      const rejected = outcome.candidates.filter((c) => !c.accepted).slice(0, KEEP_REJECTED)
      const query = outcome.queries[outcome.queries.length - 1] ?? null
      return repo.saveCandidates(d.id, [...accepted, ...rejected].map((c, i): Omit<Candidate, "outcome"> => ({
        rank: i + 1, username: c.username, filename: c.filename, size: c.size, score: c.score,
        accepted: c.accepted, reasons: c.reasons, query
      })))
    }

    /** true = carry on with the next download; false = slskd is out, stop this tick. */
    const dispatchOne = (d: Download) => Effect.gen(function*() {
      // A file chosen before an outage or a crash: try that one again first (the provider adopts it if slskd has it).
      if (d.username !== null && d.filename !== null && d.size !== null) {
        yield* toPending(d, { username: d.username, filename: d.filename, size: d.size }, "resuming the file chosen before")
        return true
      }
      const previous = yield* repo.candidates(d.id)
      const failedUsers = [...new Set(previous.filter((c) => c.outcome?.startsWith("failed")).map((c) => c.username))]
      const untried = previous.filter((c) => c.accepted && c.outcome === null)
      const next = untried.find((c) => !failedUsers.includes(c.username)) ?? untried[0]
      if (next) {
        yield* repo.markCandidate(d.id, next.rank, "tried")
        yield* toPending(d, next, `next candidate #${next.rank} from the last search`)
        return true
      }
      const profile = yield* profileFor(d.qualityProfile)
      const outcome = yield* searchTrack(d.id, wantedOf(d), profile, failedUsers)
      yield* save(d, outcome)
      if (outcome.chosen) {
        yield* repo.markCandidate(d.id, 1, "tried")
        yield* toPending(d, outcome.chosen, `score ${outcome.chosen.score.toFixed(1)}: ${outcome.chosen.reasons.slice(0, 3).join(", ")}`)
      } else {
        yield* noFile(d, outcome)
      }
      return true
    }).pipe(
      Effect.catchTag("IllegalTransition", () => Effect.succeed(true)), // cancelled meanwhile
      Effect.catchTag("DownloadNotFound", () => Effect.succeed(true)),
      Effect.catchTag("ProviderError", (e: ProviderError) => Effect.gen(function*() {
        const now = yield* Clock.currentTimeMillis
        const busy = e.reason === "RateLimited"
        const decision = afterFailure(busy ? "busy" : "outage", d.attempts, { maxAttempts: 1, baseDelayMillis: 0 }, 0.5, e.retryAfterMillis)
        // Busy: a short pause. Out: set aside until slskd is back (recovery makes it due at once);
        // the dispatch interval is only the fallback should that signal never come.
        const wait = decision.delayMillis ?? Duration.toMillis(yield* settings.get(Setting.dispatchInterval))
        if (busy) yield* budget.penalise(wait)
        yield* repo.applyChanges([{ id: d.id, patch: { error: waitingForSlskd(e), nextAttemptAt: iso(now + wait) } }])
        if (!busy) yield* outage.pause(e.message, d.id)
        yield* Effect.logWarning(`${d.id}: search paused (${busy ? `${Math.round(wait / 1000)} s` : "until slskd is back"}): ${e.message}`)
        return false
      }))
    )

    const wantedOf = (d: Download) => ({
      title: d.track.title, artist: d.track.artist, album: d.track.album, durationMs: d.track.durationMs, trackNumber: d.track.trackNumber
    })

    /**
     * Several never-searched downloads of one album: one search for the album, and the peer
     * folder holding the most of them (one format preferred) supplies all it can. What it lacks
     * is left to the per-track search that follows.
     */
    const albumPass = Effect.gen(function*() {
      const now = yield* Clock.currentTimeMillis
      const fresh = (yield* repo.getWaitingDue(iso(now), 1000))
        .filter((d) => d.attempts === 0 && d.username === null && d.error === null)
      if (fresh.length < 2) return
      const albums = yield* tracks.albumsOfTracks(fresh.map((d) => d.trackId))
      const handled = new Set<string>()
      for (const [albumId, trackIds] of albums) {
        const members = fresh.filter((d) => trackIds.includes(d.trackId) && !handled.has(d.id))
        if (members.length < 2) continue
        const album = yield* tracks.findAlbumById(albumId)
        if (Option.isNone(album)) continue
        members.forEach((d) => handled.add(d.id))
        const { title, artist } = album.value.album
        const profile = yield* profileFor(members[0]!.qualityProfile)
        const query = albumQuery(artist, title)
        const responses: ReadonlyArray<PeerResponse> = yield* budget.withSearchSlot(provider.search(query))
        const wanted = members.map(wantedOf)
        const choice = selectAlbumFolder(wanted, responses, profile)
        yield* Effect.logInfo(choice
          ? `album "${title}": 1 search, folder ${choice.directory} from ${choice.username} has ${choice.covered} of ${members.length} wanted tracks${choice.uniformFormat ? " in one format" : ""}`
          : `album "${title}": 1 search, no folder holds two or more of the ${members.length} wanted tracks; searching per track`)
        if (!choice) continue
        for (const [i, d] of members.entries()) {
          const pick = choice.picks[i]
          if (!pick) continue
          const others = select(wanted[i]!, responses, profile).candidates.filter((c) => !(c.username === pick.username && c.filename === pick.filename))
          yield* save(d, { queries: [query], chosen: pick, candidates: [pick, ...others] })
          yield* repo.markCandidate(d.id, 1, "tried")
          yield* toPending(d, pick, `album folder from ${pick.username}, score ${pick.score.toFixed(1)}`).pipe(
            Effect.catchTag("IllegalTransition", () => Effect.void))
        }
      }
    }).pipe(
      Effect.catchTag("ProviderError", (e) => Effect.logWarning(`album search skipped: ${e.message}`)),
      Effect.catchTag("DownloadNotFound", () => Effect.void)
    )

    const tick = Effect.gen(function*() {
      // paused by an outage: no search until slskd answers again
      if (!(yield* outage.ready)) return
      yield* albumPass
      while (true) {
        const now = yield* Clock.currentTimeMillis
        const due = yield* repo.getWaitingDue(iso(now), BATCH)
        if (due.length === 0) return
        // Two at a time (the search budget allows two searches in flight); once slskd is out, no
        // further row starts: they wait for slskd like the one that found it out.
        const out = yield* Ref.make(false)
        yield* Effect.forEach(due, (d) => Effect.flatMap(Ref.get(out), (stop) => stop
          ? Effect.void
          : Effect.flatMap(dispatchOne(d), (ok) => ok ? Effect.void : Ref.set(out, true))), { concurrency: 2, discard: true })
        if (yield* Ref.get(out)) return
      }
    })

    /** Milliseconds until the earliest WAITING row falls due, so the loop can wake for it. */
    const untilNextDue = Effect.gen(function*() {
      const now = yield* Clock.currentTimeMillis
      const next = yield* repo.nextWaitingAt(iso(now))
      return Option.map(next, (at) => Math.max(0, Date.parse(at) - now))
    })

    /** The same search and selection the worker would run, without touching any download ("why this file" preview). */
    const preview = (wanted: WantedTrack, profileName: string) =>
      Effect.flatMap(profileFor(profileName), (profile) => searchTrack("preview", wanted, profile, []))

    return { tick, untilNextDue, preview } as const
  })
}) {}

export const QueueDispatcherWorkerLive = Layer.scopedDiscard(Effect.gen(function*() {
  const dispatcher = yield* QueueDispatcher
  const settings = yield* Settings
  const wakeups = yield* Wakeups
  const outage = yield* Outage
  // Sleep for the interval, or less when a retry falls due sooner; while slskd is out, due rows
  // wait for the wake-up that comes with recovery (the interval is only the fallback).
  const interval = Effect.gen(function*() {
    const every = Duration.toMillis(yield* settings.get(Setting.dispatchInterval))
    if (yield* outage.isPaused) return Duration.millis(every)
    const due = yield* dispatcher.untilNextDue
    return Duration.millis(Option.match(due, { onNone: () => every, onSome: (ms) => Math.min(every, ms + 1) }))
  })
  yield* Effect.forkScoped(workerLoop("queue-dispatcher", dispatcher.tick, interval, wakeups.dispatcher))
}))
