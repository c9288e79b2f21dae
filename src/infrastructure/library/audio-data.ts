import { createHash } from "node:crypto"
import { readFile } from "node:fs/promises"

/**
 * A digest of a file's audio data alone, without its tags: writing tags must leave it
 * unchanged. Each format keeps its audio in a known place: FLAC after the metadata blocks,
 * MP3 between the ID3v2 header tag and the ID3v1/APE trailer, MP4 in `mdat` boxes, Ogg in
 * the pages after the header packets (granule position not zero).
 */
export const audioDigest = async (path: string, format: string): Promise<string> => {
  const buf = await readFile(path)
  const hash = createHash("sha256")
  for (const part of audioParts(buf, format)) hash.update(part)
  return hash.digest("hex")
}

const audioParts = (buf: Buffer, format: string): ReadonlyArray<Buffer> => {
  switch (format) {
    case "flac": return [buf.subarray(flacAudioStart(buf))]
    case "mp3": return [mp3Audio(buf)]
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

const mp3Audio = (buf: Buffer): Buffer => {
  let start = 0
  // several ID3v2 tags may follow each other
  for (let n = id3v2Size(buf.subarray(start)); n > 0; n = id3v2Size(buf.subarray(start))) start += n
  let end = buf.length
  if (end - 128 >= start && buf.toString("latin1", end - 128, end - 125) === "TAG") end -= 128
  if (end - 32 >= start && buf.toString("latin1", end - 32, end - 24) === "APETAGEX") {
    const size = buf.readUInt32LE(end - 20)
    const hasHeader = (buf.readUInt32LE(end - 12) & 0x80000000) !== 0
    end -= size + (hasHeader ? 32 : 0)
  }
  return buf.subarray(start, Math.max(start, end))
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
