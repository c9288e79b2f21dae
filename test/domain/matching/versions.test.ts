import { describe, expect, it } from "@effect/vitest"
import { folderVersions, unwantedVersions, versionCounts, type VersionKind } from "../../../src/domain/matching/versions.js"

const kinds = (text: string) => [...versionCounts(text).keys()].sort()

describe("version markers in file names (whole words only)", () => {
  it.each<{ text: string; kinds: ReadonlyArray<VersionKind> }>([
    { text: "Hello (Live)", kinds: ["live"] },
    { text: "Alive", kinds: [] },
    { text: "Oliver's Army", kinds: [] },
    { text: "Special Delivery", kinds: [] },
    { text: "Livestock", kinds: [] },
    { text: "Hello (Remix)", kinds: ["remix"] },
    { text: "Hello (Remixed)", kinds: ["remix"] },
    { text: "Hello (Remastered 2011)", kinds: [] },
    { text: "Hello (Original Mix)", kinds: [] },
    { text: "Hello (2009 Mix)", kinds: [] },
    { text: "Hello (Club Mix)", kinds: ["remix"] },
    { text: "Mixtape Song", kinds: [] },
    { text: "Hello (Acoustic Version)", kinds: ["acoustic"] },
    { text: "Hello (Instrumental)", kinds: ["instrumental"] },
    { text: "Hello (Karaoke Version)", kinds: ["karaoke"] },
    { text: "Hello (In the Style of Adele)", kinds: ["karaoke"] },
    { text: "Hello (Acapella)", kinds: ["acapella"] },
    { text: "Hello (A Cappella)", kinds: ["acapella"] },
    { text: "Hello (Radio Edit)", kinds: ["edit"] },
    { text: "Hello (Clean)", kinds: ["edit"] },
    { text: "Hello (Edited)", kinds: ["edit"] },
    { text: "Hello (Demo)", kinds: ["demo"] },
    { text: "Hello (Cover)", kinds: ["cover"] },
    { text: "Undercover Lover", kinds: [] },
    { text: "Hello (Sped Up)", kinds: ["sped-up"] },
    { text: "Hello (Nightcore)", kinds: ["sped-up"] },
    { text: "Hello [Slowed + Reverb]", kinds: ["sped-up"] },
    { text: "Hello (Extended Mix)", kinds: ["extended", "remix"] },
    { text: "Hello (Reprise)", kinds: ["reprise"] },
    { text: "Hello (Orchestral Version)", kinds: ["arrangement"] },
    { text: "Electric Light Orchestra", kinds: [] },
    { text: "22 (Taylor's Version)", kinds: ["re-recording"] },
    { text: "Billie Jean - Beat It (Medley)", kinds: ["medley"] }
  ])("$text", ({ text, kinds: expected }) => {
    expect(kinds(text)).toEqual([...expected].sort())
  })

  it("counts: 'Live Wire (Live at Donington)' names live twice", () => {
    expect(versionCounts("Live Wire (Live at Donington)").get("live")).toBe(2)
  })
})

describe("version markers in folder names (strict)", () => {
  it.each<{ folder: string; kinds: ReadonlyArray<VersionKind> }>([
    { folder: "Live at Wembley '86", kinds: ["live"] },
    { folder: "Album (Live)", kinds: ["live"] },
    { folder: "Greatest Hits Live", kinds: ["live"] },
    { folder: "1995 Live", kinds: ["live"] },
    { folder: "MTV Unplugged in New York", kinds: ["live"] },
    { folder: "Live Through This", kinds: [] },
    { folder: "Alive 2007", kinds: [] },
    { folder: "Delivery Man", kinds: [] },
    { folder: "The Remixes", kinds: ["remix"] },
    { folder: "Karaoke Hits Vol. 12", kinds: ["karaoke"] },
    { folder: "A Tribute To Metallica", kinds: ["cover"] },
    { folder: "Demos", kinds: ["demo"] },
    { folder: "Nightcore", kinds: ["sped-up"] },
    { folder: "Nevermind (Clean)", kinds: ["edit"] },
    { folder: "Good Kid, m.A.A.d City [Edited]", kinds: ["edit"] },
    { folder: "The Marshall Mathers LP (Censored Version)", kinds: ["edit"] },
    { folder: "Speakerboxxx - Clean Version", kinds: ["edit"] },
    { folder: "Clean", kinds: ["edit"] },
    { folder: "Radio Edits", kinds: ["edit"] },
    { folder: "Clean Bandit - New Eyes", kinds: [] },
    { folder: "Squeaky Clean Sessions", kinds: [] },
    { folder: "Edited Highlights of the Tour", kinds: [] }
  ])("$folder", ({ folder, kinds: expected }) => {
    expect(folderVersions(folder)).toEqual(expected)
  })
})

describe("unwanted versions", () => {
  it("a version the wanted text names is allowed, one it does not name is not", () => {
    expect(unwantedVersions(versionCounts("Live Wire AC/DC"), "01 - Live Wire", [])).toEqual([])
    expect(unwantedVersions(versionCounts("Live Wire AC/DC"), "Live Wire (Live)", [])).toEqual([{ kind: "live", where: "file name" }])
    expect(unwantedVersions(versionCounts("Hello Adele"), "Hello", ["Live at the BBC"])).toEqual([{ kind: "live", where: "folder \"Live at the BBC\"" }])
    // the band Live: the wanted artist names it
    expect(unwantedVersions(versionCounts("Lightning Crashes Live Throwing Copper"), "Lightning Crashes", ["Live", "Throwing Copper"])).toEqual([])
  })
})
