import { describe, expect, it } from "@effect/vitest"
import { Either } from "effect"
import { DEFAULT_NAMING_TEMPLATE, type NamingValues, renderPath, validateTemplate, yearOf } from "../../../src/domain/library/naming.js"

const base: NamingValues = {
  artist: "Massive Attack", albumartist: null, album: "Mezzanine", title: "Angel", year: "1998",
  disc: null, track: 1, isrc: null, ext: "flac"
}

describe("renderPath", () => {
  it.each([
    { name: "single-disc album", v: {}, want: "Massive Attack/Mezzanine (1998)/01 Angel.flac" },
    { name: "second disc of two", v: { disc: 2, track: 7 }, want: "Massive Attack/Mezzanine (1998)/2-07 Angel.flac" },
    { name: "no year drops the brackets", v: { year: null }, want: "Massive Attack/Mezzanine/01 Angel.flac" },
    { name: "no track number drops its space", v: { track: null }, want: "Massive Attack/Mezzanine (1998)/Angel.flac" },
    { name: "album artist wins over artist", v: { albumartist: "Various Artists" }, want: "Various Artists/Mezzanine (1998)/01 Angel.flac" },
    { name: "no album goes to Singles", v: { album: null }, want: "Massive Attack/Singles/Massive Attack - Angel.flac" },
    { name: "slashes in values cannot make folders", v: { title: "AC/DC ../../etc", artist: "../x" }, want: "-x/Mezzanine (1998)/01 AC-DC ..-..-etc.flac" },
    { name: "extension is lower case", v: { ext: "FLAC" }, want: "Massive Attack/Mezzanine (1998)/01 Angel.flac" },
    { name: "characters SMB refuses", v: { title: "What? Why: \"Now\"" }, want: "Massive Attack/Mezzanine (1998)/01 What_ Why_ _Now_.flac" }
  ])("$name", ({ v, want }) => {
    expect(renderPath(DEFAULT_NAMING_TEMPLATE, { ...base, ...v })).toBe(want)
  })

  it.each([
    { t: "{artist} - {title}.{ext}", v: { artist: "" }, want: "Angel.flac" },
    { t: "{title} - {isrc}.{ext}", v: {}, want: "Angel.flac" },
    { t: "{title} [{isrc}].{ext}", v: { isrc: "GBAAA9800001" }, want: "Angel [GBAAA9800001].flac" },
    { t: "{artist}/{album}/{disc:02}.{track:02} - {title}.{ext}", v: {}, want: "Massive Attack/Mezzanine/01 - Angel.flac" },
    { t: "{year}/{artist}/{title}.{ext}", v: { year: null }, want: "Massive Attack/Angel.flac" }
  ])("custom template $t", ({ t, v, want }) => {
    expect(Either.isRight(validateTemplate(t))).toBe(true)
    expect(renderPath(t, { ...base, ...v })).toBe(want)
  })

  it("cuts very long names below the file-system limit and keeps the extension", () => {
    const p = renderPath(DEFAULT_NAMING_TEMPLATE, { ...base, title: "x".repeat(400) })
    const file = p.split("/").pop()!
    expect(Buffer.byteLength(file)).toBeLessThanOrEqual(255)
    expect(file.endsWith(".flac")).toBe(true)
  })
})

describe("validateTemplate", () => {
  it.each([
    { t: DEFAULT_NAMING_TEMPLATE, ok: true },
    { t: "/music/{artist}/{title}.{ext}", ok: false, why: "absolute" },
    { t: "../{artist}/{title}.{ext}", ok: false, why: "leave the library" },
    { t: "{artist}/../../{title}.{ext}", ok: false, why: "leave the library" },
    { t: "{artist}\\{title}.{ext}", ok: false, why: "use /" },
    { t: "{artist}/{title}.mp3", ok: false, why: ".{ext}" },
    { t: "{artist}/{genre}/{title}.{ext}", ok: false, why: "unknown token" },
    { t: "{artist}//{title}.{ext}", ok: false, why: "empty folder" },
    { t: "{artist}/{album}.{ext}", ok: false, why: "{title}" },
    { t: "{title:02}.{ext}", ok: false, why: "padded" },
    { t: "{artist}/{track:2} {title}.{ext}", ok: false, why: "brace" },
    { t: "~/{title}.{ext}", ok: false, why: "absolute" },
    { t: "", ok: false, why: "empty" }
  ])("$t → ok $ok", ({ t, ok, why }) => {
    const r = validateTemplate(t)
    expect(Either.isRight(r)).toBe(ok)
    if (!ok && why) expect(Either.getLeft(r).pipe((o) => o._tag === "Some" ? o.value : "")).toContain(why)
  })
})

describe("yearOf", () => {
  it.each([["1998-04-20", "1998"], ["2001", "2001"], [null, null], ["unknown", null]] as const)("%s → %s", (d, y) => {
    expect(yearOf(d)).toBe(y)
  })
})
