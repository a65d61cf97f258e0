"""Server-rendered SVG charts: no script, no CDN, scale to the screen width.

Only presentation attributes (no style attributes), so the console's
Content-Security-Policy (style-src 'self') leaves them alone.
"""
from __future__ import annotations

import math

from markupsafe import Markup, escape

PALETTE = ("#1f6fb2", "#e07b24", "#2e9e5b", "#b23b3b", "#7a52a8", "#8a6d3b")
FONT = "sans-serif"


def _nice_max(value: float) -> float:
    if value <= 4:
        return 4
    exp = 10 ** math.floor(math.log10(value))
    for step in (1, 2, 2.5, 5, 10):
        if value <= step * exp:
            return step * exp
    return 10 * exp


def _ticks(top: float) -> list[float]:
    """Gridlines at whole numbers: counts are whole."""
    n = next((k for k in (4, 5, 2) if float(top / k).is_integer()), 4)
    return [top * i / n for i in range(n + 1)]


def _fmt(v: float) -> str:
    return str(int(v)) if float(v).is_integer() else f"{v:.1f}"


def bar_chart(labels: list[str], series: list[tuple[str, list[int]]], title: str,
              width: int = 360, height: int = 260) -> Markup:
    """Grouped vertical bars: one group per label, one bar per series."""
    left, right, top, bottom = 34, 6, 34, 40
    legend_rows = math.ceil(len(series) / 3)
    bottom += 18 * legend_rows
    plot_w, plot_h = width - left - right, height - top - bottom
    vmax = _nice_max(max([v for _, values in series for v in values] or [0]))
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" width="100%" '
             f'role="img" aria-label="{escape(title)}" class="chart" font-family="{FONT}">',
             f"<title>{escape(title)}</title>",
             f'<text x="{left}" y="20" font-size="16" font-weight="bold" fill="#222">{escape(title)}</text>']
    for tick in _ticks(vmax):
        y = top + plot_h - plot_h * tick / vmax
        parts.append(f'<line x1="{left}" x2="{width - right}" y1="{y:.1f}" y2="{y:.1f}" stroke="#ddd"/>')
        parts.append(f'<text x="{left - 6}" y="{y + 4:.1f}" font-size="12" text-anchor="end" fill="#555">'
                     f"{_fmt(tick)}</text>")
    n = max(1, len(labels))
    group_w = plot_w / n
    bar_w = max(2.0, group_w * 0.8 / max(1, len(series)))
    for i, label in enumerate(labels):
        gx = left + i * group_w + group_w * 0.1
        for j, (name, values) in enumerate(series):
            v = values[i] if i < len(values) else 0
            h = plot_h * v / vmax
            x, y = gx + j * bar_w, top + plot_h - h
            parts.append(f'<rect x="{x:.1f}" y="{y:.1f}" width="{bar_w:.1f}" height="{h:.1f}" '
                         f'fill="{PALETTE[j % len(PALETTE)]}"><title>{escape(label)} {escape(name)}：{v}</title></rect>')
            if v and bar_w >= 12:
                parts.append(f'<text x="{x + bar_w / 2:.1f}" y="{y - 3:.1f}" font-size="11" text-anchor="middle" '
                             f'fill="#333">{v}</text>')
        short = label[:-1] if len(labels) > 6 and label.endswith("月") else label  # 1…12 fit a phone
        parts.append(f'<text x="{left + i * group_w + group_w / 2:.1f}" y="{top + plot_h + 16}" font-size="12" '
                     f'text-anchor="middle" fill="#333">{escape(short)}</text>')
    parts.append(f'<line x1="{left}" x2="{width - right}" y1="{top + plot_h}" y2="{top + plot_h}" stroke="#888"/>')
    for j, (name, _) in enumerate(series):
        lx = left + (j % 3) * (plot_w / 3)
        ly = top + plot_h + 36 + 18 * (j // 3)
        parts.append(f'<rect x="{lx:.1f}" y="{ly - 10}" width="12" height="12" fill="{PALETTE[j % len(PALETTE)]}"/>')
        parts.append(f'<text x="{lx + 16:.1f}" y="{ly}" font-size="12" fill="#333">{escape(name)}</text>')
    parts.append("</svg>")
    return Markup("".join(parts))


def hbar_chart(items: list[tuple[str, int]], title: str, width: int = 360) -> Markup:
    """Horizontal bars, one row per item (long Chinese labels fit on a phone)."""
    row_h, top, left, right = 26, 34, 130, 34
    items = list(items) or [("（无数据）", 0)]
    height = top + row_h * len(items) + 10
    vmax = _nice_max(max(v for _, v in items))
    plot_w = width - left - right
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" width="100%" '
             f'role="img" aria-label="{escape(title)}" class="chart" font-family="{FONT}">',
             f"<title>{escape(title)}</title>",
             f'<text x="4" y="20" font-size="16" font-weight="bold" fill="#222">{escape(title)}</text>']
    for i, (label, v) in enumerate(items):
        y = top + i * row_h
        w = plot_w * v / vmax
        parts.append(f'<text x="{left - 6}" y="{y + 17}" font-size="13" text-anchor="end" fill="#333">'
                     f"{escape(label)}</text>")
        parts.append(f'<rect x="{left}" y="{y + 4}" width="{w:.1f}" height="{row_h - 8}" fill="{PALETTE[0]}">'
                     f"<title>{escape(label)}：{v}</title></rect>")
        parts.append(f'<text x="{left + w + 4:.1f}" y="{y + 17}" font-size="12" fill="#333">{v}</text>')
    parts.append("</svg>")
    return Markup("".join(parts))
