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

  // A list's top-level items: rows and album groups (a group carries the sort key of its first row).
  var items = function (list) { return list.querySelectorAll(":scope > li.row, :scope > li.album-group") }

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
      resort(old)
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
    // a row of an album joins its group when the album's header follows (event "album")
    var rows = items(list)
    for (var i = 0; i < rows.length; i++) {
      if (before(el, rows[i])) return place(list, el, rows[i])
    }
    // After every row shown: in place when the list is complete; otherwise "show more" brings it.
    if (list.getAttribute("data-more") !== "true") place(list, el, list.querySelector(":scope > li.more-row"))
  }

  /**
   * An album's header from the stream: put in place of the shown one (the <details> around it
   * keeps its open or closed state), then the rows it names (data-rows: the album's downloads)
   * that this list shows are gathered into the group.
   */
  var onAlbum = function (html) {
    var tpl = document.createElement("template")
    tpl.innerHTML = html.trim()
    var head = tpl.content.firstElementChild
    if (!head || !head.id || head.id.indexOf("album-") !== 0 || !head.matches("summary.album-head")) return
    var ids = (head.getAttribute("data-rows") || "").split(" ").filter(Boolean)
    head.removeAttribute("data-rows")
    var list = document.getElementById("active-list") || document.getElementById("history-list")
    if (!list) return
    var old = document.getElementById(head.id)
    if (old && list.contains(old)) old.replaceWith(head)
    gather(list, head, ids)
  }

  /** The album's place of a row: disc, then track (rows without numbers last, in their order). */
  var albumPlace = function (row) {
    var t = Number(row.getAttribute("data-track"))
    return row.hasAttribute("data-track") && !isNaN(t) ? Number(row.getAttribute("data-disc") || "1") * 100000 + t : Infinity
  }
  var sortGroup = function (group) {
    var ul = group.querySelector("ul.album-rows")
    var rows = Array.prototype.slice.call(ul.querySelectorAll(":scope > li.row"))
    var sorted = rows.slice().sort(function (a, b) { return albumPlace(a) - albumPlace(b) || 0 })
    for (var i = 0; i < sorted.length; i++) if (ul.children[i] !== sorted[i]) ul.insertBefore(sorted[i], ul.children[i] || null)
  }

  /**
   * Rows of an album shown in this list (those the header names, and a lone row of it shown on its
   * own, data-album-id), moved into its group in disc and track order. Without a group yet, one is
   * made where the first of them sorts, once there are two: a lone row stays a row, as the server
   * renders it.
   */
  var gather = function (list, head, ids) {
    var albumId = head.id.slice("album-".length)
    var rows = []
    var add = function (row) {
      if (row && list.contains(row) && !row.closest("li.album-group") && rows.indexOf(row) === -1) rows.push(row)
    }
    for (var i = 0; i < ids.length; i++) add(document.getElementById("download-" + ids[i]))
    var alone = list.querySelectorAll(":scope > li.row[data-album-id]")
    for (var k = 0; k < alone.length; k++) if (alone[k].getAttribute("data-album-id") === albumId) add(alone[k])
    var group = document.getElementById("album-group-" + albumId)
    if (group && !list.contains(group)) group = null
    if (rows.length === 0) return
    if (!group && rows.length === 1) return rows[0].setAttribute("data-album-id", albumId)
    if (!group) {
      group = document.createElement("li")
      group.id = "album-group-" + albumId
      group.className = "album-group"
      var details = document.createElement("details")
      details.open = true
      var actions = document.createElement("div")
      actions.className = "album-actions"
      actions.innerHTML = "<button type=\"button\" class=\"link select-album\">Select album</button>"
      var first = rows[0].querySelector(".album-first")
      if (first) actions.appendChild(first.cloneNode(true))
      var inner = document.createElement("ul")
      inner.className = "rows album-rows"
      details.appendChild(head.isConnected ? head.cloneNode(true) : head)
      details.appendChild(actions)
      details.appendChild(inner)
      group.appendChild(details)
      var top = rows.filter(function (r) { return r.parentElement === list }).sort(function (a, b) { return before(a, b) ? -1 : 1 })
      list.insertBefore(group, top.length > 0 ? top[0] : list.querySelector(":scope > li.more-row"))
      if (window.htmx) window.htmx.process(group)
    }
    var ul = group.querySelector("ul.album-rows")
    for (var j = 0; j < rows.length; j++) ul.appendChild(rows[j])
    sortGroup(group)
    groupKey(group)
    reposition(group)
  }

  /** A group sorts like its first row in list order. */
  var groupKey = function (group) {
    var rows = group.querySelectorAll("li.row")
    var first = null
    for (var i = 0; i < rows.length; i++) if (!first || before(rows[i], first)) first = rows[i]
    if (!first) return
    group.setAttribute("data-priority", first.getAttribute("data-priority") || "0")
    group.setAttribute("data-created", first.getAttribute("data-created") || "")
  }

  /** A row that changed sorts again: on its own, or (inside a group, which keeps album order) its group does. */
  var resort = function (row) {
    var group = row.closest("li.album-group")
    if (!group) return reposition(row)
    groupKey(group)
    reposition(group)
  }

  /**
   * After a page of rows comes in ("show more"): a group of an album already shown joins the
   * earlier one (its header, the newer, kept), and a group left without rows (removed) goes.
   */
  var tidyGroups = function (list) {
    var groups = list.querySelectorAll(":scope > li.album-group")
    var seen = {}
    for (var i = 0; i < groups.length; i++) {
      var g = groups[i]
      if (seen[g.id]) {
        var into = seen[g.id]
        var rows = g.querySelectorAll("li.row")
        for (var r = 0; r < rows.length; r++) into.querySelector("ul.album-rows").appendChild(rows[r])
        var head = g.querySelector("summary.album-head")
        if (head) into.querySelector("summary.album-head").replaceWith(head)
        g.remove()
        sortGroup(into)
      } else if (!g.querySelector("li.row")) {
        g.remove()
      } else {
        seen[g.id] = g
      }
    }
    for (var id in seen) groupKey(seen[id])
    // a lone row of an album whose group is shown (the next page's) joins it
    var alone = list.querySelectorAll(":scope > li.row[data-album-id]")
    for (var a = 0; a < alone.length; a++) {
      var into = seen["album-group-" + alone[a].getAttribute("data-album-id")]
      if (into) {
        into.querySelector("ul.album-rows").appendChild(alone[a])
        sortGroup(into)
      }
    }
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
    var item = "li.row, li.album-group"
    var inOrder = (!prev || !prev.matches(item) || !before(el, prev)) && (!next || !next.matches(item) || !before(next, el))
    if (inOrder) return
    el.remove()
    var rows = items(list)
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
  // "Select album": every row of the group, or every shown row of the same artist and album.
  document.body.addEventListener("click", function (e) {
    var button = e.target && e.target.closest && e.target.closest(".select-album")
    var group = button && !button.closest("li.row") && button.closest("li.album-group")
    if (group) {
      var mine = group.querySelectorAll("li.row .select-row")
      for (var m = 0; m < mine.length; m++) selected.add(mine[m].value)
      return syncSelection()
    }
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
    } else if (type === "album") {
      e.preventDefault()
      onAlbum(e.detail.data)
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
    var grouped = document.getElementById("active-list") || document.getElementById("history-list")
    if (grouped) tidyGroups(grouped)
    var elt = e.detail && e.detail.elt
    if (elt && elt.matches && elt.matches("li.row") && elt.isConnected) resort(elt)
    syncSelection()
  })

  var shownList = document.getElementById("active-list") || document.getElementById("history-list")
  if (shownList) tidyGroups(shownList)

  // After queueing, clear the form so the next track can be typed at once.
  document.body.addEventListener("htmx:afterRequest", function (e) {
    var form = e.detail && e.detail.elt
    if (form && form.tagName === "FORM" && form.classList.contains("queue") && e.detail.successful) form.reset()
  })
})()
