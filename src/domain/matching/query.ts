/**
 * The query ladder: the search texts to try for a track, most specific first. The caller
 * runs the next rung only when the previous one found nothing acceptable.
 *
 * Rungs (each kept only when it differs from every earlier one):
 *  1. artist + title, as given (made search-safe)
 *  2. without bracketed parts ("(2011 Remaster)", "[Live]") and dash suffixes ("- Remastered")
 *  3. without featuring, first credited artist only
 *  4. normalised: no diacritics, no punctuation, no leading "The"; and for a name with
 *     symbols between letters ("AC/DC") the name written together ("ACDC")
 *  5. album + title, when the album is known
 *  6. title alone, only when the artist is unknown
 *
 * Apostrophes split a word instead of joining it: peers' clients match each query word inside
 * the file path, and "d'argent" contains "argent" but not "dargent". One-letter pieces go
 * ("La femme d'argent" → "La femme argent", "Don't Stop" → "Don Stop"); so do ’ ‘ ` ´.
 *
 * Search-safe (Soulseek/slskd): a word starting with "-" is an exclusion for slskd, so leading
 * dashes go; quotes, brackets and most symbols go; one-letter words are dropped while at least
 * two other words remain (they match everything and some clients ignore them). Two queries
 * are the same when they are equal ignoring case and spacing: "Beyoncé Halo" and "Beyonce
 * Halo" are different searches on Soulseek (peers' file names differ), so both may be tried.
 */
import { foldText, primaryArtist, stripBrackets, stripFeaturing } from "./normalise.js"
import type { WantedTrack } from "./score.js"

const UNKNOWN_ARTIST = /^(?:unknown(?: artist)?|various(?: artists)?|va|n\/?a|-|\?+)$/i

const APOSTROPHE = /['’‘`´]/

/** "d'argent" → "argent", "Don't" → "Don", "rock'n'roll" → "rock roll": see the module comment. */
export const splitApostrophes = (text: string): string =>
  text.replace(/[^\s]*['’‘`´][^\s]*/g, (word) =>
    word.split(APOSTROPHE).filter((p) => [...p].length > 1 || /\d/.test(p)).join(" "))

/** Makes one search text safe for Soulseek: see the module comment. */
export const searchSafe = (text: string): string => {
  const words = splitApostrophes(text.normalize("NFC"))
    .replace(/["“”„«»「」『』]/g, "")
    .replace(/[()[\]{}<>【】（）\\/|:;,!?*+=~^#%@]/g, " ")
    .replace(/&/g, " and ")
    .split(/\s+/)
    .map((w) => w.replace(/^[-–—.]+/, "").replace(/[-–—.]+$/, ""))
    .filter((w) => w !== "")
  const long = words.filter((w) => [...w].length > 1 || /\d/.test(w) || /[^\p{Script=Latin}]/u.test(w))
  return (long.length >= 2 ? long : words).join(" ")
}

/** The comparison key for "the same query". */
const queryKey = (q: string): string => q.toLowerCase().replace(/\s+/g, " ").trim()

/** Removes spaced-dash suffixes: "Yesterday - Remastered 2009" → "Yesterday". */
const stripDashSuffix = (s: string): string => s.split(/\s+[-–—]+\s+/)[0] ?? s

const normalisedWords = (s: string): string => {
  const t = foldText(s)
  return t.startsWith("the ") && t.length > 4 ? t.slice(4) : t
}

export const queryLadder = (track: WantedTrack): ReadonlyArray<string> => {
  const title = splitApostrophes(track.title.normalize("NFC")).trim()
  const artistRaw = splitApostrophes(track.artist.normalize("NFC")).trim()
  const artistKnown = artistRaw !== "" && !UNKNOWN_ARTIST.test(artistRaw)
  const album = splitApostrophes(track.album?.normalize("NFC") ?? "").trim()

  const bare = stripBrackets(stripDashSuffix(title)) || title
  const bareNoFeat = stripFeaturing(bare).text || bare
  const primary = artistKnown ? primaryArtist(artistRaw) : ""
  const albumBare = stripBrackets(album) || album

  const rungs: Array<string> = []
  if (artistKnown) {
    rungs.push(`${artistRaw} ${title}`)
    rungs.push(`${artistRaw} ${bare}`)
    rungs.push(`${primary} ${bareNoFeat}`)
    rungs.push(`${normalisedWords(primary)} ${foldText(bareNoFeat)}`)
    // "AC/DC", "Run-D.M.C.": peers often write the name without its symbols ("ACDC")
    if (/\p{L}[/\-.]\p{L}/u.test(primary)) rungs.push(`${primary.replace(/(\p{L})[/\-.](?=\p{L})/gu, "$1").replace(/\.$/, "")} ${bareNoFeat}`)
  }
  if (albumBare !== "") rungs.push(`${albumBare} ${bareNoFeat}`)
  if (!artistKnown) {
    rungs.push(bareNoFeat)
    rungs.push(foldText(bareNoFeat))
  }

  const seen = new Set<string>()
  const out: Array<string> = []
  for (const r of rungs) {
    const q = searchSafe(r)
    const key = queryKey(q)
    if (q === "" || seen.has(key)) continue
    seen.add(key)
    out.push(q)
  }
  return out
}
