import { Either } from "effect"
import { createHash } from "node:crypto"
import { foldForKey, type TrackInput } from "./track.js"
import type { EntryAlbum, SkippedEntry, TrackList, TrackListEntry } from "./track-list.js"

/*
 * Playlist files, parsed without any I/O:
 * - Exportify CSV: columns matched by header name ("Track Name", "Artist Name(s)", "Album Name",
 *   "Track Duration (ms)", "ISRC", "Track URI", "Album URI", "Disc Number", "Track Number");
 *   unknown columns are ignored.
 * - Plain CSV: a header naming artist, title, album, duration (any order; "track" or "name" for
 *   title, "length" for duration), or no header and the columns in that order. Durations as
 *   seconds, m:ss, h:mm:ss, or milliseconds when the number is 10,000 or more.
 * - Either CSV may start with a UTF-8 byte-order mark, use `;` (or a tab) as separator, CRLF
 *   line ends, and quoted fields with doubled quotes and line breaks inside.
 * - M3U/M3U8: optional #EXTM3U; `#EXTINF:<seconds>,<artist> - <title>` before a path line
 *   (-1 = unknown duration); a bare path line gives artist and album from its folders
 *   (Artist/Album/01 - Title.flac) or "Artist - Title" from the file name.
 */

export type PlaylistFileFormat = "csv" | "m3u"

export class InvalidPlaylistFile {
  readonly _tag = "InvalidPlaylistFile"
  constructor(readonly message: string, readonly skipped: ReadonlyArray<SkippedEntry> = []) {}
}

const skipLine = (line: number, reason: string): SkippedEntry => ({ trackId: null, line, reason: `line ${line}: ${reason}` })

// ------------------------------------------------------------------------------------- CSV

/** Records with the line each starts on. Quotes may hold separators, doubled quotes and line breaks. */
export const parseCsv = (text: string, separator: string): Array<{ line: number; fields: Array<string> }> => {
  const out: Array<{ line: number; fields: Array<string> }> = []
  let fields: Array<string> = []
  let field = ""
  let quoted = false
  let line = 1
  let start = 1
  let fieldStart = true
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!
    if (quoted) {
      if (c === "\"") {
        if (text[i + 1] === "\"") {
          field += "\""
          i++
        } else quoted = false
      } else {
        if (c === "\n") line++
        field += c
      }
      continue
    }
    if (c === "\"" && fieldStart) {
      quoted = true
      fieldStart = false
    } else if (c === separator) {
      fields.push(field)
      field = ""
      fieldStart = true
    } else if (c === "\n" || c === "\r") {
      if (c === "\r" && text[i + 1] === "\n") i++
      fields.push(field)
      out.push({ line: start, fields })
      fields = []
      field = ""
      fieldStart = true
      line++
      start = line
    } else {
      field += c
      fieldStart = false
    }
  }
  if (field !== "" || fields.length > 0) {
    fields.push(field)
    out.push({ line: start, fields })
  }
  return out.filter((r) => r.fields.some((f) => f.trim() !== ""))
}

/** The separator of the header line: the most frequent of , ; and tab outside quotes. */
const separatorOf = (firstLine: string): string => {
  const bare = firstLine.replace(/"[^"]*"/g, "")
  const counts = [",", ";", "\t"].map((s) => [s, bare.split(s).length - 1] as const)
  return [...counts].sort((a, b) => b[1] - a[1])[0]![1] > 0 ? [...counts].sort((a, b) => b[1] - a[1])[0]![0] : ","
}

/** "245", "4:05", "1:02:03" as seconds; 10,000 or more as milliseconds. null when empty or unreadable. */
export const parseDurationMs = (raw: string): number | null | "invalid" => {
  const t = raw.trim()
  if (t === "" || t === "-1") return null
  const clock = /^(?:(\d+):)?(\d{1,2}):(\d{2})(?:\.\d+)?$/.exec(t)
  if (clock) return ((Number(clock[1] ?? 0) * 60 + Number(clock[2])) * 60 + Number(clock[3])) * 1000
  const n = Number(t.replace(",", "."))
  if (!Number.isFinite(n) || n < 0) return "invalid"
  return n >= 10_000 ? Math.round(n) : Math.round(n * 1000)
}

const HEADER_ALIASES: Record<string, ReadonlyArray<string>> = {
  title: ["track name", "title", "track", "name", "song", "track title"],
  artist: ["artist name(s)", "artist", "artists", "artist name", "performer"],
  album: ["album name", "album", "album title"],
  duration: ["track duration (ms)", "duration", "length", "duration (ms)", "time"],
  isrc: ["isrc"],
  uri: ["track uri", "spotify uri", "uri"],
  albumUri: ["album uri"],
  albumArtist: ["album artist name(s)", "album artist"],
  disc: ["disc number", "disc"],
  number: ["track number", "track no", "#"],
  releaseDate: ["album release date"]
}

const positiveInt = (s: string | undefined): number | null => {
  const n = Number((s ?? "").trim())
  return (s ?? "").trim() !== "" && Number.isInteger(n) && n > 0 ? n : null
}

