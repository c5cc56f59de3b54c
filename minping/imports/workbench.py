"""What imports put on the workbench: uploads waiting to be checked, corrected or loaded."""

from django.urls import reverse
from django.utils.translation import gettext as _

from minping.accounts.workbench import Section, Task, section
from minping.imports.models import ImportJob
from minping.imports.registers import REGISTERS

WAITING = [ImportJob.Status.VALIDATING, ImportJob.Status.VALID, ImportJob.Status.INVALID]


@section("admin", "organiser", "office")
def imports_waiting(user) -> Section:
    jobs = ImportJob.objects.for_user(user).filter(status__in=WAITING).order_by("-created_at")[:20]
    tasks = [
        Task(
            f"{REGISTERS[job.register].label if job.register in REGISTERS else job.register} · {job.get_status_display()}",
            reverse("imports:job-detail", args=[job.pk]),
            job.created_at.strftime("%Y-%m-%d %H:%M"),
        )
        for job in jobs
    ]
    return Section(_("Imports waiting"), tasks, _("No upload is waiting."), [Task(_("Import a register"), reverse("imports:job-list"))])
