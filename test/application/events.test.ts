import { describe, expect, it } from "@effect/vitest"
import { Effect } from "effect"
import { Events } from "../../src/application/events.js"
import type { DomainEvent } from "../../src/domain/events.js"

const health: DomainEvent = { _tag: "HealthChanged" }

describe("event bus replay", () => {
  it.effect("replays what came after an id; asks for a reload when that is gone or from before a restart", () =>
    Effect.gen(function*() {
      const events = yield* Events
      yield* events.publish([health, health, health])
      expect(events.lastId()).toBe(3)
      expect(events.since(1)?.map((e) => e.id)).toEqual([2, 3])
      expect(events.since(3)).toEqual([])
      // ids restart at 1 with the process: a browser reconnecting with an old, higher id must reload
      expect(events.since(250)).toBeUndefined()
      yield* events.publish(Array.from({ length: 2100 }, () => health))
      expect(events.since(1)).toBeUndefined() // left the 2,000-event buffer
      expect(events.since(events.lastId() - 5)?.length).toBe(5)
    }).pipe(Effect.provide(Events.Default)))
})
