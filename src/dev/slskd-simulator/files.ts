/**
 * The simulator's downloads folder: when a transfer ends `Completed, Succeeded`, a decodable file
 * of the advertised length and size appears (a little later, as in slskd, which marks the transfer
 * Succeeded before it moves the file out of incomplete/: src/slskd/Transfers/Downloads/DownloadService.cs),
 * at slskd's place for it: `<downloads>/<last remote folder>/<name>`, with `_<DateTime.UtcNow.Ticks>`
 * before the extension when the name is taken (src/slskd/Files/FileService.cs, MoveFile), and a
 * `DownloadFileComplete` event (src/slskd/Events/Types/Events.cs) whose `data` is a JSON string
 * (src/slskd/Events/Types/EventRecord.cs), listed newest first with X-Total-Count
 * (src/slskd/Events/API/EventsController.cs, src/slskd/Events/EventService.cs).
 */
import { HttpServerResponse } from "@effect/platform"
import { Effect } from "effect"
import { randomUUID } from "node:crypto"
import { closeSync, existsSync, ftruncateSync, mkdirSync, openSync, writeSync } from "node:fs"
import { open } from "node:fs/promises"
import { extname, join } from "node:path"

/** .NET ticks (100 ns since 0001-01-01) for a Unix time in milliseconds: 18 digits today. */
export const dotnetTicks = (ms: number): string => (BigInt(ms) * 10_000n + 621_355_968_000_000_000n).toString()

const SHARE_PREFIX = /^@@[a-zA-Z0-9]{5,}$/

/** slskd 0.26 with the default `${SOURCE_DIRECTORY}`: the last remote folder, a share-root prefix dropped. */
export const destinationFolder = (remote: string): string => {
  const parts = remote.split(/[\\/]/).filter((p) => p !== "")
  const folder = parts.length >= 2 ? parts[parts.length - 2]! : ""
  return SHARE_PREFIX.test(folder) ? "" : folder.replace(/[\u0000/]/g, "_")
}

// ---- a FLAC file of digital silence, padded to the exact size --------------------------------

const crc8 = (bytes: ArrayLike<number>) => {
  let c = 0
  for (let i = 0; i < bytes.length; i++) {
    c ^= bytes[i]!
    for (let b = 0; b < 8; b++) c = c & 0x80 ? ((c << 1) ^ 0x07) & 0xff : (c << 1) & 0xff
  }
  return c
}

const CRC16 = Uint16Array.from({ length: 256 }, (_, n) => {
  let c = n << 8
  for (let b = 0; b < 8; b++) c = c & 0x8000 ? ((c << 1) ^ 0x8005) & 0xffff : (c << 1) & 0xffff
  return c
})

const crc16 = (bytes: Uint8Array) => {
  let c = 0
  for (let i = 0; i < bytes.length; i++) c = ((c << 8) & 0xffff) ^ CRC16[((c >> 8) ^ bytes[i]!) & 0xff]!
  return c
}

/** FLAC's UTF-8-like coding of the frame number. */
const codedNumber = (n: number): Array<number> => {
  if (n < 0x80) return [n]
  if (n < 0x800) return [0xc0 | (n >> 6), 0x80 | (n & 0x3f)]
  if (n < 0x10000) return [0xe0 | (n >> 12), 0x80 | ((n >> 6) & 0x3f), 0x80 | (n & 0x3f)]
  return [0xf0 | (n >> 18), 0x80 | ((n >> 12) & 0x3f), 0x80 | ((n >> 6) & 0x3f), 0x80 | (n & 0x3f)]
}

const BLOCK = 4096
const RATE = 44100

/**
 * One stereo 16-bit frame of silence: CONSTANT subframes (a few bytes) or VERBATIM ones (every
 * sample written), so the file can reach the advertised size with real audio frames.
 */
const flacFrame = (index: number, samples: number, verbatim: boolean): Buffer => {
  const last = samples !== BLOCK
  const head = [0xff, 0xf8, ((last ? 0b0111 : 0b1100) << 4) | 0b1001, (0b0001 << 4) | (0b100 << 1), ...codedNumber(index)]
  if (last) head.push((samples - 1) >> 8, (samples - 1) & 0xff)
  head.push(crc8(head))
  const sub = verbatim ? 1 + samples * 2 : 3
  const frame = Buffer.alloc(head.length + 2 * sub + 2)
  Buffer.from(head).copy(frame, 0)
  frame[head.length] = verbatim ? 0x02 : 0x00
  frame[head.length + sub] = verbatim ? 0x02 : 0x00
  const crc = crc16(frame.subarray(0, frame.length - 2))
  frame.writeUInt16BE(crc, frame.length - 2)
  return frame
}

