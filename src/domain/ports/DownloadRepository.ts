import { Context, type Effect, type Either, type Option, Schema } from "effect"
import type { Download, DownloadStatus, IllegalTransition } from "../download.js"
import type { DownloadNotFound, StatusConflict } from "../errors.js"
import type { Ranked } from "../matching/score.js"
import type { TrackInput } from "../track.js"

/** Fields a status change or a progress update may set; absent means unchanged. */
export interface DownloadPatch {
  readonly slskdId?: string | null
  readonly username?: string | null
  readonly filename?: string | null
  readonly size?: number | null
  readonly bytesTransferred?: number
  readonly speedBps?: number
  readonly etaSeconds?: number | null
  readonly attempts?: number
  readonly nextAttemptAt?: string | null
  readonly error?: string | null
  readonly priority?: number
  readonly qualityProfile?: string
  readonly progressAt?: string | null
  readonly paused?: boolean
}

export interface DownloadChange {
  readonly id: string
  /** Target status; omitted for a progress-only update. */
  readonly status?: DownloadStatus
  readonly patch: DownloadPatch
}

/** A change to one download: a status to move to (omitted: status kept) and the fields to set. */
export interface DownloadChangeSpec {
  readonly status?: DownloadStatus
  readonly patch: DownloadPatch
}

export interface QueueRequest {
  readonly track: TrackInput
  readonly priority: number
  readonly qualityProfile: string
}

/** created = false: the same track was already active or completed, and that download is returned. */
export interface QueueResult {
  readonly download: Download
  readonly created: boolean
}

/** A `cursor` that is not one this service handed out (or is for another list). */
export class InvalidCursor extends Schema.TaggedError<InvalidCursor>()("InvalidCursor", {}) {
  override get message() {
    return "cursor: not a cursor from next_cursor of this list"
  }
}

interface PageFilter {
  readonly limit: number
  /** Opaque, from `nextCursor` of the page before. */
  readonly cursor?: string | undefined
  /** Words that must all start a word of the title, artist or album. */
  readonly q?: string | undefined
  readonly statuses?: ReadonlyArray<DownloadStatus> | undefined
}

/** Every download, newest first; `offset` is the older way to page (ignored with a cursor). */
export interface ListFilter extends PageFilter {
  readonly offset?: number | undefined
}

/** WAITING..DOWNLOADING (statuses narrow that), priority desc, then oldest first, then id. */
export type ActiveFilter = PageFilter

export interface Page {
  readonly downloads: ReadonlyArray<Download>
  /** All rows matching the filter, not only this page. */
  readonly total: number
  /** null on the last page. */
  readonly nextCursor: string | null
}

export interface DownloadStats {
  readonly waiting: number
  readonly pending: number
  readonly queued: number
  readonly downloading: number
  readonly completed: number
  readonly failed: number
  readonly cancelled: number
  readonly total: number
  readonly completedToday: number
  readonly failedToday: number
}

/** A scored file of a download's last search, as stored: its rank, the query that found it, and what became of it. */
export interface Candidate extends Pick<Ranked, "username" | "filename" | "size" | "score" | "accepted" | "reasons"> {
  readonly rank: number
  readonly query: string | null
  /** null = not tried yet; otherwise why it was given up. */
  readonly outcome: string | null
}

