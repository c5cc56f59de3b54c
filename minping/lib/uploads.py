"""Accepting evidence files (photos, PDFs, office documents) safely: the type is decided by the content, never
by the name; a name that claims another type is refused; images are decoded and written anew, so nothing but
the picture survives (no location, no camera, no hidden payload); PDFs and office files pass an allow-list that
refuses active content (JavaScript, launch actions, embedded files, macros) and zip bombs.

Domain-free: `inspect` takes a file object and returns what to store; `evidence` decides who may store and see it.
"""

import io
import re
import zipfile
from dataclasses import dataclass
from pathlib import PurePath

from django.core.exceptions import ValidationError
from PIL import Image, ImageOps, UnidentifiedImageError

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
PDF_ACTIVE = re.compile(rb"/(JavaScript|JS|Launch|EmbeddedFile|RichMedia|SubmitForm|ImportData)\b")  # in plain objects
REFUSED_SIGNATURES = [  # recognised, and never accepted, with what to tell the person
    (b"MZ", "可执行程序"), (b"\x7fELF", "可执行程序"), (b"#!", "脚本"), (b"\xd0\xcf\x11\xe0", "旧版 Office 文件（请另存为 docx、xlsx 或 pptx）"),
    (b"Rar!", "压缩包"), (b"7z\xbc\xaf", "压缩包"), (b"\x1f\x8b", "压缩包"),
]  # fmt: skip
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
    content = file.read()
    if b"%%EOF" not in content[-1024:]:
        raise ValidationError({"file": "PDF 文件不完整"})
    if PDF_ACTIVE.search(content):
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
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        members = archive.infolist()
        if len(members) > ZIP_MAX_MEMBERS or sum(m.file_size for m in members) > ZIP_MAX_UNCOMPRESSED:
            raise ValidationError({"file": "文件解压后过大，不予接受"})
        for member in members:
            lowered = member.filename.lower()
            if any(part in lowered for part in ACTIVE_PARTS) or lowered.endswith(PROGRAMS):
                raise ValidationError({"file": "文件中含有宏、程序或嵌入对象，不予接受。请另存为不含宏的文档后再上传"})
    return content
