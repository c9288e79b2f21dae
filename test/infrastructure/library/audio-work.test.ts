import { describe, expect, it } from "@effect/vitest"
import { Effect, Exit, Fiber, Layer } from "effect"
import { copyFileSync, mkdtempSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { threadId } from "node:worker_threads"
import { audioDigest } from "../../../src/infrastructure/library/audio-data.js"
import { readCover, readTags } from "../../../src/infrastructure/library/audio-file.js"
import { AudioWork } from "../../../src/infrastructure/library/audio-work.js"
import { writeSilentFlac } from "../../../src/dev/slskd-simulator/files.js"

const FIXTURES = join(import.meta.dirname, "../../fixtures/audio")
const tmp = () => mkdtempSync(join(tmpdir(), "soulspot-audio-work-"))
const TAGS = {
  title: "Angel", artist: "Massive Attack", album: "Mezzanine", albumArtist: null, trackNumber: 1, trackCount: 11,
  discNumber: null, discCount: null, year: 1998, isrc: "GBAAA9800001"
}

describe("the audio worker thread", () => {
  it.scoped("writes tags in another thread than the server's, with the audio data unchanged", () => Effect.gen(function*() {
    const work = yield* AudioWork
    const p = join(tmp(), "a.flac")
    copyFileSync(join(FIXTURES, "genuine.flac"), p)
    const before = yield* work.audioDigest(p, "flac")
    const cover = { data: new Uint8Array([0xff, 0xd8, 0xff, 0xe0, 0, 16, 0x4a, 0x46, 0x49, 0x46, 0, 1, 1, 0, 0, 1, 0, 1, 0, 0, 0xff, 0xd9]), mimeType: "image/jpeg" }
    const r = yield* work.writeTags(p, TAGS, cover)
    expect(r.threadId).not.toBe(threadId)
    expect(yield* work.threadId).toBe(r.threadId)
    expect(yield* Effect.promise(() => readTags(p))).toMatchObject({ title: "Angel", artist: "Massive Attack", year: 1998 })
    expect((yield* Effect.promise(() => readCover(p)))?.mimeType).toBe("image/jpeg")
    // the worker's digest is the same function's
    expect(yield* work.audioDigest(p, "flac")).toBe(before)
    expect(yield* Effect.promise(() => audioDigest(p, "flac"))).toBe(before)
  }).pipe(Effect.provide(AudioWork.Default)))

  it.scoped("a file it cannot tag is an AudioJobFailed with the reader's reason, and the worker goes on", () => Effect.gen(function*() {
    const work = yield* AudioWork
    const p = join(tmp(), "not-audio.flac")
    writeFileSync(p, "not audio at all")
    const e = yield* Effect.flip(work.writeTags(p, TAGS, null))
    expect(e._tag).toBe("AudioJobFailed")
    expect(e.job).toBe("tags")
    expect(e.message.length).toBeGreaterThan(0)
    const spectrum = yield* work.spectrum(join(FIXTURES, "transcoded.flac"), 84364)
    expect(spectrum.cutoffHz).toBeLessThan(19_000)
  }).pipe(Effect.provide(AudioWork.Default)))

  it.scoped("an import interrupted mid-write stops the worker with its job; the next job gets a fresh worker", () => Effect.gen(function*() {
    const work = yield* AudioWork
    const first = yield* work.threadId
    const p = join(tmp(), "big.flac")
    yield* Effect.promise(() => writeSilentFlac(p, 120_000, 20_000_000))
    const fiber = yield* Effect.fork(work.writeTags(p, TAGS, { data: new Uint8Array(4 << 20), mimeType: "image/jpeg" }))
    yield* Effect.promise(() => new Promise<void>((r) => setTimeout(r, 1)))
    const exit = yield* Fiber.interrupt(fiber)
    if (Exit.isSuccess(exit)) return // the write was faster than the interrupt: nothing to observe
    expect(yield* work.threadId).not.toBe(first)
  }).pipe(Effect.provide(AudioWork.Default)))

  it.effect("closing the scope terminates the worker; the next scope starts another thread", () => Effect.gen(function*() {
    const layer = Layer.fresh(AudioWork.Default)
    const seen = yield* Effect.scoped(Effect.flatMap(AudioWork, (w) => w.threadId).pipe(Effect.provide(layer)))
    expect(seen).not.toBe(threadId)
    // a new scope starts a new thread: the old one is gone
    const again = yield* Effect.scoped(Effect.flatMap(AudioWork, (w) => w.threadId).pipe(Effect.provide(layer)))
    expect(again).not.toBe(seen)
  }))
})