/** The length flacFrame gives, without building it. */
const frameLength = (index: number, samples: number, verbatim: boolean): number =>
  4 + codedNumber(index).length + (samples !== BLOCK ? 2 : 0) + 1 + 2 * (verbatim ? 1 + samples * 2 : 3) + 2

const streamInfo = (totalSamples: number): Buffer => {
  const b = Buffer.alloc(34)
  b.writeUInt16BE(BLOCK, 0)
  b.writeUInt16BE(BLOCK, 2)
  // sample rate (20 bits) | channels-1 (3) | bits-1 (5) | total samples (36)
  const hi = (RATE << 12) | (1 << 9) | (15 << 4) | Math.floor(totalSamples / 2 ** 32)
  b.writeUInt32BE(hi >>> 0, 10)
  b.writeUInt32BE(totalSamples % 2 ** 32, 14)
  return b
}

const blockHeader = (type: number, length: number, last: boolean) =>
  Buffer.from([(last ? 0x80 : 0) | type, (length >> 16) & 0xff, (length >> 8) & 0xff, length & 0xff])

/**
 * Writes a FLAC of `durationMs` of silence, exactly `size` bytes: as many verbatim frames as fit,
 * constant ones for the rest, and a PADDING block for the remainder (sparse on disk).
 */
export const writeSilentFlac = async (path: string, durationMs: number, size: number): Promise<void> => {
  const total = Math.max(1, Math.round((durationMs / 1000) * RATE))
  const count = Math.ceil(total / BLOCK)
  const small = flacFrame(count, BLOCK, false).length
  const big = flacFrame(count, BLOCK, true).length
  const budget = size - 4 - 4 - 34 - 4
  const verbatim = Math.max(0, Math.min(count - 1, Math.floor((budget - count * small) / (big - small))))
  let audioLength = 0
  for (let i = 0, s = 0; s < total; i++, s += BLOCK) audioLength += frameLength(i, Math.min(BLOCK, total - s), i < verbatim)
  const fh = await open(path, "wx")
  try {
    const header: Array<Buffer> = [Buffer.from("fLaC", "latin1")]
    let rem = size - 4 - 4 - 34 - audioLength
    const blocks: Array<number> = []
    while (rem >= 4) {
      let len = Math.min(0xffffff, rem - 4)
      const after = rem - 4 - len
      if (after > 0 && after < 4) len -= 4 // leave room for one more block header
      blocks.push(len)
      rem -= 4 + len
    }
    header.push(blockHeader(0, 34, blocks.length === 0), streamInfo(total))
    let p = 0
    for (const b of header) {
      await fh.write(b, 0, b.length, p)
      p += b.length
    }
    for (const [i, len] of blocks.entries()) {
      const h = blockHeader(1, len, i === blocks.length - 1)
      await fh.write(h, 0, h.length, p)
      p += h.length + len // zeros: left as a hole
    }
    await fh.truncate(p)
    // frames in chunks, so a large file does not hold the event loop
    let chunk: Array<Buffer> = []
    for (let i = 0, s = 0; s < total; i++, s += BLOCK) {
      chunk.push(flacFrame(i, Math.min(BLOCK, total - s), i < verbatim))
      if (chunk.length === 64 || s + BLOCK >= total) {
        const buf = Buffer.concat(chunk)
        await fh.write(buf, 0, buf.length, p)
        p += buf.length
        chunk = []
      }
    }
  } finally {
    await fh.close()
  }
}

/** A silent MPEG-1 Layer III file at 128 kbps; an ID3v2 tag's padding makes up the size. */
export const writeSilentMp3 = (path: string, durationMs: number, size: number): void => {
  const FRAME = 417 // 144 * 128000 / 44100, no padding bit
  const wanted = Math.max(1, Math.round(durationMs / (1152 / RATE * 1000)))
  const frames = Math.min(wanted, Math.floor((size - 10) / FRAME))
  const tagSize = size - frames * FRAME
  const fd = openSync(path, "wx")
  try {
    const id3 = Buffer.alloc(10)
    id3.write("ID3", 0, "latin1")
    id3[3] = 4
    const body = tagSize - 10
    id3[6] = (body >> 21) & 0x7f
    id3[7] = (body >> 14) & 0x7f
    id3[8] = (body >> 7) & 0x7f
    id3[9] = body & 0x7f
    writeSync(fd, id3, 0, 10, 0)
    const frame = Buffer.alloc(FRAME)
    // sync, MPEG-1, Layer III, no CRC | 128 kbps, 44.1 kHz | joint stereo
    frame.writeUInt32BE(0xfffb9064, 0)
    const chunk = Buffer.concat(Array.from({ length: Math.min(frames, 256) }, () => frame))
    let p = tagSize
    for (let left = frames; left > 0; left -= 256) {
      const n = Math.min(256, left)
      writeSync(fd, chunk, 0, n * FRAME, p)
      p += n * FRAME
    }
  } finally {
    closeSync(fd)
  }
}

