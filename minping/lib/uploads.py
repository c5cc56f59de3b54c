"""Accepting evidence files (photos, PDFs, office documents) safely: the type is decided by the content, never
by the name; a name that claims another type is refused; images are decoded and written anew, so nothing but
the picture survives (no location, no camera, no hidden payload); PDFs and office files pass an allow-list that
refuses active content (decided on a PDF's names as a reader sees them, lib/pdfs.py; macros in office files) and
zip bombs (members inflated with a cap, whatever their directory declares).

Domain-free: `inspect` takes a file object and returns what to store; `evidence` decides who may store and see it.
"""

import io
import struct
import zipfile
import zlib
from dataclasses import dataclass
from pathlib import PurePath

from django.core.exceptions import ValidationError
from PIL import Image, ImageOps, UnidentifiedImageError

from minping.lib import pdfs

MAX_PIXELS = 40_000_000  # larger images are refused: decoding one could fill memory (a "pixel flood")
MAX_SIDE = 4096  # photos are kept at most this many pixels on their long side
ZIP_MAX_UNCOMPRESSED = 200 * 1024 * 1024
ZIP_MAX_MEMBERS = 5000
ACTIVE_PARTS = ("vbaproject", "/activex/", "/embeddings/", "oleobject")  # macros, controls, embedded objects
PROGRAMS = (".exe", ".dll", ".js", ".vbs", ".ps1", ".bat", ".cmd", ".scr", ".jar")

KINDS = {  # kind: (content type, stored extension, extensions a name may carry)
    "jpeg": ("image/jpeg", "jpg", {"jpg", "jpeg", "jpe", "jfif"}),
    "png": ("image/png", "png", {"png"}),
    "webp": ("image/webp", "webp", {"webp"}),
    "pdf": ("application/pdf", "pdf", {"pdf"}),
    "docx": ("application/vnd.openxmlformats-officedocument.wordprocessingml.document", "docx", {"docx"}),
    "xlsx": ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "xlsx", {"xlsx"}),
    "pptx": ("application/vnd.openxmlformats-officedocument.presentationml.presentation", "pptx", {"pptx"}),
}
IMAGES = {"jpeg", "png", "webp"}
OFFICE_MAIN_PART = {"word/document.xml": "docx", "xl/workbook.xml": "xlsx", "ppt/presentation.xml": "pptx"}
REFUSED_SIGNATURES = [  # recognised, and never accepted, with what to tell the person
    (b"MZ", "可执行程序"),
    (b"\x7fELF", "可执行程序"),
    (b"#!", "脚本"),
    (b"\xd0\xcf\x11\xe0", "旧版 Office 文件（请另存为 docx、xlsx 或 pptx）"),
    (b"Rar!", "压缩包"),
    (b"7z\xbc\xaf", "压缩包"),
    (b"\x1f\x8b", "压缩包"),
]
TYPES_ALLOWED = "JPG、PNG、WebP 图片，PDF，Word（docx）、Excel（xlsx）、PowerPoint（pptx）"


@dataclass(frozen=True)
class Inspected:
    kind: str
    content_type: str
    extension: str
    content: bytes  # what to store: the re-encoded image, or the document as uploaded


def inspect(file, name: str) -> Inspected:
    """What `file` really is and what to store of it; ValidationError({"file": ...}) in Chinese otherwise."""
    head = file.read(16)
    file.seek(0)
    kind = _sniff(head, file)
    claimed = PurePath(name or "").suffix.lower().lstrip(".")
    content_type, extension, names = KINDS[kind]
    if claimed and claimed not in names:
        raise ValidationError({"file": f"文件内容是 {extension.upper()}，与文件名的扩展名 .{claimed} 不符，请检查后重新上传"})
    if kind in IMAGES:
        content, kind = _reencode(file, kind)
        content_type, extension, _names = KINDS[kind]
    elif kind == "pdf":
        content = _checked_pdf(file)
    else:
        content = _checked_office(file, kind)
    return Inspected(kind, content_type, extension, content)


def _sniff(head: bytes, file) -> str:
    if head.startswith(b"\xff\xd8\xff"):
        return "jpeg"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "webp"
    if head.startswith(b"%PDF-"):
        return "pdf"
    if head.startswith(b"PK\x03\x04"):
        return _office_kind(file)
    for signature, what in REFUSED_SIGNATURES:
        if head.startswith(signature):
            raise ValidationError({"file": f"不接受{what}。可以上传：{TYPES_ALLOWED}"})
    raise ValidationError({"file": f"无法识别的文件类型。可以上传：{TYPES_ALLOWED}"})


