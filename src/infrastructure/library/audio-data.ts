import { createHash } from "node:crypto"
import { open, readFile } from "node:fs/promises"

/**
 * A digest of a file's audio data alone, without its tags: writing tags must leave it
 * unchanged. Each format keeps its audio in a known place: FLAC after the metadata blocks,
 * MP3 between the ID3v2 header tag and the ID3v1/APE trailer, MP4 in `mdat` boxes, Ogg in
 * the pages after the header packets (granule position not zero).
 */
export const audioDigest = async (path: string, format: string): Promise<string> => {
  if (format === "flac" || format === "mp3") return streamDigest(path, format)
  const buf = await readFile(path)
  const hash = createHash("sha256")
  for (const part of audioParts(buf, format)) hash.update(part)
  return hash.digest("hex")
}

const CHUNK = 1 << 20

/**
 * FLAC and MP3 keep their audio in one run of bytes: find its ends with small reads, then hash
 * it through one reused buffer (no garbage per chunk: the memory stays flat however large the file).
 */
const streamDigest = async (path: string, format: "flac" | "mp3"): Promise<string> => {
  const fh = await open(path, "r")
  let start = 0
  let end = 0
  const hash = createHash("sha256")
  try {
    const size = (await fh.stat()).size
    const at = async (pos: number, len: number) => {
      const b = Buffer.alloc(Math.max(0, Math.min(len, size - pos)))
      await fh.read(b, 0, b.length, pos)
      return b
    }
    end = size
    if (format === "flac") {
      const head = await at(0, 14)
      let p = head.toString("latin1", 0, 4) === "fLaC" ? 4 : id3v2Size(head) + 4
      for (let guard = 0; guard < 10_000 && p + 4 <= size; guard++) {
        const h = await at(p, 4)
        p += 4 + h.readUIntBE(1, 3)
        if ((h[0]! & 0x80) !== 0) break
      }
      start = p
    } else {
      for (let n = id3v2Size(await at(start, 10)); n > 0; n = id3v2Size(await at(start, 10))) start += n
      const tail = await at(Math.max(start, size - 160), 160)
      end = Math.max(start, size - mp3TrailerSize(tail))
    }
    const buf = Buffer.allocUnsafe(CHUNK)
    for (let pos = start; pos < end;) {
      const { bytesRead } = await fh.read(buf, 0, Math.min(CHUNK, end - pos), pos)
      if (bytesRead === 0) break
      hash.update(buf.subarray(0, bytesRead))
      pos += bytesRead
    }
  } finally {
    await fh.close()
  }
  return hash.digest("hex")
}

const audioParts = (buf: Buffer, format: string): ReadonlyArray<Buffer> => {
  switch (format) {
    case "flac": return [buf.subarray(flacAudioStart(buf))]
    case "m4a": return mp4Boxes(buf, 0, buf.length).filter((b) => b.type === "mdat").map((b) => buf.subarray(b.start, b.end))
    case "ogg":
    case "opus": return oggAudioPages(buf)
    default: return [buf]
  }
}

const flacAudioStart = (buf: Buffer): number => {
  let p = buf.toString("latin1", 0, 4) === "fLaC" ? 4 : id3v2Size(buf) + 4
  for (let guard = 0; guard < 1000 && p + 4 <= buf.length; guard++) {
    const last = (buf[p]! & 0x80) !== 0
    p += 4 + buf.readUIntBE(p + 1, 3)
    if (last) break
  }
  return p
}

const id3v2Size = (buf: Buffer): number => {
  if (buf.length < 10 || buf.toString("latin1", 0, 3) !== "ID3") return 0
  const size = ((buf[6]! & 0x7f) << 21) | ((buf[7]! & 0x7f) << 14) | ((buf[8]! & 0x7f) << 7) | (buf[9]! & 0x7f)
  const footer = (buf[5]! & 0x10) !== 0 ? 10 : 0
  return 10 + size + footer
}

/** Bytes of ID3v1 and APE tags at the end of an MP3, read from its last bytes. */
const mp3TrailerSize = (tail: Buffer): number => {
  let end = tail.length
  if (end >= 128 && tail.toString("latin1", end - 128, end - 125) === "TAG") end -= 128
  let trailer = tail.length - end
  if (end >= 32 && tail.toString("latin1", end - 32, end - 24) === "APETAGEX") {
    const size = tail.readUInt32LE(end - 20)
    const hasHeader = (tail.readUInt32LE(end - 12) & 0x80000000) !== 0
    trailer += size + (hasHeader ? 32 : 0)
  }
  return trailer
}

interface Box { readonly type: string; readonly start: number; readonly end: number }

const mp4Boxes = (buf: Buffer, from: number, to: number): Array<Box> => {
  const out: Array<Box> = []
  let p = from
  while (p + 8 <= to) {
    let size = buf.readUInt32BE(p)
    const type = buf.toString("latin1", p + 4, p + 8)
    let header = 8
    if (size === 1 && p + 16 <= to) {
      size = Number(buf.readBigUInt64BE(p + 8))
      header = 16
    } else if (size === 0) {
      size = to - p
    }
    if (size < header) break
    out.push({ type, start: p + header, end: Math.min(to, p + size) })
    p += size
  }
  return out
}

const oggAudioPages = (buf: Buffer): Array<Buffer> => {
  const out: Array<Buffer> = []
  let p = 0
  while (p + 27 <= buf.length && buf.toString("latin1", p, p + 4) === "OggS") {
    const granule = buf.readBigInt64LE(p + 6)
    const segments = buf[p + 26]!
    let body = 0
    for (let i = 0; i < segments; i++) body += buf[p + 27 + i]!
    const start = p + 27 + segments
    if (granule !== 0n) out.push(buf.subarray(start, start + body))
    p = start + body
  }
  return out
}
