/**
 * Text and path normalisation for matching. Pure functions, no Effect services.
 *
 * Two levels:
 * - `foldText` / `tokens`: the comparison form (lower case, Latin/Greek diacritics removed,
 *   punctuation and symbols turned into spaces, apostrophes dropped, `&` and a spaced `+`
 *   → "and"). Letters of
 *   every script and their combining marks are kept, so Japanese, Korean, Devanagari or
 *   Cyrillic text never folds to nothing.
 * - structural helpers on the raw text: bracket groups, featuring clauses, dash segments,
 *   track-number prefixes, remote paths (Windows `\`, POSIX `/`, `@@share\` prefixes).
 */
import { memoize } from "../memo.js"

// ---------------------------------------------------------------------------------------------
// Folding

/** Letters that do not decompose under NFD but have a usual Latin spelling. */
const SPECIAL_LETTERS: Readonly<Record<string, string>> = {
  "ß": "ss", "ẞ": "ss", "æ": "ae", "Æ": "ae", "œ": "oe", "Œ": "oe", "ø": "o", "Ø": "o",
  "đ": "d", "Đ": "d", "ł": "l", "Ł": "l", "þ": "th", "Þ": "th", "ð": "d", "Ð": "d", "ı": "i"
}
const SPECIAL_RE = new RegExp(`[${Object.keys(SPECIAL_LETTERS).join("")}]`, "g")

