import { Chunk, Effect, FiberMap, Layer, Option, Queue } from "effect"
import { Events } from "../events.js"
import { workerLoop } from "../workers/loop.js"
import { LibraryImport } from "./library-import.js"

const BATCH = 8
const INTERVAL = "10 seconds"

/**
 * ImportWorker: every COMPLETED download goes through the library import, one fiber per
 * download (a file slskd has not moved yet waits without holding up the others). Imports left
 * IMPORTING by a crash are picked up again at their step. Off while import is not configured.
 */
export const ImportWorkerLive = Layer.scopedDiscard(Effect.gen(function*() {
  const importer = yield* LibraryImport
  const events = yield* Events
  const running = yield* FiberMap.make<string>()
  const wake = yield* Queue.sliding<void>(1)
  let announced: boolean | null = null

  const sub = yield* events.subscribe
  yield* Effect.forkScoped(Effect.forever(Effect.gen(function*() {
    const batch = yield* Queue.takeBetween(sub, 1, 256)
    if (Chunk.some(batch, ({ event }) => event._tag === "DownloadChanged" && event.download.status === "COMPLETED" &&
      (event.download.importState == null || event.download.importState.status === "IMPORTING"))) yield* wake.offer(undefined)
  })))

  const tick = Effect.gen(function*() {
    const on = Option.isSome(yield* importer.config)
    if (on !== announced) {
      yield* Effect.logInfo(on ? "library import is on" : "library import is off: SOULSPOT_SLSKD_DOWNLOADS_DIR or SOULSPOT_LIBRARY_DIR is not set")
      announced = on
    }
    if (!on) return
    // a download sent back to WAITING (or cancelled) after its import started keeps no import
    for (const id of yield* importer.orphans) {
      if (!(yield* FiberMap.has(running, id))) yield* importer.removeImport(id)
    }
    for (const id of yield* importer.due(BATCH)) {
      yield* FiberMap.run(running, id, importer.run(id).pipe(
        Effect.catchAllCause((cause) => Effect.logError(`${id}: import crashed`, cause))), { onlyIfMissing: true })
    }
  })

  yield* Effect.forkScoped(workerLoop("import", tick, Effect.succeed(INTERVAL), wake))
}))
