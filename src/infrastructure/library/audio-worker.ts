/**
 * Entry of the audio worker thread: runs one job at a time as the main thread posts them and
 * answers each with its result or its error, and the thread it ran on.
 */
import { parentPort, threadId } from "node:worker_threads"
import { type AudioJob, runAudioJob } from "./audio-jobs.js"

interface Request {
  readonly id: number
  readonly job: AudioJob
}

parentPort?.on("message", (req: Request) => {
  runAudioJob(req.job).then(
    (value) => parentPort!.postMessage({ id: req.id, ok: true, value, threadId }),
    (e: unknown) => parentPort!.postMessage({ id: req.id, ok: false, message: e instanceof Error ? e.message : String(e), threadId })
  )
})
