"""Refuse an upload that is too large before any of it is read: a multipart body whose declared length is over
the limit for its path gets 413 and a page saying so. It answers in its __call__, before any process_view: the CSRF
check, which would otherwise read the body whole into temporary files, runs in one. Limits come from settings.UPLOAD_LIMITS (path prefix → bytes, first match) and
settings.UPLOAD_DEFAULT_LIMIT; a little room is left for the form's other fields."""

from django.conf import settings
from django.shortcuts import render

FORM_ROOM = 64 * 1024


class UploadLimitMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.method == "POST" and request.content_type == "multipart/form-data":
            limit = self.limit_for(request.path)
            try:
                declared = int(request.META.get("CONTENT_LENGTH") or 0)
            except ValueError:
                declared = 0
            if declared > limit + FORM_ROOM:
                context = {"limit_mb": limit // (1024 * 1024), "back": request.path}
                return render(request, "upload_too_large.html", context, status=413)
        return self.get_response(request)

    @staticmethod
    def limit_for(path: str) -> int:
        for prefix, limit in settings.UPLOAD_LIMITS:
            if path.startswith(prefix):
                return limit
        return settings.UPLOAD_DEFAULT_LIMIT
