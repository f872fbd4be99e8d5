"""Checks a DOCX template before anything opens it: it must be a Word file of a sensible size, holding XML parts
without document type definitions.

A DOCX is a zip archive of XML parts. A register may hold its own DOCX templates, so the file is input like any
other: a zip can say it holds a few kilobytes and unpack to gigabytes (a "zip bomb"), hold thousands of entries,
or record sizes that do not match its content; an XML part can carry a DOCTYPE whose entities read other files or
expand without end. docxtpl and python-docx trust all of that, so :func:`check_docx_package` runs first, wherever
a DOCX template is opened (rendering and ``isa templates check``), and refuses such a file with its name, what is
wrong and what to do.

Nothing here trusts what the zip says about itself. The number of entries and the size of the zip's directory are
read from its last bytes before the directory is parsed; each entry is then inflated here, in small chunks, from
its packed bytes, and its real bytes are counted, stopping at the cap; an entry whose real size or checksum differs
from what its header states is refused, so what python-docx reads afterwards is exactly what was counted.
"""

from __future__ import annotations

import re
import struct
import zipfile
import zlib
from collections.abc import Iterator
from pathlib import Path

from ..errors import TemplateRefused
from .template_limits import MAX_TAGS  # docxtpl's and Jinja's work grows faster than the number of tags

MiB = 1 << 20

MAX_FILE_BYTES = 100 * MiB  # the file itself; a template is text with a few images
MAX_ENTRIES = 1_000  # a DOCX made by Word holds a few dozen parts
MAX_DIRECTORY_BYTES = 1 * MiB  # the zip's central directory: about 1 KiB for each entry allowed
MAX_ENTRY_BYTES = 50 * MiB  # one part, unpacked (a picture, say)
MAX_XML_BYTES = 10 * MiB  # one XML part: python-docx parses each into memory (Word's largest, the styles, ~0.5 MiB)
MAX_TOTAL_BYTES = 100 * MiB  # all parts, unpacked
MAX_RATIO = 100  # unpacked to packed, for a part over RATIO_FROM bytes (Word's own styles part is about 30 to 1)
RATIO_FROM = 1 * MiB
CHUNK = 64 * 1024
MAIN_PART = "word/document.xml"

_EOCD = struct.Struct("<4s4H2LH")  # end of central directory: signature, 2 disks, 2 counts, size, offset, comment
_EOCD64_LOCATOR = struct.Struct("<4sLQL")
_EOCD64 = struct.Struct("<4sQ2H2L4Q")  # zip64 end of central directory: ..., 2 counts, size, offset
_LOCAL = struct.Struct("<4s5H3L2H")  # an entry's local header: ..., name length, extra length
_RESAVE = "save it again from Word or LibreOffice as a Word document (.docx)"


def check_docx_package(path: Path) -> None:
    """Refuse (:class:`TemplateRefused`) a DOCX template that is not a readable Word file, is over a size limit,
    unpacks far more than a document does, or has an XML part with a DOCTYPE or that is not well-formed XML.

    Memory stays bounded whatever the file holds: entries are unpacked a chunk at a time and XML is parsed as it
    streams, without building a tree.
    """
    try:
        with open(path, "rb") as handle:
            size = _file_size(path, handle)
            entries, directory = _directory(path, handle, size)
            if entries > MAX_ENTRIES:
                raise _refused(path, f"it holds {entries:,} files inside, more than the {MAX_ENTRIES:,} a template may "
                                     "hold (a Word document has a few dozen)", _RESAVE)
            if directory > MAX_DIRECTORY_BYTES:
                raise _refused(path, f"its list of contents takes {directory:,} bytes, more than the "
                                     f"{MAX_DIRECTORY_BYTES:,} a template may use", _RESAVE)
            try:
                archive = zipfile.ZipFile(handle)
            except Exception as exc:  # noqa: BLE001 - whatever a malformed directory raises, the file is damaged
                raise _damaged(path, exc) from None
            with archive:
                _check_entries(path, handle, archive, size)
    except OSError as exc:
        raise TemplateRefused(f"{path} cannot be read ({exc.strerror or exc}); check that the file is there and "
                              "that you may read it") from None


