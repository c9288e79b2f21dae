import type { Download } from "../../domain/download.js"
import { html, type SafeHtml } from "../html.js"

const WORDS = { IMPORTING: "Importing", IMPORTED: "In library", NEEDS_REVIEW: "Needs review", IMPORT_FAILED: "Import failed" } as const
const STEPS: Record<string, string> = {
  LOCATING: "finding the file", VERIFYING: "checking the file", STAGING: "tagging a copy",
  PUBLISHING: "moving it into the library", CLEANING: "removing slskd's copy", DONE: "done"
}

/** A completed download's way into the library: the step, every check and the final path. */
export const importPanel = (d: Download): SafeHtml => {
  const imp = d.status === "COMPLETED" ? d.importState : null
  if (!imp) return html``
  const kind = imp.status.toLowerCase().replace("_", "-")
  return html`<div class="import import-${kind}" data-import="${imp.status}">
  <span class="badge badge-${kind}">${WORDS[imp.status]}</span>
  ${imp.status === "IMPORTING" ? html`<span class="muted">${STEPS[imp.step] ?? imp.step}…</span>` : ""}
  ${imp.path ? html`<span class="import-path" title="${imp.path}">${imp.path}</span>` : ""}
  ${imp.reason ? html`<div class="row-error">${imp.reason}</div>` : ""}
  ${imp.checks.length > 0 ? html`<ul class="checks">${imp.checks.map((c) => html`<li class="${c.ok ? "ok" : "bad"}"><b>${c.ok ? "✓" : "✗"} ${c.name}</b> ${c.detail}</li>`)}</ul>` : ""}
  ${imp.status === "NEEDS_REVIEW" || imp.status === "IMPORT_FAILED" ? html`<button type="button" hx-post="/download-manager/downloads/${d.id}/import" hx-target="#download-${d.id}" hx-swap="outerHTML">${imp.status === "NEEDS_REVIEW" ? "Import anyway" : "Retry import"}</button>` : ""}
  ${imp.status !== "IMPORTING" ? html`<button type="button" class="danger" hx-post="/download-manager/downloads/${d.id}/reject" hx-target="#download-${d.id}" hx-swap="outerHTML" hx-confirm="Reject this file and download “${d.track.title}” from someone else?">Reject file</button>` : ""}
</div>`
}
