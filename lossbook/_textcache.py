"""An Agg canvas that renders text from a cache: the same pixels as matplotlib's, faster.

A widget's figure is drawn again on every slider move, and most of an Agg draw is text
(tick labels, legends, titles): for each string matplotlib shapes the glyphs (``_layout``)
and renders every glyph with FreeType at its sub-pixel position. Both results depend only on
their inputs, so they are kept: the shaped glyphs per (resolved fonts, size, string, dpi), each
glyph's bitmap per (font, size, glyph, angle, the position's fraction of a pixel in FreeType's
1/64 units). A glyph at the same fraction of a pixel rasterises to the same bitmap shifted by
whole pixels, so drawing from the cache gives the pixels matplotlib gives
(``tests/test_widgets.py`` compares them). Mathtext, TeX and anything else go through
matplotlib unchanged. Written against the Agg backend of matplotlib 3.11 (its private glyph
API); if that API is missing, :func:`text_cached_canvas` returns the plain Agg canvas.
"""
import math

import numpy as np
from matplotlib.backends.backend_agg import FigureCanvasAgg, RendererAgg
from matplotlib.font_manager import fontManager as _fontManager

__all__ = ["text_cached_canvas"]

_LIMIT = 50_000  # entries per cache before it is emptied (a few MB of bitmaps)
_layouts = {}
_glyphs = {}


def _available():
    try:
        from matplotlib.backends.backend_agg import get_hinting_flag  # noqa: F401
        from matplotlib.ft2font import FT2Font, RenderMode  # noqa: F401

        return all(hasattr(FT2Font, name) for name in ("_layout", "_render_glyph",
                                                       "_set_transform"))
    except ImportError:  # pragma: no cover - another matplotlib
        return False


class _Renderer(RendererAgg):
    def draw_text(self, gc, x, y, s, prop, angle, ismath=False, mtext=None):
        if ismath:
            return super().draw_text(gc, x, y, s, prop, angle, ismath, mtext)
        from matplotlib.backends.backend_agg import get_hinting_flag

        features = mtext.get_fontfeatures() if mtext is not None else None
        language = mtext.get_language() if mtext is not None else None
        flags = get_hinting_flag()
        # the fonts the properties resolve to now (rcParams may have changed) and the string
        key = (tuple(_fontManager._find_fonts_by_props(prop)), prop.get_size(), s,
               repr(features), repr(language), flags, self.dpi)
        items = _layouts.get(key)
        if items is None:
            font = self._prepare_font(prop)
            items = [(item.ft_object, item.glyph_index, item.x, item.y)
                     for item in font._layout(s, flags=flags, features=features,
                                              language=language)]
            if len(_layouts) > _LIMIT:
                _layouts.clear()
            _layouts[key] = items
        self._draw_glyphs(gc, x, y, angle, prop.get_size_in_points(), items, flags)

    def _draw_glyphs(self, gc, x, y, angle, size, items, flags):
        # as RendererAgg._draw_text_glyphs_and_boxes (no slant, no stretch, no boxes)
        from matplotlib.ft2font import RenderMode

        cos, sin = math.cos(math.radians(angle)), math.sin(math.radians(angle))
        antialiased = gc.get_antialiased()
        height = int(self.height)
        matrix = None
        for font, glyph_index, dx, dy in items:  # dy is upwards
            px = round(0x40 * (x + dx * cos - dy * sin))
            py = round(0x40 * (self.height - y + dx * sin + dy * cos))  # FreeType's y is up
            key = (font, size, self.dpi, glyph_index, angle, antialiased, flags, px & 63,
                   py & 63)
            hit = _glyphs.get(key)
            if hit is None:
                if matrix is None:
                    matrix = (0x10000 * np.array([[cos, -sin], [sin, cos]])).round().astype(int)
                font.set_size(size, self.dpi)
                font._set_transform(matrix, [px, py])
                bitmap = font._render_glyph(
                    glyph_index, flags, RenderMode.NORMAL if antialiased else RenderMode.MONO)
                buffer = np.array(bitmap.buffer)
                if not antialiased:
                    buffer *= 0xff
                hit = (buffer, bitmap.left - (px >> 6), bitmap.top - (py >> 6))
                if len(_glyphs) > _LIMIT:
                    _glyphs.clear()
                _glyphs[key] = hit
            buffer, left, top = hit
            # draw_text_image's y is downwards & the bitmap bottom side
            self._renderer.draw_text_image(buffer, left + (px >> 6),
                                           height - (top + (py >> 6)) + buffer.shape[0], 0, gc)


class _Canvas(FigureCanvasAgg):
    def get_renderer(self):
        w, h = self.get_width_height(physical=True)
        key = w, h, self.figure.dpi
        if self._lastKey != key:
            self.renderer = _Renderer(w, h, self.figure.dpi)
            self._lastKey = key
        return self.renderer


def text_cached_canvas(fig):
    """Attach an Agg canvas with cached text rendering to ``fig`` (returns the canvas)."""
    return _Canvas(fig) if _available() else FigureCanvasAgg(fig)
