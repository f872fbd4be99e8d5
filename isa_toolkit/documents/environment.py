"""What this machine has for making documents, as ``isa doctor`` reports it: Pango for PDF, a font, HarfBuzz's
subsetter (small, fast PDFs), and LibreOffice (optional: to open a DOCX as a signatory would)."""

from __future__ import annotations

import shutil
from ctypes.util import find_library

from ..register.health import Finding
from ..register.problem import Severity


def _ok(check: str, message: str) -> Finding:
    return Finding(check, None, message)


def _library(*names: str) -> str | None:
    return next((found for name in names if (found := find_library(name))), None)


def check_pango() -> Finding:
    if _library("pango-1.0", "pango-1.0-0", "libpango-1.0-0") and _library("pangoft2-1.0", "pangoft2-1.0-0"):
        return _ok("PDF (Pango)", "Pango is installed: PDF documents can be made")
    return Finding("PDF (Pango)", Severity.WARNING, "Pango is not installed, so PDF documents cannot be made (DOCX "
                   "still can): install it as docs/install.md says for this system")


def check_fonts() -> Finding:
    fc_list = shutil.which("fc-list")
    if fc_list is None:
        return Finding("fonts", Severity.WARNING, "fontconfig's fc-list is not installed, so which fonts PDF documents "
                       "use cannot be checked: install fontconfig and a font such as DejaVu (docs/install.md)")
    import subprocess

    try:
        listed = subprocess.run([fc_list, ":", "family"], capture_output=True, text=True, timeout=30).stdout
    except (OSError, subprocess.SubprocessError):
        listed = ""
    if not listed.strip():
        return Finding("fonts", Severity.WARNING, "no font is installed for PDF documents: install one with Latin and "
                       "other scripts, e.g. fonts-dejavu-core (docs/install.md)")
    families = {line.split(",")[0].strip() for line in listed.splitlines() if line.strip()}
    return _ok("fonts", f"{len(families)} font famil(ies) installed")


def check_subsetter() -> Finding:
    if _library("harfbuzz-subset", "harfbuzz-subset-0"):
        return _ok("font subsetting", "HarfBuzz's subsetter is installed: PDFs embed only the letters they use")
    return Finding("font subsetting", Severity.WARNING, "HarfBuzz's subsetter (libharfbuzz-subset0) is not installed: "
                   "PDFs still work, but are larger and slower to make")


def check_libreoffice() -> Finding:
    found = shutil.which("soffice") or shutil.which("libreoffice")
    if found:
        return _ok("LibreOffice", f"installed ({found}): DOCX files can be checked as a signatory opens them")
    return _ok("LibreOffice", "not installed (optional: only to open DOCX files here)")


def environment() -> list[Finding]:
    return [check_pango(), check_fonts(), check_subsetter(), check_libreoffice()]
