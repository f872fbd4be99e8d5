"""A register's own DOCX template is checked before docxtpl opens it: a zip bomb, thousands of entries, headers that
lie about sizes, a DOCTYPE (external entity, billion laughs), a file that is not a zip or is cut short, are each
refused quickly, in bounded memory, by `isa render` with the file's name and what to do, never a traceback.

The hostile files are built here, byte by byte where zipfile would not write them (a header stating a false size),
and without ever holding what they unpack to: the 1 GiB of zeros is one 1 MiB block of deflate, ended with a full
flush so that it can be repeated, written 1,024 times.
"""

from __future__ import annotations

import base64
import io
import os
import resource
import struct
import time
import zipfile
import zlib
from dataclasses import dataclass, replace
from pathlib import Path

import pytest
from click.testing import CliRunner

from isa_toolkit.cli import main
from isa_toolkit.documents import package_guard
from isa_toolkit.errors import TemplateRefused

from ..conftest import complete_isa

ID = "ISA-2026-0001"
MiB = 1 << 20
SECONDS = 5  # generous ceilings: each refusal takes well under a second and a few MB
EXTRA_MIB = 200


@dataclass(frozen=True)
class Entry:
    """One zip entry as written: its packed bytes, and the checksum and unpacked size its headers state."""

    name: str
    packed: bytes
    crc: int
    size: int
    method: int = zipfile.ZIP_DEFLATED


def deflated(name: str, data: bytes) -> Entry:
    packer = zlib.compressobj(9, zlib.DEFLATED, -zlib.MAX_WBITS)
    return Entry(name, packer.compress(data) + packer.flush(), zlib.crc32(data), len(data))


def zeros(name: str, mib: int) -> Entry:
    """``mib`` MiB of zeros, packed in about a thousandth of that, without ever holding them."""
    block = bytes(MiB)
    packer = zlib.compressobj(9, zlib.DEFLATED, -zlib.MAX_WBITS)
    flushed = packer.compress(block) + packer.flush(zlib.Z_FULL_FLUSH)  # stands alone: can be repeated
    crc = 0
    for _ in range(mib):
        crc = zlib.crc32(block, crc)
    return Entry(name, flushed * mib + b"\x03\x00", crc, mib * MiB)  # 03 00: an empty final block


def write_zip(path: Path, entries: list[Entry]) -> None:
    """A zip holding ``entries`` exactly as given (local headers, data, central directory, end record)."""
    with open(path, "wb") as out:
        offsets = []
        for entry in entries:
            offsets.append(out.tell())
            name = entry.name.encode()
            out.write(struct.pack("<4s5H3L2H", b"PK\x03\x04", 20, 0, entry.method, 0, 0x21, entry.crc,
                                  len(entry.packed), entry.size, len(name), 0))
            out.write(name + entry.packed)
        start = out.tell()
        for entry, offset in zip(entries, offsets, strict=True):
            name = entry.name.encode()
            out.write(struct.pack("<4s6H3L5H2L", b"PK\x01\x02", 20, 20, 0, entry.method, 0, 0x21, entry.crc,
                                  len(entry.packed), entry.size, len(name), 0, 0, 0, 0, 0o644 << 16, offset))
            out.write(name)
        end = out.tell()
        out.write(struct.pack("<4s4H2LH", b"PK\x05\x06", 0, 0, len(entries), len(entries), end - start, start, 0))


def word_document(*paragraphs: str) -> bytes:
    from docx import Document

    document = Document()
    for text in paragraphs or ("{{ doc.title }}",):
        document.add_paragraph(text)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def docx_entries(*paragraphs: str) -> list[Entry]:
    """The entries of a real (small) Word document."""
    with zipfile.ZipFile(io.BytesIO(word_document(*paragraphs))) as archive:
        return [deflated(info.filename, archive.read(info)) for info in archive.infolist()]


