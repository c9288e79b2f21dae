/**
 * The labelled selection corpus (test/fixtures/matching/*.json) and its figures, shared by
 * corpus.test.ts and bench/matching.bench.ts.
 *
 * A case: a wanted track, slskd search responses as slskd returns them, a profile name,
 * optional blocklisted users, and the acceptable file names (empty = the right answer is
 * "choose nothing"). Correct = the chosen file is acceptable, or nothing is chosen when
 * nothing is acceptable. Wrong = a file was chosen that is not acceptable. Missed = nothing
 * was chosen although an acceptable file existed (not wrong, but not correct either).
 */
import { Option, Schema } from "effect"
import { readdirSync, readFileSync } from "node:fs"
import { dirname, join } from "node:path"
import { fileURLToPath } from "node:url"
import { builtInProfile } from "../../../src/domain/matching/profiles.js"
import { select, type Selection } from "../../../src/domain/matching/select.js"
import { SlskdResponses, toPeerResponses, toWantedTrack, TrackJson } from "../../../src/domain/matching/slskd-input.js"
import type { PeerResponse } from "../../../src/domain/matching/types.js"
import type { QualityProfile } from "../../../src/domain/matching/profiles.js"
import type { WantedTrack } from "../../../src/domain/matching/score.js"

export const FIXTURES = join(dirname(fileURLToPath(import.meta.url)), "../../fixtures/matching")

const CaseJson = Schema.Struct({
  id: Schema.String,
  description: Schema.String,
  profile: Schema.String,
  track: TrackJson,
  blocked_users: Schema.optional(Schema.Array(Schema.String)),
  responses: SlskdResponses,
  acceptable: Schema.Array(Schema.String)
})

export interface CorpusCase {
  readonly id: string
  readonly file: string
  readonly description: string
  readonly track: WantedTrack
  readonly profile: QualityProfile
  readonly blockedUsers: ReadonlyArray<string>
  readonly responses: ReadonlyArray<PeerResponse>
  readonly acceptable: ReadonlySet<string>
}

export const loadCorpus = (dir: string = FIXTURES): ReadonlyArray<CorpusCase> =>
  readdirSync(dir).filter((f) => f.endsWith(".json")).sort().flatMap((file) => {
    const raw = JSON.parse(readFileSync(join(dir, file), "utf8")) as unknown
    const cases = Schema.decodeUnknownSync(Schema.Array(CaseJson))(raw)
    return cases.map((c): CorpusCase => ({
      id: c.id,
      file,
      description: c.description,
      track: toWantedTrack(c.track),
      profile: Option.getOrThrowWith(builtInProfile(c.profile), () => new Error(`${c.id}: unknown profile ${c.profile}`)),
      blockedUsers: c.blocked_users ?? [],
      responses: toPeerResponses(c.responses),
      acceptable: new Set(c.acceptable)
    }))
  })

export type Outcome = "correct" | "wrong" | "missed"

export interface CaseResult {
  readonly case: CorpusCase
  readonly selection: Selection
  readonly outcome: Outcome
}

export const runCase = (c: CorpusCase): CaseResult => {
  const selection = select(c.track, c.responses, c.profile, { blockedUsers: c.blockedUsers })
  const chosen = selection.chosen?.filename ?? null
  const outcome: Outcome = chosen === null
    ? (c.acceptable.size === 0 ? "correct" : "missed")
    : (c.acceptable.has(chosen) ? "correct" : "wrong")
  return { case: c, selection, outcome }
}

export interface Figures {
  readonly cases: number
  readonly correct: number
  readonly wrong: number
  readonly missed: number
  readonly accuracy: number
  readonly wrongRate: number
  readonly candidates: number
}

export const figures = (results: ReadonlyArray<CaseResult>): Figures => {
  const count = (o: Outcome) => results.filter((r) => r.outcome === o).length
  const n = results.length
  return {
    cases: n,
    correct: count("correct"),
    wrong: count("wrong"),
    missed: count("missed"),
    accuracy: n === 0 ? 0 : count("correct") / n,
    wrongRate: n === 0 ? 0 : count("wrong") / n,
    candidates: results.reduce((s, r) => s + r.selection.candidates.length, 0)
  }
}

const pct = (x: number) => `${(x * 100).toFixed(1)} %`

export const describeFigures = (f: Figures): string =>
  `${f.cases} cases: ${f.correct} correct (${pct(f.accuracy)}), ${f.wrong} wrong picks (${pct(f.wrongRate)}), ${f.missed} missed (chose nothing though an acceptable file existed)`

export const describeFailure = (r: CaseResult): string => {
  const chosen = r.selection.chosen
  const lines = [`[${r.outcome}] ${r.case.id} (${r.case.file}): ${r.case.description}`]
  lines.push(`  chosen: ${chosen ? `${chosen.filename} (${chosen.score})` : "nothing"}`)
  lines.push(`  acceptable: ${[...r.case.acceptable].join(" | ") || "nothing"}`)
  for (const c of r.selection.candidates.slice(0, 6)) {
    lines.push(`  ${c.accepted ? "+" : "-"} ${c.score} ${c.filename}: ${c.reasons.filter((x) => x.startsWith("rejected") || x.startsWith("title")).join("; ")}`)
  }
  return lines.join("\n")
}
