"""Embedding the shipped Chinese font into a Word document, so it reads correctly where no Chinese font is
installed. The document keeps the fonts an official paper asks for (仿宋_GB2312 for the body, 黑体 for headings,
方正小标宋简体 for the title); for each, a subset of the shipped font holding just the characters set in it is
embedded under that name, obfuscated as Office Open XML requires (ECMA-376 Part 1, 17.8.1: the first 32 bytes
XORed with the font key). Where the real font is installed, it is used; elsewhere the embedded one is.
"""

import io
import logging
import uuid

from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.opc.packuri import PackURI
from docx.opc.part import Part
from docx.oxml.ns import qn
from fontTools import subset
from fontTools.ttLib import TTFont
from lxml import etree

from minping.lib.fonts import FONT_FILE

OBFUSCATED = "application/vnd.openxmlformats-officedocument.obfuscatedFont"
R_ID = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}id"
logging.getLogger("fontTools").setLevel(logging.WARNING)  # subsetting reports every table at INFO


def subset_font(text: str, family: str) -> bytes:
    """A TrueType font named `family` holding just the glyphs of `text` (and digits, and what every font needs)."""
    font = TTFont(str(FONT_FILE), fontNumber=0, lazy=True)
    options = subset.Options()
    options.name_IDs = ["*"]
    options.notdef_outline = True
    options.drop_tables += ["FFTM"]
    subsetter = subset.Subsetter(options)
    subsetter.populate(text=text + "0123456789")
    subsetter.subset(font)
    names = font["name"]
    for record in list(names.names):
        if record.nameID in (1, 4, 16):
            names.setName(family, record.nameID, record.platformID, record.platEncID, record.langID)
        elif record.nameID == 6:
            names.setName(f"Minping-{abs(hash(family)) % 10**8}", 6, record.platformID, record.platEncID, record.langID)
    out = io.BytesIO()
    font.save(out)
    return out.getvalue()


def obfuscate(data: bytes, key: str) -> bytes:
    """XOR the first 32 bytes with the 16 bytes of the GUID `key` taken in reverse order."""
    digits = key.strip("{}").replace("-", "")
    mask = bytes(int(digits[i : i + 2], 16) for i in range(30, -2, -2))
    return bytes(b ^ mask[i % 16] for i, b in enumerate(data[:32])) + data[32:]


def embed_fonts(document, texts: dict[str, str]) -> None:
    """Embed, for each font name, a subset of the shipped font covering the text set in it."""
    font_table = next(rel.target_part for rel in document.part.rels.values() if rel.reltype == RT.FONT_TABLE)
    table = etree.fromstring(font_table.blob)
    for number, (name, text) in enumerate(texts.items(), start=1):
        key = "{" + str(uuid.uuid4()).upper() + "}"
        data = obfuscate(subset_font(text, name), key)
        part = Part(PackURI(f"/word/fonts/font{number}.odttf"), OBFUSCATED, data, document.part.package)
        rid = font_table.relate_to(part, RT.FONT)
        for old in table.findall(qn("w:font")):
            if old.get(qn("w:name")) == name:
                table.remove(old)
        font = etree.SubElement(table, qn("w:font"), {qn("w:name"): name})
        etree.SubElement(font, qn("w:charset"), {qn("w:val"): "86"})
        etree.SubElement(font, qn("w:family"), {qn("w:val"): "auto"})
        etree.SubElement(font, qn("w:pitch"), {qn("w:val"): "variable"})
        etree.SubElement(font, qn("w:embedRegular"), {R_ID: rid, qn("w:fontKey"): key})
    font_table._blob = etree.tostring(table, xml_declaration=True, encoding="UTF-8", standalone=True)
    settings = document.settings.element
    anchor = settings.find(qn("w:zoom"))
    position = list(settings).index(anchor) + 1 if anchor is not None else 0
    for tag in ("w:embedTrueTypeFonts", "w:saveSubsetFonts"):
        if settings.find(qn(tag)) is None:
            settings.insert(position, etree.Element(qn(tag)))
            position += 1
