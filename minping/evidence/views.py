"""Uploading evidence files and fetching them: a file reaches a browser only through `download`, for those who
may open the record it belongs to (`evidence.access`), or for anyone when it is public."""

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from minping.evidence import access, actions
from minping.evidence.models import Evidence
from minping.lib.feedback import refused
from minping.lib.uploads import IMAGES, TYPES_ALLOWED

PAGE_SIZE = 50


@login_required
@require_http_methods(["GET", "POST"])
def evidence_list(request):
    """The user's own files, and a form to add one (as evidence of the user's region)."""
    status = 200
    if request.method == "POST":
        upload = request.FILES.get("file")
        try:
            if upload is None:
                raise ValidationError({"file": "请选择要上传的文件"})
            if request.user.region is None:
                raise ValidationError({"file": "您的账号尚未分配区域，不能上传材料"})
            actions.store_evidence(actor=request.user, upload=upload, region=request.user.region, purpose="general")
            return redirect("evidence:list")
        except ValidationError as exc:
            refused(request, exc)
            status = 400
    page = Paginator(Evidence.objects.filter(owner=request.user), PAGE_SIZE).get_page(request.GET.get("page"))
    context = {"page": page, "types": TYPES_ALLOWED, "max_mb": settings.EVIDENCE_MAX_BYTES // (1024 * 1024)}
    return render(request, "evidence/evidence_list.html", context, status=status)


def download(request, pk):
    evidence = _visible(request.user, pk)
    try:
        handle = open(evidence.path, "rb")
    except FileNotFoundError:
        raise Http404 from None
    inline = evidence.kind in IMAGES or evidence.kind == "pdf"
    response = FileResponse(handle, content_type=evidence.content_type, as_attachment=not inline, filename=evidence.name)
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "sandbox; default-src 'none'; img-src 'self'; style-src 'unsafe-inline'"
    response["Cache-Control"] = "public, max-age=86400" if evidence.is_public else "private, no-store"
    return response


def _visible(user, pk) -> Evidence:
    """The file if `user` may see it, else 404 (an outsider cannot learn that it exists)."""
    try:
        evidence = Evidence.objects.select_related("region").get(pk=pk)
    except (Evidence.DoesNotExist, ValidationError, ValueError):
        raise Http404 from None
    if access.may_open(user, evidence):
        return evidence
    raise Http404
