"""Signing a copy with one's own certificate: ``isa sign``, for a signatory or an officer who holds one.

A PAdES signature into the signer's empty field, as an incremental update (so the register's certification and
any earlier signature stay valid), with a visible appearance: the signer's name, organisation and the time, in an
embedded font that has every French letter (DejaVu Sans, the documents' own), not the standard Helvetica that a
PDF/A file may not rely on. The document's metadata is left as it is, so the copy stays PDF/A.
"""

from __future__ import annotations

import io
from pathlib import Path

from ..errors import IsaError
from .send import keep_metadata

FONTS = (Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"), Path("/usr/share/fonts/TTF/DejaVuSans.ttf"),
         Path("/Library/Fonts/DejaVuSans.ttf"), Path("C:/Windows/Fonts/DejaVuSans.ttf"))
MAX_BYTES = 100 << 20


def _font(font: Path | None) -> Path:
    for candidate in ([font] if font else FONTS):
        if candidate.is_file():
            return _per_thousand(candidate)
    raise IsaError("no DejaVu Sans font found for the signature's appearance: install it (Debian: fonts-dejavu-core) "
                   "or give a TrueType font with every letter your name needs: --font FILE.ttf")


def _per_thousand(font: Path) -> Path:
    """The font drawn on a grid of 1000 units to the em. pyHanko writes a font's glyph widths in its own units,
    while PDF reads them in thousandths of an em, so a font on another grid (DejaVu Sans has 2048) would print
    its letters spread apart; a scaled copy is made once and kept in the user's cache."""
    import hashlib
    import os

    from fontTools.ttLib import TTFont

    data = font.read_bytes()
    cache = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "isa-toolkit" / "fonts"
    scaled = cache / f"{font.stem}-{hashlib.sha256(data).hexdigest()[:16]}-1000.ttf"
    if scaled.is_file():
        return scaled
    loaded = TTFont(io.BytesIO(data))
    if loaded["head"].unitsPerEm == 1000:
        return font
    from fontTools.ttLib.scaleUpem import scale_upem

    scale_upem(loaded, 1000)
    cache.mkdir(parents=True, exist_ok=True)
    from ..register.store import write_atomic

    buffer = io.BytesIO()
    loaded.save(buffer)
    write_atomic(scaled, buffer.getvalue())
    return scaled


def _choose_field(data: bytes, field: str | None, signer_name: str) -> str:
    """The field to sign: the one named, else the empty one made for this signer (its tooltip names them), else the
    only empty one."""
    from pyhanko.pdf_utils.reader import PdfFileReader
    from pyhanko.sign.fields import enumerate_sig_fields

    from ..workflows.signoff import same_person

    reader = PdfFileReader(io.BytesIO(data), strict=False)
    empty = {name: ref.get_object() for name, _, ref in enumerate_sig_fields(reader, filled_status=False)}
    if field is not None:
        if field not in empty:
            raise IsaError(f"there is no empty signature field {field!r}; the empty ones are: "
                           f"{', '.join(sorted(empty)) or 'none'}")
        return field
    mine = [name for name, obj in empty.items()
            if same_person(str(obj.get("/TU", "")).removeprefix("Signature of ").strip(), signer_name)]
    if len(mine) == 1:
        return mine[0]
    if len(empty) == 1:
        return next(iter(empty))
    listing = "; ".join(f"{name} ({obj.get('/TU', '')})" for name, obj in sorted(empty.items())) or "none"
    raise IsaError(f"say which field to sign with --field NAME (empty fields: {listing})")


def sign_file(file: Path, *, pkcs12: Path, passphrase: bytes | None, out: Path, field: str | None = None,
              timestamp_url: str | None = None, font: Path | None = None) -> tuple[Path, str, str]:
    """Sign ``file`` into ``out``; return the path, the field signed and the signer's name."""
    from pyhanko.pdf_utils.font.opentype import GlyphAccumulatorFactory
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
    from pyhanko.pdf_utils.text import TextBoxStyle
    from pyhanko.sign import fields, signers, timestamps
    from pyhanko.stamp import TextStampStyle

    if file.stat().st_size > MAX_BYTES:
        raise IsaError(f"{file.name} is larger than {MAX_BYTES >> 20} MiB; it is not an agreement the register sent")
    data = file.read_bytes()
    if not data.lstrip()[:5] == b"%PDF-":
        raise IsaError(f"{file.name} is not a PDF")
    if out.resolve() == file.resolve():
        raise IsaError("write the signed copy to a new file (-o OUT), so the copy you were sent stays as it was")
    try:
        signer = signers.SimpleSigner.load_pkcs12(str(pkcs12), passphrase=passphrase)
    except (ValueError, OSError) as exc:
        raise IsaError(f"{pkcs12} cannot be opened with that passphrase ({exc})") from None
    if signer is None:
        raise IsaError(f"{pkcs12} cannot be opened with that passphrase")
    subject = signer.signing_cert.subject.native
    name = subject.get("common_name") or "?"
    organisation = subject.get("organization_name") or ""
    chosen = _choose_field(data, field, name)
    style = TextStampStyle(
        stamp_text="%(signer)s\n%(organisation)s\n%(ts)s",
        text_box_style=TextBoxStyle(font=GlyphAccumulatorFactory(str(_font(font)), font_size=9)),
        timestamp_format="%Y-%m-%d %H:%M %Z", border_width=0)
    import logging

    logging.getLogger("fontTools").setLevel(logging.ERROR)  # its notes on subsetting the font are not for the signer
    writer = keep_metadata(IncrementalPdfFileWriter(io.BytesIO(data), strict=False))
    meta = signers.PdfSignatureMetadata(field_name=chosen, subfilter=fields.SigSeedSubFilter.PADES,
                                        md_algorithm="sha256", name=name)
    stamper = timestamps.HTTPTimeStamper(timestamp_url) if timestamp_url else None
    try:
        signed = signers.PdfSigner(meta, signer=signer, stamp_style=style, timestamper=stamper).sign_pdf(
            writer, appearance_text_params={"signer": name, "organisation": organisation}).getvalue()
    except Exception as exc:  # noqa: BLE001 - pyHanko's refusals (a locked field, a broken file) come as many types
        raise IsaError(f"{file.name} could not be signed: {exc}") from None
    from ..register.store import write_atomic

    write_atomic(out, signed)
    return out, chosen, name
