"""What commitments puts on the workbench: a staff member's form of this month and what is due; an approver's
forms waiting and the month's board; duty reports to write and questions to answer."""

from django.db.models import Count, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from minping.accounts.scoping import scope
from minping.accounts.workbench import Section, Task, section
from minping.commitments import periods
from minping.commitments.models import CommitmentForm, Item
from minping.evaluations.models import Campaign, Subject

LIMIT = 20
Status = CommitmentForm.Status


@section("cadre", "handler", order=40)
def my_commitments(user) -> Section | None:
    owner = {"cadre": user.cadre_id} if user.cadre_id else {"unit": user.unit_id} if user.unit_id else None
    if owner is None:
        return None
    today = timezone.localdate()
    this, following = periods.month_of(today), periods.next_month(periods.month_of(today))
    forms = {f.month: f for f in CommitmentForm.objects.filter(**owner, month__in=[this, following])}
    tasks = []
    for month in (this, following):
        form = forms.get(month)
        if form is None and periods.opens_on(month) <= today:
            tasks.append(Task(_("Fill in the commitment form of %(month)s") % {"month": periods.label(month)}, reverse("commitments:mine")))
        elif form is not None and form.status in {Status.DRAFT, Status.RETURNED}:
            note = (
                _("returned: %(reason)s") % {"reason": form.return_reason}
                if form.status == Status.RETURNED
                else _("draft, not yet submitted")
            )
            tasks.append(
                Task(_("Commitment form of %(month)s") % {"month": periods.label(month)}, reverse("commitments:form", args=[form.pk]), note)
            )
    due = (
        Item.objects.filter(**{f"form__{k}": v for k, v in owner.items()}, form__status=Status.PUBLISHED, outcome=Item.Outcome.OPEN)
        .select_related("form")
        .order_by("deadline")[:LIMIT]
    )
    tasks += [
        Task(
            item.content[:60],
            f"{reverse('commitments:form', args=[item.form_id])}#item-{item.pk}",
            _("due %(day)s, %(percent)s%% done") % {"day": item.deadline.strftime("%-m月%-d日"), "percent": item.progress},
        )
        for item in due
    ]
    return Section(_("My commitments"), tasks, _("Nothing is due."), [Task(_("All my commitment forms"), reverse("commitments:mine"))])


@section("admin", "organiser", "office", order=45)
def forms_waiting(user) -> Section:
    waiting = scope(CommitmentForm.objects.filter(status__in=[Status.SUBMITTED, Status.APPROVED]), user)
    rows = (waiting.values("month", "status").annotate(n=Count("pk")).order_by("month", "status"))[:LIMIT]
    tasks = [
        Task(
            _("%(month)s: %(n)s forms %(state)s")
            % {
                "month": periods.label(r["month"]),
                "n": r["n"],
                "state": _("to approve") if r["status"] == Status.SUBMITTED else _("approved, to post"),
            },
            f"{reverse('commitments:month')}?month={r['month']:%Y-%m}&status={r['status']}",
        )
        for r in rows
    ]
    return Section(
        _("Commitment forms waiting"),
        tasks,
        _("No form is waiting for you."),
        [
            Task(_("This month's commitments"), reverse("commitments:month")),
            Task(_("Quarter assessments"), reverse("commitments:quarters")),
            Task(_("Mutual pledges"), reverse("commitments:pledges")),
        ],
    )


@section("cadre", "handler", order=46)
def duty_to_write(user) -> Section | None:
    own = Q(kind="cadre", ref=user.cadre_id) if user.cadre_id else Q(kind="unit", ref=user.unit_id) if user.unit_id else None
    if own is None:
        return None
    subjects = (
        Subject.objects.filter(own, campaign__status__in=[Campaign.Status.DRAFT, Campaign.Status.OPEN])
        .select_related("campaign", "duty_report")
        .annotate(waiting=Count("questions", filter=Q(questions__answer="")))
        .order_by("-campaign_id")[:LIMIT]
    )
    tasks = []
    for subject in subjects:
        report = hasattr(subject, "duty_report")
        if not report or subject.waiting:
            note = _("%(n)s questions to answer") % {"n": subject.waiting} if report else _("duty report not yet written")
            tasks.append(Task(subject.campaign.name, reverse("commitments:duty-subject", args=[subject.pk]), note))
    return Section(_("Duty reports and residents' questions"), tasks, _("Nothing to write or answer."))