const spotifyIdOf = (uri: string | undefined, kind: string): string | null => {
  const m = new RegExp(`^spotify:${kind}:([0-9A-Za-z]{22})$`).exec((uri ?? "").trim())
  return m ? m[1]! : null
}

const localAlbum = (artist: string, album: string | null | undefined): EntryAlbum | null =>
  album ? { source: "local", sourceId: `file:${foldForKey(artist)}|${foldForKey(album)}`, title: album, artist, totalTracks: null, releaseDate: null } : null

const parseCsvFile = (text: string): Either.Either<{ entries: Array<TrackListEntry>; skipped: Array<SkippedEntry> }, InvalidPlaylistFile> => {
  const firstLine = text.split(/\r?\n/, 1)[0] ?? ""
  const records = parseCsv(text, separatorOf(firstLine))
  if (records.length === 0) return Either.left(new InvalidPlaylistFile("the file holds no lines"))
  const header = records[0]!.fields.map((h) => h.trim().toLowerCase())
  const col: Partial<Record<keyof typeof HEADER_ALIASES, number>> = {}
  for (const [name, aliases] of Object.entries(HEADER_ALIASES)) {
    const i = aliases.map((a) => header.indexOf(a)).find((x) => x >= 0)
    if (i !== undefined) col[name as keyof typeof HEADER_ALIASES] = i
  }
  const hasHeader = col.title !== undefined && col.artist !== undefined
  const rows = hasHeader ? records.slice(1) : records
  const at = (fields: ReadonlyArray<string>, i: number | undefined) => (i === undefined ? "" : (fields[i] ?? "").trim())
  // without a header: artist, title, album, duration
  const idx = hasHeader ? col : { artist: 0, title: 1, album: 2, duration: 3 }
  if (!hasHeader && (records[0]!.fields.length < 2 || header.some((h) => h === "artist" || h === "title"))) {
    return Either.left(new InvalidPlaylistFile("the CSV needs a header with title and artist columns (Exportify's, or artist,title,album,duration)"))
  }
  const entries: Array<TrackListEntry> = []
  const skipped: Array<SkippedEntry> = []
  for (const { line, fields } of rows) {
    const title = at(fields, idx.title)
    const artist = at(fields, idx.artist).split(/\s*,\s*/).filter((a) => a !== "").join(", ")
    if (title === "") {
      skipped.push(skipLine(line, "no title"))
      continue
    }
    if (artist === "") {
      skipped.push(skipLine(line, `"${title}" has no artist`))
      continue
    }
    if (title.length > 500 || artist.length > 500) {
      skipped.push(skipLine(line, "title or artist longer than 500 characters"))
      continue
    }
    const durationMs = parseDurationMs(at(fields, idx.duration))
    if (durationMs === "invalid") {
      skipped.push(skipLine(line, `"${at(fields, idx.duration)}" is not a duration`))
      continue
    }
    const album = at(fields, idx.album) || null
    const isrc = at(fields, col.isrc)
    const spotifyId = spotifyIdOf(at(fields, col.uri), "track")
    const albumId = spotifyIdOf(at(fields, col.albumUri), "album")
    const track: TrackInput = {
      title, artist, album, durationMs,
      isrc: /^[A-Za-z]{2}[A-Za-z0-9]{3}\d{7}$/.test(isrc) ? isrc.toUpperCase() : null,
      spotifyId, trackNumber: positiveInt(at(fields, col.number)), discNumber: positiveInt(at(fields, col.disc))
    }
    const albumArtist = at(fields, col.albumArtist).split(/\s*,\s*/).filter((a) => a !== "").join(", ") || artist
    entries.push({
      track,
      album: albumId && album
        ? { source: "spotify", sourceId: albumId, title: album, artist: albumArtist, totalTracks: null, releaseDate: at(fields, col.releaseDate) || null }
        : localAlbum(albumArtist, album)
    })
  }
  return Either.right({ entries, skipped })
}

// ------------------------------------------------------------------------------------- M3U

const AUDIO_EXT = /\.(flac|mp3|m4a|aac|ogg|oga|opus|wav|aiff?|alac|ape|wv|wma|dsf|dff)$/i