def with_image(image: Entry) -> list[Entry]:
    """A real Word document holding ``image`` as a picture of its text, which python-docx reads whole when it opens
    the document (an entry nothing refers to would never be read)."""
    out = []
    for entry in docx_entries():
        data = zlib.decompress(entry.packed, -zlib.MAX_WBITS)
        if entry.name == "word/_rels/document.xml.rels":
            data = data.replace(b"</Relationships>", b'<Relationship Id="rId99" Target="media/image1.png" Type="http'
                                b'://schemas.openxmlformats.org/officeDocument/2006/relationships/image"/>'
                                b"</Relationships>")
        elif entry.name == "[Content_Types].xml":
            data = data.replace(b"</Types>", b'<Default Extension="png" ContentType="image/png"/></Types>')
        out.append(deflated(entry.name, data))
    return [*out, image]


def with_part(name: str, data: bytes) -> list[Entry]:
    """A real Word document with the part ``name`` replaced (or added)."""
    return [e for e in docx_entries() if e.name != name] + [deflated(name, data)]


DOCUMENT = (b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n@DOCTYPE@'
            b'<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body><w:p><w:r>'
            b'<w:t>{{ doc.title }} @ENTITY@</w:t></w:r></w:p></w:body></w:document>')
XXE = b'<!DOCTYPE w:document [<!ENTITY secret SYSTEM "file:///etc/passwd">]>\n'
LAUGHS = (b'<!DOCTYPE w:document [<!ENTITY lol "lol">'
          + b"".join(b'<!ENTITY lol%d "%s">' % (n, (b"&lol%d;" % (n - 1) if n > 1 else b"&lol;") * 10)
                     for n in range(1, 10)) + b"]>\n")


def document_xml(doctype: bytes = b"", entity: bytes = b"") -> bytes:
    """A main document part, with a DOCTYPE and an entity reference in its text if given."""
    return DOCUMENT.replace(b"@DOCTYPE@", doctype).replace(b"@ENTITY@", entity)


def _bomb(path):
    write_zip(path, with_image(zeros("word/media/image1.png", 1024)))


def _many_entries(path):
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for entry in docx_entries():
            archive.writestr(entry.name, zlib.decompress(entry.packed, -zlib.MAX_WBITS))
        for n in range(10_000):
            archive.writestr(f"word/media/image{n}.png", b"x")


def _lying(stated: int, real: Entry | None = None):
    """A part whose headers state ``stated`` bytes (and the checksum of that many zeros) while it unpacks to the
    1 GiB of zeros, or to ``real``: zipfile's read(), as python-docx calls it, inflates all that the stream holds
    before cutting it to the stated size."""
    def make(path):
        entry = real or zeros("word/media/image1.png", 1024)
        write_zip(path, with_image(replace(entry, size=stated, crc=zlib.crc32(bytes(stated)))))
    return make


