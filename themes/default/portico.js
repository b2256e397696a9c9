/* portico default theme: catalog filters, sorting and pages. The site works without it: the
   catalog then shows its first page of entities as HTML. With it, the whole table comes from
   catalog/entities.js (a script, so that it loads from file:// too), filtered, sorted and
   paged here. Filter, sort and page live in the URL hash (#kind=api&q=pay&page=2), so a view
   can be shared and works from file://; ?kind=api is read as well. A theme whose catalog page
   lists every row as HTML and leaves entities.js out works too: the rows are then taken from
   the table. */
(function () {
  "use strict";
  var table = document.getElementById("catalog-table");
  var form = document.getElementById("catalog-filters");
  if (!table || !form) return;
  var KEYS = ["q", "kind", "type", "owner", "lifecycle", "tag", "namespace"];
  var SORTS = ["name", "kind", "type", "owner", "system", "lifecycle"];
  var PAGE = parseInt(table.getAttribute("data-page-rows"), 10) || 100;
  var root = table.getAttribute("data-root") || "";
  var tbody = table.tBodies[0];
  var count = document.getElementById("catalog-count");
  var empty = document.getElementById("catalog-empty");
  var more = document.getElementById("catalog-more");
  var pager = document.getElementById("catalog-pager");
  var prev = document.getElementById("pager-prev");
  var next = document.getElementById("pager-next");
  var status = document.getElementById("pager-status");
  var data = window.porticoCatalog;
  var records = data && data.rows ? data.rows.map(fromData) : Array.prototype.map.call(tbody.rows, fromRow);
  var sortKey = null, sortDir = 1, page = 1;
  form.hidden = false;
  if (more) more.hidden = true;

  function lower(s) { return (s || "").toLowerCase(); }

  /* A record: what filters, sorting and text search look at, and its <tr> (made when first shown). */
  function fromRow(r) {
    var d = r.dataset, c = r.cells;
    var key = {};
    SORTS.forEach(function (k, i) { key[k] = c[i] ? c[i].textContent.trim().toLowerCase() : ""; });
    return {
      kind: d.kind || "", type: d.type || "", owner: d.owner || "", lifecycle: d.lifecycle || "",
      namespace: d.namespace || "", tags: " " + (d.tags || "") + " ",
      text: r.textContent.toLowerCase().replace(/\s+/g, " "), key: key, tr: r,
    };
  }

  function fromData(a) {
    var owner = a[6] == null ? null : data.links[a[6]];
    var system = a[7] == null ? null : data.links[a[7]];
    var title = a[1] || a[0];
    var linkText = function (l) { return l ? (l[3] ? l[1] : l[2]) : ""; };
    return {
      kind: lower(a[2]), type: a[3] || "", owner: owner ? owner[2] : "", lifecycle: a[4] || "",
      namespace: a[5], tags: " " + a[8].join(" ") + " ",
      text: [title, a[1] ? a[0] : "", a[2], a[3], linkText(owner), linkText(system), a[4], a[8].join(" "), a[9]]
        .join(" ").toLowerCase().replace(/\s+/g, " "),
      key: {
        // What the name cell shows: title, error count, name under a title.
        name: lower(title + (a[11] ? " " + a[11] : "") + (a[1] ? a[0] : "")), kind: lower(a[2]), type: lower(a[3]), owner: lower(linkText(owner)),
        system: lower(linkText(system)), lifecycle: lower(a[4]),
      },
      row: a, ownerLink: owner, systemLink: system, tr: null,
    };
  }

  function el(tag, cls, text) {
    var e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text) e.textContent = text;
    return e;
  }

  function entityLink(l) {
    var e;
    if (l[3]) {
      e = el("a", "entity-link", l[1]);
      e.href = root + l[3];
      e.title = l[2];
    } else {
      e = el("span", "entity-link dangling", l[2]);
      e.title = l[2] + " does not exist";
    }
    return e;
  }

  /* The same markup as the rows catalog.html writes. */
  function makeRow(rec) {
    var a = rec.row, tr = el("tr"), td;
    td = el("td", "name");
    var link = el("a", null, a[1] || a[0]);
    link.href = root + a[10];
    td.appendChild(link);
    if (a[11]) {
      td.appendChild(document.createTextNode(" "));
      var b = el("span", "badge sev-error", String(a[11]));
      b.title = a[11] + (a[11] === 1 ? " error" : " errors");
      td.appendChild(b);
    }
    if (a[1] && a[1] !== a[0]) td.appendChild(el("span", "sub", a[0]));
    tr.appendChild(td);
    td = el("td");
    td.appendChild(el("span", "badge kind k-" + lower(a[2]), a[2]));
    tr.appendChild(td);
    tr.appendChild(el("td", null, a[3] || ""));
    td = el("td");
    if (rec.ownerLink) td.appendChild(entityLink(rec.ownerLink));
    tr.appendChild(td);
    td = el("td");
    if (rec.systemLink) td.appendChild(entityLink(rec.systemLink));
    tr.appendChild(td);
    td = el("td");
    if (a[4]) td.appendChild(el("span", "badge lifecycle lc-" + lower(a[4]), a[4]));
    tr.appendChild(td);
    td = el("td", "tags");
    a[8].forEach(function (t) { td.appendChild(el("span", "tag", t)); });
    tr.appendChild(td);
    tr.appendChild(el("td", "description", a[9]));
    return tr;
  }

  function field(name) { return form.elements[name]; }

  function readState() {
    var state = {};
    var params = new URLSearchParams(location.search);
    var hash = new URLSearchParams(location.hash.replace(/^#/, ""));
    KEYS.concat(["sort", "dir", "page"]).forEach(function (k) {
      var v = hash.get(k) || params.get(k);
      if (v) state[k] = v;
    });
    return state;
  }

  function writeState() {
    var p = new URLSearchParams();
    KEYS.forEach(function (k) { var v = field(k).value.trim(); if (v) p.set(k, v); });
    if (sortKey) { p.set("sort", sortKey); if (sortDir < 0) p.set("dir", "desc"); }
    if (page > 1) p.set("page", String(page));
    var h = p.toString();
    var url = location.pathname + (h ? "#" + h : "");
    try { history.replaceState(null, "", url); } catch (e) { location.hash = h; }
  }

  function matching() {
    var f = {};
    KEYS.forEach(function (k) { f[k] = field(k).value.trim(); });
    var words = f.q.toLowerCase().split(/\s+/).filter(Boolean);
    var kind = f.kind.toLowerCase();
    return sorted().filter(function (r) {
      return (!kind || r.kind === kind) &&
        (!f.type || r.type === f.type) &&
        (!f.owner || r.owner === f.owner) &&
        (!f.lifecycle || r.lifecycle === f.lifecycle) &&
        (!f.namespace || r.namespace === f.namespace) &&
        (!f.tag || r.tags.indexOf(" " + f.tag + " ") >= 0) &&
        words.every(function (w) { return r.text.indexOf(w) >= 0; });
    });
  }

  var sortedCache = null;
  function sorted() {
    if (!sortKey) return records;
    if (!sortedCache) {
      sortedCache = records.slice().sort(function (a, b) {
        var x = a.key[sortKey], y = b.key[sortKey];
        if (x === y) return 0;
        if (!x) return 1;
        if (!y) return -1;
        return x < y ? -sortDir : sortDir;
      });
    }
    return sortedCache;
  }

  /* The filters of the rows shown. */
  var shownFilters = null;
  function filterValues() {
    return JSON.stringify(KEYS.map(function (k) { return field(k).value.trim(); }));
  }

  function render() {
    shownFilters = filterValues();
    var shown = matching();
    var pages = Math.max(1, Math.ceil(shown.length / PAGE));
    page = Math.min(Math.max(1, page), pages);
    var start = (page - 1) * PAGE;
    var frag = document.createDocumentFragment();
    shown.slice(start, start + PAGE).forEach(function (r) {
      if (!r.tr) r.tr = makeRow(r);
      r.tr.hidden = false;
      frag.appendChild(r.tr);
    });
    tbody.textContent = "";
    tbody.appendChild(frag);
    var total = records.length;
    count.textContent = shown.length === total
      ? total + (total === 1 ? " entity" : " entities")
      : shown.length + " of " + total + " entities";
    if (pages > 1) count.textContent += " · page " + page + " of " + pages;
    empty.hidden = shown.length !== 0;
    pager.hidden = pages <= 1;
    prev.disabled = page <= 1;
    next.disabled = page >= pages;
    status.textContent = "Page " + page + " of " + pages + " (" + (start + 1) + "–" +
      Math.min(start + PAGE, shown.length) + " of " + shown.length + ")";
  }

  function sortBy(key, dir) {
    sortKey = SORTS.indexOf(key) >= 0 ? key : null;
    sortDir = dir;
    sortedCache = null;
    var ths = table.tHead.rows[0].cells;
    for (var i = 0; i < ths.length; i++) {
      var k = ths[i].getAttribute("data-key");
      if (sortKey && k === sortKey) ths[i].setAttribute("aria-sort", dir > 0 ? "ascending" : "descending");
      else ths[i].removeAttribute("aria-sort");
    }
  }

  function load(state) {
    KEYS.forEach(function (k) {
      var el = field(k);
      var v = state[k] || "";
      if (v && el.tagName === "SELECT" && !Array.prototype.some.call(el.options, function (o) { return o.value === v; })) {
        // A value not in the list (e.g. a shared link from another build) still filters.
        var o = document.createElement("option"); o.value = o.textContent = v; el.appendChild(o);
      }
      el.value = v;
    });
    sortBy(state.sort || null, state.dir === "desc" ? -1 : 1);
    page = parseInt(state.page, 10) || 1;
    render();
  }

  load(readState());

  // A search box fires "change" again when it loses focus, e.g. on the mousedown of a click on
  // a row's link: the rows must then stay as they are, or the click is lost.
  function filtered() {
    if (filterValues() === shownFilters) return;
    page = 1;
    render();
    writeState();
  }
  form.addEventListener("input", filtered);
  form.addEventListener("change", filtered);
  form.addEventListener("submit", function (e) { e.preventDefault(); });
  form.addEventListener("reset", function () { setTimeout(filtered, 0); });
  table.tHead.addEventListener("click", function (e) {
    var b = e.target.closest("button.sort");
    if (!b) return;
    var key = b.getAttribute("data-sort");
    sortBy(key, sortKey === key ? -sortDir : 1);
    page = 1;
    render();
    writeState();
  });
  function turn(by, button, other) {
    page += by;
    render();
    writeState();
    // Focus stays on the pager: on the other button when this one is now disabled.
    if (button.disabled) other.focus();
  }
  prev.addEventListener("click", function () { turn(-1, prev, next); });
  next.addEventListener("click", function () { turn(1, next, prev); });
  window.addEventListener("hashchange", function () { load(readState()); });
})();

/* A relations graph wider than the screen (phones) scrolls sideways in its box: start with
   the entity itself in the middle of the view, not the left edge. */
(function () {
  "use strict";
  var boxes = document.querySelectorAll(".graph-scroll");
  for (var i = 0; i < boxes.length; i++) {
    var box = boxes[i];
    if (box.scrollWidth <= box.clientWidth) continue;
    var focus = box.querySelector(".graph-node.focus");
    if (!focus) continue;
    var b = box.getBoundingClientRect();
    var f = focus.getBoundingClientRect();
    box.scrollLeft += f.left + f.width / 2 - (b.left + b.width / 2);
  }
})();

/* The header's height, for what must start below it while it stays on screen (CSS reads
   --header-h; a header that scrolls away, on phones, counts as 0). */
(function () {
  var header = document.querySelector(".site-header");
  if (!header || !window.getComputedStyle) return;
  var html = document.documentElement;
  function fit() {
    var sticky = getComputedStyle(header).position === "sticky";
    html.style.setProperty("--header-h", sticky ? header.offsetHeight + "px" : "0px");
  }
  fit();
  window.addEventListener("resize", fit);
})();

/* A Copy button on every code block (docs pages), as TechDocs and MkDocs Material readers know
   it: the block's text without its title, to the clipboard; the button says "Copied" and a
   live region tells screen readers. Where the clipboard cannot be written, the code is selected
   for Ctrl+C. */
(function () {
  "use strict";
  var blocks = document.querySelectorAll("div.highlight");
  if (!blocks.length) return;
  var live = document.createElement("span");
  live.className = "visually-hidden";
  live.setAttribute("role", "status");
  document.body.appendChild(live);
  function write(text) {
    if (navigator.clipboard && window.isSecureContext) return navigator.clipboard.writeText(text);
    return new Promise(function (resolve, reject) {
      var area = document.createElement("textarea");
      area.value = text;
      area.setAttribute("readonly", "");
      area.style.position = "fixed";
      area.style.opacity = "0";
      document.body.appendChild(area);
      area.select();
      var ok = false;
      try { ok = document.execCommand("copy"); } catch (e) { ok = false; }
      area.remove();
      if (ok) resolve(); else reject(new Error("copy refused"));
    });
  }
  Array.prototype.forEach.call(blocks, function (block) {
    var code = block.querySelector("pre > code") || block.querySelector("pre");
    if (!code) return;
    var button = document.createElement("button");
    button.type = "button";
    button.className = "code-copy";
    button.innerHTML = 'Copy<span class="visually-hidden"> code</span>';
    var timer = null;
    function say(label, message) {
      button.firstChild.nodeValue = label;
      live.textContent = message;
      clearTimeout(timer);
      timer = setTimeout(function () { button.firstChild.nodeValue = "Copy"; live.textContent = ""; }, 2000);
    }
    button.addEventListener("click", function () {
      write(code.textContent.replace(/\n$/, "")).then(function () {
        say("Copied", "Code copied to the clipboard");
      }, function () {
        var range = document.createRange();
        range.selectNodeContents(code);
        var sel = window.getSelection();
        sel.removeAllRanges();
        sel.addRange(range);
        say("Selected", "Code selected: press Ctrl+C to copy");
      });
    });
    block.appendChild(button);
  });
})();
