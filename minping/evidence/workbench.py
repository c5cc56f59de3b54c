"""What evidence puts on the workbench: the user's latest files and where to add one."""

from django.urls import reverse
from django.utils.translation import gettext as _

from minping.accounts.workbench import Section, Task, section
from minping.evidence.models import Evidence


@section("admin", "organiser", "office", "cadre", "handler", "grid_worker", "interviewer", order=90)
def my_files(user) -> Section | None:
    if user.region_id is None:
        return None
    tasks = [
        Task(item.name, reverse("evidence:download", args=[item.pk]), item.created_at.strftime("%Y-%m-%d"))
        for item in Evidence.objects.filter(owner=user)[:5]
    ]
    return Section(_("My files"), tasks, _("No files yet."), [Task(_("Upload a photo or document"), reverse("evidence:list"))])