def _cut_short(path):
    whole = word_document()
    path.write_bytes(whole[:len(whole) // 2])


def _corrupt(path):
    entries = docx_entries()
    damaged = [replace(e, packed=e.packed[:20] + bytes(40) + e.packed[60:]) if e.name == "word/document.xml" else e
               for e in entries]
    write_zip(path, damaged)


HOSTILE = {
    "1 GiB of zeros in 1 MB": (_bomb, "unpacks to more than 100 times its packed size"),
    "10,000 entries": (_many_entries, "files inside, more than the 1,000 a template may hold"),
    # Zeros pack a thousand to one: refused as a bomb, or for unpacking past the stated size, whichever comes first.
    "a header stating 40 MiB of a 1 GiB stream": (_lying(40 * MiB), "word/media/image1.png unpacks to more than"),
    "a header stating 1 KiB of 1 MiB": (
        _lying(1024, deflated("word/media/image1.png", os.urandom(MiB))),
        "damaged or cut short (word/media/image1.png unpacks to more than the 1,024 bytes its header states)"),
    "a header stating 40 MiB of 1 MiB": (
        _lying(40 * MiB, deflated("word/media/image1.png", os.urandom(MiB))),
        "word/media/image1.png unpacks to 1,048,576 bytes with checksum"),
    "a DOCTYPE with an external entity": (
        lambda p: write_zip(p, with_part("word/document.xml", document_xml(XXE, b"&secret;"))), "declares a DOCTYPE"),
    "a billion laughs": (
        lambda p: write_zip(p, with_part("word/document.xml", document_xml(LAUGHS, b"&lol9;"))), "declares a DOCTYPE"),
    "a DOCTYPE in UTF-16": (
        lambda p: write_zip(p, with_part("word/document.xml", document_xml(XXE, b"&secret;").decode().replace(
            'encoding="UTF-8"', 'encoding="UTF-16"').encode("utf-16"))), "declares a DOCTYPE"),
    "a DOCTYPE in a part not named .xml": (
        lambda p: write_zip(p, with_part("customXml/item9.bin", document_xml(XXE))), "its part customXml/item9.bin "
                                                                                    "declares a DOCTYPE"),
    "XML that is not well-formed": (
        lambda p: write_zip(p, with_part("word/document.xml", document_xml().replace(b"</w:t>", b""))),
        "its part word/document.xml is not well-formed XML (line 2"),
    "no word/document.xml": (
        lambda p: write_zip(p, [e for e in docx_entries() if e.name != "word/document.xml"]),
        "it has no word/document.xml"),
    # docxtpl's patterns search from each tag's opening to its closing: 80 KB of tags never closed took 100 s.
    "tags never closed": (lambda p: p.write_bytes(word_document("{{ doc.title " * 20_000)),
                          "in its part word/document.xml, a tag opened with {{ in paragraph 1 is not closed"),
    "too many tags": (lambda p: p.write_bytes(word_document("{{ doc.title }}" * 6_000)),
                      "the template has more than 5,000 tags"),
    "not a zip": (lambda p: p.write_bytes(b"{{ doc.title }} typed in a text editor\n" * 100),
                  "is not a Word document (.docx) that can be read: it is not a zip archive"),
    "a zip cut short": (_cut_short, "the file is damaged or cut short (its end, which lists what it holds, is missing)"),
    "damaged packed data": (_corrupt, "the file is damaged or cut short (word/document.xml"),
}


def peak_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def render(root: Path, *args: str):
    """``isa render`` of the agreement as DOCX through the CLI: the result, the seconds taken, the extra peak MiB."""
    before, start = peak_mib(), time.monotonic()
    result = CliRunner().invoke(main, ["-R", str(root), "render", ID, "--format", "docx", "-o", str(root.parent / "out"),
                                       *args])
    return result, time.monotonic() - start, peak_mib() - before


def assert_refused(result, *fragments: str) -> None:
    """Exit 1 through the CLI's own error (not an exception escaping it), with each fragment, and no traceback."""
    assert result.exit_code == 1, result.output
    assert isinstance(result.exception, SystemExit), repr(result.exception)  # CliRunner keeps an escaped exception
    assert result.output.startswith("Error: ") and "Traceback" not in result.output, result.output
    for fragment in fragments:
        assert fragment in result.output, result.output


@pytest.mark.parametrize("case", HOSTILE)
def test_a_hostile_docx_template_is_refused_quickly_in_bounded_memory_with_its_name(make_register, case):
    make, message = HOSTILE[case]
    root = make_register({f"agreements/{ID}.yaml": complete_isa(ID)})
    template = root / "templates" / "docx" / "agreement.docx"
    template.parent.mkdir(parents=True)
    make(template)
    assert template.stat().st_size < 2 * MiB  # the file is small: what it would unpack to is the attack
    result, seconds, extra = render(root)
    assert_refused(result, str(template), message)
    assert seconds < SECONDS and extra < EXTRA_MIB, (seconds, extra)
    assert not (root.parent / "out").exists() or not list((root.parent / "out").iterdir())  # nothing written


def test_templates_check_refuses_hostile_docx_templates_by_name(tmp_path):
    folder = tmp_path / "mine"
    (folder / "docx").mkdir(parents=True)
    cases = ["1 GiB of zeros in 1 MB", "a billion laughs", "a zip cut short", "10,000 entries"]
    for n, case in enumerate(cases):
        HOSTILE[case][0](folder / "docx" / f"hostile{n}.docx")
    before, start = peak_mib(), time.monotonic()
    result = CliRunner().invoke(main, ["templates", "check", str(folder)])
    assert time.monotonic() - start < 2 * SECONDS and peak_mib() - before < EXTRA_MIB
    assert result.exit_code == 1 and isinstance(result.exception, SystemExit), result.output
    assert "Traceback" not in result.output
    for n, case in enumerate(cases):
        line = next(line for line in result.output.splitlines() if f"hostile{n}.docx" in line)
        assert HOSTILE[case][1] in line, (case, line)


def test_each_size_cap_counts_real_bytes(tmp_path, monkeypatch):
    """The caps on one part, on all parts, on an XML part and on the file itself, with smaller caps so the test
    files stay small; the parts are random, so they pack hardly at all and only the caps can stop them."""
    template = tmp_path / "agreement.docx"
    write_zip(template, docx_entries() + [deflated("word/media/image1.png", os.urandom(3 * MiB))])
    package_guard.check_docx_package(template)  # within the real caps
    monkeypatch.setattr(package_guard, "MAX_ENTRY_BYTES", 2 * MiB)
    with pytest.raises(TemplateRefused, match=r"its part word/media/image1\.png unpacks to more than 2 MiB"):
        package_guard.check_docx_package(template)
    monkeypatch.setattr(package_guard, "MAX_ENTRY_BYTES", 4 * MiB)
    monkeypatch.setattr(package_guard, "MAX_TOTAL_BYTES", 3 * MiB)
    with pytest.raises(TemplateRefused, match="its parts unpack to more than 3 MiB in all"):
        package_guard.check_docx_package(template)
    monkeypatch.setattr(package_guard, "MAX_TOTAL_BYTES", 100 * MiB)
    text = b"<w:t>" + base64.b64encode(os.urandom(MiB)) + b"</w:t>"  # well-formed, and packs hardly at all
    write_zip(template, with_part("word/document.xml", document_xml().replace(b"<w:t>", text + b"<w:t>")))
    package_guard.check_docx_package(template)
    monkeypatch.setattr(package_guard, "MAX_XML_BYTES", MiB)
    with pytest.raises(TemplateRefused, match=r"its XML part word/document\.xml unpacks to more than 1 MiB"):
        package_guard.check_docx_package(template)
    write_zip(template, docx_entries() + [deflated("word/media/image1.png", os.urandom(3 * MiB))])
    monkeypatch.setattr(package_guard, "MAX_FILE_BYTES", 2 * MiB)
    with pytest.raises(TemplateRefused, match=r"the file is 3 MiB, more than the 2 MiB a template may be"):
        package_guard.check_docx_package(template)


def test_word_xml_broken_by_a_tag_is_a_message_not_a_traceback(make_register):
    """A tag printing raw XML (``|safe``) into the footer makes XML that python-docx cannot parse: lxml's error
    becomes a message naming the template."""
    from docx import Document

    root = make_register({f"agreements/{ID}.yaml": complete_isa(ID)})
    template = root / "templates" / "docx" / "agreement.docx"
    template.parent.mkdir(parents=True)
    document = Document()
    document.add_paragraph("{{ doc.title }}")
    document.sections[0].footer.paragraphs[0].text = "{{ '<w:p>'|safe }}"
    document.save(template)
    result, _, _ = render(root)
    assert_refused(result, str(template), "is not valid Word XML (XMLSyntaxError")


def test_the_shipped_docx_templates_pass_the_check_and_render(make_register, tmp_path):
    from docx import Document

    from isa_toolkit.resources import shipped

    for template in sorted((shipped("templates") / "docx").glob("*.docx")):
        package_guard.check_docx_package(template)
    root = make_register({f"agreements/{ID}.yaml": complete_isa(ID)})
    for doc in ("agreement", "signature-pages", "signoff-sheet"):
        result = CliRunner().invoke(main, ["-R", str(root), "render", ID, "--doc", doc, "--format", "docx",
                                           "-o", str(tmp_path)])
        assert result.exit_code == 0, result.output
    text = "\n".join(p.text for p in Document(str(tmp_path / f"{ID}-v1.0-agreement-en.docx")).paragraphs)
    assert "Home fire safety visits" in text
