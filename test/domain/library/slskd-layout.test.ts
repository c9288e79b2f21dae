import { describe, expect, it } from "@effect/vitest"
import { expectedRelativePaths, isSameName, mapLocalFilename, stripTicks } from "../../../src/domain/library/slskd-layout.js"

describe("slskd's layout", () => {
  it.each([
    { remote: "@@abcde\\Music\\Massive Attack\\Mezzanine\\01 Angel.flac", want: ["Mezzanine/01 Angel.flac"] },
    { remote: "Music/Album/01.flac", want: ["Album/01.flac"] },
    { remote: "@@abcde\\01 Angel.flac", want: ["01 Angel.flac", "@@abcde/01 Angel.flac"] },
    { remote: "01 Angel.flac", want: ["01 Angel.flac"] },
    { remote: "Music\\AC/DC\\Back In Black.mp3", want: ["DC/Back In Black.mp3"] }
  ])("$remote lands at $want", ({ remote, want }) => {
    expect(expectedRelativePaths(remote)).toEqual(want)
  })

  it.each([
    ["01 Angel_638912345678901234.flac", "01 Angel.flac"],
    ["01 Angel.flac", "01 Angel.flac"],
    ["01 Angel_1234.flac", "01 Angel_1234.flac"],
    ["README_638912345678901234", "README"]
  ])("%s without its collision suffix is %s", (name, want) => {
    expect(stripTicks(name)).toBe(want)
  })

  it("recognises a renamed copy of the remote file", () => {
    expect(isSameName("01 Angel_638912345678901234.flac", "x\\Mezzanine\\01 Angel.flac")).toBe(true)
    expect(isSameName("02 Risingson.flac", "x\\Mezzanine\\01 Angel.flac")).toBe(false)
  })

  it("maps slskd's path onto the folder SoulSpot sees", () => {
    expect(mapLocalFilename("/app/downloads/Mezzanine/01 Angel.flac", "/app/downloads")).toEqual(["Mezzanine/01 Angel.flac"])
    expect(mapLocalFilename("/app/downloads/Mezzanine/01 Angel.flac", null)).toEqual([
      "app/downloads/Mezzanine/01 Angel.flac", "downloads/Mezzanine/01 Angel.flac", "Mezzanine/01 Angel.flac", "01 Angel.flac"
    ])
  })
})
