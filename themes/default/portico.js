/* portico default theme: catalog filters and sorting. The site works without it: the
   catalog then shows every entity. Filter state lives in the URL hash (#kind=api&q=pay), so a
   filtered view can be shared and works from file:// too; ?kind=api is read as well. */
(function () {
  "use strict";
  var table = document.getElementById("catalog-table");
  var form = document.getElementById("catalog-filters");
  if (!table || !form) return;
  var KEYS = ["q", "kind", "type", "owner", "lifecycle", "tag", "namespace"];
  var tbody = table.tBodies[0];
  var rows = Array.prototype.slice.call(tbody.rows);
  var original = rows.slice();
  var count = document.getElementById("catalog-count");
  var empty = document.getElementById("catalog-empty");
  var text = rows.map(function (r) { return r.textContent.toLowerCase().replace(/\s+/g, " "); });
  var sortKey = null, sortDir = 1;
  form.hidden = false;

  function field(name) { return form.elements[name]; }

  function readState() {
    var state = {};
    var params = new URLSearchParams(location.search);
    var hash = new URLSearchParams(location.hash.replace(/^#/, ""));
    KEYS.concat(["sort", "dir"]).forEach(function (k) {
      var v = hash.get(k) || params.get(k);
      if (v) state[k] = v;
    });
    return state;
  }

  function writeState() {
    var p = new URLSearchParams();
    KEYS.forEach(function (k) { var v = field(k).value.trim(); if (v) p.set(k, v); });
    if (sortKey) { p.set("sort", sortKey); if (sortDir < 0) p.set("dir", "desc"); }
    var h = p.toString();
    var url = location.pathname + (h ? "#" + h : "");
    try { history.replaceState(null, "", url); } catch (e) { location.hash = h; }
  }

  function apply() {
    var f = {};
    KEYS.forEach(function (k) { f[k] = field(k).value.trim(); });
    var words = f.q.toLowerCase().split(/\s+/).filter(Boolean);
    var shown = 0;
    rows.forEach(function (r, i) {
      var d = r.dataset;
      var ok = (!f.kind || d.kind === f.kind.toLowerCase()) &&
        (!f.type || d.type === f.type) &&
        (!f.owner || d.owner === f.owner) &&
        (!f.lifecycle || d.lifecycle === f.lifecycle) &&
        (!f.namespace || d.namespace === f.namespace) &&
        (!f.tag || (" " + d.tags + " ").indexOf(" " + f.tag + " ") >= 0) &&
        words.every(function (w) { return text[i].indexOf(w) >= 0; });
      r.hidden = !ok;
      if (ok) shown++;
    });
    count.textContent = shown === rows.length
      ? rows.length + (rows.length === 1 ? " entity" : " entities")
      : shown + " of " + rows.length + " entities";
    empty.hidden = shown !== 0;
  }

  function sortBy(key, dir) {
    sortKey = key; sortDir = dir;
    var ths = table.tHead.rows[0].cells;
    for (var i = 0; i < ths.length; i++) {
      var k = ths[i].getAttribute("data-key");
      if (k === key) ths[i].setAttribute("aria-sort", dir > 0 ? "ascending" : "descending");
      else ths[i].removeAttribute("aria-sort");
    }
    var idx = { name: 0, kind: 1, type: 2, owner: 3, system: 4, lifecycle: 5 }[key];
    var sorted = key ? original.slice().sort(function (a, b) {
      var x = a.cells[idx].textContent.trim().toLowerCase();
      var y = b.cells[idx].textContent.trim().toLowerCase();
      if (x === y) return 0;
      if (!x) return 1;
      if (!y) return -1;
      return x < y ? -dir : dir;
    }) : original;
    var frag = document.createDocumentFragment();
    sorted.forEach(function (r) { frag.appendChild(r); });
    tbody.appendChild(frag);
  }

  var state = readState();
  KEYS.forEach(function (k) {
    var el = field(k);
    if (!state[k]) return;
    if (el.tagName === "SELECT" && !Array.prototype.some.call(el.options, function (o) { return o.value === state[k]; })) {
      // A value not in the list (e.g. a shared link from another build) still filters.
      var o = document.createElement("option"); o.value = o.textContent = state[k]; el.appendChild(o);
    }
    el.value = state[k];
  });
  if (state.sort) sortBy(state.sort, state.dir === "desc" ? -1 : 1);
  apply();

  form.addEventListener("input", function () { apply(); writeState(); });
  form.addEventListener("change", function () { apply(); writeState(); });
  form.addEventListener("submit", function (e) { e.preventDefault(); });
  form.addEventListener("reset", function () {
    setTimeout(function () { apply(); writeState(); }, 0);
  });
  table.tHead.addEventListener("click", function (e) {
    var b = e.target.closest("button.sort");
    if (!b) return;
    var key = b.getAttribute("data-sort");
    sortBy(key, sortKey === key ? -sortDir : 1);
    writeState();
  });
  window.addEventListener("hashchange", function () {
    var s = readState();
    KEYS.forEach(function (k) { field(k).value = s[k] || ""; });
    apply();
  });
})();
