"""Charts as inline SVG: no script, no library, no network. Each chart carries role="img", a <title> and an
aria-label that states its figures in words, and scales with its container (projector or phone)."""

import math

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from minping.lib.stats import percent_text

COLOURS = {100: "#1a7f37", 80: "#6cc070", 60: "#e3b341", 30: "#f08c4a", 0: "#cf222e", None: "#9aa0a6"}
INK = "#24292f"


def _colour(score) -> str:
    if score is None:
        return COLOURS[None]
    return COLOURS[min((k for k in COLOURS if k is not None), key=lambda k: abs(k - score))]


def _pct(value) -> str:
    return percent_text(value)


def _svg(width: int, height: int, label: str, body: str) -> SafeString:
    return mark_safe(
        f'<svg class="chart" viewBox="0 0 {width} {height}" role="img" aria-label="{escape(label)}" '
        f'xmlns="http://www.w3.org/2000/svg" preserveAspectRatio="xMinYMin meet"><title>{escape(label)}</title>{body}</svg>'
    )


def distribution(rows: list[dict], options: list[dict], title: str = "") -> SafeString:
    """A 100% stacked bar per row: rows = [{"group", "distribution": [{"option", "label", "count", "share"}]}]."""
    scores = {o["key"]: o.get("score") for o in options}
    width, bar, gap, left = 420, 28, 14, 84
    height = len(rows) * (bar + gap) + 34
    parts, words = [], []
    for index, row in enumerate(rows):
        y = index * (bar + gap)
        parts.append(f'<text x="0" y="{y + bar * 0.7}" font-size="15" fill="{INK}">{escape(row["group"])}</text>')
        x = left
        if not row["distribution"]:
            parts.append(f'<text x="{left}" y="{y + bar * 0.7}" font-size="15" fill="{INK}">&lt;5</text>')
            words.append(f"{row['group']}：少于5票，不显示")
            continue
        for item in row["distribution"]:
            w = (width - left) * (item["share"] or 0)
            if w > 0:
                parts.append(
                    f'<rect x="{x:.1f}" y="{y}" width="{w:.1f}" height="{bar}" fill="{_colour(scores.get(item["option"]))}">'
                    f"<title>{escape(item['label'])} {item['count']}（{_pct(item['share'])}）</title></rect>"
                )
                if w > 44:
                    parts.append(f'<text x="{x + 4:.1f}" y="{y + bar * 0.7}" font-size="13" fill="#fff">{_pct(item["share"])}</text>')
            x += w
        words.append(row["group"] + "：" + "，".join(f"{i['label']}{i['count']}票{_pct(i['share'])}" for i in row["distribution"]))
    legend_y = len(rows) * (bar + gap) + 18
    x = left
    for option in options:
        parts.append(
            f'<rect x="{x}" y="{legend_y - 11}" width="12" height="12" fill="{_colour(option.get("score"))}"/>'
            f'<text x="{x + 16}" y="{legend_y}" font-size="13" fill="{INK}">{escape(option["label"])}</text>'
        )
        x += 18 + 13 * len(option["label"]) + 8
    return _svg(width, height, f"{title} 选项分布。" + "；".join(words), "".join(parts))


def gauge(value: float | None, label: str) -> SafeString:
    """A half-circle gauge of a 0–100 score."""
    r, cx, cy = 80, 100, 95
    parts = [f'<path d="M{cx - r},{cy} A{r},{r} 0 0 1 {cx + r},{cy}" fill="none" stroke="#e1e4e8" stroke-width="18"/>']
    if value is not None:
        angle = math.pi * (1 - max(0.0, min(100.0, value)) / 100)
        x, y = cx + r * math.cos(angle), cy - r * math.sin(angle)
        parts.append(f'<path d="M{cx - r},{cy} A{r},{r} 0 0 1 {x:.1f},{y:.1f}" fill="none" stroke="{_colour(value)}" stroke-width="18"/>')
    text = "—" if value is None else f"{value:.1f}"
    parts.append(f'<text x="{cx}" y="{cy - 8}" font-size="34" text-anchor="middle" fill="{INK}">{text}</text>')
    parts.append(f'<text x="{cx}" y="{cy + 22}" font-size="15" text-anchor="middle" fill="{INK}">{escape(label)}</text>')
    return _svg(200, 125, f"{label} {text}（满分100）", "".join(parts))


