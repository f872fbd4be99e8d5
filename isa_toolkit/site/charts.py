"""The site's two charts, drawn as inline SVG when the site is built.

Hand-made rather than from a charting library: no dependency to install or keep up to date, a few hundred bytes
of markup instead of a script fetched or shipped, nothing drawn in the browser (so a page reads the same with
scripts off and prints as it shows), and the markup says what it shows: each chart has a ``<title>`` and a
``<desc>`` naming every figure, each bar and mark its own ``<title>``, and the page has the same figures as a table
beside it. Colour is never the only sign: every bar has its number, every overdue mark its word.
"""

from __future__ import annotations

from markupsafe import Markup, escape

BAR = 22
GAP = 8
LABEL = 200
WIDTH = 640


def _number(value: float) -> str:
    """A coordinate without a trailing ``.0`` (the same figures give the same bytes)."""
    return f"{value:.1f}".removesuffix(".0")


def status_bars(rows: list[tuple[str, str, int]], *, title: str, desc: str, ident: str) -> Markup:
    """A horizontal bar chart: one bar per ``(key, label, count)``, its count written at its end."""
    top = max((count for _, _, count in rows), default=0) or 1
    span = WIDTH - LABEL - 60
    height = len(rows) * (BAR + GAP) + GAP
    parts = [f'<svg class="chart" role="img" aria-labelledby="{ident}-title {ident}-desc" '
             f'viewBox="0 0 {WIDTH} {height}" width="{WIDTH}" height="{height}">',
             f'<title id="{ident}-title">{escape(title)}</title>', f'<desc id="{ident}-desc">{escape(desc)}</desc>']
    for number, (key, label, count) in enumerate(rows):
        y = GAP + number * (BAR + GAP)
        width = span * count / top
        parts.append(f'<g class="bar status-{escape(key)}"><title>{escape(label)}: {count}</title>'
                     f'<text class="label" x="{LABEL - 8}" y="{y + BAR * 0.7:.0f}" text-anchor="end">{escape(label)}</text>'
                     f'<rect x="{LABEL}" y="{y}" width="{_number(width)}" height="{BAR}"></rect>'
                     f'<text class="count" x="{_number(LABEL + width + 6)}" y="{y + BAR * 0.7:.0f}">{count}</text></g>')
    parts.append("</svg>")
    return Markup("".join(parts))  # noqa: S704 - every value put in is escaped or a number


def review_timeline(items: list[tuple[str, int, str]], *, title: str, desc: str, ident: str, today: str,
                    overdue_word: str, last: int = 90) -> Markup:
    """One row per review, ``(record id, days left, text)``: a mark on a line of days from the most overdue (or 30
    days before) to ``last`` days ahead, with today drawn; an overdue mark is a square with the word beside it."""
    first = min([-30, *(days for _, days, _ in items)])
    span = WIDTH - LABEL - 30
    height = 40 + len(items) * (BAR + GAP)

    def x(days: int) -> float:
        return LABEL + span * (days - first) / (last - first)

    parts = [f'<svg class="chart timeline" role="img" aria-labelledby="{ident}-title {ident}-desc" '
             f'viewBox="0 0 {WIDTH} {height}" width="{WIDTH}" height="{height}">',
             f'<title id="{ident}-title">{escape(title)}</title>', f'<desc id="{ident}-desc">{escape(desc)}</desc>',
             f'<line class="axis" x1="{LABEL}" y1="24" x2="{LABEL + span}" y2="24"></line>']
    for days in sorted({first, 0, 30, 60, last}):
        label = escape(today) if days == 0 else f"{days:+d}"
        parts.append(f'<g class="tick{" today" if days == 0 else ""}"><line x1="{_number(x(days))}" y1="18" '
                     f'x2="{_number(x(days))}" y2="{height}"></line><text x="{_number(x(days))}" y="12" '
                     f'text-anchor="middle">{label}</text></g>')
    for number, (record_id, days, text) in enumerate(items):
        y = 40 + number * (BAR + GAP) + BAR / 2
        late = days < 0
        mark = (f'<rect x="{_number(x(days) - 6)}" y="{_number(y - 6)}" width="12" height="12"></rect>' if late
                else f'<circle cx="{_number(x(days))}" cy="{_number(y)}" r="6"></circle>')
        word = (f'<text class="word" x="{_number(x(days) + 10)}" y="{_number(y + 4)}">{escape(overdue_word)}</text>'
                if late else "")
        parts.append(f'<g class="review{" overdue" if late else ""}"><title>{escape(text)}</title>'
                     f'<text class="label" x="{LABEL - 8}" y="{_number(y + 4)}" text-anchor="end">{escape(record_id)}'
                     f'</text>{mark}{word}</g>')
    parts.append("</svg>")
    return Markup("".join(parts))  # noqa: S704 - every value put in is escaped or a number
