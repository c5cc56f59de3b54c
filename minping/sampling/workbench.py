"""What phone surveys put on the workbench: an interviewer's surveys to call."""

from django.db.models import Count, Q
from django.urls import reverse
from django.utils.translation import gettext as _

from minping.accounts.workbench import Section, Task, section
from minping.sampling.models import Survey


@section("interviewer", "office", "organiser", order=35)
def surveys_to_call(user) -> Section | None:
    surveys = list(
        Survey.objects.filter(interviewers=user, status=Survey.Status.CALLING).annotate(
            waiting=Count("cases", filter=Q(cases__released=True, cases__final=False))
        )[:20]
    )
    if not surveys:
        return None
    return Section(
        _("Phone surveys"),
        [Task(str(s), reverse("sampling:call", args=[s.pk]), _("%(n)s numbers still to reach") % {"n": s.waiting}) for s in surveys],
        "",
    )
