"""What commitments puts on the pages of evaluations: the subjects' duty reports above the ballot (read before
voting), and on a campaign's console page a link to its duty reports and residents' questions."""

from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext as _

from minping.commitments.models import DutyReport, Question, duty_page_shown
from minping.evaluations.panels import ballot_note, campaign_fact


@ballot_note
def duty_reports(campaign):
    reports = list(DutyReport.objects.filter(campaign=campaign).select_related("subject", "evidence").order_by("subject__position"))
    if not reports:
        return ""
    return render_to_string("commitments/_ballot_reports.html", {"reports": reports, "campaign": campaign})


@campaign_fact
def duty_fact(request, campaign):
    reports = DutyReport.objects.filter(campaign=campaign).count()
    waiting = Question.objects.filter(campaign=campaign, answer="").count()
    public = ""
    if duty_page_shown(campaign):
        public = format_html(' · <a href="{}">{}</a>', reverse("board:duty", args=[campaign.pk]), _("Public page"))
    return format_html(
        '<dt>{}</dt><dd>{} · {} · <a href="{}">{}</a>{}</dd>',
        _("Duty reports and questions"),
        _("%(n)s reports") % {"n": reports},
        _("%(n)s questions to answer") % {"n": waiting},
        reverse("commitments:duty-list"),
        _("Write and answer"),
        public,
    )
