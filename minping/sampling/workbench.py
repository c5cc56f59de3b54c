"""What phone surveys put on the workbench: an interviewer's surveys to call."""

from django.urls import reverse
from django.utils.translation import gettext as _

from minping.accounts.workbench import Section, Task, section
from minping.sampling.models import Case, Survey


@section("interviewer", "office", "organiser", order=35)
def surveys_to_call(user) -> Section | None:
    surveys = list(Survey.objects.filter(interviewers=user, status=Survey.Status.CALLING)[:20])
    if not surveys:
        return None
    waiting = {s.pk: Case.objects.filter(survey=s, released=True, final=False).count() for s in surveys}
    return Section(
        _("Phone surveys"),
        [Task(str(s), reverse("sampling:call", args=[s.pk]), _("%(n)s numbers still to reach") % {"n": waiting[s.pk]}) for s in surveys],
        "",
    )
