import { html, type SafeHtml } from "../html.js"

export const layout = (title: string, body: SafeHtml, active: "downloads" | "history" | "settings"): SafeHtml => html`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${title} · SoulSpot</title>
<meta name="htmx-config" content='{"includeIndicatorStyles":false}'>
<link rel="icon" href="/static/favicon.svg" type="image/svg+xml">
<link rel="stylesheet" href="/static/app.css">
<script src="/vendor/htmx.min.js" defer></script>
<script src="/vendor/sse.js" defer></script>
<script src="/static/app.js" defer></script>
<script src="/static/forms.js" defer></script>
<script src="/static/times.js" defer></script>
</head>
<body>
<a class="skip" href="#main">Skip to content</a>
<header class="top">
  <a class="brand" href="/download-manager"><img src="/static/favicon.svg" alt="" width="28" height="28"> SoulSpot</a>
  <nav aria-label="Main">
    <a href="/download-manager"${active === "downloads" ? html` aria-current="page"` : ""}>Downloads</a>
    <a href="/download-manager?tab=history"${active === "history" ? html` aria-current="page"` : ""}>History</a>
    <a href="/download-manager/settings"${active === "settings" ? html` aria-current="page"` : ""}>Settings</a>
  </nav>
</header>
<main id="main">
${body}
</main>
</body>
</html>`
