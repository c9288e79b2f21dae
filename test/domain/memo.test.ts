import { describe, expect, it } from "@effect/vitest"
import { memoize } from "../../src/domain/memo.js"

describe("memoize", () => {
  it("computes each key once and starts over when the cache is full", () => {
    const calls: Array<string> = []
    const upper = memoize((s) => {
      calls.push(s)
      return s.toUpperCase()
    }, 2)
    expect([upper("a"), upper("b"), upper("a")]).toEqual(["A", "B", "A"])
    expect(calls).toEqual(["a", "b"])
    expect(upper("c")).toBe("C") // full: the cache starts over with "c"
    expect(upper("a")).toBe("A")
    expect(calls).toEqual(["a", "b", "c", "a"])
  })
})
