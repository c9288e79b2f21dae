import { describe, expect, it } from "@effect/vitest"
import { Either } from "effect"
import { canTransition, type DownloadStatus, IllegalTransition, transition } from "../../src/domain/download.js"

const ALL: ReadonlyArray<DownloadStatus> = ["WAITING", "PENDING", "QUEUED", "DOWNLOADING", "COMPLETED", "FAILED", "CANCELLED"]

// Every legal move of a download's status (README.md, "How a download moves"); everything else must be refused.
const LEGAL = new Set([
  "WAITING→PENDING", "PENDING→QUEUED", "QUEUED→DOWNLOADING", "DOWNLOADING→COMPLETED",
  "WAITING→FAILED", "PENDING→FAILED", "QUEUED→FAILED", "DOWNLOADING→FAILED",
  "WAITING→CANCELLED", "PENDING→CANCELLED", "QUEUED→CANCELLED", "DOWNLOADING→CANCELLED",
  // automatic retry from an active state, manual retry from FAILED/CANCELLED
  "PENDING→WAITING", "QUEUED→WAITING", "DOWNLOADING→WAITING", "FAILED→WAITING", "CANCELLED→WAITING",
  // the library import refused the completed file: another one is searched for
  "COMPLETED→WAITING"
])

describe("download status transitions", () => {
  const table = ALL.flatMap((from) => ALL.map((to) => ({ from, to, legal: LEGAL.has(`${from}→${to}`) })))

  it.each(table)("$from → $to is legal: $legal", ({ from, to, legal }) => {
    expect(canTransition(from, to)).toBe(legal)
    const result = transition(from, to)
    if (legal) {
      expect(result).toEqual(Either.right(to))
    } else {
      expect(Either.isLeft(result)).toBe(true)
      const error = Either.getLeft(result)
      expect(error._tag).toBe("Some")
      if (error._tag === "Some") {
        expect(error.value).toBeInstanceOf(IllegalTransition)
        expect(error.value.message).toBe(`a download cannot move from ${from} to ${to}`)
      }
    }
  })

  it("covers all 49 pairs with 18 legal moves", () => {
    expect(table).toHaveLength(49)
    expect(table.filter((t) => t.legal)).toHaveLength(18)
  })

  it("terminal states only leave through a retry", () => {
    for (const from of ["COMPLETED", "FAILED", "CANCELLED"] as const) {
      const exits = ALL.filter((to) => canTransition(from, to))
      expect(exits).toEqual(["WAITING"])
    }
  })
})
