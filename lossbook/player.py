"""The static book's player of a widget's precomputed frames (:mod:`lossbook.frames`).

:func:`player_html` is the HTML that ``book/_ext/lossbook_frames.py`` puts after a widget's
cell: the widget's default frame, and a range input per control that swaps the image (one
control at a time: moving one puts the others back to their defaults). A control's frames are
fetched on its first touch only (focus, pointer or touch); when the figure comes into view
the player fetches the default frame and each control's two neighbouring frames (so that the
first step is as quick as the others), nothing else. Keyboard-operable (a focused range input
moves with the arrow keys); the image's alt text and each input's ``aria-valuetext`` state the
control values.

Nothing here changes a frame, so this module is left out of the frames' content key
(:data:`lossbook.frames_store.NOT_IN_KEY`).
"""
import json
from html import escape

__all__ = ["player_html", "PLAYER_JS"]

#: The player's script: one copy per page serves every player on it (idempotent).
PLAYER_JS = r"""(function () {
  document.querySelectorAll('figure.lb-frames:not([data-ready])').forEach(function (fig) {
    fig.dataset.ready = '1';
    var m = JSON.parse(fig.dataset.manifest), base = fig.dataset.base;
    var img = fig.querySelector('img'), inputs = fig.querySelectorAll('input[type=range]');
    var cache = {}, loaded = {};
    function url(f) { return base + '/' + f; }
    function warm(f) {  // fetch and decode a frame once; kept so that a move only swaps it in
      if (cache[f]) return;
      var im = new Image();
      im.src = url(f);
      if (im.decode) im.decode().catch(function () {});
      cache[f] = im;
    }
    function preload(c) {  // a control's frames are fetched on its first touch only
      if (loaded[c.name]) return;
      loaded[c.name] = true;
      c.files.forEach(warm);
    }
    // when the figure comes into view: the first step of each control either way (two frames
    // per control), so that the first move is as quick as the others
    if ('IntersectionObserver' in window) {
      var seen = new IntersectionObserver(function (entries) {
        if (!entries.some(function (e) { return e.isIntersecting; })) return;
        seen.disconnect();
        m.controls.forEach(function (c) {
          [c.default - 1, c.default + 1].forEach(function (i) {
            if (i >= 0 && i < c.files.length) warm(c.files[i]);
          });
        });
      }, {rootMargin: '200px'});
      seen.observe(fig);
    }
    function show(input, c, i) {
      input.value = i;
      input.setAttribute('aria-valuetext', c.label + ' = ' + c.values[i]);
      input.parentNode.querySelector('output').textContent = c.values[i];
    }
    inputs.forEach(function (input, k) {
      var c = m.controls[k];
      ['pointerdown', 'focus', 'mouseenter', 'touchstart'].forEach(function (ev) {
        input.addEventListener(ev, function () { preload(c); }, {passive: true});
      });
      input.addEventListener('input', function () {
        var i = +input.value;
        inputs.forEach(function (other, j) {  // one control at a time: the others at defaults
          if (j !== k) show(other, m.controls[j], m.controls[j].default);
        });
        show(input, c, i);
        img.src = url(c.files[i]);
        img.alt = m.title + ': ' + m.controls.map(function (d, j) {
          return d.label + ' = ' + d.values[j === k ? i : d.default];
        }).join(', ');
        fig.dataset.frame = c.files[i];
      });
    });
  });
})();"""


def player_html(manifest, base):
    """HTML of the static player for ``manifest`` whose files are under the URL ``base``."""
    m = {k: manifest[k] for k in ("name", "title", "default", "controls")}
    alt = manifest["title"] + ": " + ", ".join(
        f"{c['label']} = {c['values'][c['default']]}" for c in manifest["controls"])
    n = len({f for c in manifest["controls"] for f in c["files"]})
    rows = []
    for c in manifest["controls"]:
        v = c["values"][c["default"]]
        rows.append(
            f'<label class="lb-frames-control">{escape(c["label"])} '
            f'<input type="range" min="0" max="{len(c["values"]) - 1}" step="1" '
            f'value="{c["default"]}" aria-valuetext="{escape(c["label"] + " = " + v)}">'
            f' <output>{escape(v)}</output></label>')
    return (f'<figure class="lb-frames" data-base="{escape(base)}" '
            f'data-manifest="{escape(json.dumps(m, ensure_ascii=False))}" '
            f'data-frame="{escape(manifest["default"])}">\n'
            f'<img src="{escape(base)}/{escape(manifest["default"])}" alt="{escape(alt)}" '
            f'loading="lazy" width="{manifest["width"]}" height="{manifest["height"]}" '
            f'style="max-width: 100%; height: auto">\n'
            f'<div class="lb-frames-controls" style="display: flex; flex-wrap: wrap; '
            f'gap: 0.5em 1.5em">{"".join(rows)}</div>\n'
            f'<figcaption>Explore without a kernel: move the controls below the figure, one at '
            f'a time from the defaults (moving one puts the others back to their defaults; '
            f'{n} precomputed frames of the widget); a focused control also moves with the '
            f'arrow keys.</figcaption>\n'
            f'</figure>\n<script>{PLAYER_JS}</script>\n')