export class DownloadRepository extends Context.Tag("soulspot/DownloadRepository")<DownloadRepository, {
  /** Upserts the track by request key and creates a WAITING download unless one is active or completed. */
  readonly queue: (request: QueueRequest) => Effect.Effect<QueueResult>
  /** Same for an already stored track. */
  readonly queueTrack: (trackId: string, priority: number, qualityProfile: string) => Effect.Effect<QueueResult>
  /**
   * queueTrack for many stored tracks (an album) in one transaction, results in the given order;
   * events for the new downloads are published after the commit.
   */
  readonly queueTracks: (trackIds: ReadonlyArray<string>, priority: number, qualityProfile: string) => Effect.Effect<ReadonlyArray<QueueResult>>
  readonly find: (id: string) => Effect.Effect<Option.Option<Download>>
  readonly get: (id: string) => Effect.Effect<Download, DownloadNotFound>
  readonly list: (filter: ListFilter) => Effect.Effect<Page, InvalidCursor>
  /** One page of WAITING..DOWNLOADING; the cursor stays valid while rows change status. */
  readonly listActive: (filter: ActiveFilter) => Effect.Effect<Page, InvalidCursor>
  /** Terminal downloads updated at or after `since` (ISO), newest first. */
  readonly listFinishedSince: (since: string, limit: number) => Effect.Effect<ReadonlyArray<Download>>
  /** WAITING downloads whose next attempt is due, priority desc then created_at; reads `limit` rows off an index. */
  readonly getWaitingDue: (now: string, limit: number) => Effect.Effect<ReadonlyArray<Download>>
  /** Earliest next_attempt_at among WAITING downloads that are not due yet. */
  readonly nextWaitingAt: (now: string) => Effect.Effect<Option.Option<string>>
  readonly getPending: Effect.Effect<ReadonlyArray<Download>>
  /** QUEUED and DOWNLOADING: the rows the status sync follows. */
  readonly getInFlight: Effect.Effect<ReadonlyArray<Download>>
  /** Checks the move against the domain rule inside the same transaction. */
  readonly updateStatus: (id: string, to: DownloadStatus, patch?: DownloadPatch) => Effect.Effect<Download, DownloadNotFound | IllegalTransition>
  /**
   * Many changes in one transaction (a sync tick). Illegal moves are skipped and reported.
   * `known`: the rows as the caller read them, so unchanged-status rows need not be read back.
   */
  readonly applyChanges: (changes: ReadonlyArray<DownloadChange>, known?: ReadonlyMap<string, Download>) => Effect.Effect<{ readonly applied: ReadonlyArray<Download>; readonly rejected: ReadonlyArray<IllegalTransition & { readonly id: string }> }>
  /**
   * Reads one download, lets `decide` (a domain rule) refuse or shape the change, and writes it,
   * all in one transaction. Answers the row before and after.
   */
  readonly modify: (id: string, decide: (d: Download) => Either.Either<DownloadChangeSpec, StatusConflict>) =>
    Effect.Effect<{ readonly before: Download; readonly after: Download }, DownloadNotFound | StatusConflict>
  /** Ids of every download in these statuses, oldest first (bulk actions over a whole status). */
  readonly idsWithStatus: (statuses: ReadonlyArray<DownloadStatus>) => Effect.Effect<ReadonlyArray<string>>
  /** Deletes these downloads if they are finished (with their candidates and import); answers the ids deleted. */
  readonly remove: (ids: ReadonlyArray<string>) => Effect.Effect<ReadonlyArray<string>>
  readonly stats: (todayStart: string) => Effect.Effect<DownloadStats>
  /** Sets the priority of these downloads in one transaction; answers the ones that exist. */
  readonly setPriority: (ids: ReadonlyArray<string>, priority: number) => Effect.Effect<ReadonlyArray<Download>>
  /** The highest priority among active downloads (0 when none). */
  readonly maxActivePriority: Effect.Effect<number>
  /** The highest priority among the other active downloads (-1000 when there are none). */
  readonly highestOtherPriority: (id: string) => Effect.Effect<number>
  /**
   * Active downloads of the same album as this one: the stored album(s) of its track, else the
   * same artist and album text. Includes the download itself when it is active.
   */
  readonly albumMates: (id: string) => Effect.Effect<ReadonlyArray<string>, DownloadNotFound>
  readonly saveCandidates: (downloadId: string, candidates: ReadonlyArray<Omit<Candidate, "outcome">>) => Effect.Effect<void>
  readonly candidates: (downloadId: string) => Effect.Effect<ReadonlyArray<Candidate>>
  readonly markCandidate: (downloadId: string, rank: number, outcome: string) => Effect.Effect<void>
  /** Marks the candidate with this user and file as failed, so retries move on to another. */
  readonly markFailedCandidate: (downloadId: string, username: string, filename: string, reason: string) => Effect.Effect<void>
  /** Sets the outcome of the candidate with this user and file (e.g. given up by the user). */
  readonly markCandidateFile: (downloadId: string, username: string, filename: string, outcome: string) => Effect.Effect<void>
}>() {}
