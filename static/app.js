// SoulSpot page glue: htmx does the swapping; this only handles what htmx cannot know.
(function () {
  "use strict"
  var ACTIVE = ["WAITING", "PENDING", "QUEUED", "DOWNLOADING"]
  var isActive = function (status) { return ACTIVE.indexOf(status) !== -1 }

  // The list's order: priority desc, then oldest first, then id (the server's keyset order).
  var before = function (a, b) {
    var pa = Number(a.getAttribute("data-priority")), pb = Number(b.getAttribute("data-priority"))
    if (pa !== pb) return pa > pb
    var ca = a.getAttribute("data-created") || "", cb = b.getAttribute("data-created") || ""
    if (ca !== cb) return ca < cb
    return a.id < b.id
  }

  var setCount = function (delta) {
    var list = document.getElementById("active-list")
    var count = document.getElementById("list-count")
    if (!list || !count) return
    var total = Math.max(0, Number(list.getAttribute("data-total") || "0") + delta)
    list.setAttribute("data-total", String(total))
    count.textContent = "(" + total.toLocaleString("en") + ")"
  }

  var newRows = 0
  var countNew = function () {
    var box = document.getElementById("new-rows")
    if (!box) return
    newRows++
    box.hidden = false
    box.querySelector("button").textContent = newRows + " new, show"
  }

  var reloadTimer = null
  // Reload the results (not the filter form: a field being typed in keeps its text and focus).
  var reloadList = function () {
    if (reloadTimer !== null || !window.htmx || !document.getElementById("list-results")) return
    reloadTimer = setTimeout(function () {
      reloadTimer = null
      window.htmx.ajax("GET", window.location.pathname + window.location.search, { target: "#list-results", select: "#list-results", swap: "outerHTML" })
    }, 300)
  }

  /**
   * One row from the stream. Shown already: replaced in place. Not shown: a new active row is
   * inserted where it sorts (or, when a text filter is on, which only the server can apply,
   * counted into "N new" if it was created after the list was read); anything else is dropped.
   */
  var onRow = function (html) {
    var tpl = document.createElement("template")
    tpl.innerHTML = html.trim()
    var el = tpl.content.firstElementChild
    if (!el || !el.id || el.id.indexOf("download-") !== 0) return
    var status = el.getAttribute("data-status")
    var old = document.getElementById(el.id)
    if (old) {
      var was = old.getAttribute("data-status")
      update(old, el)
      if (old.closest("#active-list") && isActive(was) !== isActive(status)) setCount(isActive(status) ? 1 : -1)
      reposition(old)
      return
    }
    var list = document.getElementById("active-list")
    if (!list || !isActive(status)) return
    var wanted = (list.getAttribute("data-statuses") || "").split(",").filter(Boolean)
    if (wanted.length > 0 && wanted.indexOf(status) === -1) return
    if (list.getAttribute("data-filtered") === "true") {
      // Only the server knows whether it matches; a row older than the list was not a match then.
      if ((el.getAttribute("data-created") || "") >= (list.getAttribute("data-since") || "")) countNew()
      return
    }
    setCount(1)
    var rows = list.querySelectorAll(":scope > li.row")
    for (var i = 0; i < rows.length; i++) {
      if (before(el, rows[i])) return place(list, el, rows[i])
    }
    // After every row shown: in place when the list is complete; otherwise "show more" brings it.
    if (list.getAttribute("data-more") !== "true") place(list, el, list.querySelector(":scope > li.more-row"))
  }

  /**
   * A live update of a row shown already. The <li> itself stays (an action or the candidate panel
   * still loading targets it by reference), takes the new attributes and content, and keeps what
   * the user opened or ticked: the candidate panel (moved over as it is), open <details>, the tick.
   */
  var update = function (old, el) {
    var oldWhy = old.querySelector(".why")
    var newWhy = el.querySelector(".why")
    if (oldWhy && newWhy) newWhy.replaceWith(oldWhy)
    var opened = old.querySelectorAll("details[id][open]")
    for (var i = 0; i < opened.length; i++) {
      var twin = el.querySelector("#" + CSS.escape(opened[i].id))
      if (twin) twin.open = true
    }
    var box = el.querySelector(".select-row")
    if (box) box.checked = selected.has(box.value)
    for (var a = old.attributes.length - 1; a >= 0; a--) {
      if (!el.hasAttribute(old.attributes[a].name)) old.removeAttribute(old.attributes[a].name)
    }
    for (var b = 0; b < el.attributes.length; b++) old.setAttribute(el.attributes[b].name, el.attributes[b].value)
    old.replaceChildren.apply(old, Array.prototype.slice.call(el.childNodes))
    if (window.htmx) window.htmx.process(old)
  }

  /** A row whose priority changed moves to where it now sorts among the rows shown. */
  var reposition = function (el) {
    var list = el.parentElement
    if (!list || list.id !== "active-list") return
    var prev = el.previousElementSibling
    var next = el.nextElementSibling
    var inOrder = (!prev || !prev.matches("li.row") || !before(el, prev)) && (!next || !next.matches("li.row") || !before(next, el))
    if (inOrder) return
    el.remove()
    var rows = list.querySelectorAll(":scope > li.row")
    for (var i = 0; i < rows.length; i++) {
      if (before(el, rows[i])) return list.insertBefore(el, rows[i])
    }
    list.insertBefore(el, list.querySelector(":scope > li.more-row"))
  }

  // ---- selection: ticks are kept by id, so a row replaced by a live update stays ticked ----
  var selected = new Set()
  var shownBoxes = function () { return document.querySelectorAll("#list-results .select-row") }
  var syncSelection = function () {
    var boxes = shownBoxes()
    var ticked = 0
    for (var i = 0; i < boxes.length; i++) {
      boxes[i].checked = selected.has(boxes[i].value)
      if (boxes[i].checked) ticked++
    }
    var label = document.getElementById("selected-count")
    if (label) label.textContent = ticked + " selected"
    var all = document.getElementById("select-all")
    if (all) {
      all.checked = boxes.length > 0 && ticked === boxes.length
      all.indeterminate = ticked > 0 && ticked < boxes.length
    }
    var buttons = document.querySelectorAll("#selection-bar .bulk-action")
    for (var j = 0; j < buttons.length; j++) buttons[j].disabled = ticked === 0
  }
  document.body.addEventListener("change", function (e) {
    var t = e.target
    if (!t || !t.classList) return
    if (t.classList.contains("select-row")) {
      if (t.checked) selected.add(t.value)
      else selected.delete(t.value)
      syncSelection()
    } else if (t.id === "select-all") {
      var boxes = shownBoxes()
      for (var i = 0; i < boxes.length; i++) {
        if (t.checked) selected.add(boxes[i].value)
        else selected.delete(boxes[i].value)
      }
      syncSelection()
    }
  })
  // ticks come back as soon as new rows are in (before they settle), so none flickers off
  document.body.addEventListener("htmx:afterSwap", function () { syncSelection() })
  // "Select album": every shown row of the same artist and album.
  document.body.addEventListener("click", function (e) {
    var button = e.target && e.target.closest && e.target.closest(".select-album")
    var row = button && button.closest("li.row")
    if (!row) return
    var album = row.getAttribute("data-album")
    var rows = document.querySelectorAll("#list-results li.row")
    for (var i = 0; i < rows.length; i++) {
      var box = rows[i].querySelector(".select-row")
      if (box && rows[i].getAttribute("data-album") === album) selected.add(box.value)
    }
    syncSelection()
  })

  var place = function (list, el, next) {
    var empty = list.querySelector(":scope > .empty")
    if (empty) empty.remove()
    list.insertBefore(el, next || null)
    if (window.htmx) window.htmx.process(el)
  }

  // Row and refresh events are handled here rather than swapped by the sse extension.
  document.body.addEventListener("htmx:sseBeforeMessage", function (e) {
    var type = e.detail && e.detail.type
    if (type === "row") {
      e.preventDefault()
      onRow(e.detail.data)
    } else if (type === "refresh") {
      // The server folded a burst of changes, or lost track of what we missed: reload the list.
      e.preventDefault()
      reloadList()
    }
  })
  // "Close" under the candidates table (no inline handlers: the CSP allows none).
  document.body.addEventListener("click", function (e) {
    var button = e.target && e.target.closest && e.target.closest(".close-why")
    var why = button && button.closest(".why")
    if (why) why.innerHTML = ""
  })

  // "N new, show" and "album to the front": the list again, in its current order.
  document.body.addEventListener("click", function (e) {
    var button = e.target && e.target.closest && e.target.closest("#new-rows button")
    if (button) reloadList()
  })
  document.body.addEventListener("soulspot-list-changed", reloadList)

  // After the results are swapped (filters, reload): the heading's count follows them.
  document.body.addEventListener("htmx:afterSettle", function (e) {
    var list = document.getElementById("active-list") || document.getElementById("history-list")
    var count = document.getElementById("list-count")
    if (list && count && list.hasAttribute("data-total")) {
      count.textContent = "(" + Number(list.getAttribute("data-total")).toLocaleString("en") + ")"
    }
    var box = document.getElementById("new-rows")
    if (box && box.hidden) newRows = 0
    // a reloaded list forgets ticks of rows it no longer shows; a row swapped by an action sorts again
    var target = e.detail && e.detail.target
    if (target && target.id === "list-results") {
      var shown = new Set()
      var boxes = shownBoxes()
      for (var i = 0; i < boxes.length; i++) shown.add(boxes[i].value)
      selected.forEach(function (id) { if (!shown.has(id)) selected.delete(id) })
    }
    var elt = e.detail && e.detail.elt
    if (elt && elt.matches && elt.matches("li.row") && elt.isConnected) reposition(elt)
    syncSelection()
  })

  // After queueing, clear the form so the next track can be typed at once.
  document.body.addEventListener("htmx:afterRequest", function (e) {
    var form = e.detail && e.detail.elt
    if (form && form.tagName === "FORM" && form.classList.contains("queue") && e.detail.successful) form.reset()
  })
})()