/** Artist, album and title from a path such as Artist/Album/01 - Title.flac. */
export const trackFromPath = (path: string): { artist: string | null; album: string | null; title: string } | null => {
  const clean = path.replace(/^file:\/\//i, "").replace(/\\/g, "/")
  let segments: Array<string>
  try {
    segments = clean.split("/").map((s) => decodeURIComponent(s))
  } catch {
    segments = clean.split("/")
  }
  segments = segments.filter((s) => s !== "" && !/^[A-Za-z]:$/.test(s))
  const file = segments.at(-1)
  if (!file) return null
  const base = file.replace(AUDIO_EXT, "").replace(/^\d{1,3}\s*[-._ ]\s*/, "").trim()
  const dash = /^(.+?)\s+-\s+(.+)$/.exec(base)
  if (segments.length >= 3) {
    return { artist: segments.at(-3)!, album: segments.at(-2)!, title: dash && dash[1] === segments.at(-3) ? dash[2]! : base }
  }
  if (dash) return { artist: dash[1]!, album: segments.length === 2 ? segments[0]! : null, title: dash[2]! }
  return { artist: null, album: null, title: base }
}

const parseM3u = (text: string): { entries: Array<TrackListEntry>; skipped: Array<SkippedEntry> } => {
  const entries: Array<TrackListEntry> = []
  const skipped: Array<SkippedEntry> = []
  let info: { line: number; seconds: number | null; artist: string | null; title: string } | null = null
  text.split(/\r\n|\n|\r/).forEach((raw, i) => {
    const line = i + 1
    const t = raw.trim()
    if (t === "") return
    if (/^#EXTINF:/i.test(t)) {
      if (info) skipped.push(skipLine(info.line, "#EXTINF without a path line after it"))
      const m = /^#EXTINF:\s*(-?\d+(?:\.\d+)?)?[^,]*,(.*)$/i.exec(t)
      if (!m) {
        skipped.push(skipLine(line, "#EXTINF line without a comma before the title"))
        info = null
        return
      }
      const seconds = m[1] === undefined || Number(m[1]) < 0 ? null : Math.round(Number(m[1]))
      const label = m[2]!.trim()
      const dash = /^(.+?)\s+-\s+(.+)$/.exec(label)
      info = { line, seconds, artist: dash ? dash[1]!.trim() : null, title: dash ? dash[2]!.trim() : label }
      return
    }
    if (t.startsWith("#")) return
    const fromPath = trackFromPath(t)
    const current: { line: number; seconds: number | null; artist: string | null; title: string } | null = info
    info = null
    const artist = current?.artist ?? fromPath?.artist ?? null
    const title = current?.title || fromPath?.title || ""
    if (title === "" || artist === null || artist === "") {
      skipped.push(skipLine(current?.line ?? line, current
        ? `"${current.title}" has no artist (write #EXTINF:<seconds>,<artist> - <title>)`
        : "only a file name, without artist folder or \"Artist - Title\""))
      return
    }
    const album = fromPath?.album ?? null
    entries.push({
      track: { title, artist, album, durationMs: current?.seconds ? current.seconds * 1000 : null },
      album: localAlbum(artist, album)
    })
  })
  if (info !== null) skipped.push(skipLine((info as { line: number }).line, "#EXTINF without a path line after it"))
  return { entries, skipped }
}

// ------------------------------------------------------------------------------------- file

/** UTF-8 (BOM dropped); a file that is not valid UTF-8 is read as Windows-1252, as old .m3u files often are. */
export const decodeText = (bytes: Uint8Array): string => {
  try {
    return new TextDecoder("utf-8", { fatal: true }).decode(bytes).replace(/^\uFEFF/, "")
  } catch {
    return new TextDecoder("windows-1252").decode(bytes)
  }
}

export const formatOf = (name: string | null, contentType: string | null, text: string): PlaylistFileFormat | null => {
  const type = (contentType ?? "").split(";")[0]!.trim().toLowerCase()
  if (/mpegurl/.test(type)) return "m3u"
  if (type === "text/csv") return "csv"
  if (name && /\.m3u8?$/i.test(name)) return "m3u"
  if (name && /\.(csv|tsv|txt)$/i.test(name)) return /^\s*#EXT/.test(text) ? "m3u" : "csv"
  if (/^\s*#EXT(M3U|INF)/i.test(text)) return "m3u"
  const first = text.split(/\r?\n/, 1)[0] ?? ""
  return /[,;\t]/.test(first) ? "csv" : null
}

/**
 * A playlist file to a track list. Its source id is a hash of the content, so uploading the same
 * file again is recognised as the same playlist (and queues nothing new).
 */
export const parsePlaylistFile = (input: { readonly name: string | null; readonly contentType: string | null; readonly bytes: Uint8Array }): Either.Either<TrackList, InvalidPlaylistFile> => {
  const text = decodeText(input.bytes)
  if (text.trim() === "") return Either.left(new InvalidPlaylistFile("the file is empty"))
  const format = formatOf(input.name, input.contentType, text)
  if (format === null) return Either.left(new InvalidPlaylistFile("not a playlist file: send a CSV (Exportify, or artist,title,album,duration) or an M3U/M3U8"))
  const parsed = format === "m3u" ? Either.right(parseM3u(text)) : parseCsvFile(text)
  if (Either.isLeft(parsed)) return Either.left(parsed.left)
  const { entries, skipped } = parsed.right
  if (entries.length === 0) {
    return Either.left(new InvalidPlaylistFile(`no usable line in the file${skipped.length > 0 ? `: ${skipped.slice(0, 3).map((s) => s.reason).join("; ")}` : ""}`, skipped))
  }
  const hash = createHash("sha256").update(input.bytes).digest("hex").slice(0, 32)
  const title = (input.name ?? "").replace(/\.[^.]+$/, "").trim() || "Playlist file"
  return Either.right({ source: "file", sourceId: hash, title, snapshot: hash, entries, skipped })
}
