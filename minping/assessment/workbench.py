"""What the assessment puts on the workbench: the organiser's schemes still to run or publish, appeals to review
and follow-ups due; a rater's sheets; a cadre's published results while an appeal can be filed."""

from django.db.models import F
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from minping.accounts.scoping import scope
from minping.accounts.workbench import Section, Task, section
from minping.assessment.models import Appeal, FollowUp, Result, Scheme

LIMIT = 20


@section("admin", "organiser", order=48)
def assessments(user) -> Section:
    tasks = [
        Task(str(s), reverse("assessment:scheme", args=[s.pk]), s.get_status_display())
        for s in scope(Scheme.objects.exclude(status=Scheme.Status.PUBLISHED), user)[:LIMIT]
    ]
    tasks += [
        Task(
            _("Appeal of %(name)s") % {"name": a.result.label},
            reverse("assessment:scheme", args=[a.result.run.scheme_id]) + "#appeals",
            _("waiting for review"),
        )
        for a in scope(Appeal.objects.filter(status=Appeal.Status.OPEN), user).select_related("result__run")[:LIMIT]
    ]
    tasks += [
        Task(f"{f.kind}：{f.result.label}", reverse("assessment:scheme", args=[f.result.run.scheme_id]) + "#follow-ups", f.rule)
        for f in scope(FollowUp.objects.filter(done_on__isnull=True), user).select_related("result__run")[:LIMIT]
    ]
    return Section(_("Composite assessment"), tasks, _("Nothing to do."), [Task(_("All schemes"), reverse("assessment:index"))])


@section("admin", "organiser", "office", "cadre", order=49)
def rating_sheets(user) -> Section | None:
    schemes = Scheme.objects.filter(raters=user).exclude(status=Scheme.Status.PUBLISHED)[:LIMIT]
    if not schemes:
        return None
    return Section(_("Rating sheets"), [Task(str(s), reverse("assessment:ratings", args=[s.pk])) for s in schemes], "")


@section("cadre", order=41)
def my_results(user) -> Section | None:
    if user.cadre_id is None:
        return None
    now = timezone.now()
    found = Result.objects.filter(cadre_id=user.cadre_id, run__scheme__published_run_id=F("run_id")).select_related("run__scheme")[:LIMIT]
    tasks = [
        Task(
            str(r.run.scheme),
            reverse("assessment:mine"),
            _("grade: %(grade)s; appeals until %(day)s")
            % {"grade": r.grade or "—", "day": f"{timezone.localtime(r.run.scheme.appeal_ends):%Y-%m-%d}"},
        )
        for r in found
        if now <= r.run.scheme.appeal_ends
    ]
    if not tasks:
        return None
    return Section(_("My assessment results"), tasks, "", [Task(_("My record"), reverse("assessment:record", args=[user.cadre_id]))])