/** Apostrophes and primes inside words are dropped ("Don't" → "dont", "Guns N' Roses" → "guns n roses"). */
const APOSTROPHES = /['’‘`´ʼ′‛]/g

/**
 * The comparison form of a text. Diacritics are removed only from Latin and Greek letters
 * ("Beyoncé" → "beyonce"); marks of other scripts are part of the letter (Japanese dakuten,
 * Devanagari vowel signs) and stay.
 */
/** Folding is pure and file names repeat (folders, peers), so results are cached. */
export const foldText: (s: string) => string = memoize((s) => foldUncached(s))


const foldUncached = (s: string): string => {
  let t = s.normalize("NFKC").replace(SPECIAL_RE, (c) => SPECIAL_LETTERS[c] ?? c)
  t = t.normalize("NFD").replace(/([\p{Script=Latin}\p{Script=Greek}])\p{M}+/gu, "$1").normalize("NFC")
  t = t.toLowerCase()
  // stylised names: "P!nk", "Ke$ha"
  t = t.replace(/(\p{L})!(?=\p{L})/gu, "$1i").replace(/(\p{L})\$(?=\p{L})/gu, "$1s")
  t = t.replace(APOSTROPHES, "")
  t = t.replace(/&/g, " and ").replace(/\s\+\s/g, " and ")
  return t.replace(/[^\p{L}\p{N}\p{M}]+/gu, " ").trim()
}

const ROMAN: Readonly<Record<string, string>> = {
  i: "1", ii: "2", iii: "3", iv: "4", v: "5", vi: "6", vii: "7", viii: "8", ix: "9", x: "10",
  xi: "11", xii: "12", xiii: "13", xiv: "14", xv: "15"
}
/** Roman numerals that are never ordinary words, so they are numbers wherever they stand. */
const SAFE_ROMAN = new Set(["ii", "iii", "iv", "vi", "vii", "viii", "ix", "xi", "xii", "xiii", "xiv", "xv"])
/** Words after which a Roman numeral (even "I" or "V") is a number: "Part I", "Vol. V". */
const NUMBERING_WORDS = new Set(["part", "volume", "chapter", "act", "book", "no", "number", "episode", "movement", "op", "opus"])
const NUMBER_WORDS: Readonly<Record<string, string>> = {
  one: "1", two: "2", three: "3", four: "4", five: "5", six: "6", seven: "7", eight: "8", nine: "9", ten: "10"
}
const TOKEN_ALIASES: Readonly<Record<string, string>> = {
  pt: "part", pts: "part", parts: "part", vol: "volume", vols: "volume", ch: "chapter", nr: "number", n: "and", feat: "feat",
  // informal spellings common in titles: "'Til"/"Till", "Nite", "Thru", "Child O' Mine"/"Child of Mine"
  till: "til", nite: "night", tonite: "tonight", thru: "through", o: "of"
}

/**
 * Comparison tokens: folded words with a few spellings unified: "Pt." = "Part",
 * "Vol." = "Volume", Roman numerals and number words after those words ("Part II", "Part
 * Two"), Roman numerals in a range ("Parts I-V") and unambiguous ones anywhere ("VII") are
 * digits, leading zeros are dropped ("03" = "3"), "n" ("Rock 'n' Roll") = "and", and a few
 * informal spellings are unified ("Till" = "'Til", "Nite" = "Night", "O'" = "of").
 */
export const tokens = (s: string): Array<string> => [...cachedTokens(s)]
const cachedTokens = memoize((s) => tokensUncached(s))

const tokensUncached = (s: string): ReadonlyArray<string> => {
  const raw = foldText(s).split(" ").filter((w) => w !== "")
  const out: Array<string> = []
  for (const w of raw) {
    let t = TOKEN_ALIASES[w] ?? w
    const prev = out[out.length - 1]
    const numbered = prev !== undefined && (NUMBERING_WORDS.has(prev) || /^\d+$/.test(prev))
    if (SAFE_ROMAN.has(t) || (numbered && ROMAN[t] !== undefined)) t = ROMAN[t] ?? t
    // "Part Two" = "Part 2" (only after a numbering word: "Two of Us" stays words)
    else if (prev !== undefined && NUMBERING_WORDS.has(prev) && NUMBER_WORDS[t] !== undefined) t = NUMBER_WORDS[t]!
    if (/^\d+$/.test(t)) t = t.replace(/^0+(?=\d)/, "")
    out.push(t)
  }
  return out
}

export const isNumberToken = (t: string): boolean => /^\d+$/.test(t)
export const isYearToken = (t: string): boolean => /^(19[3-9]\d|20[0-4]\d)$/.test(t)

// ---------------------------------------------------------------------------------------------
// Brackets, featuring, dash segments

const OPEN = "([{【〔［（"
const CLOSE = ")]}】〕］）"

export interface Bracketed {
  /** The text outside every bracket group, groups replaced by a space. */
  readonly outside: string
  /** The contents of the outermost groups, in order (an unclosed group runs to the end). */
  readonly groups: ReadonlyArray<string>
}

/** Splits "(…)", "[…]", "{…}" and CJK brackets from the rest; nested groups stay inside their parent. */
export const splitBrackets = (s: string): Bracketed => {
  let outside = ""
  const groups: Array<string> = []
  let depth = 0
  let current = ""
  for (const ch of s) {
    if (OPEN.includes(ch)) {
      if (depth === 0) { current = ""; outside += " " } else current += ch
      depth++
    } else if (CLOSE.includes(ch) && depth > 0) {
      depth--
      if (depth === 0) groups.push(current.trim())
      else current += ch
    } else if (depth > 0) current += ch
    else outside += ch
  }
  if (depth > 0 && current.trim() !== "") groups.push(current.trim())
  return { outside: outside.replace(/\s+/g, " ").trim(), groups: groups.filter((g) => g !== "") }
}

/** Every bracket group removed. */
export const stripBrackets = (s: string): string => splitBrackets(s).outside

const FEAT_WORD = String.raw`(?:feat\.?|ft\.?|featuring)`
const FEAT_GROUP = new RegExp(String.raw`^\s*(?:${FEAT_WORD}|with)\s+(.+)$`, "i")
const FEAT_INLINE = new RegExp(String.raw`(?:^|\s)${FEAT_WORD}\s+(.+?)(?=\s[-–—]\s|[([{【（]|$)`, "i")

export interface Featuring {
  /** The text without its featuring clauses. */
  readonly text: string
  /** The featured names ("feat. A & B" gives "A & B"). */
  readonly featured: ReadonlyArray<string>
}

/**
 * Removes "feat. X", "ft. X", "featuring X" (anywhere) and "(with X)" (only inside brackets:
 * "With or Without You" is a title, "(with Selena Gomez)" is a guest).
 */
export const stripFeaturing = (s: string): Featuring => {
  const featured: Array<string> = []
  let text = ""
  let depth = 0
  let group = ""
  let groupOpen = ""
  for (const ch of s) {
    if (OPEN.includes(ch)) {
      if (depth === 0) { group = ""; groupOpen = ch } else group += ch
      depth++
    } else if (CLOSE.includes(ch) && depth > 0) {
      depth--
      if (depth === 0) {
        const m = FEAT_GROUP.exec(group)
        if (m) featured.push(m[1]!.trim())
        else text += `${groupOpen}${group}${ch}`
      } else group += ch
    } else if (depth > 0) group += ch
    else text += ch
  }
  if (depth > 0) {
    const m = FEAT_GROUP.exec(group)
    if (m) featured.push(m[1]!.trim())
    else text += `${groupOpen}${group}`
  }
  for (;;) {
    const m = FEAT_INLINE.exec(text)
    if (!m) break
    featured.push(m[1]!.trim())
    text = text.slice(0, m.index) + " " + text.slice(m.index + m[0].length)
  }
  return { text: text.replace(/\s+/g, " ").trim(), featured }
}

/**
 * The names in an artist credit, the whole credit first: "A, B", "A x B", "A vs. B", "A / B",
 * "A feat. B". "&" and "and" split only into names of two words or more ("Calvin Harris &
 * Disciples" gives "Calvin Harris"), because "Simon & Garfunkel" or "Hall & Oates" are one name.
 */
export const splitArtists = (s: string): ReadonlyArray<string> => {
  const { text, featured } = stripFeaturing(s)
  const parts = text.split(/\s*(?:,|;|\s\/\s|\sx\s|\svs\.?\s)\s*/i).map((p) => p.trim()).filter((p) => p !== "")
  const names = parts.flatMap((p) => {
    const pieces = p.split(/\s+(?:&|and)\s+/i).map((x) => x.trim())
    return pieces.length > 1 ? [p, ...pieces.filter((x) => x.split(/\s+/).length >= 2)] : [p]
  })
  return [...new Set([text, ...names, ...featured.flatMap((f) => splitArtists(f))])].filter((p) => p !== "")
}

/** The first name of a credit, without guests: "Daft Punk feat. Pharrell Williams" → "Daft Punk", "Drake, Rihanna" → "Drake". */
export const primaryArtist = (s: string): string => {
  const { text } = stripFeaturing(s)
  return text.split(/\s*(?:,|;|\s\/\s|\sx\s|\svs\.?\s)\s*/i)[0]?.trim() || text
}

/**
 * Splits on spaced dashes (" - ", " – ", " — ", "_-_", " ~ "); a name without spaces at all
 * ("artist-title") is split on bare dashes. Empty segments are dropped.
 */
export const splitSegments = (s: string): ReadonlyArray<string> => {
  const t = s.replace(/_/g, " ").replace(/\s+/g, " ").trim()
  const parts = /\s[-–—~]+\s/.test(t)
    ? t.split(/\s+[-–—~]+\s+/)
    : !t.includes(" ") && t.includes("-") ? t.split(/-+/) : [t]
  return parts.map((p) => p.trim()).filter((p) => p !== "")
}

// ---------------------------------------------------------------------------------------------
// Track numbers

export interface TrackPrefix {
  readonly disc: number | null
  readonly track: number
  /** Vinyl side ("A1" → "A"). */
  readonly side: string | null
  /** The text after the prefix. */
  readonly rest: string
}

const PREFIX = /^\s*(?:[([]\s*)?(?:(?:cd|disc|disk)\s*(\d{1,2})\s*[-._ ]\s*)?(?:(\d{1,2})[-.](\d{1,3})|([a-h])(\d{1,2})|(\d{1,3}))(?:\s*[)\]])?(?:\s*[-._)~]+\s*|\s+)(?=\S)/i

