"""Tables for the terminal: they fit its width, count wide characters as two columns, shorten the longest column
with an ellipsis, and colour the status only on a terminal (never with NO_COLOR, never when piped).

Piped into a file or another program, a table keeps every character: nothing is cut for a width no one sees.
"""

from __future__ import annotations

import os
import shutil
import sys
import unicodedata

CASE_WORDS = {"disclosure": "disclosure(s)", "request": "request(s)", "incident": "incident(s)"}
STATUS_COLOURS = {"active": "green", "signed": "green", "disclosed": "green", "granted": "green", "resolved": "green",
                  "suspended": "red", "terminated": "red", "refused": "red", "rejected": "red",
                  "outstanding": "yellow", "open": "yellow", "draft": "bright_black"}
GAP = "  "


def width_of(text: str) -> int:
    """Columns ``text`` takes in a terminal: wide (East Asian) characters two, combining marks none."""
    return sum(0 if unicodedata.combining(ch) else 2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def shorten(text: str, columns: int) -> str:
    """``text`` on one line, cut to ``columns`` with an ellipsis when longer."""
    text = " ".join(text.split())
    if width_of(text) <= columns:
        return text
    out, used = [], 0
    for ch in text:
        w = width_of(ch)
        if used + w > columns - 1:
            break
        out.append(ch)
        used += w
    return "".join(out).rstrip() + "…"


def _pad(text: str, columns: int) -> str:
    return text + " " * max(0, columns - width_of(text))


def terminal_width() -> int | None:
    """The terminal's width, or None when the output is not a terminal (piped: nothing is cut)."""
    if not sys.stdout.isatty():
        return None
    return shutil.get_terminal_size((100, 24)).columns


def colour_on() -> bool:
    return sys.stdout.isatty() and not os.environ.get("NO_COLOR") and os.environ.get("TERM") != "dumb"


def table(header: tuple[str, ...], rows: list[tuple[str, ...]], *, flex: int = -1, status: int | None = None) -> str:
    """Columns sized to their content; the ``flex`` column (the last by default) takes what the terminal has left
    and is shortened to fit; the ``status`` column is coloured on a terminal."""
    import click

    count = len(header)
    flex = flex % count
    rows = [tuple(" ".join(str(cell).split()) for cell in row) for row in rows]
    widths = [max(width_of(row[i]) for row in (header, *rows)) for i in range(count)]
    available = terminal_width()
    if available is not None:
        fixed = sum(w for i, w in enumerate(widths) if i != flex) + len(GAP) * (count - 1)
        widths[flex] = max(12, min(widths[flex], available - fixed - 1))
    paint = colour_on()
    lines = []
    for number, row in enumerate((header, *rows)):
        cells = []
        for i, cell in enumerate(row):
            text = shorten(cell, widths[i]) if i == flex and available is not None else cell
            last = i == count - 1
            shown = text if last else _pad(text, widths[i])
            if paint and number == 0:
                shown = click.style(shown, bold=True)
            elif paint and i == status and cell in STATUS_COLOURS:
                shown = click.style(shown, fg=STATUS_COLOURS[cell])
            cells.append(shown)
        lines.append(GAP.join(cells).rstrip())
    return "\n".join(lines)


def _title(entry: dict, lang: str) -> str:
    title = entry["title"]
    return title.get(lang) or next(iter(title.values()), "")


def agreement_table(entries: list[dict], lang: str) -> str:
    """One line per agreement (from its index entry): id, kind, status, version, next review, title."""
    if not entries:
        return "No agreements match."
    rows = [(e["id"], e["kind"], e["status"], e["version"], e["review_due"] or "-", _title(e, lang)) for e in entries]
    body = table(("ID", "KIND", "STATUS", "VERSION", "REVIEW DUE", "TITLE"), rows, status=2)
    return f"{body}\n{len(entries)} agreement(s)"


def case_table(entries: list[dict], kind: str, lang: str) -> str:
    """One line per disclosure, request or incident (from its index entry)."""
    if not entries:
        return f"No {CASE_WORDS[kind].replace('(s)', 's')} match."
    if kind == "incident":
        header = ("ID", "TYPE", "SEVERITY", "STATUS", "REPORTED", "AGREEMENTS", "SUMMARY")
        rows = [(e["id"], e["type"], e["severity"], e["status"], e["date"], ", ".join(e["agreements"]) or "-",
                 _title(e, lang)) for e in entries]
        status = 3
    else:
        header = ("ID", "STATUS", "DATE", "FROM" if kind == "request" else "RECIPIENT",
                  "DATA ASKED FOR" if kind == "request" else "PURPOSE")
        rows = [(e["id"], e["status"] + (" (urgent)" if e.get("urgent") and e["status"] != "outstanding" else ""),
                 e["date"], shorten(", ".join(e["partners"]), 40), _title(e, lang)) for e in entries]
        status = 1
    return f"{table(header, rows, status=status)}\n{len(entries)} {CASE_WORDS[kind]}"
