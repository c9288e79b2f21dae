// SoulSpot page glue: htmx does the swapping; this only handles what htmx cannot know.
(function () {
  "use strict"
  // A row event for a download the page does not show yet: add it to the active list.
  document.body.addEventListener("htmx:oobErrorNoTarget", function (e) {
    var list = document.getElementById("active-list")
    var el = e.detail && e.detail.content
    if (!list || !el || !el.id || el.id.indexOf("download-") !== 0) return
    var status = el.getAttribute("data-status")
    if (["WAITING", "PENDING", "QUEUED", "DOWNLOADING"].indexOf(status) === -1) return
    el.removeAttribute("hx-swap-oob")
    var empty = list.querySelector(".empty")
    if (empty) empty.remove()
    list.appendChild(el)
    if (window.htmx) window.htmx.process(el)
    // Keep the "(n)" next to the heading in step with the rows shown.
    var count = document.getElementById("list-count")
    if (count) count.textContent = "(" + list.querySelectorAll("li.row").length + ")"
  })
  // The server lost track of what we missed: reload the list fragment.
  document.body.addEventListener("htmx:sseMessage", function (e) {
    if (e.detail && e.detail.type === "refresh" && window.htmx) {
      window.htmx.ajax("GET", window.location.pathname + window.location.search, { target: "#list", select: "#list", swap: "outerHTML" })
    }
  })
  // "Close" under the candidates table (no inline handlers: the CSP allows none).
  document.body.addEventListener("click", function (e) {
    var button = e.target && e.target.closest && e.target.closest(".close-why")
    var why = button && button.closest(".why")
    if (why) why.innerHTML = ""
  })
  // After queueing, clear the form so the next track can be typed at once.
  document.body.addEventListener("htmx:afterRequest", function (e) {
    var form = e.detail && e.detail.elt
    if (form && form.tagName === "FORM" && form.classList.contains("queue") && e.detail.successful) form.reset()
  })
})()
