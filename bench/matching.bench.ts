// Selection quality and speed on the labelled corpus (test/fixtures/matching); prints figures, asserts nothing.
import { performance } from "node:perf_hooks"
import { BALANCED } from "../src/domain/matching/profiles.js"
import { select } from "../src/domain/matching/select.js"
import type { PeerFile, PeerResponse } from "../src/domain/matching/types.js"
import { describeFigures, figures, loadCorpus, runCase } from "../test/domain/matching/corpus.js"

const corpus = loadCorpus()
const results = corpus.map(runCase)
const f = figures(results)
console.log(`corpus: ${describeFigures(f)}`)
console.log(`accuracy ${(f.accuracy * 100).toFixed(1)} %, wrong-pick rate ${(f.wrongRate * 100).toFixed(1)} %`)
for (const r of results.filter((r) => r.outcome !== "correct")) console.log(`  ${r.outcome}: ${r.case.id}`)

const timeIt = (label: string, candidatesPerRound: number, round: () => void) => {
  for (let i = 0; i < 3; i++) round() // warm-up
  let rounds = 0
  const start = performance.now()
  while (performance.now() - start < 1500) {
    round()
    rounds++
  }
  const seconds = (performance.now() - start) / 1000
  const perSecond = (rounds * candidatesPerRound) / seconds
  console.log(`${label}: ${Math.round(perSecond).toLocaleString("en")} candidates scored per second (${rounds} rounds, ${(seconds * 1000 / rounds).toFixed(2)} ms per round)`)
}

timeIt(`corpus (${f.cases} selections, ${f.candidates} candidates)`, f.candidates, () => {
  for (const c of corpus) select(c.track, c.responses, c.profile, { blockedUsers: c.blockedUsers })
})

// A large search: 250 peers (slskd's default response limit) with 12 files each.
const titles = ["Hello", "Hello (Live)", "Send My Love", "When We Were Young", "Hello (Remix)", "Water Under the Bridge"]
const peers: ReadonlyArray<PeerResponse> = Array.from({ length: 250 }, (_, p) => ({
  username: `peer${p}`,
  hasFreeUploadSlot: p % 3 === 0,
  queueLength: p % 17,
  uploadSpeed: 100_000 + p * 9_000,
  files: Array.from({ length: 12 }, (_, i): PeerFile => {
    const title = titles[(p + i) % titles.length]!
    return i % 2 === 0
      ? { filename: `@@s${p}\\Music\\Adele\\25 (2015)\\${String(i + 1).padStart(2, "0")} - ${title}.flac`, size: 30_000_000 + i, length: 295 + (i % 5) }
      : { filename: `@@s${p}\\mp3\\Adele - ${title}.mp3`, size: 11_800_000 + i, length: 295, bitRate: 320 }
  })
}))
const wanted = { title: "Hello", artist: "Adele", album: "25", durationMs: 295_000 }
timeIt("one large search (250 peers × 12 files)", 3000, () => {
  select(wanted, peers, BALANCED)
})
