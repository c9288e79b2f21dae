// Failed actions are shown, in words, where the action was asked for. htmx does not swap 4xx/5xx
// answers by default; SoulSpot's answers to page actions are HTML messages meant to be shown.
(function () {
  "use strict"
  var MESSAGE_AREAS = ["queue-result", "list-message"]

  // A new submit clears the notice the last one left, so no old "Queued" outlives its action.
  document.addEventListener("htmx:beforeRequest", function (evt) {
    var form = evt.detail.elt && evt.detail.elt.closest ? evt.detail.elt.closest("form") : null
    var target = evt.detail.target
    if (form && target && MESSAGE_AREAS.indexOf(target.id) !== -1) target.innerHTML = ""
    if (form) form.querySelectorAll("[aria-invalid]").forEach(function (f) { f.removeAttribute("aria-invalid") })
  })

  document.addEventListener("htmx:beforeSwap", function (evt) {
    // the SSE extension swaps too, without a request
    if (!evt.detail.xhr) return
    var status = evt.detail.xhr.status
    if (status < 400) return
    var type = evt.detail.xhr.getResponseHeader("content-type") || ""
    var target = evt.detail.target
    if (type.indexOf("text/html") === 0 && target) {
      // An action on a row answers its message; it goes above the list, never in place of the row.
      if (target.id && target.id.indexOf("download-") === 0) {
        var area = document.getElementById("list-message")
        if (area) {
          evt.detail.target = area
          evt.detail.swapOverride = "innerHTML"
        } else {
          return
        }
      }
      evt.detail.shouldSwap = true
      evt.detail.isError = false
    } else {
      // anything else (no HTML to show): say so instead of failing silently
      var box = document.getElementById("list-message") || document.getElementById("queue-result")
      if (box) box.innerHTML = '<p class="msg msg-error"></p>'
      if (box) box.firstChild.textContent = "The request failed (" + status + "). Try again, or reload the page."
      evt.detail.shouldSwap = false
      evt.detail.isError = false
    }
  })

  // A message that names a field ("title: must not be empty") marks that field of the form.
  document.addEventListener("htmx:afterSwap", function (evt) {
    if (!evt.detail.xhr || evt.detail.xhr.status < 400) return
    var form = evt.detail.requestConfig && evt.detail.requestConfig.elt && evt.detail.requestConfig.elt.closest
      ? evt.detail.requestConfig.elt.closest("form") : null
    if (!form || !form.isConnected) form = document.getElementById("settings-form")
    var where = evt.detail.target
    // an outerHTML swap replaced the target: look in its successor
    if (!where.isConnected && where.id) where = document.getElementById(where.id)
    if (!where) return
    var msg = (where.querySelector(".msg-error") || {}).textContent || ""
    var m = /^\s*([a-z_][a-z0-9_.]*):/.exec(msg)
    if (!form || !m) return
    var field = form.querySelector('[name="' + m[1] + '"]')
    if (field) {
      field.setAttribute("aria-invalid", "true")
      field.focus()
    }
  })
})()
