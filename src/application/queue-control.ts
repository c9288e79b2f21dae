import { Array as Arr, Clock, Effect } from "effect"
import { DownloadNotFound } from "../domain/errors.js"
import { type ActiveFilter, DownloadRepository, type ListFilter } from "../domain/ports/DownloadRepository.js"
import { MAX_PRIORITY, TERMINAL_STATUSES } from "../domain/download.js"
import { DownloadManager } from "./download-manager.js"
import { type PriorityMove, priorityAfter } from "../domain/download-actions.js"

/** Finished downloads stay on the active tab this long, so a user sees the outcome. */
const RECENT_MS = 10 * 60 * 1000
/** Bounded so the page's first HTML stays small (about 1.3 KiB per row); History has them all. */
const RECENT_LIMIT = 25

export const BULK_ACTIONS = ["cancel", "retry", "remove", "pause", "resume", "priority"] as const
export type BulkAction = typeof BULK_ACTIONS[number]

export interface BulkRefusal {
  readonly id: string
  /** The API's error tag for this id alone: NotFound or Conflict. */
  readonly error: string
  readonly message: string
}

export interface BulkResult {
  readonly done: ReadonlyArray<string>
  readonly refused: ReadonlyArray<BulkRefusal>
}

/** The queue as lists a page can hold, and the actions on many downloads at once. */
export class QueueControl extends Effect.Service<QueueControl>()("soulspot/QueueControl", {
  effect: Effect.gen(function*() {
    const repo = yield* DownloadRepository
    const manager = yield* DownloadManager

    const recent = Effect.gen(function*() {
      const now = yield* Clock.currentTimeMillis
      return yield* repo.listFinishedSince(new Date(now - RECENT_MS).toISOString(), RECENT_LIMIT)
    })

    const setPriority = Effect.fn("QueueControl.setPriority")(function*(id: string, priority: number) {
      const [changed] = yield* repo.setPriority([id], priority)
      if (!changed) return yield* new DownloadNotFound({ id })
      return changed
    })

    /** The page's ▲ ▼ Top. */
    const movePriority = Effect.fn("QueueControl.movePriority")(function*(id: string, move: PriorityMove) {
      const d = yield* repo.get(id)
      const next = priorityAfter(move, d.priority, yield* repo.highestOtherPriority(id))
      if (next === d.priority) return d
      yield* Effect.logInfo(`priority ${d.priority} → ${next} (${move})`).pipe(Effect.annotateLogs({ download: id }))
      return yield* setPriority(id, next)
    })

    const oneByOne = (ids: ReadonlyArray<string>, act: (id: string) => Effect.Effect<unknown, { readonly _tag: string; readonly message: string }>) =>
      Effect.reduce(ids, { done: [], refused: [] } as { done: Array<string>; refused: Array<BulkRefusal> }, (acc, id) =>
        act(id).pipe(
          Effect.match({
            onSuccess: () => acc.done.push(id),
            onFailure: (e) => acc.refused.push({ id, error: e._tag === "DownloadNotFound" ? "NotFound" : "Conflict", message: e.message })
          }),
          Effect.as(acc)))

    /** Each id is done or refused on its own; priority is one transaction for all of them. */
    const bulk = Effect.fn("QueueControl.bulk")(function*(input: { readonly ids: ReadonlyArray<string>; readonly action: BulkAction; readonly priority: number }) {
      const ids = Arr.dedupe(input.ids)
      switch (input.action) {
        case "priority": {
          const changed = new Set((yield* repo.setPriority(ids, input.priority)).map((d) => d.id))
          yield* Effect.logInfo(`priority ${input.priority} set on ${changed.size} downloads`)
          return {
            done: ids.filter((id) => changed.has(id)),
            refused: ids.filter((id) => !changed.has(id)).map((id) => ({ id, error: "NotFound", message: `no download with id ${id}` }))
          } satisfies BulkResult
        }
        case "cancel":
          return yield* oneByOne(ids, manager.cancel)
        case "retry":
          return yield* oneByOne(ids, manager.retry)
        case "pause":
          return yield* oneByOne(ids, manager.pause)
        case "resume":
          return yield* oneByOne(ids, manager.resume)
        case "remove":
          return yield* removeMany(ids)
      }
    })

    /** Finished ones are deleted in one transaction; the others are refused one by one with the reason. */
    const removeMany = (ids: ReadonlyArray<string>) => Effect.gen(function*() {
      const removed = new Set<string>()
      for (const chunk of Arr.chunksOf(ids, 500)) for (const id of yield* repo.remove(chunk)) removed.add(id)
      const rest = yield* oneByOne(ids.filter((id) => !removed.has(id)), manager.remove)
      yield* Effect.logInfo(`removed ${removed.size + rest.done.length} finished downloads from the lists`)
      const alsoRemoved = new Set(rest.done)
      return { done: ids.filter((id) => removed.has(id) || alsoRemoved.has(id)), refused: rest.refused } satisfies BulkResult
    })

    /** "Retry all failed": every FAILED download back to WAITING. */
    const retryFailed = Effect.fn("QueueControl.retryFailed")(function*() {
      const ids = yield* repo.idsWithStatus(["FAILED"])
      return yield* oneByOne(ids, manager.retry)
    })

    /** "Clear finished": every COMPLETED, FAILED and CANCELLED download leaves the lists. */
    const clearFinished = Effect.fn("QueueControl.clearFinished")(function*() {
      return yield* removeMany(yield* repo.idsWithStatus(TERMINAL_STATUSES))
    })

    /** Every active download of the album of this one goes before everything else in the queue. */
    const albumToFront = Effect.fn("QueueControl.albumToFront")(function*(id: string) {
      const ids = yield* repo.albumMates(id)
      const priority = Math.min(MAX_PRIORITY, (yield* repo.maxActivePriority) + 1)
      yield* repo.setPriority(ids, priority)
      yield* Effect.logInfo(`album of download ${id} to the front: ${ids.length} downloads at priority ${priority}`)
      return { count: ids.length, priority }
    })

    return {
      active: (f: ActiveFilter) => repo.listActive(f),
      recent,
      list: (f: ListFilter) => repo.list(f),
      setPriority,
      movePriority,
      bulk,
      retryFailed,
      clearFinished,
      albumToFront
    } as const
  })
}) {}
