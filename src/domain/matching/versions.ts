/**
 * Different versions of a recording: live, remix, acoustic, instrumental, karaoke, a cappella,
 * edits, demos, covers, sped-up/slowed, and a few more. A candidate that names a version the
 * wanted track does not name is rejected.
 *
 * Matching is on folded text with spaces as word boundaries, so "Alive", "Oliver",
 * "Delivery" and "Livestock" never read as "live", and "Remastered" never reads as "remix".
 * Occurrences are counted: "Live Wire (Live at Donington)" names "live" twice and is a live
 * version of "Live Wire" (once); the band Live's "Lightning Crashes" is not, because the wanted
 * artist names it too.
 *
 * Folders are read more strictly (album names like "Live Through This" or "Alive 2007" are
 * not live albums): only "Live at/in/from …", "(Live)", "- Live", "Live 1995", "Unplugged",
 * "Remixes", "Karaoke", "Covers", "Tribute", "Demos", "(Clean)", "[Edited]" and similar. A version a
 * folder names applies to every file in it.
 */
import { memoize } from "../memo.js"
import { foldText } from "./normalise.js"

export type VersionKind =
  | "live" | "remix" | "acoustic" | "instrumental" | "karaoke" | "acapella" | "edit" | "demo" | "cover"
  | "sped-up" | "extended" | "reprise" | "arrangement" | "re-recording" | "medley"

export const VERSION_LABEL: Readonly<Record<VersionKind, string>> = {
  live: "live version", remix: "remix", acoustic: "acoustic version", instrumental: "instrumental",
  karaoke: "karaoke version", acapella: "a cappella version", edit: "edited version (radio/clean edit)",
  demo: "demo or outtake", cover: "cover or tribute", "sped-up": "sped-up/slowed/nightcore version",
  extended: "extended version", reprise: "reprise", arrangement: "re-arranged version (orchestral, piano, lullaby…)",
  "re-recording": "re-recording", medley: "medley or mashup"
}

/** Phrases (folded) that name each kind in a file name. */
const FILE_PHRASES: ReadonlyArray<readonly [VersionKind, ReadonlyArray<string>]> = [
  ["live", ["live", "unplugged", "in concert"]],
  ["remix", ["remix", "remixes", "remixed", "rmx", "mixed", "rework", "reworked", "vip mix", "dub mix", "dub version", "bootleg mix"]],
  ["acoustic", ["acoustic", "unplugged"]],
  ["instrumental", ["instrumental", "instrumentals", "inst", "off vocal", "backing track", "minus one", "no vocals", "without vocals"]],
  ["karaoke", ["karaoke", "in the style of", "originally performed by", "made famous by", "sing along", "singalong"]],
  ["acapella", ["acapella", "acapellas", "a cappella", "a capella", "acappella", "vocals only", "vocal only", "isolated vocals"]],
  ["edit", ["edit", "edited", "clean", "censored", "radio version", "radio mix", "short version", "tv size", "tv version"]],
  ["demo", ["demo", "demos", "rough mix", "outtake", "outtakes", "early version", "alternate take", "alternate version", "alt take", "rehearsal", "work in progress"]],
  ["cover", ["cover", "covers", "covered by", "tribute", "cover version"]],
  ["sped-up", ["sped up", "speed up", "nightcore", "slowed", "reverb", "daycore", "8d", "bass boosted", "chopped and screwed"]],
  ["extended", ["extended"]],
  ["reprise", ["reprise"]],
  ["arrangement", ["orchestral", "symphonic", "piano version", "string quartet", "lullaby", "lullabies", "music box", "8 bit", "piano cover"]],
  ["re-recording", ["taylors version", "re recorded", "rerecorded", "re recording"]],
  ["medley", ["medley", "mashup"]]
]

/** "mix" alone is a remix unless it is the original/album/main/radio/mono/stereo mix or a year's mix ("2009 Mix"). */
const BARE_MIX = String.raw`(?<!(?:original|album|main|radio|stereo|mono|single|lp|rough|vip|dub|bootleg|\d{4}) )mix`

/** Whole words (space-bounded) in a padded folded text. */
const phraseRegex = (alternatives: ReadonlyArray<string>) =>
  new RegExp(`(?<= )(?:${alternatives.map((a) => a.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")).join("|")})(?= )`, "g")

