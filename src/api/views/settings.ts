import type { SettingView } from "../../domain/ports/Settings.js"
import { html, type SafeHtml } from "../html.js"
import { layout } from "./layout.js"

const SECRET_KEYS = new Set(["slskd.api_key", "spotify.client_secret"])

export const settingsForm = (settings: ReadonlyArray<SettingView>, message: SafeHtml | string = ""): SafeHtml => html`<form id="settings-form" class="settings" hx-post="/download-manager/settings" hx-target="#settings-form" hx-swap="outerHTML">
  <div id="settings-message" role="status" aria-live="polite">${message}</div>
  ${settings.map((s) => html`<div class="setting">
    <label for="s-${s.key}">${s.description}</label>
    <input id="s-${s.key}" name="${s.key}" ${SECRET_KEYS.has(s.key) ? html`type="password" autocomplete="new-password"` : html`type="text"`} value="${s.value ?? ""}" aria-describedby="h-${s.key}">
    <small id="h-${s.key}" class="muted">${s.key} · from ${s.source} · env ${s.env}</small>
  </div>`)}
  <p class="muted">Leave a field empty to go back to the environment or default value. Secrets show as **** and stay unchanged unless you type a new one.</p>
  <button type="submit">Save settings</button>
</form>`

export const settingsPage = (settings: ReadonlyArray<SettingView>, extra: SafeHtml | string = ""): SafeHtml => layout("Settings", html`${extra}<section class="card" aria-labelledby="settings-h">
  <h2 id="settings-h">Settings</h2>
  ${settingsForm(settings)}
</section>`, "settings")
