import { FLACDecoder } from "@wasm-audio-decoders/flac"
import { parseFile } from "music-metadata"
import {
  ByteVector, File as TagFile, Picture, PictureType, Id3v2FrameClassType, type Id3v2Tag, Id3v2UserTextInformationFrame, type Mpeg4AppleTag, TagTypes,
  type XiphComment
} from "node-taglib-sharp"
import { open } from "node:fs/promises"

/** What a reader found in a file. `format` is one of flac mp3 m4a ogg opus wav aiff, or the container's own name. */
export interface AudioProbe {
  readonly format: string
  readonly codec: string
  readonly lossless: boolean
  readonly durationMs: number | null
  readonly sampleRate: number | null
  readonly bitrate: number | null
  /** Lossless only. */
  readonly bitDepth: number | null
}

const formatOf = (container: string, codec: string): string => {
  const c = container.toLowerCase()
  const k = codec.toLowerCase()
  if (c.includes("flac")) return "flac"
  if (c.includes("mpeg") && !c.includes("4") && k.includes("layer 3")) return "mp3"
  if (c.includes("mpeg-4") || c.includes("m4a") || c.includes("mp4") || c.includes("isom")) return "m4a"
  if (c.includes("ogg")) return k.includes("opus") ? "opus" : "ogg"
  if (c.includes("wav")) return "wav"
  if (c.includes("aiff")) return "aiff"
  return c
}

/** Reads the stream properties (no cover art). Throws when the file is not readable audio. */
export const probeAudio = async (path: string): Promise<AudioProbe> => {
  const meta = await parseFile(path, { duration: true, skipCovers: true })
  const f = meta.format
  const codec = f.codec ?? f.container ?? "unknown"
  return {
    format: formatOf(f.container ?? "", codec),
    codec,
    lossless: f.lossless === true,
    durationMs: f.duration === undefined ? null : Math.round(f.duration * 1000),
    sampleRate: f.sampleRate ?? null,
    bitrate: f.bitrate === undefined ? null : Math.round(f.bitrate),
    bitDepth: f.lossless === true ? f.bitsPerSample ?? null : null
  }
}

/** File extensions that hold each format. */
export const EXTENSIONS: Readonly<Record<string, ReadonlyArray<string>>> = {
  flac: ["flac"], mp3: ["mp3"], m4a: ["m4a", "mp4", "aac", "alac"], ogg: ["ogg", "oga"], opus: ["opus", "ogg"],
  wav: ["wav"], aiff: ["aiff", "aif"]
}

const SEGMENT_BYTES = 192 * 1024

/**
 * Decoded mono PCM from three stretches of a FLAC file (at 25, 50 and 75 %), enough for a
 * spectrum without decoding the whole file. FLAC frames are self-synchronising, so a slice from
 * the middle decodes on its own.
 */
export const decodeFlacSegments = async (path: string, size: number): Promise<{ segments: Array<Float32Array>; sampleRate: number }> => {
  const decoder = new FLACDecoder()
  await decoder.ready
  const fh = await open(path, "r")
  try {
    const starts = size <= SEGMENT_BYTES * 3 ? [0] : [0.25, 0.5, 0.75].map((f) => Math.floor(size * f))
    const segments: Array<Float32Array> = []
    let sampleRate = 44100
    for (const start of starts) {
      const length = Math.min(size - start, size <= SEGMENT_BYTES * 3 ? size : SEGMENT_BYTES)
      const buf = Buffer.alloc(length)
      await fh.read(buf, 0, length, start)
      await decoder.reset()
      const out = await decoder.decode(new Uint8Array(buf.buffer, buf.byteOffset, buf.length))
      if (out.samplesDecoded === 0) continue
      sampleRate = out.sampleRate
      const ch = out.channelData
      const mono = new Float32Array(out.samplesDecoded)
      for (let i = 0; i < mono.length; i++) {
        let s = 0
        for (const c of ch) s += c[i]!
        mono[i] = s / ch.length
      }
      segments.push(mono)
    }
    return { segments, sampleRate }
  } finally {
    await fh.close()
    decoder.free()
  }
}

export interface TrackTags {
  readonly title: string
  readonly artist: string
  readonly album: string | null
  readonly albumArtist: string | null
  readonly trackNumber: number | null
  readonly trackCount: number | null
  readonly discNumber: number | null
  readonly discCount: number | null
  readonly year: number | null
  readonly isrc: string | null
  readonly spotifyId?: string | null
  readonly deezerId?: string | null
}

