import { Either } from "effect"
import { type Download, isTerminal, MAX_PRIORITY } from "./download.js"
import { StatusConflict } from "./errors.js"
import type { DownloadChangeSpec, DownloadPatch } from "./ports/DownloadRepository.js"

/**
 * What the user's actions on one download do to its row (README.md, "Acting on downloads").
 * Pure: the repository applies the answer in one transaction, the manager talks to slskd.
 */

export interface FileChoice {
  readonly username: string
  readonly filename: string
  readonly size: number
}

type Decision = Either.Either<DownloadChangeSpec, StatusConflict>

const refuse = (d: Download, action: string, detail?: string): Decision =>
  Either.left(new StatusConflict({ id: d.id, status: d.status, action, ...(detail === undefined ? {} : { detail }) }))

/** slskd holds a transfer for this row that is ours to stop. */
export const runsInSlskd = (d: Download): boolean =>
  (d.status === "QUEUED" || d.status === "DOWNLOADING") && d.slskdId !== null && d.username !== null && d.paused !== true

/** Back to WAITING (status kept when it is WAITING already), due now, nothing of an earlier transfer left. */
const startAgain = (d: Download, patch: DownloadPatch): DownloadChangeSpec => ({
  ...(d.status === "WAITING" ? {} : { status: "WAITING" as const }),
  patch: { slskdId: null, bytesTransferred: 0, progressAt: null, nextAttemptAt: null, error: null, paused: false, ...patch }
})

/** Pause: the status stays, the workers skip the row; a running transfer is cancelled by the caller. */
export const pauseChange = (d: Download): Decision =>
  isTerminal(d.status) ? refuse(d, "pause")
  : d.paused === true ? refuse(d, "pause", "it is paused already")
  : Either.right({ patch: { paused: true, speedBps: 0, etaSeconds: null } })

/**
 * Resume: a row that never reached slskd carries on where it was (a waiting one is due at once);
 * one whose transfer was cancelled goes back to WAITING with the same user and file, so the same
 * file is enqueued again (or adopted, if slskd still holds it).
 */
export const resumeChange = (d: Download): Decision => {
  if (d.paused !== true) return isTerminal(d.status) ? refuse(d, "resume") : refuse(d, "resume", "it is not paused")
  switch (d.status) {
    case "WAITING": return Either.right({ patch: { paused: false, nextAttemptAt: null } })
    case "PENDING": return Either.right({ patch: { paused: false } })
    default: return Either.right(startAgain(d, {}))
  }
}

/** "Use this file": the next file tried is this one, at once; the user's choice costs no attempt. */
export const useFileChange = (d: Download, file: FileChoice): Decision =>
  d.status === "COMPLETED"
    ? refuse(d, "choose another file for", "it is COMPLETED; reject its file to download another")
    : Either.right(startAgain(d, {
      username: file.username, filename: file.filename, size: file.size,
      // a finished row starts afresh, like a retry
      ...(isTerminal(d.status) ? { attempts: 0 } : {})
    }))

/** "Try the next candidate": the current file is given up; the dispatcher takes the next one of the last search. */
export const nextFileChange = (d: Download): Decision =>
  isTerminal(d.status) ? refuse(d, "try the next candidate for", `it is ${d.status}; retry it instead`)
  : d.username === null ? refuse(d, "try the next candidate for", "no file is chosen yet")
  : Either.right(startAgain(d, { username: null, filename: null, size: null }))

/** Remove: only a finished download leaves the lists. */
export const removable = (d: Download): Either.Either<Download, StatusConflict> =>
  isTerminal(d.status) ? Either.right(d) : Either.left(new StatusConflict({
    id: d.id, status: d.status, action: "remove", detail: `it is ${d.status}; cancel it first`
  }))

export const PRIORITY_MOVES = ["up", "down", "top"] as const
export type PriorityMove = typeof PRIORITY_MOVES[number]

/**
 * The page's priority steps: up and down by one (within -1000..1000), top = one above every other
 * active download (unchanged when it is above them already).
 */
export const priorityAfter = (move: PriorityMove, current: number, highestOther: number): number => {
  const clamp = (n: number) => Math.max(-MAX_PRIORITY, Math.min(MAX_PRIORITY, n))
  switch (move) {
    case "up": return clamp(current + 1)
    case "down": return clamp(current - 1)
    case "top": return current > highestOther ? current : clamp(highestOther + 1)
  }
}