def ranking(rows: list[dict], title: str = "") -> SafeString:
    """Horizontal bars of each subject's headline score (0–100), best first; subjects without one are left out.
    Ranks are within peer categories, so they are given in the table beside the chart, not on the bars. Drawn
    360 units wide in 18-unit type, so that on a 360 px phone its words stay at 16 px or more; a name longer than
    the label column is cut with "…" at a character, never broken over two lines."""
    bar, gap, width, size = 30, 8, 360, 18
    shown = [r for r in rows if r["headline"] is not None]
    shown.sort(key=lambda r: -r["headline"])
    labels = [_fitted(r["label"], size, 130) for r in shown]
    left = max((text_width(label, size) for label in labels), default=0) + 10
    height = max(1, len(shown)) * (bar + gap) + 6
    parts = []
    for index, (row, label) in enumerate(zip(shown, labels, strict=True)):
        y = index * (bar + gap)
        w = (width - left - 54) * row["headline"] / 100
        parts.append(
            f'<text x="0" y="{y + bar * 0.72}" font-size="{size}" fill="{INK}">{escape(label)}</text>'
            f'<rect x="{left:.1f}" y="{y}" width="{w:.1f}" height="{bar}" fill="{_colour(row["headline"])}"/>'
            f'<text x="{left + w + 6:.1f}" y="{y + bar * 0.72}" font-size="{size}" fill="{INK}">{row["headline"]:.1f}</text>'
        )
    words = "；".join(f"{r['label']} {r['headline']:.1f}" for r in shown) or "暂无可排名的对象"
    return _svg(width, height, f"{title} 排名：{words}", "".join(parts))


def _fitted(text: str, size: float, room: float) -> str:
    """`text` as it fits in `room` units at `size`: whole, or cut at a character with "…"."""
    if text_width(text, size) <= room:
        return text
    while text and text_width(text + "…", size) > room:
        text = text[:-1]
    return text + "…"


LABEL_SLANT = math.radians(35)
TREND_LABEL_CHARS = 16


def text_width(text: str, size: float) -> float:
    """How wide `text` sets at `size` px, near enough to keep labels inside a chart: a Chinese character is
    square, a Latin letter or digit about 0.6 of the size."""
    return sum(size if ord(char) > 0x2E80 else size * 0.6 for char in text)


def trend(points: list[tuple[str, float | None]], title: str = "") -> SafeString:
    """A line of a subject's headline score across campaigns, oldest first. Campaign names are set at a slant
    below their points, shortened to TREND_LABEL_CHARS, with room left for the longest, so none is clipped."""
    names = [name if len(name) <= TREND_LABEL_CHARS else name[: TREND_LABEL_CHARS - 1] + "…" for name, _v in points]
    size = 12
    longest = max((text_width(name, size) for name in names), default=0)
    left = max(34, math.ceil(longest * math.cos(LABEL_SLANT)) + 8)
    right, top = 34, 34
    bottom = 24 + math.ceil(longest * math.sin(LABEL_SLANT) + size)
    plot_width, plot_height = 360, 130
    width, height = left + plot_width + right, top + plot_height + bottom
    base = top + plot_height
    known = [(i, v) for i, (_, v) in enumerate(points) if v is not None]
    step = plot_width / max(1, len(points) - 1)
    parts = [f'<line x1="{left}" y1="{base}" x2="{left + plot_width}" y2="{base}" stroke="#d0d7de"/>']

    def y_of(v):
        return base - plot_height * v / 100

    if len(known) > 1:
        line = " ".join(f"{left + i * step:.1f},{y_of(v):.1f}" for i, v in known)
        parts.append(f'<polyline points="{line}" fill="none" stroke="#0969da" stroke-width="3"/>')
    for i, v in known:
        parts.append(
            f'<circle cx="{left + i * step:.1f}" cy="{y_of(v):.1f}" r="5" fill="#0969da"/>'
            f'<text x="{left + i * step:.1f}" y="{y_of(v) - 10:.1f}" font-size="13" text-anchor="middle" fill="{INK}">{v:.1f}</text>'
        )
    slant = -math.degrees(LABEL_SLANT)
    for i, name in enumerate(names):
        x, y = left + i * step, base + 16
        parts.append(
            f'<text x="{x:.1f}" y="{y}" font-size="{size}" text-anchor="end" fill="{INK}" '
            f'transform="rotate({slant:.0f} {x:.1f} {y})">{escape(name)}</text>'
        )
    words = "；".join(f"{name} {'—' if v is None else f'{v:.1f}'}" for name, v in points)
    return _svg(width, height, f"{title} 历次测评走势：{words}", "".join(parts))
