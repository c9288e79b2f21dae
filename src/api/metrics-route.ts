import { HttpLayerRouter, HttpServerResponse } from "@effect/platform"
import { Effect, Metric, MetricKeyType, type MetricPair, MetricState } from "effect"
import { DownloadManager } from "../application/download-manager.js"
import { ProviderCircuit } from "../domain/ports/ProviderCircuit.js"
import { SearchGate } from "../domain/ports/SearchGate.js"
import { sseClients } from "./sse.js"

const esc = (v: string) => v.replace(/\\/g, "\\\\").replace(/"/g, "\\\"").replace(/\n/g, "\\n")
const labels = (tags: ReadonlyArray<{ key: string; value: string }>, extra: Record<string, string> = {}) => {
  const all = [...tags.map((t) => [t.key, t.value] as const), ...Object.entries(extra)]
  return all.length === 0 ? "" : `{${all.map(([k, v]) => `${k}="${esc(v)}"`).join(",")}}`
}
const num = (n: number) => (Number.isFinite(n) ? String(n) : n > 0 ? "+Inf" : n < 0 ? "-Inf" : "NaN")

/** Effect's metric registry in the Prometheus text format (0.0.4). */
export const renderPrometheus = (pairs: ReadonlyArray<MetricPair.MetricPair.Untyped>): string => {
  const byName = new Map<string, Array<MetricPair.MetricPair.Untyped>>()
  for (const p of pairs) byName.set(p.metricKey.name, [...(byName.get(p.metricKey.name) ?? []), p])
  const out: Array<string> = []
  for (const [name, group] of [...byName.entries()].sort(([a], [b]) => a.localeCompare(b))) {
    const first = group[0]!
    const state = first.metricState
    // a counter Effect lets go down (effect_fiber_active) is a gauge to Prometheus, whose counters only grow
    const keyType = first.metricKey.keyType
    const monotonic = MetricKeyType.isCounterKey(keyType) && keyType.incremental
    const type = MetricState.isCounterState(state) ? (monotonic ? "counter" : "gauge") : MetricState.isHistogramState(state) ? "histogram"
      : MetricState.isSummaryState(state) ? "summary" : "gauge"
    const help = first.metricKey.description._tag === "Some" ? first.metricKey.description.value : name
    out.push(`# HELP ${name} ${help}`, `# TYPE ${name} ${type}`)
    for (const p of group) {
      const s = p.metricState
      const tags = p.metricKey.tags
      if (MetricState.isCounterState(s)) out.push(`${name}${labels(tags)} ${num(Number(s.count))}`)
      else if (MetricState.isGaugeState(s)) out.push(`${name}${labels(tags)} ${num(Number(s.value))}`)
      else if (MetricState.isHistogramState(s)) {
        // Effect's boundaries already end in +Inf; that bucket is written once, below, as the count
        for (const [le, count] of s.buckets) if (Number.isFinite(le)) out.push(`${name}_bucket${labels(tags, { le: num(le) })} ${count}`)
        out.push(`${name}_bucket${labels(tags, { le: "+Inf" })} ${s.count}`, `${name}_sum${labels(tags)} ${num(s.sum)}`, `${name}_count${labels(tags)} ${s.count}`)
      } else if (MetricState.isFrequencyState(s)) {
        for (const [k, v] of s.occurrences) out.push(`${name}${labels(tags, { value: k })} ${v}`)
      }
    }
  }
  return out.join("\n") + "\n"
}

export const MetricsRoute = HttpLayerRouter.add("GET", "/metrics", Effect.gen(function*() {
  const manager = yield* DownloadManager
  const breaker = yield* ProviderCircuit
  const budget = yield* SearchGate
  // Gauges read at scrape time: the database and the breaker are the truth.
  const stats = yield* manager.stats
  const b = yield* breaker.snapshot
  const nextSlot = yield* budget.nextSlotIn
  const extra = [
    "# HELP soulspot_downloads downloads by status", "# TYPE soulspot_downloads gauge",
    ...(["waiting", "pending", "queued", "downloading", "completed", "failed", "cancelled"] as const)
      .map((s) => `soulspot_downloads{status="${s.toUpperCase()}"} ${stats[s]}`),
    "# HELP soulspot_breaker_open slskd circuit state (0 closed, 1 half-open, 2 open)", "# TYPE soulspot_breaker_open gauge",
    `soulspot_breaker_open ${b.state === "CLOSED" ? 0 : b.state === "HALF_OPEN" ? 1 : 2}`,
    "# HELP soulspot_breaker_failures consecutive slskd failures", "# TYPE soulspot_breaker_failures gauge",
    `soulspot_breaker_failures ${b.failureCount}`,
    "# HELP soulspot_search_next_slot_seconds seconds until the search budget allows the next search", "# TYPE soulspot_search_next_slot_seconds gauge",
    `soulspot_search_next_slot_seconds ${Math.ceil(nextSlot / 1000)}`
  ].join("\n")
  // registers the gauge, unchanged, so it is scraped as 0 before the first client connects
  yield* Metric.incrementBy(sseClients, 0)
  const registry = renderPrometheus(yield* Metric.snapshot)
  return HttpServerResponse.text(`${extra}\n${registry}`, { contentType: "text/plain; version=0.0.4; charset=utf-8" })
}))
