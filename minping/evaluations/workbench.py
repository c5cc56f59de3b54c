"""What evaluations put on the workbench: campaigns to run, interviews to make, campaigns under way about me."""

from django.urls import reverse
from django.utils.translation import gettext as _

from minping.accounts.scoping import scope
from minping.accounts.workbench import Section, Task, section
from minping.evaluations.models import Campaign

CONSOLE = ("admin", "organiser", "office")
LIMIT = 20


@section(*CONSOLE)
def campaigns_to_run(user) -> Section:
    campaigns = scope(Campaign.objects.filter(status__in=[Campaign.Status.DRAFT, Campaign.Status.OPEN]), user)
    tasks = []
    for campaign in campaigns.order_by("-pk")[:LIMIT]:
        if campaign.status == Campaign.Status.DRAFT:
            note = _("draft: add subjects, print codes, then open voting")
        else:
            note = _("voting: hand out codes, watch turnout, close when done")
        tasks.append(Task(campaign.name, reverse("evaluations:campaign-detail", args=[campaign.pk]), note))
    return Section(
        _("Campaigns to run"),
        tasks,
        _("No campaign is being prepared or under way."),
        [Task(_("All campaigns"), reverse("evaluations:campaign-list"))],
    )


@section("interviewer")
def interviews_to_make(user) -> Section:
    campaigns = Campaign.objects.filter(status=Campaign.Status.OPEN)
    if not user.is_system_admin:
        campaigns = campaigns.within(user.region) if user.region_id else campaigns.none()
    tasks = [
        Task(c.name, reverse("interview:campaign", args=[c.pk]), _("key the answers of residents reached by telephone"))
        for c in campaigns.order_by("-pk")[:LIMIT]
        if "phone" in c.channels
    ]
    return Section(_("Telephone interviews to make"), tasks, _("No campaign takes telephone interviews now."))


@section("cadre")
def campaigns_about_me(user) -> Section | None:
    if not user.cadre_id:
        return None
    campaigns = Campaign.objects.filter(status=Campaign.Status.OPEN, subjects__kind="cadre", subjects__ref=user.cadre_id)
    tasks = [
        Task(c.name, reverse("evaluations:turnout", args=[c.pk]), _("voting is under way: see the turnout"))
        for c in campaigns.distinct().order_by("-pk")[:LIMIT]
    ]
    return Section(_("Evaluations of me under way"), tasks, _("No evaluation of you is under way."))
