import { describe, expect, it } from "@effect/vitest"
import { ANY, BALANCED, LOSSLESS, SPACE_SAVER, type QualityProfile } from "../../../src/domain/matching/profiles.js"
import { select, type WantedTrack } from "../../../src/domain/matching/select.js"
import type { PeerFile, PeerResponse } from "../../../src/domain/matching/types.js"

const peer = (username: string, files: ReadonlyArray<PeerFile>, extra: Partial<PeerResponse> = {}): PeerResponse => ({
  username, files, hasFreeUploadSlot: true, queueLength: 0, uploadSpeed: 1_500_000, lockedFiles: [], ...extra
})
/** A CD-quality FLAC of `seconds` (about 110 KB/s). */
const flac = (filename: string, seconds: number, extra: Partial<PeerFile> = {}): PeerFile =>
  ({ filename, size: Math.round(seconds * 110_000), length: seconds, extension: "", ...extra })
const mp3 = (filename: string, seconds: number, bitRate = 320, extra: Partial<PeerFile> = {}): PeerFile =>
  ({ filename, size: Math.round(seconds * bitRate * 125) + 60_000, length: seconds, bitRate, extension: "", ...extra })

const hello: WantedTrack = { title: "Hello", artist: "Adele", album: "25", durationMs: 295_000 }
const dir = "@@kqzpd\\Music\\Adele\\25 (2015)\\"

interface Case {
  readonly name: string
  readonly track?: WantedTrack
  readonly profile?: QualityProfile
  readonly files: ReadonlyArray<PeerFile>
  /** The chosen file, or null. */
  readonly chosen: string | null
  /** A reason the first listed file must carry (substring). */
  readonly reason?: string
}

const accepts = (name: string, file: PeerFile, track: WantedTrack = hello, reason?: string): Case =>
  ({ name, track, files: [file], chosen: file.filename, ...(reason ? { reason } : {}) })
const rejects = (name: string, file: PeerFile, reason: string, track: WantedTrack = hello): Case =>
  ({ name, track, files: [file], chosen: null, reason })

