import type { TargetView, TestAnswer } from "../../application/notifications/targets.js"
import { NOTIFICATION_EVENTS, type NotificationTarget } from "../../domain/notifications/targets.js"
import { html, type SafeHtml } from "../html.js"

type TargetType = NotificationTarget["type"]

/** One input of a target type's form: its field name, label, and how the text becomes the value. */
interface Field {
  readonly name: string
  readonly label: string
  readonly kind: "url" | "text" | "secret" | "int" | "list" | "headers"
  readonly optional?: boolean
}

const url = (label: string): Field => ({ name: "url", label, kind: "url" })

/** The inputs of each type, in the order a user fills them in. */
export const FORM_FIELDS: Readonly<Record<TargetType, ReadonlyArray<Field>>> = {
  webhook: [url("URL the JSON is POSTed to"), { name: "secret", label: "Signing secret (X-SoulSpot-Signature)", kind: "secret", optional: true },
    { name: "headers", label: "Extra headers, one \"Name: value\" a line", kind: "headers", optional: true }],
  ntfy: [url("Topic URL, e.g. https://ntfy.sh/my-topic"), { name: "token", label: "Access token", kind: "secret", optional: true },
    { name: "priority", label: "Priority 1–5", kind: "int", optional: true }, { name: "tags", label: "Tags, comma-separated", kind: "list", optional: true }],
  discord: [{ name: "url", label: "Discord webhook URL", kind: "secret" }],
  gotify: [url("Gotify server URL"), { name: "token", label: "Application token", kind: "secret" }, { name: "priority", label: "Priority 0–10", kind: "int", optional: true }],
  apprise: [url("Apprise API notify URL, e.g. http://apprise:8000/notify/soulspot"),
    { name: "urls", label: "Service URLs (empty: the configuration stored under the key)", kind: "secret", optional: true },
    { name: "tags", label: "Tags", kind: "text", optional: true }],
  navidrome: [url("Navidrome URL"), { name: "username", label: "User", kind: "text" }, { name: "password", label: "Password", kind: "secret" }],
  jellyfin: [url("Jellyfin URL"), { name: "token", label: "API key", kind: "secret" }],
  plex: [url("Plex URL"), { name: "token", label: "X-Plex-Token", kind: "secret" }, { name: "section", label: "Library section id (empty: every section)", kind: "text", optional: true }],
  lidarr: [url("Lidarr URL"), { name: "api_key", label: "API key", kind: "secret" }]
}

export const TARGET_TYPES = Object.keys(FORM_FIELDS) as ReadonlyArray<TargetType>
const TYPE_NAMES: Readonly<Record<TargetType, string>> = {
  webhook: "Webhook", ntfy: "ntfy", discord: "Discord", gotify: "Gotify", apprise: "Apprise (Telegram, Pushover, …)",
  navidrome: "Navidrome (rescan)", jellyfin: "Jellyfin (rescan)", plex: "Plex (rescan)", lidarr: "Lidarr (rescan)"
}
const EVENT_NAMES: Readonly<Record<string, string>> = {
  "download.completed": "track downloaded", "download.imported": "track in library", "download.failed": "track failed",
  "download.needs_review": "file needs review", "album.completed": "album complete", "slskd.down": "slskd unreachable", "slskd.up": "slskd back"
}
const isMediaServerType = (t: string) => t === "navidrome" || t === "jellyfin" || t === "plex" || t === "lidarr"

const when = (iso: string) => iso.replace("T", " ").replace(/\.\d+Z$/, " UTC")

/** The form's values turned into a target's fields (validated by the caller), or which field cannot be read. */
export const formTarget = (params: ReadonlyArray<readonly [string, string]>): Record<string, unknown> | string => {
  const get = (k: string) => params.find(([n]) => n === k)?.[1]?.trim() ?? ""
  const type = get("type") as TargetType
  const fields = FORM_FIELDS[type]
  if (fields === undefined) return `type: must be one of ${TARGET_TYPES.join(", ")}`
  const out: Record<string, unknown> = { type, enabled: params.some(([k, v]) => k === "enabled" && v === "true") }
  if (get("id") !== "") out.id = get("id")
  if (get("name") !== "") out.name = get("name")
  for (const f of fields) {
    const v = get(f.name)
    if (v === "") continue
    if (f.kind === "int") out[f.name] = /^-?\d+$/.test(v) ? Number(v) : v
    else if (f.kind === "list") out[f.name] = v.split(",").map((x) => x.trim()).filter((x) => x !== "")
    else if (f.kind === "headers") {
      const headers: Record<string, string> = {}
      for (const line of v.split(/\r?\n/).map((l) => l.trim()).filter((l) => l !== "")) {
        const at = line.indexOf(":")
        if (at <= 0) return `headers: "${line.slice(0, 40)}" is not a "Name: value" line`
        headers[line.slice(0, at).trim()] = line.slice(at + 1).trim()
      }
      out[f.name] = headers
    } else out[f.name] = v
  }
  if (!isMediaServerType(type)) {
    const events = params.filter(([k]) => k === "events").map(([, v]) => v)
    if (events.length !== NOTIFICATION_EVENTS.length) out.events = events
  }
  return out
}

