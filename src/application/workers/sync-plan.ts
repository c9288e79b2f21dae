import type { Download } from "../../domain/download.js"
import type { DownloadChange } from "../../domain/ports/DownloadRepository.js"
import { type TransferSnapshot, type TransferStatus, transferKey } from "../../domain/ports/DownloadProvider.js"
import { backoffMillis } from "../../domain/retry.js"

export interface SyncLimits {
  readonly now: number
  readonly maxAttempts: number
  readonly retryBaseMillis: number
  readonly remoteQueueTimeoutMillis: number
  readonly stallTimeoutMillis: number
  /** Transfers seen failed (Errored/TimedOut) on the previous tick: slskd 0.26 may still retry those itself. */
  readonly seenFailing: ReadonlySet<string>
  readonly random: () => number
}

export interface SyncPlan {
  readonly changes: ReadonlyArray<DownloadChange>
  /** Transfers to cancel in slskd (stalled ones we give up on). */
  readonly cancels: ReadonlyArray<{ readonly username: string; readonly id: string }>
  /** Candidates that failed, to be marked so a retry picks another. */
  readonly failedCandidates: ReadonlyArray<{ readonly downloadId: string; readonly username: string; readonly filename: string; readonly reason: string }>
  readonly failingNow: ReadonlySet<string>
  /** One line per decision, for the log. */
  readonly decisions: ReadonlyArray<string>
}

const has = (t: TransferStatus, flag: string) => t.state.includes(flag)
const iso = (ms: number) => new Date(ms).toISOString()
const age = (since: string | null, now: number) => (since === null ? 0 : now - Date.parse(since))

/** slskd retries these by itself in 0.26; give it one tick to show the retry before we move on. */
const RETRIED_BY_SLSKD = ["Errored", "TimedOut"]

/**
 * Decides, for every QUEUED/DOWNLOADING row, what the one slskd listing means: progress,
 * completion, failure (→ retry elsewhere or FAILED), or a stall. Pure: no I/O, no clock.
 */
export const planSync = (rows: ReadonlyArray<Download>, snapshot: TransferSnapshot, limits: SyncLimits): SyncPlan => {
  const changes: Array<DownloadChange> = []
  const cancels: Array<{ username: string; id: string }> = []
  const failedCandidates: Array<{ downloadId: string; username: string; filename: string; reason: string }> = []
  const failingNow = new Set<string>()
  const decisions: Array<string> = []
  const { now } = limits

  const giveUp = (d: Download, reason: string) => {
    const attempts = d.attempts + 1
    if (d.username && d.filename) failedCandidates.push({ downloadId: d.id, username: d.username, filename: d.filename, reason })
    if (attempts >= limits.maxAttempts) {
      changes.push({ id: d.id, status: "FAILED", patch: { attempts, error: `${reason} (gave up after ${attempts} attempts)`, speedBps: 0, etaSeconds: null } })
      decisions.push(`${d.id}: FAILED after ${attempts} attempts: ${reason}`)
      return
    }
    const delay = backoffMillis(attempts, limits.retryBaseMillis, limits.random())
    changes.push({
      id: d.id, status: "WAITING",
      patch: {
        attempts, error: reason, nextAttemptAt: iso(now + delay), slskdId: null, username: null, filename: null, size: null,
        bytesTransferred: 0, progressAt: null
      }
    })
    decisions.push(`${d.id}: retry in ${Math.round(delay / 1000)} s with another file: ${reason}`)
  }

  for (const d of rows) {
    if (d.status !== "QUEUED" && d.status !== "DOWNLOADING") continue
    const t = (d.slskdId ? snapshot.byId.get(d.slskdId) : undefined)
      ?? (d.username && d.filename ? snapshot.byKey.get(transferKey(d.username, d.filename)) : undefined)
    if (!t) {
      giveUp(d, "the transfer is no longer listed in slskd")
      continue
    }
    // slskd gives a new id after its own restart or retry: follow the file, keep the new id.
    const idPatch = t.id !== d.slskdId ? { slskdId: t.id } : {}
    if (t.id !== d.slskdId) decisions.push(`${d.id}: slskd transfer id changed ${d.slskdId ?? "none"} → ${t.id}; adopted`)

    if (has(t, "Completed")) {
      if (has(t, "Succeeded")) {
        if (d.status === "QUEUED") changes.push({ id: d.id, status: "DOWNLOADING", patch: idPatch })
        changes.push({
          id: d.id, status: "COMPLETED",
          patch: { ...idPatch, bytesTransferred: t.size, speedBps: 0, etaSeconds: null, error: null, nextAttemptAt: null }
        })
        decisions.push(`${d.id}: completed (${t.size} bytes from ${t.username})`)
        continue
      }
      const what = t.state.filter((s) => s !== "Completed").join(", ") || "ended"
      if (RETRIED_BY_SLSKD.some((f) => has(t, f)) && !limits.seenFailing.has(t.id)) {
        failingNow.add(t.id)
        decisions.push(`${d.id}: transfer ${what}; waiting one tick in case slskd retries it`)
        continue
      }
      giveUp(d, `transfer ${what.toLowerCase()}${t.exception ? `: ${t.exception}` : ""} (peer ${t.username})`)
      continue
    }

    const started = has(t, "InProgress") || has(t, "Initializing")
    const moved = t.bytesTransferred > d.bytesTransferred
    const progressAt = moved || d.progressAt === null ? iso(now) : d.progressAt

    if (!started) {
      // Waiting in our or the peer's queue: fine for a while, not forever.
      if (d.status === "QUEUED" && age(d.progressAt, now) > limits.remoteQueueTimeoutMillis) {
        cancels.push({ username: t.username, id: t.id })
        giveUp(d, `waited in ${t.username}'s queue for more than ${Math.round(limits.remoteQueueTimeoutMillis / 60000)} min`)
        continue
      }
      const patch = { ...idPatch, ...(d.progressAt === null ? { progressAt } : {}) }
      if (Object.keys(patch).length > 0) changes.push({ id: d.id, patch })
      continue
    }

    if (!moved && age(d.progressAt, now) > limits.stallTimeoutMillis && d.status === "DOWNLOADING") {
      cancels.push({ username: t.username, id: t.id })
      giveUp(d, `no data from ${t.username} for more than ${Math.round(limits.stallTimeoutMillis / 1000)} s`)
      continue
    }

    const speed = Math.round(t.averageSpeed)
    const eta = t.remainingSeconds === null ? null : Math.round(t.remainingSeconds)
    const unchanged = d.status === "DOWNLOADING" && !moved && d.speedBps === speed && d.etaSeconds === eta && !idPatch.slskdId
    if (unchanged) continue
    if (d.status === "QUEUED") decisions.push(`${d.id}: started downloading from ${t.username}`)
    changes.push({
      id: d.id,
      ...(d.status === "QUEUED" ? { status: "DOWNLOADING" as const } : {}),
      patch: { ...idPatch, bytesTransferred: t.bytesTransferred, speedBps: speed, etaSeconds: eta, progressAt: moved || d.status === "QUEUED" ? iso(now) : progressAt }
    })
  }
  return { changes, cancels, failedCandidates, failingNow, decisions }
}
