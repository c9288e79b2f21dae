import { readSpectrum, type SpectrumReading } from "../../domain/library/spectrum.js"
import { audioDigest } from "./audio-data.js"
import { type CoverImage, decodeFlacSegments, type TrackTags, writeTags } from "./audio-file.js"

/** The long file work of an import, run off the main thread by the audio worker (audio-work.ts). */
export type AudioJob =
  | { readonly kind: "tags"; readonly path: string; readonly tags: TrackTags; readonly cover: CoverImage | null }
  | { readonly kind: "digest"; readonly path: string; readonly format: string }
  | { readonly kind: "spectrum"; readonly path: string; readonly size: number }
  | { readonly kind: "ping" }

export interface AudioJobResult {
  readonly tags: null
  readonly digest: string
  readonly spectrum: SpectrumReading
  readonly ping: null
}

export const runAudioJob = async (job: AudioJob): Promise<unknown> => {
  switch (job.kind) {
    case "tags":
      writeTags(job.path, job.tags, job.cover)
      return null
    case "digest":
      return audioDigest(job.path, job.format)
    case "spectrum": {
      const pcm = await decodeFlacSegments(job.path, job.size)
      return readSpectrum(pcm.segments, pcm.sampleRate)
    }
    case "ping":
      return null
  }
}