const cases: ReadonlyArray<Case> = [
  accepts("a plain album rip", flac(`${dir}01 - Hello.flac`, 295), hello, "duration 4:55 vs 4:55 ✓"),
  accepts("duration a few seconds off is fine", flac(`${dir}01 - Hello.flac`, 298), hello, "duration 4:58 vs 4:55 ✓"),
  rejects("impossible duration", flac(`${dir}01 - Hello.flac`, 250), "45 s off"),
  rejects("a short track: 8 % is less than 10 s", flac("Music\\Artist\\Intro.flac", 66), "6 s off", { title: "Intro", artist: "Artist", durationMs: 60_000 }),
  accepts("length missing: accepted on the other evidence", flac(`${dir}01 - Hello.flac`, 295, { length: undefined }), hello, "length unknown"),
  rejects("length missing but the CBR size says too short", mp3(`${dir}01 - Hello.mp3`, 200, 320, { length: undefined }), "too short"),

  // formats
  rejects("cover art is never a candidate", { filename: `${dir}folder.jpg`, size: 120_000 }, ""),
  rejects("a video is not audio", { filename: `${dir}Hello.mp4`, size: 30_000_000, length: 295 }, "not an audio file (.mp4)"),
  accepts("the extension comes from the file name, not slskd's field", flac(`${dir}01 - Hello.FLAC`, 295, { extension: "" })),
  accepts("the extension field is only a fallback", flac(`${dir}01 - Hello`, 295, { extension: "flac" })),
  accepts("m4a with a bit depth is ALAC", { filename: `${dir}01 - Hello.m4a`, size: 30_000_000, length: 295, bitDepth: 16, sampleRate: 44100 }, hello, "ALAC"),

  // locked, blocklisted
  { name: "a locked file is rejected", files: [], chosen: null },

  // versions
  rejects("live", mp3("Music\\Adele\\Live at the Royal Albert Hall\\05 - Hello (Live).mp3", 300), "live version"),
  rejects("live album folder", flac("Music\\Adele - Live at Madison Square Garden (2017)\\03 - Hello.flac", 296), "live version"),
  rejects("an edited release's folder", flac("Music\\Adele\\25 (Clean)\\01 - Hello.flac", 295), `edited version (radio/clean edit) (named by folder "25 (Clean)")`),
  {
    name: "the album's own release over its edited one, even in a better format",
    files: [flac("Music\\Adele\\25 (Clean)\\01 - Hello.flac", 295), mp3(`${dir}01 - Hello.mp3`, 295)],
    chosen: `${dir}01 - Hello.mp3`
  },
  accepts("an edited release when the request names it", flac("Music\\Adele\\25 (Clean)\\01 - Hello.flac", 295), { ...hello, album: "25 (Clean)" }),
  accepts("live when the wanted title names it", mp3("Music\\Adele\\Hello (Live at the BBC).mp3", 300), { title: "Hello - Live at the BBC", artist: "Adele", durationMs: 300_000 }),
  rejects("remix", mp3(`Music\\Adele - Hello (Remixes)\\Hello (Tracy Young Remix).mp3`, 296), "remix"),
  rejects("Remixed is a remix too", mp3("Music\\Adele\\Hello (Remixed).mp3", 296), "remix"),
  rejects("acoustic", mp3("Music\\Adele\\Hello (Acoustic).mp3", 296), "acoustic"),
  rejects("instrumental", mp3("Music\\Adele\\Hello (Instrumental).mp3", 296), "instrumental"),
  rejects("karaoke", mp3("Karaoke\\Hello (In the Style of Adele) [Karaoke Version].mp3", 296), "karaoke"),
  rejects("a cappella", mp3("Music\\Adele\\Hello (A Cappella).mp3", 296), "a cappella"),
  rejects("acapella spelled together", mp3("Music\\Adele\\Adele - Hello (Acapella).mp3", 296), "a cappella"),
  rejects("radio edit", mp3("Music\\Adele\\Hello (Radio Edit).mp3", 290), "edited version"),
  rejects("clean edit", mp3("Music\\Adele\\Hello (Clean).mp3", 295), "edited version"),
  rejects("demo", mp3("Music\\Adele\\Hello (Demo).mp3", 296), "demo"),
  rejects("cover", mp3("Music\\Covers\\Adele - Hello (Cover by Leroy).mp3", 296), "cover"),
  rejects("sped up", mp3("Music\\Adele - Hello (Sped Up).mp3", 296), "sped-up"),
  rejects("nightcore", mp3("Music\\Nightcore - Hello (Adele).mp3", 296), "sped-up"),
  rejects("slowed + reverb", mp3("Music\\Adele - Hello [slowed + reverb].mp3", 296), "sped-up"),
  accepts("\"Alive\" is not \"live\"", flac("Music\\Sia\\This Is Acting\\02 - Alive.flac", 263), { title: "Alive", artist: "Sia", durationMs: 263_000 }),
  accepts("\"Alive 2007\" album folder is not read as live", flac("Music\\Daft Punk\\Alive 2007\\01 - Robot Rock.flac", 287), { title: "Robot Rock", artist: "Daft Punk", durationMs: 287_000 }),
  accepts("\"Oliver\" is not \"live\"", flac("Music\\Oliver Tree\\Ugly Is Beautiful\\01 - Me and You.flac", 150), { title: "Me and You", artist: "Oliver Tree", durationMs: 150_000 }),
  accepts("\"Delivery\" is not \"live\"", flac("Music\\Some Band\\Special Delivery.flac", 200), { title: "Special Delivery", artist: "Some Band", durationMs: 200_000 }),
  accepts("\"Live Through This\" album folder is not a live album", flac("Music\\Hole\\Live Through This\\04 - Doll Parts.flac", 211), { title: "Doll Parts", artist: "Hole", durationMs: 211_000 }),
  accepts("the band Live is not a live version", flac("Music\\Live\\Throwing Copper\\07 - Lightning Crashes.flac", 325), { title: "Lightning Crashes", artist: "Live", durationMs: 325_000 }),
  accepts("remastered is not a remix", flac("Music\\Queen\\Bohemian Rhapsody (2011 Remaster).flac", 355), { title: "Bohemian Rhapsody", artist: "Queen", durationMs: 355_000 }),

  // numbers
  rejects("Part I is not Part II", flac("Music\\Pink Floyd\\The Wall\\1-05 Another Brick in the Wall, Part 1.flac", 191), "different part", { title: "Another Brick in the Wall, Pt. 2", artist: "Pink Floyd", durationMs: 239_000 }),
  accepts("Part II matches Pt. 2", flac("Music\\Pink Floyd\\The Wall\\1-05 Another Brick in the Wall (Part II).flac", 239), { title: "Another Brick in the Wall, Pt. 2", artist: "Pink Floyd", durationMs: 239_000 }),
  accepts("a title that starts with a number is not a track number", mp3("Music\\Jay-Z\\The Black Album\\99 Problems.mp3", 234), { title: "99 Problems", artist: "Jay-Z", durationMs: 234_000 }),
  accepts("a title that is a number", flac("Music\\The Smashing Pumpkins\\Mellon Collie\\2-05 1979.flac", 266), { title: "1979", artist: "The Smashing Pumpkins", durationMs: 266_000 }),
  rejects("Song 2 is not Song", mp3("Music\\Blur\\Blur\\02 - Song 2.mp3", 122), "different part", { title: "Song", artist: "Blur", durationMs: 122_000 }),

  // identity
  rejects("other artist, same title", flac("Music\\Lionel Richie\\Can't Slow Down\\05 - Hello.flac", 295), "artist not found"),
  rejects("same artist, longer title", mp3("Music\\Adele\\Adele - Hello Goodbye.mp3", 295), "extra words: goodbye"),
  accepts("artist only in the file name", mp3("Downloads\\Adele - Hello.mp3", 296)),
  accepts("01 - Artist - Title in a compilation", mp3("Music\\VA - Now That's What I Call Music 93\\1-05 - Adele - Hello.mp3", 296)),
  accepts("\"The\" prefix", flac("Music\\Beatles, The\\Help!\\13 - Yesterday.flac", 125), { title: "Yesterday", artist: "The Beatles", durationMs: 125_000 }),
  accepts("AC/DC written ACDC", flac("Music\\ACDC\\Back In Black\\06 - Back In Black.flac", 255), { title: "Back in Black", artist: "AC/DC", durationMs: 255_000 }),
  accepts("Guns N' Roses with a typographic apostrophe", flac("Music\\Guns N’ Roses\\Appetite\\09 - Sweet Child O’ Mine.flac", 356), { title: "Sweet Child O' Mine", artist: "Guns N' Roses", durationMs: 356_000 }),
  accepts("diacritics folded", flac("Music\\Beyonce\\I Am... Sasha Fierce\\Halo.flac", 261), { title: "Halo", artist: "Beyoncé", durationMs: 261_000 }),
  accepts("featuring in the file name", mp3("Music\\Daft Punk - Get Lucky (feat. Pharrell Williams).mp3", 369), { title: "Get Lucky", artist: "Daft Punk", durationMs: 369_000 }),
  accepts("Japanese title and artist", flac("@@jp\\音楽\\高橋洋子\\残酷な天使のテーゼ\\01 残酷な天使のテーゼ.flac", 246), { title: "残酷な天使のテーゼ", artist: "高橋洋子", durationMs: 246_000 }),
  rejects("Japanese title, romanised artist nowhere", flac("@@jp\\Anime\\01 残酷な天使のテーゼ.flac", 246), "artist not found", { title: "残酷な天使のテーゼ", artist: "高橋洋子", durationMs: 246_000 }),
  accepts("artist unknown: title alone", flac("Music\\Unsorted\\Mystery Song.flac", 200), { title: "Mystery Song", artist: "", durationMs: 200_000 }),

  rejects("another artist named in the file name, the wanted one only in a folder", mp3("Music\\Adele Radio\\Lionel Richie - Hello.mp3", 295), "names \"Lionel Richie\""),
  accepts("a featuring segment in the file name is not another artist", flac("Music\\Daft Punk\\Random Access Memories\\08 - Get Lucky - feat. Pharrell Williams.flac", 369), { title: "Get Lucky", artist: "Daft Punk", durationMs: 369_000 }),
  accepts("a guest named as a segment is not another artist", flac("Music\\Daft Punk\\Random Access Memories\\08 - Get Lucky - Pharrell Williams.flac", 369), { title: "Get Lucky (feat. Pharrell Williams)", artist: "Daft Punk", durationMs: 369_000 }),
  accepts("an album segment in the file name is not another artist", flac("Music\\Radiohead\\OK Computer\\OK Computer - Paranoid Android.flac", 387), { title: "Paranoid Android", artist: "Radiohead", durationMs: 387_000 }),
  rejects("wanted a specific remix, found another remixer", mp3("EDM\\David Guetta - Titanium (Nicky Romero Remix).mp3", 371), "missing: alesso", { title: "Titanium (Alesso Remix)", artist: "David Guetta", durationMs: 371_000 }),
  rejects("wanted the remix, found the original", mp3("Lil Nas X - Old Town Road.mp3", 157), "the wanted track is a remix", { title: "Old Town Road - Remix", artist: "Lil Nas X", durationMs: 157_000 }),
  accepts("wanted live version found through its album folder", flac("Music\\Adele\\Live at the BBC\\Hello.flac", 300), { title: "Hello - Live at the BBC", artist: "Adele", durationMs: 300_000 }),
  accepts("a one-letter typo in a long word, confirmed by the length", mp3("Queen - Bohemian Rapsody.mp3", 355), { title: "Bohemian Rhapsody", artist: "Queen", durationMs: 355_000 }, "spelled differently: rapsody ≈ rhapsody"),
  rejects("a one-letter typo without a length to confirm it", mp3("Queen - Bohemian Rapsody.mp3", 355, 320, { length: undefined }), "spelling difference", { title: "Bohemian Rhapsody", artist: "Queen", durationMs: 355_000 }),
  rejects("short words get no typo tolerance (Alice is not Alive)", flac("Music\\Pearl Jam\\Alice.flac", 341), "missing: alive", { title: "Alive", artist: "Pearl Jam", durationMs: 341_000 }),
  accepts("one word in place of another in a long title ('Till' for 'Til')", flac("Music\\Michael Jackson\\Off the Wall\\Dont Stop Till You Get Enough.flac", 365), { title: "Don't Stop 'Til You Get Enough", artist: "Michael Jackson", durationMs: 365_000 }),

  // quality
  rejects("upsampled/renamed FLAC (40 KB/s)", { filename: `${dir}01 - Hello.flac`, size: 295 * 40_200, length: 295 }, "suspicious"),
  rejects("\"320 kbps\" MP3 that is far too small", mp3(`${dir}01 - Hello.mp3`, 295, 320, { size: 295 * 16_000 }), "suspicious"),
  rejects("192 kbps is below balanced", mp3(`${dir}01 - Hello.mp3`, 295, 192), "below the profile's 256 kbps"),
  accepts("V0 VBR passes balanced", mp3(`${dir}01 - Hello.mp3`, 295, 245, { isVariableBitRate: true })),
  { name: "lossless rejects MP3", profile: LOSSLESS, files: [mp3(`${dir}01 - Hello.mp3`, 295)], chosen: null, reason: "MP3 is not allowed" },
  { name: "space-saver rejects FLAC", profile: SPACE_SAVER, files: [flac(`${dir}01 - Hello.flac`, 295)], chosen: null, reason: "FLAC is not allowed" },
  { name: "any takes 128 kbps", profile: ANY, files: [mp3(`${dir}01 - Hello.mp3`, 295, 128)], chosen: `${dir}01 - Hello.mp3` },
  {
    name: "a 16-bit limit rejects 24-bit",
    profile: { ...LOSSLESS, name: "cd", maxBitDepth: 16 },
    files: [flac(`${dir}01 - Hello.flac`, 295, { bitDepth: 24, sampleRate: 96000, size: 295 * 400_000 })],
    chosen: null,
    reason: "above the profile's 16-bit"
  }
]