def _file_size(path: Path, handle) -> int:
    """The size of the open file, refused over :data:`MAX_FILE_BYTES`."""
    import os

    size = os.fstat(handle.fileno()).st_size
    if size > MAX_FILE_BYTES:
        raise _refused(path, f"the file is {size / MiB:,.0f} MiB, more than the {MAX_FILE_BYTES // MiB} MiB a template "
                             "may be", "make its pictures smaller (in Word: Compress Pictures) and save it again")
    return size


def _directory(path: Path, handle, size: int) -> tuple[int, int]:
    """The number of entries and the size in bytes of the zip's central directory, as its last record states them;
    read before the directory itself, so a directory of millions of entries is never parsed.

    The record is looked for where zipfile looks for it (the last 64 KiB, since a zip may end with a comment), and
    a zip64 record, which can state larger numbers, is read when there is one.
    """
    tail_size = min(size, _EOCD.size + 0xFFFF)
    handle.seek(size - tail_size)
    tail = handle.read(tail_size)
    at = tail.rfind(b"PK\x05\x06")
    if at < 0 or at + _EOCD.size > len(tail):
        handle.seek(0)
        if handle.read(4) == b"PK\x03\x04":  # it starts as a zip does: one cut short
            raise _damaged(path, "its end, which lists what it holds, is missing")
        raise _not_a_zip(path)
    _, _, _, _, entries, directory, _, _ = _EOCD.unpack_from(tail, at)
    end = size - tail_size + at
    if end >= _EOCD64_LOCATOR.size:
        handle.seek(end - _EOCD64_LOCATOR.size)
        locator = handle.read(_EOCD64_LOCATOR.size)
        if locator[:4] == b"PK\x06\x07":
            start = end - _EOCD64_LOCATOR.size - _EOCD64.size
            if start < 0:
                raise _damaged(path, "its zip64 end record is cut short")
            handle.seek(start)
            record = handle.read(_EOCD64.size)
            if record[:4] != b"PK\x06\x06":
                raise _damaged(path, "its zip64 end record is missing")
            entries, directory = _EOCD64.unpack(record)[7:9]
    return entries, directory


def _check_entries(path: Path, handle, archive: zipfile.ZipFile, size: int) -> None:
    """Unpack every entry a chunk at a time, counting its real bytes against the caps and against what the headers
    state; parse each XML part as it comes; require the main document part."""
    infos = archive.infolist()
    if len(infos) > MAX_ENTRIES:  # the directory may hold more entries than its end record says
        raise _refused(path, f"it holds more than {MAX_ENTRIES:,} files inside (a Word document has a few dozen)",
                       _RESAVE)
    if MAIN_PART not in {info.filename for info in infos}:
        raise TemplateRefused(f"{path} is not a Word document (.docx): it has no {MAIN_PART}, the part that holds "
                              f"the text; {_RESAVE}")
    total = 0
    tags = 0
    for info in infos:
        if info.is_dir():
            continue
        name = info.filename
        real = 0
        crc = 0
        parser = scanner = None
        for chunk, packed in _unpack(path, handle, info, size):
            if real == 0 and _looks_like_xml(name, chunk):
                scanner = _PartScanner(MAX_TAGS - tags)
                parser = _xml_parser(scanner)
            real += len(chunk)
            total += len(chunk)
            if real > MAX_ENTRY_BYTES:
                raise _refused(path, f"its part {name} unpacks to more than {MAX_ENTRY_BYTES // MiB} MiB",
                               "a document template is far smaller: " + _RESAVE)
            if parser is not None and real > MAX_XML_BYTES:
                raise _refused(path, f"its XML part {name} unpacks to more than {MAX_XML_BYTES // MiB} MiB",
                               "a document template is far smaller: " + _RESAVE)
            if total > MAX_TOTAL_BYTES:
                raise _refused(path, f"its parts unpack to more than {MAX_TOTAL_BYTES // MiB} MiB in all",
                               "a document template is far smaller: " + _RESAVE)
            if real > RATIO_FROM and real > MAX_RATIO * max(packed, 1):
                raise _refused(path, f"its part {name} unpacks to more than {MAX_RATIO} times its packed size, as a "
                                     "zip bomb built to exhaust memory does", "a document never packs that tightly: "
                               + _RESAVE)
            if real > info.file_size:  # zipfile would inflate it whole, then cut it to the stated size
                raise _damaged(path, f"{name} unpacks to more than the {info.file_size:,} bytes its header states")
            crc = zlib.crc32(chunk, crc)
            if parser is not None:
                _feed(path, name, parser, chunk)
        if real != info.file_size or crc != info.CRC:
            raise _damaged(path, f"{name} unpacks to {real:,} bytes with checksum {crc:08x}, but its header states "
                                 f"{info.file_size:,} bytes with checksum {info.CRC:08x}")
        if parser is not None:
            _feed(path, name, parser, None)
            tags += scanner.tags


