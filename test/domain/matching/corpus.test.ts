import { describe, expect, it } from "@effect/vitest"
import { describeFailure, describeFigures, figures, loadCorpus, runCase } from "./corpus.js"

describe("selection corpus", () => {
  const corpus = loadCorpus()
  const results = corpus.map(runCase)
  const f = figures(results)

  it("has at least 60 labelled cases with unique ids", () => {
    expect(corpus.length).toBeGreaterThanOrEqual(60)
    expect(new Set(corpus.map((c) => c.id)).size).toBe(corpus.length)
    expect(corpus.filter((c) => c.acceptable.size === 0).length).toBeGreaterThan(0)
  })

  it("is at least 97 % correct with at most 1 % wrong picks", () => {
    console.log(`matching corpus: ${describeFigures(f)}`)
    for (const r of results.filter((r) => r.outcome !== "correct")) console.log(describeFailure(r))
    expect(f.accuracy).toBeGreaterThanOrEqual(0.97)
    expect(f.wrongRate).toBeLessThanOrEqual(0.01)
  })
})
