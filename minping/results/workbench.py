"""What results put on the workbench: results to publish and objections to answer for organisers; one's own
published results for a cadre, one's unit's for a department handler; notices open in one's region for all."""

from django.db.models import Count, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from minping.accounts.scoping import scope
from minping.accounts.workbench import Section, Task, section
from minping.evaluations import lifecycle
from minping.evaluations.models import Campaign, Subject
from minping.results.models import Notice

LIMIT = 20


@section("admin", "organiser", "office")
def results_to_publish(user) -> Section:
    closed = scope(Campaign.objects.filter(status=Campaign.Status.CLOSED), user).order_by("-closed_at")[:LIMIT]
    tasks = [Task(c.name, reverse("results:overview", args=[c.pk]), _("voting closed: review and publish the results")) for c in closed]
    notices = (
        scope(Campaign.objects.filter(status=Campaign.Status.PUBLISHED), user)
        .annotate(waiting=Count("notice__objections", filter=Q(notice__objections__answered_at__isnull=True)))
        .filter(waiting__gt=0)
        .order_by("-pk")[:LIMIT]
    )
    tasks += [Task(c.name, reverse("results:overview", args=[c.pk]), _("%(n)s objections to answer") % {"n": c.waiting}) for c in notices]
    return Section(_("Results to publish and objections to answer"), tasks, _("Nothing is waiting."))


def _published(subjects) -> list[Task]:
    rows = subjects.filter(campaign__status__in=lifecycle.STEPS["show_public"].states).select_related("campaign")
    return [Task(f"{s.campaign.name}：{s.label}", reverse("mine-subject", args=[s.pk])) for s in rows.order_by("-campaign_id")[:LIMIT]]


@section("cadre")
def my_results(user) -> Section | None:
    if not user.cadre_id:
        return None
    return Section(
        _("My published results"),
        _published(Subject.objects.filter(kind="cadre", ref=user.cadre_id)),
        _("No result about you has been published yet."),
        [Task(_("My evaluations"), reverse("mine"))],
    )


@section("handler")
def my_units_results(user) -> Section | None:
    if not user.unit_id:
        return None
    return Section(
        _("My unit's published results"),
        _published(Subject.objects.filter(kind="unit", ref=user.unit_id)),
        _("No result about your unit has been published yet."),
    )


@section("admin", "organiser", "office", "cadre", "handler", "grid_worker", "interviewer", order=80)
def notices_open(user) -> Section | None:
    notices = Notice.objects.filter(objections_until__gt=timezone.now()).select_related("campaign")
    if not user.is_system_admin:
        if user.region_id is None:
            return None
        notices = notices.filter(campaign__region__path__startswith=user.region.path[:7])  # the whole district's
    tasks = [
        Task(
            n.campaign.name,
            reverse("notice:detail", args=[n.campaign_id]),
            _("objections until %(day)s") % {"day": timezone.localtime(n.objections_until).strftime("%Y-%m-%d")},
        )
        for n in notices.order_by("-published_at")[:LIMIT]
    ]
    return Section(_("Results on public notice"), tasks, _("No result is on public notice now."))
