"""What field work puts on the workbench: a cadre's contacts, this week's entries and the items they still owe an
answer on; a supervisor's entries waiting to be read."""

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from minping.accounts.scoping import scope
from minping.accounts.workbench import Section, Task, section
from minping.fieldwork.models import Contact, Entry, FollowUp
from minping.lib.dates import week_start

LIMIT = 10


@section("cadre", "office", "organiser", "handler", order=20)
def my_field_work(user) -> Section | None:
    if user.cadre_id is None:
        return None
    today = timezone.localdate()
    monday = week_start(today)
    contacts = Contact.objects.current(today).filter(cadre_id=user.cadre_id).select_related("kind")
    week = Entry.objects.filter(cadre_id=user.cadre_id, on__gte=monday).count()
    owed = FollowUp.objects.filter(cadre_id=user.cadre_id).open().order_by("created_at")
    tasks = [
        Task(
            _("Log a visit"),
            reverse("fieldwork:home"),
            _("%(contacts)s contact points; %(week)s entries this week") % {"contacts": len(contacts), "week": week},
        )
    ]
    tasks += [Task(item.text[:40], reverse("fieldwork:item", args=[item.pk]), item.get_status_display()) for item in owed[:LIMIT]]
    untold = (
        FollowUp.objects.filter(cadre_id=user.cadre_id, status=FollowUp.Status.CLOSED, told_at__isnull=True)
        .exclude(raiser_contact="")
        .count()
    )
    if untold:
        tasks.append(
            Task(
                _("%(n)s closed items whose outcome the raiser has not been told") % {"n": untold}, f"{reverse('fieldwork:items')}?untold=1"
            )
        )
    return Section(
        _("My contact points"),
        tasks,
        "",
        [Task(c.name, reverse("fieldwork:home"), c.kind.name) for c in contacts[:LIMIT]]
        + [Task(_("All my items"), reverse("fieldwork:items"))],
    )


@section("admin", "organiser", "office", order=36)
def logs_to_read(user) -> Section:
    unread = scope(Entry.objects.filter(reviewed_at__isnull=True), user).exclude(cadre_id=user.cadre_id).count()
    tasks = [Task(_("%(n)s work-log entries to read") % {"n": unread}, f"{reverse('fieldwork:logs')}?unread=1")] if unread else []
    return Section(
        _("Cadres in the field"),
        tasks,
        _("No work-log entry is waiting to be read."),
        [
            Task(_("Contact points"), reverse("fieldwork:contacts")),
            Task(_("Contact coverage"), reverse("fieldwork:coverage")),
            Task(_("Reception days"), reverse("fieldwork:receptions")),
            Task(_("Research topics and forums"), reverse("fieldwork:topics")),
            Task(_("Key-project pairings"), reverse("fieldwork:pairings")),
            Task(_("Suggestions and problems"), reverse("fieldwork:items")),
            Task(_("Field-work figures"), reverse("fieldwork:figures")),
        ],
    )
