import { Either } from "effect"

/** What a file in the library is named after. Absent values are null. */
export interface NamingValues {
  readonly artist: string
  readonly albumartist: string | null
  readonly album: string | null
  readonly title: string
  readonly year: string | null
  /** Only set when the album has more than one disc, so a single-disc album gives "01 Title". */
  readonly disc: number | null
  readonly track: number | null
  readonly isrc: string | null
  readonly ext: string
}

export const DEFAULT_NAMING_TEMPLATE = "{albumartist}/{album} ({year})/{disc}-{track:02} {title}.{ext}"
/** Tracks without an album always go here, whatever the template. */
export const SINGLES_TEMPLATE = "{artist}/Singles/{artist} - {title}.{ext}"

const TOKENS = new Set(["artist", "albumartist", "album", "title", "year", "disc", "track", "isrc", "ext"])
const NUMERIC = new Set(["disc", "track"])
const SEPARATORS = /[\s\-_.,~·]+/
const OPENERS: Record<string, string> = { "(": ")", "[": "]" }

type Part = { readonly kind: "text"; readonly text: string } | { readonly kind: "token"; readonly name: string; readonly pad: number }

const parseSegment = (segment: string): Either.Either<ReadonlyArray<Part>, string> => {
  const parts: Array<Part> = []
  const re = /\{([a-z]+)(?::0(\d))?\}/g
  let last = 0
  for (const m of segment.matchAll(re)) {
    if (m.index > last) parts.push({ kind: "text", text: segment.slice(last, m.index) })
    const name = m[1]!
    if (!TOKENS.has(name)) return Either.left(`unknown token {${name}} (use ${[...TOKENS].map((t) => `{${t}}`).join(", ")})`)
    const pad = m[2] === undefined ? 0 : Number(m[2])
    if (pad > 0 && !NUMERIC.has(name)) return Either.left(`{${name}:0${pad}}: only {disc} and {track} can be padded`)
    parts.push({ kind: "token", name, pad })
    last = m.index + m[0].length
  }
  if (last < segment.length) parts.push({ kind: "text", text: segment.slice(last) })
  if (parts.some((p) => p.kind === "text" && /[{}]/.test(p.text))) return Either.left(`"${segment}": a brace that is not a token such as {title} or {track:02}`)
  return Either.right(parts)
}

/**
 * Checks a template: relative, no "..", no backslashes, known tokens only, ends with ".{ext}".
 * Token values are cleaned of path separators when rendered, so a valid template cannot
 * leave the library folder.
 */
export const validateTemplate = (template: string): Either.Either<string, string> => {
  const t = template.trim()
  if (t === "") return Either.left("must not be empty")
  if (t.length > 300) return Either.left("must be at most 300 characters")
  if (t.startsWith("/") || /^[A-Za-z]:/.test(t) || t.startsWith("~")) return Either.left("must be a path inside the library, not an absolute path")
  if (t.includes("\\")) return Either.left("use / between folders")
  if (t.includes("\u0000")) return Either.left("must not hold a NUL character")
  if (!t.endsWith(".{ext}")) return Either.left("must end with .{ext} so the file keeps its format's extension")
  const segments = t.split("/")
  if (segments.length > 8) return Either.left("at most 8 folder levels")
  for (const s of segments) {
    if (s.trim() === "") return Either.left("an empty folder name (two / in a row, or one at the end)")
    if (s.trim() === ".." || s.trim() === ".") return Either.left(`"${s}" would leave the library folder`)
    const parsed = parseSegment(s)
    if (Either.isLeft(parsed)) return Either.left(parsed.left)
    if (!parsed.right.some((p) => p.kind === "token") && s.startsWith(".")) return Either.left(`"${s}": a hidden folder`)
  }
  if (!/\{title\}/.test(segments[segments.length - 1]!)) return Either.left("the file name must contain {title}")
  return Either.right(t)
}

