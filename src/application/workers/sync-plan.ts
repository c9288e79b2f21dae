import type { Download } from "../../domain/download.js"
import type { DownloadChange } from "../../domain/ports/DownloadRepository.js"
import { type TransferSnapshot, type TransferStatus, transferKey } from "../../domain/ports/DownloadProvider.js"
import { afterFailure } from "../../domain/retry-policy.js"

export interface SyncLimits {
  readonly now: number
  readonly maxAttempts: number
  readonly retryBaseMillis: number
  readonly remoteQueueTimeoutMillis: number
  readonly stallTimeoutMillis: number
  /** After an slskd restart, how long slskd may take (once logged in) to resume a transfer itself. */
  readonly restartGraceMillis: number
  /** How long slskd has been logged in to Soulseek as far as we saw; null = not logged in or not asked. */
  readonly loggedInForMillis: number | null
  /** Remove the records of transfers whose end we saw from slskd's list. */
  readonly removeFinished: boolean
  readonly random: () => number
}

type TransferRef = { readonly username: string; readonly id: string }

export interface SyncPlan {
  readonly changes: ReadonlyArray<DownloadChange>
  /** Transfers to cancel in slskd (stalled or timed out ones we give up on; the record is removed once cancelled). */
  readonly cancels: ReadonlyArray<TransferRef>
  /** Finished transfers whose records leave slskd's list. */
  readonly removals: ReadonlyArray<TransferRef>
  /** Candidates that failed, to be marked so a retry picks another. */
  readonly failedCandidates: ReadonlyArray<{ readonly downloadId: string; readonly username: string; readonly filename: string; readonly reason: string }>
  /** One line per decision, for the log. */
  readonly decisions: ReadonlyArray<string>
}

const has = (t: TransferStatus, flag: string) => t.state.includes(flag)
const iso = (ms: number) => new Date(ms).toISOString()
const age = (since: string | null, now: number) => (since === null ? 0 : now - Date.parse(since))
const requested = (t: TransferStatus) => (t.requestedAt === null ? 0 : Date.parse(t.requestedAt))

/** The exception slskd writes on every download that was active when it last stopped (Application.cs). */
const APPLICATION_SHUT_DOWN = "Application shut down"

/** slskd 0.26 retries errors and timeouts itself, 3 attempts in all, the last pause at most 60 s (DownloadService.cs). */
const SLSKD_RETRY_ATTEMPTS = 3
const SLSKD_RETRY_WINDOW_MS = 90_000

export const endedByRestart = (t: TransferStatus): boolean => has(t, "Completed") && t.exception === APPLICATION_SHUT_DOWN

/**
 * The record that stands for this row: its id, unless slskd holds a newer record of the same
 * user and file (slskd's own re-enqueue after a restart gives a new id), else one looked up by id
 * (removed records included) because the listing no longer had it.
 */
export const transferFor = (d: Download, snapshot: TransferSnapshot, looked: ReadonlyMap<string, TransferStatus>): TransferStatus | undefined => {
  const byId = d.slskdId ? snapshot.byId.get(d.slskdId) : undefined
  const byKey = d.username && d.filename ? snapshot.byKey.get(transferKey(d.username, d.filename)) : undefined
  if (byId && byKey && byKey.id !== byId.id && requested(byKey) > requested(byId)) return byKey
  return byId ?? byKey ?? (d.slskdId ? looked.get(d.slskdId) : undefined)
}

/** Rows the listing does not account for: look these up by id before calling them lost. */
export const missingFrom = (rows: ReadonlyArray<Download>, snapshot: TransferSnapshot): ReadonlyArray<Download> =>
  rows.filter((d) => (d.status === "QUEUED" || d.status === "DOWNLOADING") && d.slskdId !== null
    && transferFor(d, snapshot, new Map()) === undefined)

