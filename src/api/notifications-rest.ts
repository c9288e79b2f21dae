import { HttpApiBuilder } from "@effect/platform"
import { Effect } from "effect"
import { NotificationTargets, type TargetView } from "../application/notifications/targets.js"
import { SoulSpotApi } from "./api.js"
import { BadRequest, NotFound } from "./errors.js"
import type { NotificationTargetDto } from "./notifications-api.js"

export const toTargetDto = (v: TargetView): typeof NotificationTargetDto.Type => {
  const { id: _id, type, name, enabled, events, ...rest } = v.fields as Record<string, unknown>
  const d = v.deliveries
  return {
    ...rest,
    id: v.id, type: String(type), name: typeof name === "string" ? name : String(type), enabled: enabled !== false,
    ...(Array.isArray(events) ? { events: events as typeof NotificationTargetDto.Type["events"] & object } : {}),
    origin: v.origin,
    deliveries: {
      pending: d.pending, delivered: d.delivered, gave_up: d.gaveUp, last_delivered_at: d.lastDeliveredAt,
      last_error: d.lastError === null ? null : { at: d.lastError.at, event: d.lastError.event, message: d.lastError.message, gave_up: d.lastError.gaveUp }
    }
  }
}

export const NotificationsRestLive = HttpApiBuilder.group(SoulSpotApi, "notifications", (handlers) => Effect.gen(function*() {
  const targets = yield* NotificationTargets
  const answer = (views: ReadonlyArray<TargetView>) => ({ targets: views.map(toTargetDto) })
  return handlers
    .handle("list", () => Effect.map(targets.list, answer))
    .handle("replace", ({ payload }) => targets.replace(payload.targets).pipe(
      Effect.map(answer),
      Effect.catchTag("InvalidNotificationTargets", (e) => Effect.fail(new BadRequest({ message: e.message })))))
    .handle("test", ({ payload }) => {
      if (payload.id === undefined && payload.target === undefined) return Effect.fail(new BadRequest({ message: "give id (a stored target) or target (its fields)" }))
      return targets.test(payload).pipe(Effect.catchTags({
        InvalidNotificationTargets: (e) => Effect.fail(new BadRequest({ message: e.message })),
        NotificationTargetNotFound: (e) => Effect.fail(new NotFound({ message: e.message }))
      }))
    })
}))