/** A value made safe as (part of) one file or folder name on Linux, macOS and SMB shares. */
export const cleanName = (s: string): string =>
  s.normalize("NFC")
    .replace(/[\u0000-\u001f\u007f]/g, "")
    .replace(/[/\\]/g, "-")
    .replace(/[:*?"<>|]/g, "_")
    .replace(/\s+/g, " ")
    .trim()

const valueOf = (v: NamingValues, name: string, pad: number): string => {
  const raw = (v as unknown as Record<string, string | number | null>)[name]
  if (raw === null || raw === undefined) return ""
  if (typeof raw === "number") return String(raw).padStart(pad, "0")
  return cleanName(raw)
}

const trimEndSeparators = (s: string) => s.replace(new RegExp(`(${SEPARATORS.source})$`), "")
const trimStartSeparators = (s: string) => s.replace(new RegExp(`^(${SEPARATORS.source})`), "")

/**
 * One folder or file name. A token without a value drops with its separators: brackets around
 * it go with it ("Album ()" → "Album"); otherwise the separator after it when it starts the
 * name ("{disc}-{track}" → "01"), or the one before it ("{title} - {artist}" → "Title").
 */
const renderSegment = (parts: ReadonlyArray<Part>, v: NamingValues): string => {
  const out: Array<string> = []
  let dropNextSeparators = false
  for (let i = 0; i < parts.length; i++) {
    const p = parts[i]!
    if (p.kind === "text") {
      out.push(dropNextSeparators ? trimStartSeparators(p.text) : p.text)
      dropNextSeparators = false
      continue
    }
    const value = valueOf(v, p.name, p.pad)
    if (value !== "") {
      out.push(value)
      continue
    }
    const before = out.length > 0 ? out[out.length - 1]! : ""
    const next = parts[i + 1]
    const opener = before.slice(-1)
    if (OPENERS[opener] && next?.kind === "text" && next.text.startsWith(OPENERS[opener]!)) {
      out[out.length - 1] = trimEndSeparators(before.slice(0, -1))
      parts = [...parts.slice(0, i + 1), { kind: "text", text: next.text.slice(1) }, ...parts.slice(i + 2)]
      dropNextSeparators = out.join("").trim() === ""
      continue
    }
    if (out.join("").trim() === "") {
      dropNextSeparators = true
    } else if (out.length > 0) {
      out[out.length - 1] = trimEndSeparators(before)
    }
  }
  return out.join("").trim()
}

/** A name may not hide the file, nor be "." or "..", nor be too long for the file system. */
const safeSegment = (s: string, isFile: boolean, ext: string): string => {
  let name = s.replace(/^\.+/, "").replace(/[. ]+$/, "")
  if (isFile) {
    const base = name.endsWith(`.${ext}`) ? name.slice(0, -(ext.length + 1)) : name
    const cut = Buffer.byteLength(base) > 200 ? Buffer.from(base).subarray(0, 200).toString("utf8").replace(/\uFFFD+$/, "") : base
    name = `${cut.replace(/[. ]+$/, "") || "track"}.${ext}`
  } else if (Buffer.byteLength(name) > 200) {
    name = Buffer.from(name).subarray(0, 200).toString("utf8").replace(/\uFFFD+$/, "").trim()
  }
  return name
}

/**
 * The path of a track inside the library, as "/"-separated relative segments. A track with no
 * album goes to "{artist}/Singles/". The template must have passed validateTemplate.
 */
export const renderPath = (template: string, values: NamingValues): string => {
  const chosen = values.album === null ? SINGLES_TEMPLATE : template
  const filled: NamingValues = { ...values, albumartist: values.albumartist ?? values.artist, ext: values.ext.toLowerCase() }
  const segments = chosen.split("/")
  const rendered: Array<string> = []
  segments.forEach((s, i) => {
    const parts = Either.getOrThrow(parseSegment(s))
    const isFile = i === segments.length - 1
    const name = safeSegment(renderSegment(parts, filled), isFile, filled.ext)
    if (name !== "") rendered.push(name)
  })
  return rendered.join("/")
}

/** "2019-05-01" or "2019" → "2019". */
export const yearOf = (releaseDate: string | null): string | null => {
  const m = releaseDate === null ? null : /^(\d{4})/.exec(releaseDate)
  return m ? m[1]! : null
}
