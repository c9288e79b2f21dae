import { describe, expect, it } from "@effect/vitest"
import { type AlbumGroup, groupCounts, groupRows, type ListItem } from "../../src/domain/album-group.js"
import type { Download } from "../../src/domain/download.js"

const dl = (id: string): Download => ({
  id, trackId: `t-${id}`, status: "WAITING", priority: 0, slskdId: null, username: null, filename: null, size: null,
  bytesTransferred: 0, speedBps: 0, etaSeconds: null, createdAt: "2026-01-01T00:00:00.000Z", updatedAt: "2026-01-01T00:00:00.000Z",
  completedAt: null, attempts: 0, nextAttemptAt: null, error: null, qualityProfile: "balanced", progressAt: null,
  track: { id: `t-${id}`, requestKey: id, title: id, artist: "A", album: null, durationMs: null, isrc: null, trackNumber: null, discNumber: null, spotifyId: null, deezerId: null }
})

/** An album whose members are the given download ids, in album order. */
const album = (albumId: string, members: ReadonlyArray<string>, counts: Partial<AlbumGroup> = {}): AlbumGroup => ({
  albumId, title: albumId, artist: "A", coverUrl: null, totalTracks: members.length, done: 0, failed: 0, inLibrary: 0,
  members: members.map((downloadId, i) => ({ downloadId, discNumber: 1, trackNumber: i + 1 })), ...counts
})

/** A list as text: rows by id, a group as album[rows]. */
const shape = (items: ReadonlyArray<ListItem>) =>
  items.map((i) => i._tag === "Row" ? `${i.download.id}${i.albumId ? `(${i.albumId})` : ""}` : `${i.group.albumId}[${i.downloads.map((d) => d.id).join(",")}]@${i.first.id}`).join(" ")

describe("groupRows", () => {
  const cases: ReadonlyArray<readonly [string, ReadonlyArray<string>, ReadonlyArray<AlbumGroup>, string]> = [
    ["no albums: the rows as they are", ["a", "b"], [], "a b"],
    ["one album in page order already", ["x1", "x2", "x3"], [album("X", ["x1", "x2", "x3"])], "X[x1,x2,x3]@x1"],
    ["album order inside, whatever the page order", ["x3", "x1", "x2"], [album("X", ["x1", "x2", "x3"])], "X[x1,x2,x3]@x3"],
    ["the group takes its first row's place; rows between stay after it", ["x2", "a", "x1", "b"], [album("X", ["x1", "x2"])], "X[x1,x2]@x2 a b"],
    ["two albums interleaved", ["y1", "x1", "y2", "x2"], [album("X", ["x1", "x2"]), album("Y", ["y1", "y2"])], "Y[y1,y2]@y1 X[x1,x2]@x1"],
    ["members not on the page are left out", ["x2", "x3"], [album("X", ["x1", "x2", "x3"])], "X[x2,x3]@x2"],
    ["a lone row of an album stays a row that knows its album", ["a", "x2"], [album("X", ["x1", "x2", "x3"])], "a x2(X)"],
    ["an album with none of its rows on the page has no group", ["a"], [album("X", ["x1"])], "a"]
  ]
  it.each(cases)("%s", (_, ids, groups, expected) => {
    expect(shape(groupRows(ids.map(dl), groups))).toBe(expected)
  })
})

describe("groupCounts", () => {
  const cases: ReadonlyArray<readonly [string, Partial<AlbumGroup>, boolean, ReadonlyArray<string>]> = [
    ["nothing done yet", { totalTracks: 12 }, false, ["0/12 done"]],
    ["done and failed", { totalTracks: 12, done: 9, failed: 1 }, false, ["9/12 done", "1 failed"]],
    ["library count only when import is on", { totalTracks: 12, done: 12, inLibrary: 12 }, true, ["12/12 done", "12/12 in library"]],
    ["import on, nothing imported", { totalTracks: 3, done: 1 }, true, ["1/3 done", "0/3 in library"]]
  ]
  it.each(cases)("%s", (_, counts, importOn, expected) => {
    expect(groupCounts(album("X", [], counts), importOn)).toEqual(expected)
  })
})