/**
 * A leading track number: "03 - ", "03. ", "03 ", "03_", "A1 ", "1-03 ", "1.03 ", "103 "
 * (disc 1, track 3), "(03) ", "CD2-05 ". Returns null when there is none. "99 Problems"
 * also parses (track 99, "Problems"): callers that care compare both readings.
 */
export const parseTrackPrefix = (s: string): TrackPrefix | null => {
  const m = PREFIX.exec(s)
  if (!m) return null
  const rest = s.slice(m[0].length)
  if (rest.trim() === "") return null
  const [, cdDisc, disc, discTrack, side, sideTrack, plain] = m
  if (disc !== undefined && discTrack !== undefined) {
    return { disc: Number(disc), track: Number(discTrack), side: null, rest }
  }
  if (side !== undefined && sideTrack !== undefined) {
    return { disc: null, track: Number(sideTrack), side: side.toUpperCase(), rest }
  }
  const n = plain ?? ""
  if (n.length === 3 && cdDisc === undefined && Number(n[0]) > 0) {
    return { disc: Number(n[0]), track: Number(n.slice(1)), side: null, rest }
  }
  return { disc: cdDisc === undefined ? null : Number(cdDisc), track: Number(n), side: null, rest }
}

/** The text without its leading track number, or unchanged. */
export const stripTrackNumber = (s: string): string => parseTrackPrefix(s)?.rest ?? s