const fieldValue = (f: Field, values: Readonly<Record<string, unknown>>): string => {
  const v = values[f.name]
  if (v === undefined || v === null) return ""
  if (f.kind === "list" && Array.isArray(v)) return v.join(", ")
  if (f.kind === "headers" && typeof v === "object") return Object.entries(v as Record<string, string>).map(([k, x]) => `${k}: ${x}`).join("\n")
  return String(v)
}

const input = (f: Field, values: Readonly<Record<string, unknown>>): SafeHtml => {
  const id = `nt-${f.name}`
  const value = fieldValue(f, values)
  const control = f.kind === "headers"
    ? html`<textarea id="${id}" name="${f.name}" rows="2" maxlength="8000">${value}</textarea>`
    : html`<input id="${id}" name="${f.name}" value="${value}" maxlength="4096" ${f.kind === "secret"
      ? html`type="password" autocomplete="new-password"` : f.kind === "int" ? html`type="text" inputmode="numeric"` : html`type="text"`}${f.optional ? "" : html` required`}>`
  return html`<div class="setting"><label for="${id}">${f.label}${f.optional ? html` <span class="muted">(optional)</span>` : ""}</label>${control}</div>`
}

/**
 * The add/edit form: the type's inputs, events to send, on/off, and "send a test message" for
 * what is typed (a **** secret is the stored one).
 */
export const targetForm = (values: Readonly<Record<string, unknown>> = { type: "webhook", enabled: true }, message: SafeHtml | string = ""): SafeHtml => {
  const type = (TARGET_TYPES as ReadonlyArray<string>).includes(String(values.type)) ? values.type as TargetType : "webhook"
  const id = typeof values.id === "string" ? values.id : ""
  const events = Array.isArray(values.events) ? new Set(values.events as ReadonlyArray<string>) : new Set(NOTIFICATION_EVENTS)
  return html`<form id="notification-form" class="settings" hx-post="/download-manager/notifications" hx-target="#notifications" hx-swap="outerHTML">
  <h3>${id === "" ? "Add a target" : html`Edit ${String(values.name ?? type)}`}</h3>
  <div id="notification-form-message" role="status" aria-live="polite">${message}</div>
  ${id === "" ? "" : html`<input type="hidden" name="id" value="${id}">`}
  <div class="setting"><label for="nt-type">Type</label>
    <select id="nt-type" name="type" hx-get="/download-manager/notifications/form" hx-include="#notification-form" hx-target="#notification-form" hx-swap="outerHTML">
      ${TARGET_TYPES.map((t) => html`<option value="${t}"${t === type ? html` selected` : ""}>${TYPE_NAMES[t]}</option>`)}
    </select></div>
  <div class="setting"><label for="nt-name">Name</label><input id="nt-name" name="name" type="text" maxlength="200" value="${typeof values.name === "string" ? values.name : ""}" placeholder="${type}"></div>
  ${FORM_FIELDS[type].map((f) => input(f, values))}
  ${isMediaServerType(type)
    ? html`<p class="muted">Asked to rescan a short while after the last import of a burst (notifications.scan_delay).</p>`
    : html`<fieldset><legend>Events</legend>${NOTIFICATION_EVENTS.map((e) => html`<label><input type="checkbox" name="events" value="${e}"${events.has(e) ? html` checked` : ""}> ${EVENT_NAMES[e] ?? e}</label> `)}</fieldset>`}
  <label><input type="checkbox" name="enabled" value="true"${values.enabled === false ? "" : html` checked`}> Enabled</label>
  <button type="submit">${id === "" ? "Add target" : "Save target"}</button>
  <button type="button" hx-post="/download-manager/notifications/test" hx-include="#notification-form" hx-target="#notification-form-answer" hx-swap="innerHTML">Send a test message</button>
  ${id === "" ? "" : html`<button type="button" hx-get="/download-manager/notifications/form" hx-target="#notification-form" hx-swap="outerHTML">Cancel</button>`}
  <div id="notification-form-answer" role="status" aria-live="polite"></div>
  <p class="muted">Secrets show as **** and stay unchanged unless you type a new one.</p>
</form>`
}

