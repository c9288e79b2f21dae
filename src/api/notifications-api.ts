import { HttpApiEndpoint, HttpApiGroup, OpenApi } from "@effect/platform"
import { Schema } from "effect"
import { NotificationEvent } from "../domain/notifications/targets.js"
import { BadRequest, NotFound } from "./errors.js"

export const DeliveriesDto = Schema.Struct({
  pending: Schema.Number,
  delivered: Schema.Number,
  gave_up: Schema.Number,
  last_delivered_at: Schema.NullOr(Schema.String),
  last_error: Schema.NullOr(Schema.Struct({ at: Schema.String, event: Schema.String, message: Schema.String, gave_up: Schema.Boolean }))
}).annotations({ identifier: "NotificationDeliveries" })

/** A target as GET answers it: the fields PUT takes (secrets as "****"), where it comes from, and its deliveries. */
export const NotificationTargetDto = Schema.Struct({
  id: Schema.String,
  type: Schema.String.annotations({ description: "webhook, ntfy, discord, gotify, apprise (messages) or navidrome, jellyfin, plex, lidarr (rescans after imports)" }),
  name: Schema.String,
  enabled: Schema.Boolean,
  events: Schema.optional(Schema.Array(NotificationEvent)).annotations({ description: "absent: every event" }),
  origin: Schema.Literal("user", "env").annotations({ description: "env: configured by SOULSPOT_WEBHOOK_URL; a PUT leaves it alone" }),
  deliveries: DeliveriesDto
}, Schema.Record({ key: Schema.String, value: Schema.Unknown })).annotations({ identifier: "NotificationTarget", description: "plus the type's own fields (url, token, secret, headers, ...); secrets are answered as ****" })

export const NotificationTargetsDto = Schema.Struct({ targets: Schema.Array(NotificationTargetDto) }).annotations({ identifier: "NotificationTargets" })

export const ReplaceTargets = Schema.Struct({
  targets: Schema.Array(Schema.Unknown).pipe(Schema.maxItems(100, { message: () => "targets: at most 100 targets" }))
    .annotations({ description: "every target (without id: a new one); a secret sent as **** keeps the stored value" })
}).annotations({ identifier: "ReplaceNotificationTargets" })

export const TestTarget = Schema.Struct({
  id: Schema.optional(Schema.String.pipe(Schema.maxLength(100))).annotations({ description: "a stored target" }),
  target: Schema.optional(Schema.Unknown).annotations({ description: "a target being edited (its **** secrets taken from the stored target id)" })
}).annotations({ identifier: "TestNotificationTarget" })

export const TestAnswerDto = Schema.Struct({
  ok: Schema.Boolean,
  status: Schema.NullOr(Schema.Number),
  body: Schema.String.annotations({ description: "what the target answered (shortened)" }),
  message: Schema.NullOr(Schema.String).annotations({ description: "why it was not delivered" })
}).annotations({ identifier: "NotificationTestAnswer" })

export class NotificationsApi extends HttpApiGroup.make("notifications")
  .add(HttpApiEndpoint.get("list", "/api/notifications").addSuccess(NotificationTargetsDto))
  .add(HttpApiEndpoint.put("replace", "/api/notifications").setPayload(ReplaceTargets).addSuccess(NotificationTargetsDto).addError(BadRequest))
  .add(HttpApiEndpoint.post("test", "/api/notifications/test").setPayload(TestTarget).addSuccess(TestAnswerDto).addError(BadRequest).addError(NotFound))
  .annotate(OpenApi.Description, "Notification targets and media servers")
{}