// ---------------------------------------------------------------------------------------------
// Remote paths

export interface RemotePath {
  /** Folders after the share prefix (`@@abcde`) and drive letter, outermost first. */
  readonly folders: ReadonlyArray<string>
  /** The last segment. */
  readonly fileName: string
  /** The file name without its extension. */
  readonly stem: string
  /** Lower-case extension without the dot, "" when there is none. */
  readonly extension: string
}

/** Splits a remote path on `\` and `/`; drops an `@@share` prefix and a drive letter. */
export const parseRemotePath = (filename: string): RemotePath => {
  const parts = filename.split(/[\\/]+/).filter((p) => p.trim() !== "")
  if (parts[0] !== undefined && (/^@@/.test(parts[0]) || /^[a-zA-Z]:$/.test(parts[0]))) parts.shift()
  const fileName = parts.pop() ?? ""
  const dot = fileName.lastIndexOf(".")
  const ext = dot > 0 && fileName.length - dot <= 6 ? fileName.slice(dot + 1) : ""
  const extension = /^[a-z0-9]+$/i.test(ext) && /[a-z]/i.test(ext) ? ext.toLowerCase() : ""
  return { folders: parts, fileName, stem: extension === "" ? fileName : fileName.slice(0, dot), extension }
}

const DISC_FOLDER = /^(?:cd|disc|disk|side)\s*[-_ ]?\s*(?:\d{1,2}|[a-d])(?:\s*(?:of|\/)\s*\d+)?(?:\s*[-:]\s*.*)?$/i
/** Folders that say nothing about artist or album. */
const GENERIC_FOLDER = /^(?:music|musik|musique|mp3s?|flac|audio|downloads?|complete|shared?|media|my music|albums?|singles?|soulseek downloads|incoming|library|users?|home|public)$/i

export const isDiscFolder = (name: string): boolean => DISC_FOLDER.test(name.trim())
export const isGenericFolder = (name: string): boolean => GENERIC_FOLDER.test(name.trim())

export interface FolderInfo {
  readonly artist: string | null
  readonly album: string | null
  readonly year: number | null
}

const YEAR_RE = /(?:^|[\s([{_-])((?:19[3-9]|20[0-4])\d)(?=$|[\s)\]}_-])/

/**
 * Reads an album folder name: "Artist - Album (Year)", "Artist - Year - Album",
 * "(Year) Album", "Year - Album", "[Year] Album", "Album [FLAC]". Noise groups (formats,
 * years) are removed from the album.
 */