/** What the target said to a test message. */
export const testAnswer = (a: TestAnswer): SafeHtml => a.ok
  ? html`<p class="msg msg-ok" data-test-answer="ok">The target answered HTTP ${a.status}${a.body === "" ? "" : html`: <code>${a.body}</code>`}</p>`
  : html`<p class="msg msg-error" data-test-answer="failed">Not delivered: ${a.message ?? `HTTP ${a.status ?? "?"}`}</p>`

const targetRow = (t: TargetView): SafeHtml => {
  const f = t.fields
  const type = String(f.type)
  const name = typeof f.name === "string" ? f.name : type
  const d = t.deliveries
  const events = Array.isArray(f.events) ? (f.events as ReadonlyArray<string>).map((e) => EVENT_NAMES[e] ?? e).join(", ") || "no events" : "every event"
  return html`<li id="target-${t.id}" class="row" data-target-type="${type}" data-enabled="${f.enabled === false ? "false" : "true"}">
  <strong>${name}</strong> <span class="muted">${TYPE_NAMES[type as TargetType] ?? type} · ${f.enabled === false ? "off" : "on"}${isMediaServerType(type) ? "" : html` · ${events}`}${t.origin === "env" ? " · from SOULSPOT_WEBHOOK_URL" : ""}</span>
  ${isMediaServerType(type) ? "" : html`<span class="muted" data-deliveries>${d.delivered} delivered · ${d.pending} waiting · ${d.gaveUp} given up${d.lastDeliveredAt === null ? "" : html` · last delivered ${when(d.lastDeliveredAt)}`}</span>`}
  ${d.lastError === null ? "" : html`<span class="msg msg-error" data-last-error>Last error (${EVENT_NAMES[d.lastError.event] ?? d.lastError.event}, ${when(d.lastError.at)}${d.lastError.gaveUp ? ", given up" : ", will retry"}): ${d.lastError.message}</span>`}
  <span class="actions">
    <button type="button" hx-post="/download-manager/notifications/${t.id}/test" hx-target="#target-${t.id}-answer" hx-swap="innerHTML">Send a test message</button>
    ${t.origin === "env" ? "" : html`<form hx-post="/download-manager/notifications/${t.id}/enabled" hx-target="#notifications" hx-swap="outerHTML">
      <input type="hidden" name="enabled" value="${f.enabled === false ? "true" : "false"}"><button type="submit">${f.enabled === false ? "Enable" : "Disable"}</button></form>
    <button type="button" hx-get="/download-manager/notifications/${t.id}/edit" hx-target="#notification-form" hx-swap="outerHTML">Edit</button>
    <form hx-post="/download-manager/notifications/${t.id}/remove" hx-target="#notifications" hx-swap="outerHTML" hx-confirm="Remove the target “${name}”? Messages waiting for it are dropped.">
      <button type="submit" class="danger">Remove</button></form>`}
  </span>
  <div id="target-${t.id}-answer" role="status" aria-live="polite"></div>
</li>`
}

/** The Settings section: every target with its deliveries and last error, and the add/edit form. */
export const notificationsCard = (targets: ReadonlyArray<TargetView>, message: SafeHtml | string = "", form: SafeHtml = targetForm()): SafeHtml => html`<section id="notifications" class="card" aria-labelledby="notifications-h">
  <h2 id="notifications-h">Notifications</h2>
  <div id="notifications-message" role="status" aria-live="polite">${message}</div>
  <p class="muted">Messages about finished, failed and imported downloads, complete albums and slskd outages, and media-server rescans after imports. See README, “Notifications”.</p>
  ${targets.length === 0
    ? html`<p class="muted" id="no-targets">No target yet.</p>`
    : html`<ul class="rows" id="notification-targets">${targets.map(targetRow)}</ul>`}
  ${form}
</section>`
