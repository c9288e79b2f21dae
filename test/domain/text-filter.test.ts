import { describe, expect, it } from "@effect/vitest"
import { filterWords, matchesFilter } from "../../src/domain/text-filter.js"
import { ftsQuery } from "../../src/infrastructure/persistence/cursor.js"

const track = ["OK Computer (Remastered)", "Radiohead", "OK Computer"] as const

describe("the list's text filter", () => {
  it.each([
    { q: "radio ok", match: true, why: "each word starts a word" },
    { q: "RADIOHEAD", match: true, why: "case does not count" },
    { q: "comp rem", match: true, why: "words from title and album" },
    { q: "head", match: false, why: "inside a word is not a start" },
    { q: "radiohead kid", match: false, why: "every word is needed" },
    { q: "", match: true, why: "no words: no filter" },
    { q: "  ...  ", match: true, why: "punctuation only: no filter" }
  ])("$q → $match ($why)", ({ q, match }) => {
    expect(matchesFilter(track, q)).toBe(match)
  })

  it.each([
    { text: "Björk – Jóga", words: ["bjork", "joga"] },
    { text: "AC/DC: T.N.T.", words: ["ac", "dc", "t", "n", "t"] },
    { text: "Sigur Rós 2024", words: ["sigur", "ros", "2024"] }
  ])("words of $text", ({ text, words }) => {
    expect(filterWords(text)).toEqual(words)
  })

  it.each([
    { q: "radio ok", fts: `"radio"* "ok"*` },
    { q: `" OR * NEAR(`, fts: `"or"* "near"*` },
    { q: "   ", fts: undefined },
    { q: undefined, fts: undefined }
  ])("FTS query for $q", ({ q, fts }) => {
    expect(ftsQuery(q)).toBe(fts)
  })
})