export interface SimEvent {
  readonly id: string
  readonly timestamp: string
  readonly type: string
  readonly data: string
}

export interface CompletedTransfer {
  readonly id: string
  readonly username: string
  readonly filename: string
  readonly size: number
  readonly lengthSeconds: number | undefined
  readonly json: Record<string, unknown>
}

/** The downloads folder and the event log of one simulator. */
export class SimDownloads {
  readonly events: Array<SimEvent> = []
  private readonly written = new Set<string>()

  constructor(readonly dir: string, public delayMs: number) {}

  has(transferId: string): boolean {
    return this.written.has(transferId)
  }

  /** Puts the finished file where slskd would and records the event; returns the path. */
  async complete(t: CompletedTransfer, now: number): Promise<string> {
    this.written.add(t.id)
    const parts = t.filename.split(/[\\/]/).filter((p) => p !== "")
    const name = (parts[parts.length - 1] ?? t.id).replace(/[\u0000/]/g, "_")
    const folder = join(this.dir, destinationFolder(t.filename))
    mkdirSync(folder, { recursive: true })
    let path = join(folder, name)
    if (existsSync(path)) {
      const ext = extname(name)
      path = join(folder, `${name.slice(0, name.length - ext.length)}_${dotnetTicks(now)}${ext}`)
    }
    const ms = (t.lengthSeconds ?? 240) * 1000
    const ext = extname(name).toLowerCase()
    if (ext === ".flac") await writeSilentFlac(path, ms, t.size)
    else if (ext === ".mp3") writeSilentMp3(path, ms, t.size)
    else {
      const fd = openSync(path, "wx")
      ftruncateSync(fd, t.size)
      closeSync(fd)
    }
    this.events.unshift({
      id: randomUUID(), timestamp: new Date(now).toISOString(), type: "DownloadFileComplete",
      data: JSON.stringify({ version: 0, localFilename: path, remoteFilename: t.filename, transfer: t.json })
    })
    return path
  }

  /** GET /api/v0/events: newest first, paged, with the total in X-Total-Count. */
  page(offset: number, limit: number): { readonly records: ReadonlyArray<SimEvent>; readonly total: number } {
    return { records: this.events.slice(offset, offset + limit), total: this.events.length }
  }
}

/** GET /api/v0/events and GET /api/v0/options for a simulator with a downloads folder; undefined for any other call. */
export const downloadsRoutes = (downloads: SimDownloads) =>
  (method: string, segments: ReadonlyArray<string>, query: URLSearchParams): HttpServerResponse.HttpServerResponse | undefined => {
    const first = segments[0]?.toLowerCase()
    if (method !== "GET" || segments.length !== 1) return undefined
    if (first === "events") {
      const offset = Number(query.get("offset") ?? "0")
      const limit = Number(query.get("limit") ?? "100")
      // slskd answers a bad page with 400 and a plain message
      if (!Number.isInteger(offset) || offset < 0) return HttpServerResponse.text(JSON.stringify("Offset must be greater than or equal to zero"), { status: 400, contentType: "application/json" })
      if (!Number.isInteger(limit) || limit <= 0) return HttpServerResponse.text(JSON.stringify("Limit must be greater than zero"), { status: 400, contentType: "application/json" })
      const { records, total } = downloads.page(offset, limit)
      return HttpServerResponse.text(JSON.stringify(records), {
        status: 200, contentType: "application/json; charset=utf-8", headers: { "x-total-count": String(total) }
      })
    }
    if (first === "options") {
      return HttpServerResponse.text(JSON.stringify({
        directories: { downloads: downloads.dir, incomplete: join(downloads.dir, "..", "incomplete") },
        transfers: { download: { destination: { subdirectory: "${SOURCE_DIRECTORY}", exists: "rename" } } }
      }), { status: 200, contentType: "application/json; charset=utf-8" })
    }
    return undefined
  }

/** Every `Completed, Succeeded` transfer gets its file once its delay has passed. */
export const writeCompletedFiles = (
  downloads: SimDownloads,
  transfers: (now: number) => ReadonlyArray<CompletedTransfer & { readonly state: string }>,
  now: () => number
) => Effect.forever(Effect.gen(function*() {
  const t = now()
  for (const view of transfers(t)) {
    if (view.state !== "Completed, Succeeded" || downloads.has(view.id)) continue
    const ended = Date.parse(String(view.json["endedAt"] ?? ""))
    if (Number.isFinite(ended) && t < ended + downloads.delayMs) continue
    yield* Effect.tryPromise(() => downloads.complete(view, t)).pipe(
      Effect.catchAll((e) => Effect.logWarning(`simulator: could not write ${view.filename}: ${String(e)}`)))
  }
  yield* Effect.sleep("100 millis")
}))