def _unpack(path: Path, handle, info: zipfile.ZipInfo, size: int) -> Iterator[tuple[bytes, int]]:
    """The real bytes of an entry, :data:`CHUNK` at most at a time, each with the number of packed bytes inflated so
    far; inflated here rather than by zipfile, whose ``read()`` (as python-docx calls it) inflates as much as the
    stream holds before cutting it to the size the header states: what a header says is checked, never relied on."""
    if info.flag_bits & 0x1:
        raise _refused(path, f"its part {info.filename} is encrypted", "remove the password (in Word: File > Info > "
                                                                       "Protect Document) and save it again")
    if info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
        raise _refused(path, f"its part {info.filename} is packed with method {info.compress_type}, which Word never "
                             "uses", _RESAVE)
    handle.seek(info.header_offset)
    local = handle.read(_LOCAL.size)
    if len(local) < _LOCAL.size or local[:4] != b"PK\x03\x04":
        raise _damaged(path, f"the header of {info.filename} is missing")
    name_length, extra_length = _LOCAL.unpack(local)[-2:]
    left = info.compress_size
    start = info.header_offset + _LOCAL.size + name_length + extra_length
    if start + left > size:
        raise _damaged(path, f"{info.filename} is said to run past the end of the file")
    handle.seek(start)

    def packed() -> bytes:
        nonlocal left
        data = handle.read(min(CHUNK, left))
        if not data:
            raise _damaged(path, f"{info.filename} is cut short")
        left -= len(data)
        return data

    if info.compress_type == zipfile.ZIP_STORED:
        while left:
            yield packed(), info.compress_size - left
        return
    inflater = zlib.decompressobj(-zlib.MAX_WBITS)
    while not inflater.eof:
        data = inflater.unconsumed_tail
        if not data:
            if not left:
                raise _damaged(path, f"{info.filename} is cut short (its packed data ends before its end mark)")
            data = packed()
        try:
            out = inflater.decompress(data, CHUNK)
        except zlib.error as exc:
            raise _damaged(path, f"{info.filename}: {exc}") from None
        if out:
            yield out, info.compress_size - left - len(inflater.unconsumed_tail)


def _looks_like_xml(name: str, first: bytes) -> bool:
    """An XML part by its name (``.xml``, ``.rels``), or by its first bytes: python-docx parses a part by the type
    the package gives it, whatever its name, so anything that starts like XML is checked as XML."""
    if name.lower().endswith((".xml", ".rels")):
        return True
    head = first.lstrip(b" \t\r\n")
    return not head or head.startswith((b"<", b"\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff", b"\x00<"))


class _DoctypeFound(Exception):
    pass


class _TagProblem(Exception):
    """A template tag left open, or one tag too many; ``args``: what, in words."""


_TAG = re.compile(r"\{[{%#]|[}%#]\}")
_CLOSER = {"{{": "}}", "{%": "%}", "{#": "#}"}
_PARAGRAPH = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}p"


