"""Tagged, archival PDFs: what WeasyPrint's PDF/A-3a output lacks for PDF/UA-1, added as it writes.

WeasyPrint (``pdf_variant="pdf/a-3a"``) writes the structure tree (headings, paragraphs, tables, lists), the
document's language from ``<html lang>``, and the archival parts of PDF/A-3. Three things are added here:

* **The language of each part.** An element whose ``lang`` differs from the language it sits in (the French
  part of a bilingual agreement, a French label beside an English one) gets ``/Lang`` on its structure
  element, so a screen reader switches voice and a search knows the language. WeasyPrint's tagging reads no
  ``lang`` but the document's; :func:`install` wraps its box-tree builder (``weasyprint.pdf.tags``), which
  recurses through its module global, so every level passes through the wrapper. A test fails if WeasyPrint
  drops the function, rather than the PDFs silently losing their per-part language.
* **The page margins as artifacts.** The running header and footer and a draft's mark are drawn in the page
  margins; WeasyPrint marks their text as content that belongs to no structure element. They are made
  pagination artifacts, which assistive technology skips.
* **The PDF/UA-1 identification** in the XMP metadata (with the extension schema PDF/A requires for it),
  left uncompressed.
"""

from __future__ import annotations

from typing import Any

PDF_VARIANT = "pdf/a-3a"  # PDF/A-3 level A: archival (fonts embedded, colour profile, identifier) and tagged

_installed = False


def install() -> bool:
    """Wrap WeasyPrint's structure builder so elements carry their own language; True once it is in place."""
    global _installed
    if _installed:
        return True
    import pydyf
    import weasyprint.pdf.tags as tags
    from weasyprint.formatting_structure import boxes
    from weasyprint.layout.absolute import AbsolutePlaceholder

    original = getattr(tags, "_build_box_tree", None)
    if original is None:
        return False
    original = getattr(original, "__wrapped__", original)

    def inherited(pdf, element) -> str | None:
        while isinstance(element, pydyf.Dictionary) and element.get("Type") == "/StructElem":
            if "Lang" in element:
                return element["Lang"].string
            element = pdf.objects[int(element["P"].split()[0])]
        return pdf.catalog["Lang"].string if "Lang" in pdf.catalog else None

    def build(box, parent, pdf, *args):
        real = box._box if isinstance(box, AbsolutePlaceholder) else box
        lang = None
        if (real.element is not None and real.element_tag not in ("html", "body")
                and not isinstance(real, (boxes.PageBox, boxes.MarginBox))):
            lang = real.element.get("lang")
        for element in original(box, parent, pdf, *args):
            if lang and "Lang" not in element and inherited(pdf, parent) != lang:
                element["Lang"] = pydyf.String(lang)
            yield element

    build.__wrapped__ = original
    tags._build_box_tree = build
    _installed = True
    return True


def _object(pdf, reference) -> Any:
    return pdf.objects[int(reference.split()[0])]


def _margins_as_artifacts(pdf) -> None:
    """Marked content that no structure element holds (the page margins' text) becomes a pagination artifact."""
    import pydyf

    if "StructTreeRoot" not in pdf.catalog:
        return
    root = _object(pdf, pdf.catalog["StructTreeRoot"])
    seen = set()
    stack = [_object(pdf, reference) for reference in root["K"]]
    while stack:
        element = stack.pop()
        seen.add(element.reference)
        for kid in element.get("K", ()):
            if isinstance(kid, bytes) and kid.endswith(b" R"):
                child = _object(pdf, kid)
                if isinstance(child, pydyf.Dictionary) and child.get("Type") == "/StructElem":
                    stack.append(child)
    numbers = _object(pdf, root["ParentTree"])["Nums"]
    for index, page in enumerate(pdf.page_references):
        mapping = numbers[2 * index + 1]
        orphans = {mcid for mcid, reference in enumerate(mapping) if reference not in seen}
        if not orphans:
            continue
        for mcid in orphans:
            mapping[mcid] = "null"
        tokens = _object(pdf, _object(pdf, page)["Contents"]).stream
        for at, token in enumerate(tokens):
            if (isinstance(token, pydyf.Dictionary) and token.get("MCID") in orphans
                    and at + 1 < len(tokens) and tokens[at + 1] == b"BDC"):
                tokens[at - 1] = "/Artifact"
                tokens[at] = pydyf.Dictionary({"Type": "/Pagination"})


# The PDF/UA identification, with the extension schema PDF/A asks for any property outside its own schemas.
_PDFUA = (
    b'<rdf:Description rdf:about="" xmlns:pdfaExtension="http://www.aiim.org/pdfa/ns/extension/"'
    b' xmlns:pdfaSchema="http://www.aiim.org/pdfa/ns/schema#" xmlns:pdfaProperty="http://www.aiim.org/pdfa/ns/property#">'
    b'<pdfaExtension:schemas><rdf:Bag><rdf:li rdf:parseType="Resource">'
    b'<pdfaSchema:schema>PDF/UA Universal Accessibility Schema</pdfaSchema:schema>'
    b'<pdfaSchema:namespaceURI>http://www.aiim.org/pdfua/ns/id/</pdfaSchema:namespaceURI>'
    b'<pdfaSchema:prefix>pdfuaid</pdfaSchema:prefix>'
    b'<pdfaSchema:property><rdf:Seq><rdf:li rdf:parseType="Resource">'
    b'<pdfaProperty:name>part</pdfaProperty:name><pdfaProperty:valueType>Integer</pdfaProperty:valueType>'
    b'<pdfaProperty:category>internal</pdfaProperty:category>'
    b'<pdfaProperty:description>Indicates, which part of ISO 14289 standard is followed</pdfaProperty:description>'
    b'</rdf:li></rdf:Seq></pdfaSchema:property></rdf:li></rdf:Bag></pdfaExtension:schemas></rdf:Description>'
    b'<rdf:Description rdf:about="" xmlns:pdfuaid="http://www.aiim.org/pdfua/ns/id/" pdfuaid:part="1" />'
)


def _declare_pdfua(pdf) -> None:
    if "Metadata" not in pdf.catalog:
        return
    metadata = _object(pdf, pdf.catalog["Metadata"])
    (content,) = metadata.stream
    metadata.stream = [content.replace(b"</rdf:RDF>", _PDFUA + b"</rdf:RDF>", 1)]
    metadata.compress = False  # plain-text XMP, which archival checkers read without a filter


def finish(document, pdf) -> None:
    """WeasyPrint's ``finisher``: called with the PDF objects before they are written. PDF/UA-1 is declared only
    when each part's language could be tagged (:func:`install`), since without it the file would not meet it."""
    _margins_as_artifacts(pdf)
    if _installed:
        _declare_pdfua(pdf)
