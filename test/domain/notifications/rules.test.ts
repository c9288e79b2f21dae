import { describe, expect, it } from "@effect/vitest"
import { backoffMillis, decideRetry } from "../../../src/domain/notifications/delivery-rules.js"
import { observeSlskd } from "../../../src/domain/notifications/slskd-outage.js"

const DAY = 86_400_000

describe("notification retry decisions", () => {
  it.each([
    { name: "first failure waits 7.5–15 s", attempts: 1, random: 0, expected: 7_500 },
    { name: "first failure, top of the jitter", attempts: 1, random: 0.999_999, expected: 15_000 },
    { name: "third failure doubles twice", attempts: 3, random: 1, expected: 60_000 },
    { name: "the wait is capped at one hour", attempts: 20, random: 1, expected: 3_600_000 }
  ])("$name", ({ attempts, random, expected }) => {
    expect(backoffMillis(attempts, random)).toBe(expected)
  })

  it.each([
    { name: "transient: retry after the backoff", permanent: false, retryAfter: undefined, now: 0, tag: "Retry", at: 7_500 },
    { name: "a 429's longer Retry-After wins", permanent: false, retryAfter: 120_000, now: 0, tag: "Retry", at: 120_000 },
    { name: "a shorter Retry-After does not cut the backoff", permanent: false, retryAfter: 1_000, now: 0, tag: "Retry", at: 7_500 },
    { name: "permanent: give up at once", permanent: true, retryAfter: undefined, now: 0, tag: "GiveUp", at: undefined },
    { name: "a next try after the give-up time: give up", permanent: false, retryAfter: undefined, now: DAY - 1_000, tag: "GiveUp", at: undefined },
    { name: "a Retry-After beyond the give-up time: give up", permanent: false, retryAfter: 2 * DAY, now: 0, tag: "GiveUp", at: undefined }
  ])("$name", ({ permanent, retryAfter, now, tag, at }) => {
    const d = decideRetry({ attempts: 1, firstAttemptMillis: 0, nowMillis: now, permanent, retryAfterMillis: retryAfter, giveUpAfterMillis: DAY, random: 0 })
    expect(d._tag).toBe(tag)
    if (d._tag === "Retry") expect(d.atMillis).toBe(at)
  })
})

describe("slskd outages as one down/up pair", () => {
  const T = 300_000
  it("a blip shorter than the threshold says nothing", () => {
    const a = observeSlskd(null, false, 0, T)
    expect(a.events).toEqual([])
    const b = observeSlskd(a.state, false, T, T)
    expect(b.events).toEqual([])
    expect(observeSlskd(b.state, true, T + 1, T)).toEqual({ state: null, events: [] })
  })

  it("a long outage: one down after the threshold, no repeat per tick, one up at the end", () => {
    let s = observeSlskd(null, false, 0, T).state
    const events: Array<string> = []
    for (let t = 30_000; t <= 900_000; t += 30_000) {
      const step = observeSlskd(s, false, t, T)
      events.push(...step.events.map((e) => `${e.type}@${t}`))
      s = step.state
    }
    const up = observeSlskd(s, true, 930_000, T)
    expect([...events, ...up.events.map((e) => `${e.type}@${e.seconds}s`)]).toEqual(["slskd.down@330000", "slskd.up@930s"])
    expect(up.state).toBeNull()
  })
})