/** 0.26 will run this failed transfer again by itself: it counts attempts, and the last end is recent. */
const slskdWillRetry = (t: TransferStatus, now: number) =>
  (has(t, "Errored") || has(t, "TimedOut")) && t.attempts >= 1 && t.attempts < SLSKD_RETRY_ATTEMPTS
  && age(t.endedAt, now) < SLSKD_RETRY_WINDOW_MS

/**
 * Decides, for every QUEUED/DOWNLOADING row, what slskd's listing means: progress, completion,
 * failure (→ the retry policy), a stall, a wait in a queue past its limit, or an end caused by
 * slskd's own restart. Pure: no I/O, no clock.
 */
export const planSync = (
  rows: ReadonlyArray<Download>,
  snapshot: TransferSnapshot,
  limits: SyncLimits,
  looked: ReadonlyMap<string, TransferStatus> = new Map()
): SyncPlan => {
  const changes: Array<DownloadChange> = []
  const cancels: Array<TransferRef> = []
  const removals: Array<TransferRef> = []
  const failedCandidates: Array<{ downloadId: string; username: string; filename: string; reason: string }> = []
  const decisions: Array<string> = []
  const { now } = limits

  const giveUp = (d: Download, reason: string) => {
    const decision = afterFailure("candidate", d.attempts, { maxAttempts: limits.maxAttempts, baseDelayMillis: limits.retryBaseMillis }, limits.random())
    if (d.username && d.filename) failedCandidates.push({ downloadId: d.id, username: d.username, filename: d.filename, reason })
    if (decision.next === "FAILED") {
      changes.push({ id: d.id, status: "FAILED", patch: { attempts: decision.attempts, error: `${reason} (gave up after ${decision.attempts} attempts)`, speedBps: 0, etaSeconds: null } })
      decisions.push(`${d.id}: FAILED after ${decision.attempts} attempts: ${reason}`)
      return
    }
    const delay = decision.delayMillis ?? 0
    changes.push({
      id: d.id, status: "WAITING",
      patch: {
        attempts: decision.attempts, error: reason, nextAttemptAt: iso(now + delay), slskdId: null, username: null, filename: null, size: null,
        bytesTransferred: 0, progressAt: null
      }
    })
    decisions.push(`${d.id}: retry in ${Math.round(delay / 1000)} s with another file: ${reason}`)
  }

  for (const d of rows) {
    if (d.status !== "QUEUED" && d.status !== "DOWNLOADING") continue
    const t = transferFor(d, snapshot, looked)
    if (!t) {
      giveUp(d, "the transfer is no longer listed in slskd, and slskd does not know its id")
      continue
    }
    const ref = { username: t.username, id: t.id }
    // slskd gives a new id after its own restart: follow the file, keep the new id.
    const idPatch = t.id !== d.slskdId ? { slskdId: t.id } : {}
    if (t.id !== d.slskdId) decisions.push(`${d.id}: slskd transfer id changed ${d.slskdId ?? "none"} → ${t.id}; adopted`)

    if (has(t, "Completed")) {
      if (has(t, "Succeeded")) {
        if (d.status === "QUEUED") changes.push({ id: d.id, status: "DOWNLOADING", patch: idPatch })
        changes.push({
          id: d.id, status: "COMPLETED",
          patch: { ...idPatch, bytesTransferred: t.size, speedBps: 0, etaSeconds: null, error: null, nextAttemptAt: null }
        })
        if (limits.removeFinished) removals.push(ref)
        decisions.push(`${d.id}: completed (${t.size} bytes from ${t.username})`)
        continue
      }
      if (endedByRestart(t)) {
        // Not the file's fault: slskd re-enqueues it itself once logged in. Only if it has not after
        // the grace period do we enqueue the same file (the download worker adopts whatever slskd made).
        const loggedIn = limits.loggedInForMillis
        if (loggedIn !== null && loggedIn >= limits.restartGraceMillis) {
          changes.push({
            id: d.id, status: "WAITING",
            patch: { slskdId: null, nextAttemptAt: null, speedBps: 0, etaSeconds: null, progressAt: null, error: `slskd restarted and did not resume the transfer within ${Math.round(limits.restartGraceMillis / 1000)} s; enqueueing it again` }
          })
          decisions.push(`${d.id}: slskd restarted and has not resumed ${t.filename}; enqueueing the same file again`)
          continue
        }
        const error = "slskd restarted; waiting for it to resume the transfer"
        if (d.error !== error) {
          changes.push({ id: d.id, patch: { ...idPatch, error, speedBps: 0, etaSeconds: null } })
          decisions.push(`${d.id}: slskd restarted under the transfer of ${t.filename}; waiting for slskd to resume it`)
        }
        continue
      }
      const what = t.state.filter((s) => s !== "Completed").join(", ") || "ended"
      if (slskdWillRetry(t, now)) {
        const error = `transfer ${what.toLowerCase()} (attempt ${t.attempts}); slskd retries it`
        if (d.error !== error) {
          changes.push({ id: d.id, patch: { ...idPatch, error } })
          decisions.push(`${d.id}: transfer ${what} on slskd's attempt ${t.attempts}; waiting for slskd's own retry`)
        }
        continue
      }
      // A timed-out transfer may still be running inside slskd: cancel it so the file never arrives twice.
      if (has(t, "TimedOut")) cancels.push(ref)
      else if (limits.removeFinished) removals.push(ref)
      giveUp(d, `transfer ${what.toLowerCase()}${t.exception ? `: ${t.exception}` : ""} (peer ${t.username})`)
      continue
    }

    const started = has(t, "InProgress") || has(t, "Initializing")
    // A record adopted under a new id starts its own count: progress and queue time start afresh.
    const fresh = t.id !== d.slskdId
    const lastProgressAt = fresh ? null : d.progressAt
    const moved = t.bytesTransferred > (fresh ? 0 : d.bytesTransferred)
    const progressAt = moved || lastProgressAt === null ? iso(now) : lastProgressAt
    const errorPatch = d.error !== null ? { error: null } : {}

    if (!started) {
      // Waiting in our or the peer's queue (also a running download that fell back into one): fine for a while, not forever.
      if (age(lastProgressAt, now) > limits.remoteQueueTimeoutMillis) {
        cancels.push(ref)
        giveUp(d, `waited in ${t.username}'s queue for more than ${Math.round(limits.remoteQueueTimeoutMillis / 60000)} min`)
        continue
      }
      const patch = { ...idPatch, ...errorPatch, ...(lastProgressAt === null ? { progressAt } : {}) }
      if (Object.keys(patch).length > 0) changes.push({ id: d.id, patch })
      continue
    }

    if (!moved && age(lastProgressAt, now) > limits.stallTimeoutMillis && d.status === "DOWNLOADING") {
      cancels.push(ref)
      giveUp(d, `no data from ${t.username} for more than ${Math.round(limits.stallTimeoutMillis / 1000)} s`)
      continue
    }

    const speed = Math.round(t.averageSpeed)
    const eta = t.remainingSeconds === null ? null : Math.round(t.remainingSeconds)
    const unchanged = d.status === "DOWNLOADING" && !moved && d.speedBps === speed && d.etaSeconds === eta && !idPatch.slskdId && d.error === null
    if (unchanged) continue
    if (d.status === "QUEUED") decisions.push(`${d.id}: started downloading from ${t.username}`)
    changes.push({
      id: d.id,
      ...(d.status === "QUEUED" ? { status: "DOWNLOADING" as const } : {}),
      patch: { ...idPatch, ...errorPatch, bytesTransferred: t.bytesTransferred, speedBps: speed, etaSeconds: eta, progressAt: moved || d.status === "QUEUED" ? iso(now) : progressAt }
    })
  }
  return { changes, cancels, removals, failedCandidates, decisions }
}
