/** The Settings section for notification targets: htmx fragments, or the section as a page of its own. */
import { HttpLayerRouter, HttpServerRequest, HttpServerResponse } from "@effect/platform"
import { Effect } from "effect"
import { NotificationTargets } from "../application/notifications/targets.js"
import { html, type SafeHtml } from "./html.js"
import { formTarget, notificationsCard, targetForm, testAnswer } from "./views/notifications.js"
import { layout } from "./views/layout.js"

const page = (body: SafeHtml, status = 200) => HttpServerResponse.html(body.value).pipe(HttpServerResponse.setStatus(status))
const message = (kind: "ok" | "error", text: SafeHtml | string) => html`<p class="msg msg-${kind}">${text}</p>`
const formBody = Effect.flatMap(HttpServerRequest.HttpServerRequest, (r) => r.urlParamsBody)
const unreadable = () => Effect.succeed(page(message("error", "The form could not be read."), 400))

const card = (note: SafeHtml | string = "", form?: SafeHtml) =>
  Effect.flatMap(NotificationTargets, (t) => Effect.map(t.list, (views) => notificationsCard(views, note, form)))

/** The section on the Settings page. */
export const notificationsSection = card()

const noSuchTarget = () => Effect.map(card(message("error", "That target no longer exists.")), (c) => page(c, 404))

export const NotificationPageRoutes = HttpLayerRouter.addAll([
  HttpLayerRouter.route("GET", "/download-manager/notifications", (request) => Effect.map(card(), (c) =>
    page(request.headers["hx-request"] === "true" ? c : layout("Notifications", c, "settings")))),

  // the form for another type, keeping what was typed into the fields both types have
  HttpLayerRouter.route("GET", "/download-manager/notifications/form", (request) => Effect.sync(() => {
    const params = [...new URL(request.url, "http://x").searchParams.entries()]
    const values = params.length === 0 ? undefined : formTarget(params)
    return page(targetForm(typeof values === "object" ? values : undefined))
  })),

  HttpLayerRouter.route("GET", "/download-manager/notifications/:id/edit", Effect.gen(function*() {
    const { id } = yield* HttpLayerRouter.params
    const views = yield* Effect.flatMap(NotificationTargets, (t) => t.list)
    const found = views.find((v) => v.id === id && v.origin === "user")
    if (found === undefined) return page(targetForm(undefined, message("error", "That target no longer exists.")), 404)
    return page(targetForm({ ...found.fields, id: found.id }))
  })),

  HttpLayerRouter.route("POST", "/download-manager/notifications", Effect.gen(function*() {
    const params = yield* formBody
    const raw = formTarget(params)
    const targets = yield* NotificationTargets
    if (typeof raw === "string") return page(yield* card("", targetForm(Object.fromEntries(params), message("error", raw))), 400)
    return yield* targets.save(raw).pipe(
      Effect.zipRight(card(message("ok", html`Saved “${typeof raw.name === "string" ? raw.name : String(raw.type)}”.`))),
      Effect.map((c) => page(c)),
      Effect.catchTags({
        InvalidNotificationTargets: (e) => Effect.map(card("", targetForm(raw, message("error", e.message))), (c) => page(c, 400)),
        NotificationTargetNotFound: noSuchTarget
      }))
  }).pipe(Effect.catchTag("RequestError", unreadable))),

  // "send a test message" for what the form holds
  HttpLayerRouter.route("POST", "/download-manager/notifications/test", Effect.gen(function*() {
    const raw = formTarget(yield* formBody)
    if (typeof raw === "string") return page(message("error", raw), 400)
    const { id, ...target } = raw
    return yield* Effect.flatMap(NotificationTargets, (t) => t.test({ id: typeof id === "string" ? id : undefined, target })).pipe(
      Effect.map((a) => page(testAnswer(a))),
      Effect.catchTags({
        InvalidNotificationTargets: (e) => Effect.succeed(page(message("error", e.message), 400)),
        NotificationTargetNotFound: (e) => Effect.succeed(page(message("error", e.message), 404))
      }))
  }).pipe(Effect.catchTag("RequestError", unreadable))),

  HttpLayerRouter.route("POST", "/download-manager/notifications/:id/test", Effect.gen(function*() {
    const { id } = yield* HttpLayerRouter.params
    return yield* Effect.flatMap(NotificationTargets, (t) => t.test({ id: id ?? "" })).pipe(
      Effect.map((a) => page(testAnswer(a))),
      Effect.catchTags({
        InvalidNotificationTargets: (e) => Effect.succeed(page(message("error", e.message), 400)),
        NotificationTargetNotFound: (e) => Effect.succeed(page(message("error", e.message), 404))
      }))
  })),

  HttpLayerRouter.route("POST", "/download-manager/notifications/:id/enabled", Effect.gen(function*() {
    const { id } = yield* HttpLayerRouter.params
    const enabled = (yield* formBody).some(([k, v]) => k === "enabled" && v === "true")
    return yield* Effect.flatMap(NotificationTargets, (t) => t.setEnabled(id ?? "", enabled)).pipe(
      Effect.zipRight(card()), Effect.map((c) => page(c)), Effect.catchTag("NotificationTargetNotFound", noSuchTarget))
  }).pipe(Effect.catchTag("RequestError", unreadable))),

  HttpLayerRouter.route("POST", "/download-manager/notifications/:id/remove", Effect.gen(function*() {
    const { id } = yield* HttpLayerRouter.params
    return yield* Effect.flatMap(NotificationTargets, (t) => t.remove(id ?? "")).pipe(
      Effect.zipRight(card(message("ok", "Target removed."))), Effect.map((c) => page(c)), Effect.catchTag("NotificationTargetNotFound", noSuchTarget))
  }))
])