describe("select: one case per trap", () => {
  it.each(cases.filter((c) => c.files.length > 0))("$name", (c) => {
    const result = select(c.track ?? hello, [peer("peer1", c.files)], c.profile ?? BALANCED)
    expect(result.chosen?.filename ?? null).toBe(c.chosen)
    if (c.reason !== undefined && c.reason !== "") {
      const first = result.candidates[0]!
      expect(first.reasons.join(" | ")).toContain(c.reason)
    }
    if (c.reason === "") expect(result.candidates).toHaveLength(0)
  })

  it("a locked file is rejected (membership in lockedFiles; isLocked is always false)", () => {
    const file = flac(`${dir}01 - Hello.flac`, 295, { isLocked: false })
    const result = select(hello, [peer("locker", [], { lockedFiles: [file], lockedFileCount: 1 })], BALANCED)
    expect(result.chosen).toBeNull()
    expect(result.candidates[0]).toMatchObject({ accepted: false, locked: true })
    expect(result.candidates[0]!.reasons[0]).toContain("locked")
  })

  it("a blocklisted user is rejected, case-insensitively", () => {
    const result = select(hello, [peer("BadPeer", [flac(`${dir}01 - Hello.flac`, 295)])], BALANCED, { blockedUsers: ["badpeer"] })
    expect(result.chosen).toBeNull()
    expect(result.candidates[0]!.reasons[0]).toContain("blocklisted")
  })

  it("availability breaks a tie between the same file on two peers", () => {
    const file = flac(`${dir}01 - Hello.flac`, 295)
    const result = select(hello, [
      peer("busy", [file], { hasFreeUploadSlot: false, queueLength: 40, uploadSpeed: 200_000 }),
      peer("idle", [file])
    ], BALANCED)
    expect(result.chosen?.username).toBe("idle")
  })

  it("balanced prefers lossless, space-saver prefers MP3 320", () => {
    const files = [mp3(`${dir}01 - Hello.mp3`, 295), flac(`${dir}01 - Hello.flac`, 295), mp3(`${dir}01 - Hello (256).mp3`, 295, 256)]
    expect(select(hello, [peer("p", files)], BALANCED).chosen?.filename).toBe(`${dir}01 - Hello.flac`)
    expect(select(hello, [peer("p", files)], SPACE_SAVER).chosen?.filename).toBe(`${dir}01 - Hello.mp3`)
  })

  it("accepted candidates come first, best first, and every candidate has reasons", () => {
    const result = select(hello, [peer("p", [
      mp3("Music\\Adele\\Hello (Live).mp3", 300), flac(`${dir}01 - Hello.flac`, 295), mp3(`${dir}01 - Hello.mp3`, 295)
    ])], BALANCED)
    expect(result.candidates.map((c) => c.accepted)).toEqual([true, true, false])
    expect(result.candidates[0]!.score).toBeGreaterThan(result.candidates[1]!.score)
    for (const c of result.candidates) expect(c.reasons.length).toBeGreaterThan(0)
  })

  it("choosing nothing when nothing is acceptable", () => {
    expect(select(hello, [], BALANCED)).toEqual({ chosen: null, candidates: [] })
  })
})