class _PartScanner:
    """An lxml parser target that keeps nothing (the part is checked as it streams, in constant memory), refuses a
    DOCTYPE, and follows the template tags in the part's text.

    Every tag opened must be closed before the next one opens: docxtpl's patterns, run over the document's XML
    before Jinja sees it, search from each opening to its closing, so a part of thousands of tags never closed takes
    minutes (80 KB of them took 100 s). Jinja would refuse such a template anyway. A comment (``{# #}``) may hold
    anything. Tags are counted, against ``allowed``.
    """

    def __init__(self, allowed: int):
        self.allowed = allowed
        self.tags = 0
        self.paragraph = 0
        self.open: str | None = None
        self.opened_in = 0
        self.carry = ""  # the last character of the text so far, when it may begin a tag mark
        self.failed = False  # lxml calls close() after a callback raised: the first problem is the one to report

    def start(self, tag, attrib, nsmap=None):
        if tag == _PARAGRAPH:
            self.paragraph += 1

    def end(self, tag):
        pass

    def data(self, data):
        text = self.carry + data
        self.carry = ""
        last = 0
        for match in _TAG.finditer(text):
            mark, last = match.group(), match.end()
            if mark in _CLOSER:
                if self.open == "{#":
                    continue
                if self.open is not None:
                    self.failed = True
                    raise _TagProblem(f"a tag opened with {self.open} in paragraph {self.opened_in} is not closed with "
                                      f"{_CLOSER[self.open]} before the next tag ({mark}) opens")
                self.open, self.opened_in = mark, self.paragraph
                self.tags += 1
                if self.tags > self.allowed:
                    self.failed = True
                    raise _TagProblem(f"the template has more than {MAX_TAGS:,} tags ({{{{ }}}}, {{% %}}, "
                                      "{# #}) in all, far more than a document needs")
            elif self.open is not None and mark == _CLOSER[self.open]:
                self.open = None
        if last < len(text) and text[-1] in "{}%#":
            self.carry = text[-1]

    def comment(self, text):
        pass

    def pi(self, target, data=None):
        pass

    def doctype(self, name, public_id, system_id):
        self.failed = True
        raise _DoctypeFound(name)

    def close(self):
        if self.open is not None and not self.failed:
            raise _TagProblem(f"a tag opened with {self.open} in paragraph {self.opened_in} is never closed with "
                              f"{_CLOSER[self.open]}")
        return None


def _xml_parser(target: _PartScanner):
    """A streaming parser that loads no DTD, resolves no entity, reaches no network and keeps libxml2's limits."""
    from lxml import etree

    return etree.XMLParser(target=target, resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False)


def _feed(path: Path, name: str, parser, chunk: bytes | None) -> None:
    """Give the parser the next chunk (``None``: the end); refuse a DOCTYPE or XML that is not well-formed."""
    from lxml import etree

    try:
        if chunk is None:
            parser.close()
        else:
            parser.feed(chunk)
    except _TagProblem as exc:
        raise _refused(path, f"in its part {name}, {exc.args[0]}", "Word may have split the tag, or it was mistyped: "
                       "correct it (isa templates check lists such problems)") from None
    except _DoctypeFound:
        raise _refused(path, f"its part {name} declares a DOCTYPE (a document type definition, whose entities can "
                             "read other files or grow without end)",
                       "Word never writes one: save the document again from Word, or remove the DOCTYPE") from None
    except etree.XMLSyntaxError as exc:
        line, column = exc.position if exc.position else (0, 0)
        where = f" (line {line}, column {column})" if line else ""
        raise _refused(path, f"its part {name} is not well-formed XML{where}: {exc.msg}", _RESAVE) from None


def _refused(path: Path, what: str, todo: str) -> TemplateRefused:
    return TemplateRefused(f"{path} is refused as a DOCX template: {what}; {todo}")


def _not_a_zip(path: Path) -> TemplateRefused:
    return TemplateRefused(f"{path} is not a Word document (.docx) that can be read: it is not a zip archive, as a "
                           f".docx is (an older .doc, or a password-protected file, is not either); {_RESAVE}")


def _damaged(path: Path, detail) -> TemplateRefused:
    return TemplateRefused(f"{path} is not a Word document (.docx) that can be read: the file is damaged or cut "
                           f"short ({detail}); {_RESAVE}, or copy it again")
