/* portico search: a static, sharded index loaded piece by piece with classic <script> tags
 * (no fetch, no WASM, no modules), so it works over http(s) and from disk (file://) alike.
 *
 * search/index.js      manifest (documents, chunk size, shard keys)
 * search/t/<key>.js    terms → postings [df, id, weight, Δid, weight, …]
 * search/r/<n>.js      display records, `chunk` per file
 *
 * Attaches to the header box `#search-input` (suggestions as you type, arrow keys, Enter,
 * Escape, `/` to focus) and fills `#search-page-results` on search.html?q=… */
(function () {
  'use strict';
  if (window.__porticoSearch) return; // included twice (base and page template): attach once
  var script = document.currentScript;
  var base = script && script.src ? script.src.replace(/assets\/search\.js(?:[?#].*)?$/, '') : '';
  var cache = Object.create(null);
  var waiting = Object.create(null);

  window.__porticoSearch = {
    load: function (name, data) {
      cache[name] = data;
      var w = waiting[name];
      delete waiting[name];
      if (w) w.forEach(function (f) { f(data); });
    }
  };

  function get(name) {
    if (name in cache) return Promise.resolve(cache[name]);
    return new Promise(function (resolve) {
      if (waiting[name]) { waiting[name].push(resolve); return; }
      waiting[name] = [resolve];
      var s = document.createElement('script');
      s.src = base + 'search/' + name + '.js';
      s.async = true;
      s.onerror = function () { window.__porticoSearch.load(name, null); };
      document.head.appendChild(s);
    });
  }

  var STOP = {};
  function tokenize(q) {
    return q.toLowerCase().split(/[^\p{L}\p{N}]+/u).filter(function (t) {
      return t.length >= 2 && t.length <= 40 && !STOP[t];
    });
  }

  function shardFile(key) {
    if (key === '') return '_';
    if (/^[a-z0-9]+$/.test(key)) return key;
    var bytes = new TextEncoder().encode(key), s = 'x';
    for (var i = 0; i < bytes.length; i++) s += (bytes[i] < 16 ? '0' : '') + bytes[i].toString(16);
    return s;
  }

  /* Ranked results for `q`: [{rec, score}], at most `limit`. Rejects when the index is
   * missing. The last word also matches as a prefix (search as you type). */
  function search(q, limit) {
    return get('index').then(function (m) {
      if (!m) throw new Error('unavailable');
      (m.stopWords || []).forEach(function (w) { STOP[w] = true; });
      var toks = tokenize(q);
      if (!toks.length) return [];
      var scores = new Map(), matched = new Map();
      return Promise.all(toks.map(function (t, i) {
        var last = i === toks.length - 1, keys = [], best = null;
        m.shards.forEach(function (k) {
          if (t.indexOf(k) === 0 && (best === null || k.length > best.length)) best = k;
        });
        if (best !== null) keys.push(best);
        if (last) {
          for (var j = 0; j < m.shards.length && keys.length < 6; j++) {
            var k = m.shards[j];
            if (k !== best && k.length > t.length - 1 && k.indexOf(t) === 0) keys.push(k);
          }
        }
        return Promise.all(keys.map(function (k) { return get('t/' + shardFile(k)); })).then(function (shards) {
          var hits = new Map();
          shards.forEach(function (sh) {
            if (!sh) return;
            for (var term in sh) {
              var exact = term === t;
              if (!exact && !(last && term.indexOf(t) === 0)) continue;
              var p = sh[term], idf = Math.log(1 + m.documents / p[0]);
              var factor = exact ? 1 : 0.5;
              for (var x = 1, id = 0; x < p.length; x += 2) {
                id += p[x];
                var s = p[x + 1] * idf * factor;
                if (!(hits.get(id) >= s)) hits.set(id, s);
              }
            }
          });
          hits.forEach(function (s, id) {
            scores.set(id, (scores.get(id) || 0) + s);
            matched.set(id, (matched.get(id) || 0) + 1);
          });
        });
      })).then(function () {
        var ranked = [];
        scores.forEach(function (s, id) { ranked.push([id, s * matched.get(id)]); });
        ranked.sort(function (a, b) { return b[1] - a[1] || a[0] - b[0]; });
        ranked = ranked.slice(0, limit * 3);
        var chunks = {};
        ranked.forEach(function (r) { chunks[Math.floor(r[0] / m.chunk)] = true; });
        return Promise.all(Object.keys(chunks).map(function (c) { return get('r/' + c); })).then(function () {
          var out = [], perPage = {};
          ranked.forEach(function (r) {
            var chunk = cache['r/' + Math.floor(r[0] / m.chunk)];
            var rec = chunk && chunk[r[0] % m.chunk];
            if (!rec || out.length >= limit) return;
            var page = rec[2].split('#')[0];
            perPage[page] = (perPage[page] || 0) + 1;
            if (perPage[page] > 2) return; // at most two sections of one page
            out.push({ rec: rec, score: r[1] });
          });
          return { results: out, tokens: toks };
        });
      });
    });
  }

  function esc(s) {
    return String(s).replace(/[&<>"']/g, function (c) {
      return { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' }[c];
    });
  }

  function mark(text, toks) {
    var h = esc(text);
    if (!toks.length) return h;
    // Words are matched from their start (the index holds whole words, the last typed one as a
    // prefix): "old" marks "old" and "older", never the middle of "holding".
    var re = new RegExp('(?<![\\p{L}\\p{N}])(' + toks.map(function (t) {
      return esc(t).replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    }).join('|') + ')', 'giu');
    return h.replace(re, '<mark>$1</mark>');
  }

  /* One result as HTML: entity [0, title, url, sub, excerpt, tags] or doc section
   * [1, title, url, page title, site name, excerpt]. */
  function resultHtml(rec, toks, id) {
    var isEntity = rec[0] === 0;
    var label = isEntity ? rec[3].split(' · ')[0] : 'Docs';
    var sub = isEntity ? rec[3] : (rec[4] + (rec[3] !== rec[1] ? ' › ' + rec[3] : ''));
    var text = isEntity ? rec[4] : rec[5];
    return '<a href="' + esc(base + rec[2]) + '"' + (id ? ' id="' + id + '" role="option" aria-selected="false"' : '') + '>' +
      '<span class="ps-kind">' + esc(label) + '</span> ' +
      '<span class="ps-title">' + mark(rec[1], toks) + '</span>' +
      '<span class="ps-sub">' + esc(sub) + '</span>' +
      (text ? '<span class="ps-snippet">' + mark(text, toks) + '</span>' : '') + '</a>';
  }

  var STYLE = '.ps-popup{position:absolute;z-index:50;max-height:70vh;overflow:auto;min-width:22rem;max-width:min(40rem,95vw);background:#fff;color:#1f2328;border:1px solid #d0d7de;border-radius:8px;box-shadow:0 8px 24px rgba(0,0,0,.15);padding:.3rem 0;margin:0;list-style:none}' +
    '.ps-popup[hidden]{display:none}.ps-popup a,.ps-results a{display:block;padding:.45rem .8rem;text-decoration:none;color:inherit}' +
    '.ps-popup a[aria-selected=true],.ps-popup a:hover{background:#eef4ff}.ps-kind{font-size:.7rem;text-transform:uppercase;letter-spacing:.04em;color:#57606a;margin-right:.3rem}' +
    '.ps-title{font-weight:600}.ps-sub{display:block;font-size:.8rem;color:#57606a}.ps-snippet{display:block;font-size:.85rem;color:#3d444d}' +
    '.ps-popup mark,.ps-results mark{background:#fff3b0;color:inherit;padding:0}.ps-note{padding:.45rem .8rem;font-size:.85rem;color:#57606a}' +
    '.ps-results{list-style:none;padding:0}.ps-results li{border-bottom:1px solid #d0d7de}' +
    '@media (prefers-color-scheme:dark){.ps-popup{background:#161b22;color:#e6edf3;border-color:#30363d}.ps-popup a[aria-selected=true],.ps-popup a:hover{background:#1f2a3a}.ps-sub,.ps-kind,.ps-note{color:#8d96a0}.ps-snippet{color:#c9d1d9}.ps-popup mark,.ps-results mark{background:#5a4a00}}';

  function unavailableText() {
    return location.protocol === 'file:'
      ? 'Search index could not be loaded from disk. Serve the site over http (portico serve) or rebuild it with search.'
      : 'Search index is unavailable.';
  }

  function attach(input) {
    var style = document.createElement('style');
    style.textContent = STYLE;
    document.head.appendChild(style);
    var popup = document.createElement('div');
    popup.className = 'ps-popup';
    popup.id = 'search-popup';
    popup.setAttribute('role', 'listbox');
    popup.setAttribute('aria-label', 'Search suggestions');
    popup.hidden = true;
    document.body.appendChild(popup);
    input.setAttribute('role', 'combobox');
    input.setAttribute('aria-autocomplete', 'list');
    input.setAttribute('aria-controls', 'search-popup');
    input.setAttribute('aria-expanded', 'false');
    input.setAttribute('autocomplete', 'off');
    var active = -1, seq = 0, timer = null;

    function place() {
      var r = input.getBoundingClientRect();
      popup.style.top = (window.scrollY + r.bottom + 4) + 'px';
      var left = window.scrollX + r.left;
      popup.style.left = Math.max(4, Math.min(left, window.scrollX + document.documentElement.clientWidth - popup.offsetWidth - 4)) + 'px';
    }
    function close() {
      popup.hidden = true;
      input.setAttribute('aria-expanded', 'false');
      input.removeAttribute('aria-activedescendant');
      active = -1;
    }
    function items() { return popup.querySelectorAll('a[role=option]'); }
    function setActive(i) {
      var list = items();
      if (!list.length) return;
      active = (i + list.length) % list.length;
      list.forEach(function (a, j) { a.setAttribute('aria-selected', j === active ? 'true' : 'false'); });
      input.setAttribute('aria-activedescendant', list[active].id);
      list[active].scrollIntoView({ block: 'nearest' });
    }
    function show(html) {
      popup.innerHTML = html;
      popup.hidden = false;
      input.setAttribute('aria-expanded', 'true');
      active = -1;
      place();
    }
    function run() {
      var q = input.value.trim();
      var my = ++seq;
      if (!q) { close(); return; }
      search(q, 8).then(function (r) {
        if (my !== seq) return;
        if (!r.results || !r.results.length) {
          show('<div class="ps-note" role="status">No results for “' + esc(q) + '”</div>');
          return;
        }
        show(r.results.map(function (x, i) { return resultHtml(x.rec, r.tokens, 'ps-opt-' + i); }).join('') +
          '<a class="ps-note" href="' + esc(base + 'search.html?q=' + encodeURIComponent(q)) + '" id="ps-opt-all" role="option" aria-selected="false">All results for “' + esc(q) + '”</a>');
      }, function () {
        if (my !== seq) return;
        show('<div class="ps-note" role="status">' + esc(unavailableText()) + '</div>');
      });
    }
    input.addEventListener('input', function () {
      clearTimeout(timer);
      timer = setTimeout(run, 90);
    });
    input.addEventListener('focus', function () { get('index'); if (input.value.trim()) run(); });
    input.addEventListener('keydown', function (e) {
      if (e.key === 'ArrowDown') { e.preventDefault(); if (popup.hidden) run(); else setActive(active + 1); }
      else if (e.key === 'ArrowUp') { e.preventDefault(); setActive(active - 1); }
      else if (e.key === 'Escape') { if (!popup.hidden) { e.preventDefault(); close(); } }
      else if (e.key === 'Enter' && active >= 0) {
        var a = items()[active];
        if (a) { e.preventDefault(); location.href = a.href; }
      }
    });
    document.addEventListener('click', function (e) {
      if (e.target !== input && !popup.contains(e.target)) close();
    });
    document.addEventListener('keydown', function (e) {
      var t = e.target, typing = t && (t.tagName === 'INPUT' || t.tagName === 'TEXTAREA' || t.isContentEditable);
      if (e.key === '/' && !typing) { e.preventDefault(); input.focus(); input.select(); }
    });
    window.addEventListener('resize', function () { if (!popup.hidden) place(); });
  }

  function resultsPage(container, input) {
    // The 404 page asks for the words of the missing address (data-q); search.html for ?q=.
    var given = container.getAttribute('data-q');
    var q = given !== null ? given : (new URLSearchParams(location.search).get('q') || '');
    if (input && !input.value && given === null) input.value = q;
    var status = document.getElementById('search-page-status');
    if (!q.trim()) { if (status) status.textContent = 'Type a query in the search box.'; return; }
    var limit = +(container.getAttribute('data-limit') || 50);
    search(q, limit).then(function (r) {
      var n = r.results ? r.results.length : 0;
      if (status && given !== null) status.textContent = n ? 'The best matches for “' + q + '”' : 'No page matches “' + q + '”';
      else if (status) status.textContent = n ? (n + (n === limit ? '+' : '') + (n === 1 ? ' result' : ' results') + ' for “' + q + '”') : 'No results for “' + q + '”';
      container.innerHTML = n ? '<ul class="ps-results">' + r.results.map(function (x) {
        return '<li>' + resultHtml(x.rec, r.tokens, null) + '</li>';
      }).join('') + '</ul>' : '';
    }, function () {
      if (status) status.textContent = unavailableText();
    });
  }

  function init() {
    var input = document.getElementById('search-input');
    if (input) attach(input);
    var page = document.getElementById('search-page-results');
    if (page) resultsPage(page, input);
  }
  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', init);
  else init();
})();