export const parseFolderName = (name: string): FolderInfo => {
  const yearMatch = YEAR_RE.exec(name)
  const year = yearMatch ? Number(yearMatch[1]) : null
  const { outside, groups } = splitBrackets(name)
  const kept = groups.filter((g) => !isNoiseGroup(g))
  let text = [outside, ...kept.map((g) => `(${g})`)].join(" ").trim()
  text = text.replace(/^(?:19[3-9]|20[0-4])\d\s*[-–.]?\s*/, "").trim()
  const segs = splitSegments(text).filter((s) => !/^(?:19[3-9]|20[0-4])\d$/.test(s.trim()))
  if (segs.length >= 2) return { artist: segs[0]!, album: segs.slice(1).join(" - "), year }
  return { artist: null, album: segs[0] ?? (text === "" ? null : text), year }
}

export interface PathGuess {
  readonly path: RemotePath
  readonly trackNumber: number | null
  readonly discNumber: number | null
  /** Artist named in the file name ("01 - Artist - Title"), else from the folders. */
  readonly artist: string | null
  /** Album from the album folder ("Artist - Album (Year)" or the folder under the artist's). */
  readonly album: string | null
  readonly year: number | null
  /** The title part of the file name: no track number, artist, extension or noise groups. */
  readonly title: string
}

/**
 * A best guess of what a remote path says: title from the file name (minus extension and
 * track number), artist and album from the file name or the parent folders. The scorer does
 * not rely on this guess alone (it searches the wanted words in every part), but reasons and
 * the UI use it.
 */
export const guessFromPath = (filename: string): PathGuess => {
  const path = parseRemotePath(filename)
  const folders = path.folders.filter((f) => !isGenericFolder(f))
  let i = folders.length - 1
  let discFromFolder: number | null = null
  if (i >= 0 && isDiscFolder(folders[i]!)) {
    const d = /(\d{1,2})/.exec(folders[i]!)
    discFromFolder = d ? Number(d[1]) : null
    i--
  }
  const albumFolder = i >= 0 ? parseFolderName(folders[i]!) : null
  const artistFolder = i >= 1 ? folders[i - 1]! : null

  const prefix = parseTrackPrefix(path.stem)
  const rest = prefix?.rest ?? path.stem
  const all = splitSegments(stripCopyMarker(rest))
  const isNumber = (seg: string) => /^\s*\d{1,3}\s*$/.test(seg)
  // "Artist - Album - 01 - Title": the last number segment is the track number
  let numberedAt = -1
  if (prefix === null) all.forEach((seg, i) => { if (isNumber(seg)) numberedAt = i })
  let trackNumber = prefix?.track ?? (numberedAt < 0 ? null : Number(all[numberedAt]))
  const segs = all.filter((_, i) => i !== numberedAt)
  let fileArtist: string | null = null
  let fileAlbum: string | null = null
  let title = segs[segs.length - 1] ?? rest
  if (segs.length >= 2) {
    fileArtist = segs[0]!
    if (segs.length >= 3) fileAlbum = segs.slice(1, -1).join(" - ")
  }
  const inner = parseTrackPrefix(title)
  if (inner && trackNumber === null && segs.length >= 2) {
    trackNumber = inner.track
    title = inner.rest
  }
  const cleanTitle = splitBrackets(title)
  const keptGroups = cleanTitle.groups.filter((g) => !isNoiseGroup(g))
  const titleText = [cleanTitle.outside, ...keptGroups.map((g) => `(${g})`)].join(" ").trim()
  return {
    path,
    trackNumber,
    discNumber: prefix?.disc ?? discFromFolder,
    artist: fileArtist ?? albumFolder?.artist ?? artistFolder,
    album: albumFolder?.album ?? fileAlbum,
    year: albumFolder?.year ?? null,
    title: titleText === "" ? rest.trim() : titleText
  }
}

// ---------------------------------------------------------------------------------------------
// Noise

