// Draws the Mermaid diagrams of a docs page (```mermaid fences, written as
// <pre class="mermaid"> the way Material for MkDocs writes them) with the copy of Mermaid the
// site ships (assets/mermaid.min.js): nothing comes from a CDN, and it works from file:// too.
// Each drawing keeps its source beside it, folded; a diagram Mermaid cannot parse keeps its
// source in view with the reason; without scripts the source shows as code.
(function () {
  'use strict';
  var blocks = Array.prototype.slice.call(document.querySelectorAll('.diagram > pre.mermaid'));
  if (!blocks.length) return;

  function fail(pre, reason) {
    var note = document.createElement('p');
    note.className = 'diagram-error';
    note.setAttribute('role', 'note');
    note.textContent = 'This diagram could not be drawn: ' + reason;
    pre.parentNode.insertBefore(note, pre);
  }

  if (!window.mermaid) {
    blocks.forEach(function (pre) { fail(pre, 'Mermaid (assets/mermaid.min.js) did not load.'); });
    return;
  }
  var dark = window.matchMedia && window.matchMedia('(prefers-color-scheme: dark)').matches;
  window.mermaid.initialize({
    startOnLoad: false,
    securityLevel: 'strict',
    suppressErrorRendering: true,
    theme: dark ? 'dark' : 'default',
  });

  // One at a time: Mermaid's renders share state.
  blocks.reduce(function (previous, pre, i) {
    return previous.then(function () {
      var id = 'portico-diagram-' + (i + 1);
      return window.mermaid.render(id, pre.textContent).then(function (out) {
        var figure = document.createElement('figure');
        figure.className = 'diagram-drawing';
        figure.innerHTML = out.svg;
        var svg = figure.querySelector('svg');
        if (svg && !svg.hasAttribute('aria-labelledby') && !svg.hasAttribute('aria-label')) {
          svg.setAttribute('aria-label', 'Diagram; its source follows');
        }
        var details = document.createElement('details');
        details.className = 'diagram-source';
        var summary = document.createElement('summary');
        summary.textContent = 'Diagram source';
        var box = pre.parentNode;
        box.insertBefore(figure, pre);
        box.insertBefore(details, pre);
        details.appendChild(summary);
        details.appendChild(pre);
        box.classList.add('diagram-drawn');
      }, function (err) {
        var left = document.getElementById('d' + id);
        if (left) left.remove();
        fail(pre, String((err && err.message) || err).split('\n')[0]);
      });
    });
  }, Promise.resolve());
})();
