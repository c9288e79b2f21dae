import { Deferred, Effect, Queue, Schema } from "effect"
import { Worker } from "node:worker_threads"
import type { SpectrumReading } from "../../domain/library/spectrum.js"
import type { AudioJob } from "./audio-jobs.js"
import type { CoverImage, TrackTags } from "./audio-file.js"

/** A job the audio worker could not do (the file is not what the reader expects, or the worker died). */
export class AudioJobFailed extends Schema.TaggedError<AudioJobFailed>()("AudioJobFailed", {
  job: Schema.String,
  message: Schema.String
}) {}

/** Jobs waiting for the worker; an import asking for more waits until there is room. */
export const AUDIO_QUEUE = 16

interface Pending {
  readonly job: AudioJob
  readonly done: Deferred.Deferred<{ value: unknown; threadId: number }, AudioJobFailed>
}

interface Reply {
  readonly id: number
  readonly ok: boolean
  readonly value?: unknown
  readonly message?: string
  readonly threadId: number
}

/**
 * How the worker is started. From the bundle (`dist/soulspot.mjs`) it is the file
 * `audio-worker.mjs` beside it (scripts/build.ts). From the sources (tsx, vitest) a worker
 * thread does not inherit tsx's loader (`--import tsx` in `execArgv` does not reach a worker's
 * entry on Node 20 either), so a plain-JavaScript entry registers tsx in the thread first.
 */
const startWorker = (): Worker => new Worker(new URL(import.meta.url.endsWith(".ts") ? "./audio-worker-tsx.mjs" : "./audio-worker.mjs", import.meta.url))

/**
 * Tag writing, audio digests and the spectral decode run on one worker thread, one job at a
 * time, so a large file never blocks HTTP and SSE on the main thread (node-taglib-sharp writes
 * synchronously). One worker keeps at most one file's buffers in memory however many imports
 * run. On shutdown the worker is terminated; a job still queued is dropped, and its import
 * resumes from its recorded step at the next start.
 */
export class AudioWork extends Effect.Service<AudioWork>()("soulspot/AudioWork", {
  scoped: Effect.gen(function*() {
    const queue = yield* Effect.acquireRelease(Queue.bounded<Pending>(AUDIO_QUEUE), Queue.shutdown)
    let worker: Worker | null = null
    let nextId = 0

    const stop = Effect.promise(async () => {
      const w = worker
      worker = null
      if (w !== null) await w.terminate()
    })
    yield* Effect.addFinalizer(() => stop)

    /** Posts one job and waits for its reply; a worker that dies fails the job and is started again next time. */
    const post = (job: AudioJob) => Effect.async<{ value: unknown; threadId: number }, AudioJobFailed>((resume) => {
      if (worker === null) worker = startWorker()
      const w = worker
      const id = ++nextId
      // an idle worker does not keep the process alive; one with a job does
      w.ref()
      const cleanup = () => {
        w.unref()
        w.off("message", onMessage)
        w.off("error", onError)
        w.off("exit", onExit)
      }
      const onMessage = (r: Reply) => {
        if (r.id !== id) return
        cleanup()
        resume(r.ok
          ? Effect.succeed({ value: r.value, threadId: r.threadId })
          : Effect.fail(new AudioJobFailed({ job: job.kind, message: r.message ?? "failed" })))
      }
      const died = (message: string) => {
        cleanup()
        if (worker === w) worker = null
        resume(Effect.fail(new AudioJobFailed({ job: job.kind, message })))
      }
      const onError = (e: Error) => died(`the audio worker failed: ${e.message}`)
      const onExit = (code: number) => died(`the audio worker exited (code ${code})`)
      w.on("message", onMessage)
      w.on("error", onError)
      w.on("exit", onExit)
      w.postMessage({ id, job })
      // interrupted mid-job (shutdown): the worker is stopped with the job
      return Effect.sync(cleanup).pipe(Effect.zipRight(stop))
    })

    yield* Effect.forkScoped(Effect.forever(Effect.gen(function*() {
      const p = yield* Queue.take(queue)
      // its import was interrupted while the job waited: nothing to do
      if (yield* Deferred.isDone(p.done)) return
      // interrupted while it runs: the worker is stopped with the job, so no write goes on behind a retry
      const run = post(p.job).pipe(Effect.exit, Effect.flatMap((exit) => Deferred.done(p.done, exit)))
      yield* Effect.raceFirst(run, Effect.exit(Deferred.await(p.done)))
    })))

    const submit = (job: AudioJob) => Effect.gen(function*() {
      const done = yield* Deferred.make<{ value: unknown; threadId: number }, AudioJobFailed>()
      yield* Queue.offer(queue, { job, done })
      return yield* Deferred.await(done).pipe(Effect.onInterrupt(() => Deferred.interrupt(done)))
    })

    const writeTags = Effect.fn("AudioWork.writeTags")(function*(path: string, tags: TrackTags, cover: CoverImage | null) {
      const r = yield* submit({ kind: "tags", path, tags, cover })
      return { threadId: r.threadId }
    })
    const audioDigest = Effect.fn("AudioWork.audioDigest")(function*(path: string, format: string) {
      return (yield* submit({ kind: "digest", path, format })).value as string
    })
    const spectrum = Effect.fn("AudioWork.spectrum")(function*(path: string, size: number) {
      return (yield* submit({ kind: "spectrum", path, size })).value as SpectrumReading
    })
    /** The worker's thread id (it starts the worker if needed). */
    const threadId = submit({ kind: "ping" }).pipe(Effect.map((r) => r.threadId))

    return { writeTags, audioDigest, spectrum, threadId } as const
  })
}) {}