/** Words that say how a file was made or where it came from, never which song it is. */
export const NOISE_WORDS: ReadonlySet<string> = new Set([
  "remaster", "remastered", "remasters", "remastering", "digital", "digitally", "version", "album", "original",
  "single", "edition", "deluxe", "expanded", "anniversary", "bonus", "track", "explicit", "stereo", "mono",
  "lp", "ep", "cd", "vinyl", "rip", "web", "flac", "mp3", "aac", "m4a", "alac", "ogg", "opus", "wav", "aiff",
  "kbps", "kbit", "kbs", "cbr", "vbr", "v0", "v2", "bit", "khz", "hz", "hq", "hd", "hi", "res", "hires",
  "lossless", "official", "audio", "video", "lyric", "lyrics", "visualizer", "visualiser", "music", "musicvideo",
  "mv", "pv", "full", "itunes", "spotify", "amazon", "bandcamp", "qobuz", "tidal", "deezer", "by",
  "mastered", "master", "reissue", "edit", "mix", "24", "16", "32", "44", "48", "88", "96", "176", "192",
  "320", "256", "224", "160", "128", "1", "2", "japan", "japanese", "import", "uk", "us", "eu", "promo",
  "cdm", "cds", "bootleg", "webflac", "24bit", "16bit", "24bits", "16bits", "youtube", "soundcloud", "ytmp3",
  "高音質", "音源"
])

/** The usual MP3 bitrates in kbps: a bare "320" or "(192)" in a name is a bitrate, not a title word. */
export const BITRATE_TOKENS: ReadonlySet<string> = new Set(["96", "112", "128", "160", "192", "224", "256", "320"])

/** Tokens that are always noise wherever they stand (in a group or not). */
const ALWAYS_NOISE = /^(?:\d{2,3}kbps|\d{2,3}k|\d{2,3}khz|\d{2}bit|v[0-9]|(?:19[3-9]|20[0-4])\d|web|flac|mp3|m4a|aac|hq|hd|hires|lossless|remaster(?:ed)?|explicit|official|lyrics?|kbps|cbr|vbr|www|com|net|org|ru)$/

export const isAlwaysNoiseToken = (t: string): boolean => ALWAYS_NOISE.test(t)

/** Group words that mark the group as a catalog/source note: "(From 'Frozen')", "[www.site.com]". */
const NOISE_GROUP_START = /^(?:from|taken from|as heard|as seen|recorded|bonus|hidden|www|http|cat|catalog)\b/i

/**
 * A bracket group that only says how or where the file was made: "(2011 Remaster)", "[FLAC]",
 * "{320}", "(Official Audio)", "[24bit-96kHz]", "(Deluxe Edition)", "(From \"Frozen\")".
 * A group with any other word ("Part 2", "I Can't Get No", "Live", "Remix") is not noise.
 */
export const isNoiseGroup = (group: string): boolean => {
  if (NOISE_GROUP_START.test(group.trim())) return true
  const ts = tokens(group)
  if (ts.length === 0) return true
  // "(2)" / "(Part 2)" are numbers that matter; "(1)" alone is a Windows copy marker, handled by the caller
  if (ts.every((t) => isNumberToken(t)) && !ts.some(isYearToken)) return ts.every((t) => BITRATE_TOKENS.has(t))
  return ts.every((t) => NOISE_WORDS.has(t) || ALWAYS_NOISE.test(t) || /^\d+(?:bit|khz|kbps|k)$/.test(t))
}

/** "Song (1)" → "Song": the copy marker Windows adds to a duplicate download. */
export const stripCopyMarker = (stem: string): string => stem.replace(/\s\(\d\)$/, "")

/** Seconds as m:ss (h:mm:ss past an hour). */
export const formatDuration = (seconds: number): string => {
  const s = Math.round(seconds)
  const h = Math.floor(s / 3600)
  const m = Math.floor((s % 3600) / 60)
  const ss = String(s % 60).padStart(2, "0")
  return h > 0 ? `${h}:${String(m).padStart(2, "0")}:${ss}` : `${m}:${ss}`
}
