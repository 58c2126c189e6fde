"""PDF stage, archival metadata: what makes a handout a PDF/A-2 file an EHR can keep.

- An XMP packet (the catalog's /Metadata, uncompressed) saying the same as the
  document information dictionary ReportLab writes (title, author, subject, keywords,
  creator, producer, dates) and declaring PDF/A-2u conformance (every glyph maps to
  Unicode).
- An sRGB output intent: every colour on the page is sRGB (DeviceRGB), so the file says
  what those numbers mean. The ICC profile is a file (profiles/sRGB-lcms.icc).

No patient data: the XMP carries the same values as the information dictionary (the
handout's title, the clinic, the handout's name and version), never a patient's name
unless the caller put it in the title (name_in_metadata).
"""
from __future__ import annotations

from pathlib import Path
from xml.sax.saxutils import escape

from reportlab.pdfbase.pdfdoc import PDFArray, PDFDictionary, PDFName, PDFStream, PDFString

from .caches import pure_memo

#: The output condition PDF/A readers know sRGB by (the ICC's registry name).
SRGB_CONDITION = "sRGB IEC61966-2.1"
#: PDF/A part and conformance level this project's handouts are checked against.
PDFA_PART, PDFA_CONFORMANCE = 2, "U"
#: The creation and modification date of every handout (ReportLab's invariant mode
#: writes D:20000101000000+00'00' in the information dictionary).
DOCUMENT_DATE = "2000-01-01T00:00:00+00:00"
#: Pillow's LittleCMS sRGB profile, its date fixed (see profiles/README.md): a file, so
#: that another Pillow cannot change a handout's bytes.
SRGB_PROFILE = Path(__file__).parent / "profiles" / "sRGB-lcms.icc"


@pure_memo(maxsize=1)
def srgb_profile() -> bytes:
    """The sRGB ICC profile of every handout's output intent."""
    return SRGB_PROFILE.read_bytes()


def xmp_packet(*, title: str, author: str, subject: str, keywords: str, lang: str,
               creator: str = "handouts", producer: str = "handouts",
               pdfua: bool = False) -> bytes:
    """The XMP metadata packet, its values those of the information dictionary;
    `pdfua` declares PDF/UA-1 too (only for a tagged document: tagging.py)."""
    language = escape(lang.replace("_", "-") or "x-default", {'"': "&quot;"})

    def alt(text: str) -> str:
        return (f'<rdf:Alt><rdf:li xml:lang="x-default">{escape(text)}</rdf:li>'
                f"</rdf:Alt>")
    description = ""
    if subject:
        description = f"<dc:description>{alt(subject)}</dc:description>"
    packet = (
        '<?xpacket begin="\ufeff" id="W5M0MpCehiHzreSzNTczkc9d"?>\n'
        '<x:xmpmeta xmlns:x="adobe:ns:meta/">\n'
        '<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">\n'
        '<rdf:Description rdf:about=""\n'
        ' xmlns:dc="http://purl.org/dc/elements/1.1/"\n'
        ' xmlns:pdf="http://ns.adobe.com/pdf/1.3/"\n'
        ' xmlns:xmp="http://ns.adobe.com/xap/1.0/"\n'
        ' xmlns:pdfaid="http://www.aiim.org/pdfa/ns/id/"'
        + ('\n xmlns:pdfuaid="http://www.aiim.org/pdfua/ns/id/"' if pdfua else "") + ">\n"
        f"<dc:title>{alt(title)}</dc:title>\n"
        f"<dc:creator><rdf:Seq><rdf:li>{escape(author)}</rdf:li></rdf:Seq></dc:creator>\n"
        f"{description}\n"
        f"<dc:language><rdf:Bag><rdf:li>{language}</rdf:li></rdf:Bag></dc:language>\n"
        f"<pdf:Producer>{escape(producer)}</pdf:Producer>\n"
        f"<pdf:Keywords>{escape(keywords)}</pdf:Keywords>\n"
        f"<xmp:CreatorTool>{escape(creator)}</xmp:CreatorTool>\n"
        f"<xmp:CreateDate>{DOCUMENT_DATE}</xmp:CreateDate>\n"
        f"<xmp:ModifyDate>{DOCUMENT_DATE}</xmp:ModifyDate>\n"
        f"<xmp:MetadataDate>{DOCUMENT_DATE}</xmp:MetadataDate>\n"
        f"<pdfaid:part>{PDFA_PART}</pdfaid:part>\n"
        f"<pdfaid:conformance>{PDFA_CONFORMANCE}</pdfaid:conformance>\n"
        + ("<pdfuaid:part>1</pdfuaid:part>\n" if pdfua else "") +
        "</rdf:Description>\n"
        "</rdf:RDF>\n"
        "</x:xmpmeta>\n"
        '<?xpacket end="r"?>')
    return packet.encode("utf-8")


def add_archival_entries(canv, metadata, *, pdfua: bool = False) -> None:
    """Put the XMP metadata and the sRGB output intent into a canvas's catalog, before
    it saves (`pdfua`: the document is tagged, see xmp_packet)."""
    from .rl_adapter import UnfilteredStream, document_of, set_catalog_entry
    document = document_of(canv)
    xmp = UnfilteredStream({"Type": PDFName("Metadata"), "Subtype": PDFName("XML")},
                           xmp_packet(title=metadata.title, author=metadata.author,
                                      subject=metadata.subject, keywords=metadata.keywords,
                                      lang=metadata.lang, pdfua=pdfua))
    profile = PDFStream(dictionary=PDFDictionary({"N": 3}), content=srgb_profile())
    intent = PDFDictionary({
        "Type": PDFName("OutputIntent"), "S": PDFName("GTS_PDFA1"),
        "OutputConditionIdentifier": PDFString(SRGB_CONDITION),
        "Info": PDFString(SRGB_CONDITION),
        "DestOutputProfile": document.Reference(profile, "hxOutputProfile")})
    set_catalog_entry(canv, "Metadata", document.Reference(xmp, "hxMetadata"))
    set_catalog_entry(canv, "OutputIntents", PDFArray([intent]))