/** Names of the custom fields that carry the catalog ids (Vorbis comment, ID3v2 TXXX, iTunes freeform). */
export const ID_FIELDS = { spotifyId: "SPOTIFY_TRACK_ID", deezerId: "DEEZER_TRACK_ID" } as const
const ITUNES_MEAN = "com.apple.iTunes"

/** A custom text field in whichever tag the format has; formats with none (WAV) keep only the standard fields. */
const setCustom = (file: TagFile, key: string, value: string) => {
  const xiph = file.getTag(TagTypes.Xiph, false) as XiphComment | undefined
  if (xiph) xiph.setFieldAsStrings(key, ...(value === "" ? [] : [value]))
  const id3 = file.getTag(TagTypes.Id3v2, false) as Id3v2Tag | undefined
  if (id3) {
    const frames = id3.getFramesByClassType<Id3v2UserTextInformationFrame>(Id3v2FrameClassType.UserTextInformationFrame)
    for (const f of frames) if (f.description.toUpperCase() === key) id3.removeFrame(f)
    if (value !== "") {
      const frame = Id3v2UserTextInformationFrame.fromDescription(key)
      frame.text = [value]
      id3.addFrame(frame)
    }
  }
  const apple = file.getTag(TagTypes.Apple, false) as Mpeg4AppleTag | undefined
  if (apple) apple.setItunesStrings(ITUNES_MEAN, key, ...(value === "" ? [] : [value]))
}

export interface CoverImage {
  readonly data: Uint8Array
  readonly mimeType: string
}

/** Writes the track's tags (and the album's cover, replacing the peer's pictures) into the file in place (a staging copy). */
export const writeTags = (path: string, t: TrackTags, cover: CoverImage | null = null): void => {
  const file = TagFile.createFromPath(path)
  try {
    const tag = file.tag
    tag.title = t.title
    tag.performers = [t.artist]
    tag.album = t.album ?? ""
    tag.albumArtists = [t.albumArtist ?? t.artist]
    tag.track = t.trackNumber ?? 0
    tag.trackCount = t.trackCount ?? 0
    tag.disc = t.discNumber ?? 0
    tag.discCount = t.discCount ?? 0
    tag.year = t.year ?? 0
    tag.isrc = t.isrc ?? ""
    setCustom(file, ID_FIELDS.spotifyId, t.spotifyId ?? "")
    setCustom(file, ID_FIELDS.deezerId, t.deezerId ?? "")
    if (cover !== null) tag.pictures = [Picture.fromFullData(ByteVector.fromByteArray(cover.data), PictureType.FrontCover, cover.mimeType, "")]
    file.save()
  } finally {
    file.dispose()
  }
}

/** The embedded front cover, as a reader finds it. */
export const readCover = async (path: string) => {
  const pic = (await parseFile(path)).common.picture?.[0]
  return pic === undefined ? null : { data: Buffer.from(pic.data), mimeType: pic.format }
}

/** The tags as a reader sees them after writing (for the round-trip check). */
export const readTags = async (path: string) => (await parseFile(path, { skipCovers: true })).common

/** The catalog ids written by writeTags, as a reader finds them in any of the formats' tags. */
export const readCatalogIds = async (path: string) => {
  const native = (await parseFile(path, { skipCovers: true })).native
  const find = (key: string) => {
    for (const tags of Object.values(native)) {
      for (const t of tags) {
        const id = t.id.toUpperCase()
        if (id === key || id === `TXXX:${key}` || id === `----:${ITUNES_MEAN.toUpperCase()}:${key}`) {
          return typeof t.value === "string" ? t.value : String((t.value as { text?: unknown })?.text ?? t.value)
        }
      }
    }
    return null
  }
  return { spotifyId: find(ID_FIELDS.spotifyId), deezerId: find(ID_FIELDS.deezerId) }
}

/** The tags the library index keeps (no cover, no duration scan: one quick read per file). */
export const readIndexTags = async (path: string) => {
  const c = (await parseFile(path, { skipCovers: true, duration: false })).common
  return { title: c.title ?? null, artist: c.artist ?? c.albumartist ?? null, album: c.album ?? null, isrc: c.isrc?.[0] ?? null }
}
