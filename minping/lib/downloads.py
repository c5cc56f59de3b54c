"""A file handed to the browser to save: its name in UTF-8 (RFC 6266 / 5987, so a Chinese name survives), its
type from its extension, and never sniffed as something else."""

from urllib.parse import quote

from django.http import HttpResponse

TYPES = {
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "pdf": "application/pdf",
    "csv": "text/csv; charset=utf-8",
    "txt": "text/plain; charset=utf-8",
}


def disposition(name: str) -> str:
    """The Content-Disposition of an attachment named `name`: an ASCII fallback and the UTF-8 name."""
    fallback = name.encode("ascii", "ignore").decode().replace('"', "").strip() or f"download.{name.rsplit('.', 1)[-1]}"
    return f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quote(name)}"


def attachment(content: bytes, name: str, content_type: str | None = None) -> HttpResponse:
    response = HttpResponse(content, content_type=content_type or TYPES.get(name.rsplit(".", 1)[-1].lower(), "application/octet-stream"))
    response["Content-Disposition"] = disposition(name)
    response["X-Content-Type-Options"] = "nosniff"
    return response
