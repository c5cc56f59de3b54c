from django import forms
from django.conf import settings
from django.contrib import messages
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from minping.accounts.scoping import console_required
from minping.imports import actions, exports
from minping.imports.engine import context_for
from minping.imports.models import ImportJob
from minping.imports.registers import REGISTERS
from minping.lib.downloads import attachment, disposition
from minping.lib.feedback import refused

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class UploadForm(forms.Form):
    register = forms.ChoiceField(label=gettext_lazy("Register"), choices=[(k, r.label) for k, r in REGISTERS.items()])
    file = forms.FileField(label=gettext_lazy("File (xlsx or CSV)"))


def _register(key, fmt):
    if key not in REGISTERS or fmt not in ("xlsx", "csv"):
        raise Http404
    return REGISTERS[key]


def _job_for(request, pk):
    return get_object_or_404(ImportJob.objects.for_user(request.user), pk=pk)


@console_required
def job_list(request):
    form = UploadForm(initial={"register": request.GET.get("register", "residents")})
    return render(request, "imports/job_list.html", _list_context(request, form))


@console_required
@require_POST
def job_create(request):
    if int(request.META.get("CONTENT_LENGTH") or 0) > settings.IMPORT_MAX_BYTES + 65536:
        limit = settings.IMPORT_MAX_BYTES // (1024 * 1024)
        messages.error(request, _("The file is larger than the %(limit)s MB limit; split it and import the parts.") % {"limit": limit})
        return render(request, "imports/job_list.html", _list_context(request, UploadForm()), status=413)
    form = UploadForm(request.POST, request.FILES)
    if not form.is_valid():
        return render(request, "imports/job_list.html", _list_context(request, form), status=400)
    try:
        job = actions.start_import(actor=request.user, register=form.cleaned_data["register"], upload=request.FILES["file"])
    except ValidationError as exc:
        refused(request, exc)
        return render(request, "imports/job_list.html", _list_context(request, form), status=400)
    return redirect("imports:job-detail", pk=job.pk)


def _list_context(request, form):
    jobs = ImportJob.objects.for_user(request.user).select_related("created_by")[:50]
    return {"jobs": jobs, "form": form, "registers": REGISTERS.values()}


@console_required
def job_detail(request, pk):
    job = _job_for(request, pk)
    template = "imports/_job_status.html" if request.headers.get("HX-Request") else "imports/job_detail.html"
    register = REGISTERS[job.register]
    context = {"job": job, "register": register, "progress": cache.get(job.progress_key) if job.is_running else None}
    return render(request, template, context)


@console_required
@require_POST
def job_commit(request, pk):
    job = _job_for(request, pk)
    try:
        actions.commit_import(actor=request.user, job=job)
    except ValidationError as exc:
        refused(request, exc)
        return redirect("imports:job-detail", pk=job.pk)
    return redirect("imports:job-detail", pk=job.pk)


@console_required
def template_download(request, key, fmt):
    register = _register(key, fmt)
    ctx = context_for(request.user)
    name = f"{register.label}导入模板.{fmt}"
    return attachment(exports.template_xlsx(register, ctx) if fmt == "xlsx" else exports.template_csv(register, ctx), name)


@console_required
def export_download(request, key, fmt):
    register = _register(key, fmt)
    ctx = context_for(request.user)
    name = f"{register.label}名册.{fmt}"
    if fmt == "xlsx":
        return FileResponse(exports.export_xlsx(register, ctx), as_attachment=True, filename=name, content_type=XLSX)
    response = StreamingHttpResponse(exports.export_csv_lines(register, ctx), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = disposition(name)
    return response