const FILE_PATTERNS: ReadonlyArray<readonly [VersionKind, RegExp]> = FILE_PHRASES.map(([kind, phrases]) =>
  [kind, kind === "remix"
    ? new RegExp(`${phraseRegex(phrases).source.slice(0, -6)}|${BARE_MIX})(?= )`, "g")
    : phraseRegex(phrases)] as const)

/** One-word markers: the title matcher leaves these words to this module instead of counting them as extra title words. */
export const VERSION_WORDS: ReadonlySet<string> = new Set(
  FILE_PHRASES.flatMap(([, phrases]) => phrases.filter((p) => !p.includes(" "))).concat(["mix"])
)

const FOLDER_PATTERNS: ReadonlyArray<readonly [VersionKind, RegExp, RegExp?]> = [
  // folded pattern, raw pattern
  ["live", /(?:^| )(?:live (?:at|in|from|on|aus|au|en|a)|unplugged|in concert|(?:19|20)\d\d live|live (?:19|20)\d\d|bootleg)(?: |$)|^live$/,
    /[([{]\s*live\b|[-–]\s*live\b|\blive\s*[)\]!]|\blive\s*$/i],
  ["remix", /(?:^| )(?:remixes|remixed|remix|rmx|mixed|dj mix|continuous mix)(?: |$)/],
  ["karaoke", /(?:^| )(?:karaoke|in the style of|sing along)(?: |$)/],
  ["instrumental", /(?:^| )(?:instrumental|instrumentals|off vocal)(?: |$)/],
  ["acapella", /(?:^| )(?:acapella|acapellas|a cappella|a capella)(?: |$)/],
  ["cover", /(?:^| )(?:covers|tribute|cover versions|lullaby|lullabies|string quartet)(?: |$)/],
  ["demo", /(?:^| )(?:demos|demo|outtakes)(?: |$)/],
  ["sped-up", /(?:^| )(?:nightcore|sped up|slowed)(?: |$)/],
  ["acoustic", /(?:^| )acoustic(?: |$)/],
  // an album's edited release: "Nevermind (Clean)", "Album [Edited Version]", "Album - Censored", "Clean"
  ["edit", /(?:^| )(?:radio edits|(?:clean|edited|censored) (?:version|edition))(?: |$)|^(?:clean|edited|censored)$/,
    /[([{]\s*(?:clean|edited|censored)\b|\b(?:clean|edited|censored)\s*[)\]}]|[-–]\s*(?:clean|edited|censored)(?:\s+(?:version|edition))?\s*$/i]
]

const pad = (folded: string) => ` ${folded} `

/** How often each version kind is named in a text (file name, or the wanted title + artist + album). */
export const versionCounts: (text: string) => ReadonlyMap<VersionKind, number> = memoize((text) => countUncached(text))

const countUncached = (text: string): ReadonlyMap<VersionKind, number> => {
  const padded = pad(foldText(text))
  const counts = new Map<VersionKind, number>()
  for (const [kind, re] of FILE_PATTERNS) {
    const n = padded.match(re)?.length ?? 0
    if (n > 0) counts.set(kind, Math.max(counts.get(kind) ?? 0, n))
  }
  return counts
}

/** Version kinds a folder name stands for (strict patterns). */
export const folderVersions: (folder: string) => ReadonlyArray<VersionKind> = memoize((folder) => {
  const folded = foldText(folder)
  return FOLDER_PATTERNS.filter(([, re, raw]) => re.test(folded) || (raw?.test(folder) ?? false)).map(([k]) => k)
})

export interface VersionVerdict {
  readonly kind: VersionKind
  /** Where it was seen: "file name" or `folder "Live at Wembley"`. */
  readonly where: string
}

/**
 * The versions a candidate is and the wanted track is not: a kind named more often in the
 * file name than in the wanted text, or named by a folder when the wanted text never names it.
 */
export const unwantedVersions = (
  wanted: ReadonlyMap<VersionKind, number>,
  stem: string,
  folders: ReadonlyArray<string>
): ReadonlyArray<VersionVerdict> => {
  const out: Array<VersionVerdict> = []
  for (const [kind, n] of versionCounts(stem)) {
    if (n > (wanted.get(kind) ?? 0)) out.push({ kind, where: "file name" })
  }
  for (const folder of folders) {
    for (const kind of folderVersions(folder)) {
      if ((wanted.get(kind) ?? 0) === 0 && !out.some((v) => v.kind === kind)) out.push({ kind, where: `folder "${folder}"` })
    }
  }
  return out
}