def _reencode(file, kind: str) -> tuple[bytes, str]:
    """The picture alone, written anew: turned upright as its camera recorded, at most MAX_SIDE pixels on a side,
    with no EXIF (location, camera, time), XMP, comments or trailing data. Photos become JPEG; a PNG with
    transparency stays PNG."""
    try:
        with Image.open(file) as image:
            if image.width * image.height > MAX_PIXELS:
                raise ValidationError({"file": "图片像素过多，请缩小后再上传"})
            image = ImageOps.exif_transpose(image)
            image.thumbnail((MAX_SIDE, MAX_SIDE))
            keep_alpha = kind == "png" and image.mode in ("RGBA", "LA", "P") and "A" in image.convert("RGBA").getbands()
            out = io.BytesIO()
            if keep_alpha:
                image.convert("RGBA").save(out, "PNG", optimize=True)
                return out.getvalue(), "png"
            image.convert("RGB").save(out, "JPEG", quality=85, optimize=True)
            return out.getvalue(), "jpeg"
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, Image.DecompressionBombError):
        raise ValidationError({"file": "图片已损坏或无法读取"}) from None


def _checked_pdf(file) -> bytes:
    """The PDF as uploaded, if a reader finds no active content in it (lib/pdfs.py)."""
    content = file.read()
    if b"%%EOF" not in content[-1024:]:
        raise ValidationError({"file": "PDF 文件不完整"})
    try:
        active = pdfs.active_content(content)
    except pdfs.Unreadable:
        raise ValidationError({"file": "PDF 已损坏或无法读取，请重新导出后再上传"}) from None
    if active:
        raise ValidationError({"file": "PDF 中含有脚本、自动动作或嵌入文件，不予接受。请打印为普通 PDF 后再上传"})
    return content


def _office_kind(file) -> str:
    try:
        with zipfile.ZipFile(file) as archive:
            names = set(archive.namelist())
    except zipfile.BadZipFile:
        raise ValidationError({"file": "文件已损坏或无法读取"}) from None
    finally:
        file.seek(0)
    if "[Content_Types].xml" in names:
        for part, kind in OFFICE_MAIN_PART.items():
            if part in names:
                return kind
    raise ValidationError({"file": f"不接受压缩包。可以上传：{TYPES_ALLOWED}"})


def _checked_office(file, kind: str) -> bytes:
    content = file.read()
    too_large = ValidationError({"file": "文件解压后过大，不予接受"})
    try:
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            members = archive.infolist()
            if len(members) > ZIP_MAX_MEMBERS or sum(m.file_size for m in members) > ZIP_MAX_UNCOMPRESSED:
                raise too_large
            for member in members:
                lowered = member.filename.lower()
                if any(part in lowered for part in ACTIVE_PARTS) or lowered.endswith(PROGRAMS):
                    raise ValidationError({"file": "文件中含有宏、程序或嵌入对象，不予接受。请另存为不含宏的文档后再上传"})
            if _inflated_size(content, members, ZIP_MAX_UNCOMPRESSED) > ZIP_MAX_UNCOMPRESSED:
                raise too_large
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, EOFError, NotImplementedError, struct.error, zlib.error):
        raise ValidationError({"file": "文件已损坏或无法读取"}) from None
    return content


def _inflated_size(content: bytes, members, cap: int) -> int:
    """The bytes the members really inflate to, counted while inflating each member's own compressed data and
    stopped past `cap`: a directory may declare a 300 MB member as 1 KB, and zipfile reads only what is declared,
    so declared sizes are never trusted. A member whose real size differs from its declared one is refused."""
    total = 0
    for member in members:
        size = _inflate(content, member, cap - total + 1)
        total += size
        if total > cap:
            return total
        if size != member.file_size:
            raise ValidationError({"file": "文件已损坏或被篡改（压缩包目录与内容不符），不予接受"})
    return total


def _inflate(content: bytes, member, limit: int) -> int:
    """How many bytes `member`'s data inflates to, counting at most `limit`."""
    start = member.header_offset
    if content[start : start + 4] != b"PK\x03\x04":
        raise zipfile.BadZipFile("no local header")
    name_length, extra_length = struct.unpack("<HH", content[start + 26 : start + 30])
    data = content[start + 30 + name_length + extra_length :][: member.compress_size]
    if member.compress_type == zipfile.ZIP_STORED:
        return len(data)
    if member.compress_type != zipfile.ZIP_DEFLATED:
        raise NotImplementedError("compression method")
    inflater, produced = zlib.decompressobj(-15), 0
    for offset in range(0, len(data), 64 * 1024):
        produced += len(inflater.decompress(data[offset : offset + 64 * 1024], limit - produced))
        while inflater.unconsumed_tail and produced < limit:
            produced += len(inflater.decompress(inflater.unconsumed_tail, limit - produced))
        if produced >= limit:
            return produced
    return produced
