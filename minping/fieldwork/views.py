"""Field-work pages: a cadre's page (contacts, a quick log form, this week's entries, items still owed an answer),
an entry with its history and the supervisor's comment, a cadre's month, the supervisor's list, contact points
and their coverage, items and their steps, reception days (and their public page), research topics and meetings,
蹲点 pairings, and the figures with their exports."""

import datetime as dt
import uuid

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html_join
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from minping.accounts.scoping import console_required, get_for_user, scope
from minping.commitments import periods
from minping.fieldwork import actions, exports, figures, forms
from minping.fieldwork.models import (
    Activity,
    Contact,
    ContactKind,
    Entry,
    FollowUp,
    Meeting,
    Pairing,
    Project,
    ReceptionDay,
    Schedule,
    Topic,
)
from minping.grid.models import Category
from minping.lib.dates import typed_date, week_start
from minping.lib.downloads import attachment
from minping.lib.feedback import attempting
from minping.lib.formdata import posted_id
from minping.org.models import Cadre, Enterprise, Region

PAGE_SIZE = 50
ENTRY_STEPS = {"review": forms.ReviewEntryForm, "edit": forms.EditEntryForm, "item": forms.EntryItemForm}


def _shown_region(request) -> Region:
    """The region a page shows: the one asked for if the user may see it (else 404), or the user's own."""
    user = request.user
    if request.GET.get("region"):
        return get_for_user(user, Region.objects, pk=posted_id(request.GET.get("region")) or 0)
    region = user.region or Region.objects.roots().first()
    if region is None:
        raise Http404
    return region


def _regions(user, levels=("street", "community", "grid")):
    regions = Region.objects.filter(level__in=levels).order_by("path")
    return regions if user.is_system_admin else regions.within(user.region) if user.region_id else regions.none()


def _week(today: dt.date) -> tuple[dt.date, dt.date]:
    monday = week_start(today)
    return monday, monday + dt.timedelta(days=6)


# A cadre's page and log ------------------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def home(request):
    """A cadre's page; console users go to the logs they supervise."""
    user = request.user
    if user.cadre_id is None:
        if user.can_use_console:
            return redirect("fieldwork:logs")
        raise PermissionDenied
    status, posted = 200, {}
    if request.method == "POST":
        with attempting(request, PermissionDenied) as outcome:
            _entry, created = forms.EntryForm(request.POST, request.FILES, user=user).save()
            messages.success(request, _("Entry saved.") if created else _("This entry had already been saved."))
            return redirect("fieldwork:home")
        if outcome.refused:
            status, posted = 400, request.POST
    today = timezone.localdate()
    monday, sunday = _week(today)
    cadre = user.cadre
    context = {
        "cadre": cadre,
        "today": today,
        "forms": Entry.Form.choices,
        "posted": posted,
        "id": posted.get("id") or uuid.uuid4(),
        "window": settings.FIELDWORK_LOG_WINDOW_DAYS,
        "contacts": Contact.objects.current(today).filter(cadre=cadre).select_related("kind"),
        "week": Entry.objects.filter(cadre=cadre, on__gte=monday, on__lte=sunday).select_related("contact"),
        "owed": FollowUp.objects.filter(cadre=cadre).open().order_by("created_at")[:50],
        "pairings": Pairing.objects.filter(cadre=cadre, ends_on__gte=today).select_related("project"),
        "sessions": ReceptionDay.objects.filter(cadres=cadre, on__gte=today).select_related("schedule__region")[:5],
        "month": today.strftime("%Y-%m"),
        "on": posted.get("on") or today.isoformat(),
    }
    return render(request, "fieldwork/home.html", context, status=status)


def _visible_entry(user, pk) -> Entry:
    try:
        entry = Entry.objects.select_related("cadre__region", "contact__kind", "reviewed_by", "written_by").get(pk=pk)
    except (Entry.DoesNotExist, ValidationError, ValueError):
        raise Http404 from None
    if actions.may_open_entry(user, entry):
        return entry
    raise Http404


@login_required
@require_http_methods(["GET", "POST"])
def entry(request, pk):
    user = request.user
    entry = _visible_entry(user, pk)
    if request.method == "POST":
        step = ENTRY_STEPS.get(request.POST.get("step"))
        with attempting(request, PermissionDenied):
            if step is None:
                raise ValidationError("未知的操作")
            if step is forms.EntryItemForm and user.cadre_id != entry.cadre_id:
                raise PermissionDenied
            step(request.POST, user=user, entry=entry).save()
            messages.success(request, _("Saved."))
        return redirect("fieldwork:entry", entry.pk)
    context = {
        "entry": entry,
        "history": entry.history.select_related("by"),
        "items": entry.items.all(),
        "photos": entry.photos.all(),
        "mine": user.cadre_id == entry.cadre_id,
        "supervises": actions.may_supervise(user, entry.cadre),
        "forms": Entry.Form.choices,
        "kinds": FollowUp.Kind.choices,
    }
    return render(request, "fieldwork/entry.html", context)


@login_required
def month(request, pk, month):
    """A cadre's entries of a month, for the cadre and their supervisors."""
    cadre = get_object_or_404(Cadre.objects.select_related("region"), pk=pk)
    if not (request.user.cadre_id == cadre.pk or actions.may_supervise(request.user, cadre)):
        raise Http404
    try:
        first = periods.parse_month(month)
    except ValidationError:
        raise Http404 from None
    last = periods.last_day(first)
    entries = list(
        Entry.objects.filter(cadre=cadre, on__gte=first, on__lte=last).select_related("contact__kind").order_by("on", "created_at")
    )
    values = figures.month_figures(cadre.pk, entries, first, last)
    context = {
        "cadre": cadre,
        "month": first,
        "entries": entries,
        "figures": [(label, values[key], definition) for key, label, definition in figures.CADRE_FIGURES if key not in figures.RATES],
        "previous": (first - dt.timedelta(days=1)).strftime("%Y-%m"),
        "next": (last + dt.timedelta(days=1)).strftime("%Y-%m"),
        "entries_url": reverse("fieldwork:entry", args=[uuid.UUID(int=0)]).removesuffix(f"{uuid.UUID(int=0)}/"),
    }
    return render(request, "fieldwork/month.html", context)


@console_required
def logs(request):
    """Entries of the cadres the user supervises, the unread first."""
    user = request.user
    entries = scope(Entry.objects.all(), user).select_related("cadre", "contact__kind").exclude(cadre_id=user.cadre_id)
    if request.GET.get("unread"):
        entries = entries.filter(reviewed_at__isnull=True)
    cadre = request.GET.get("cadre", "").strip()
    if cadre:
        entries = entries.filter(cadre__name=cadre)
    page = Paginator(entries.order_by("-on", "-created_at"), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "fieldwork/logs.html",
        {"page": page, "cadre": cadre, "unread": bool(request.GET.get("unread")), "month": timezone.localdate().strftime("%Y-%m")},
    )


# Contact points --------------------------------------------------------------------------------------------------


@console_required
@require_http_methods(["GET", "POST"])
def contacts(request):
    user = request.user
    cadre = None
    if request.GET.get("cadre") or request.POST.get("cadre"):
        cadre = get_for_user(
            user, Cadre.objects.select_related("region"), pk=posted_id(request.GET.get("cadre") or request.POST.get("cadre")) or 0
        )
    if request.method == "POST" and cadre is not None:
        with attempting(request, PermissionDenied):
            if request.POST.get("step") == "end":
                forms.EndContactForm(request.POST, user=user, cadre=cadre).save()
            else:
                forms.ContactForm(request.POST, user=user, cadre=cadre).save()
            messages.success(request, _("Saved."))
        return redirect(f"{request.path}?cadre={cadre.pk}")
    query = request.GET.get("q", "").strip()
    found = scope(Cadre.objects.filter(name__startswith=query), user).select_related("region")[:50] if query else []
    context = {
        "cadre": cadre,
        "query": query,
        "found": found,
        "kinds": ContactKind.objects.all(),
        "contacts": Contact.objects.filter(cadre=cadre).select_related("kind", "region") if cadre else [],
    }
    return render(request, "fieldwork/contacts.html", context)


@console_required
def coverage(request):
    """Cadres missing a kind of contact point; communities and enterprises without a contact cadre."""
    user = request.user
    region = _shown_region(request)
    today = timezone.localdate()
    expected = list(ContactKind.objects.filter(expected=True))
    held: dict[int, set] = {}
    for cadre_id, kind_id in Contact.objects.current(today).within(region).values_list("cadre_id", "kind_id"):
        held.setdefault(cadre_id, set()).add(kind_id)
    missing = []
    for cadre in figures.cadres_of(region).select_related("region").order_by("region__path", "name")[:5000]:
        lacking = [k.name for k in expected if k.pk not in held.get(cadre.pk, set())]
        if lacking:
            missing.append((cadre, lacking))
    paired = Contact.objects.current(today)
    context = {
        "region": region,
        "missing": missing[:500],
        "missing_count": len(missing),
        "communities": Region.objects.within(region)
        .filter(level="community")
        .exclude(pk__in=paired.filter(community__isnull=False).values("community_id"))[:500],
        "enterprises": Enterprise.objects.within(region).exclude(pk__in=paired.filter(enterprise__isnull=False).values("enterprise_id"))[
            :500
        ],
        "regions": _regions(user, ("district", "street", "community"))[:500],
    }
    return render(request, "fieldwork/coverage.html", context)


# Items -----------------------------------------------------------------------------------------------------------


def _visible_items(user):
    if user.can_use_console:
        mine = Q(cadre_id=user.cadre_id) if user.cadre_id else Q(pk__in=[])
        return FollowUp.objects.filter(mine | Q(pk__in=scope(FollowUp.objects.all(), user).values("pk")))
    if user.cadre_id:
        return FollowUp.objects.filter(cadre_id=user.cadre_id)
    return FollowUp.objects.none()


@login_required
def items(request):
    rows = _visible_items(request.user).select_related("cadre", "region")
    status = request.GET.get("status", "")
    if status == "open":
        rows = rows.open()
    elif status in FollowUp.Status.values:
        rows = rows.filter(status=status)
    if request.GET.get("untold"):
        rows = rows.filter(status=FollowUp.Status.CLOSED, told_at__isnull=True).exclude(raiser_contact="")
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "fieldwork/items.html", {"page": page, "statuses": FollowUp.Status.choices, "status": status})


@login_required
@require_http_methods(["GET", "POST"])
def item(request, pk):
    user = request.user
    item = get_object_or_404(_visible_items(user).select_related("cadre", "region", "problem__unit", "entry", "meeting", "session"), pk=pk)
    if request.method == "POST":
        step = forms.ITEM_STEPS.get(request.POST.get("step"))
        with attempting(request, PermissionDenied):
            if step is None:
                raise ValidationError("未知的操作")
            step(request.POST, user=user, item=item).save()
            messages.success(request, _("Saved."))
        return redirect("fieldwork:item", item.pk)
    context = {
        "item": item,
        "steps": item.steps.select_related("actor"),
        "may_follow": actions.may_follow(user, item),
        "categories": Category.objects.filter(is_active=True),
        "told": actions.TOLD.items(),
    }
    return render(request, "fieldwork/item.html", context)


# Reception days --------------------------------------------------------------------------------------------------


@console_required
@require_http_methods(["GET", "POST"])
def receptions(request):
    user = request.user
    if request.method == "POST":
        with attempting(request, PermissionDenied):
            forms.ScheduleForm(request.POST, user=user).save()
            messages.success(request, _("Saved."))
            return redirect("fieldwork:receptions")
    today = timezone.localdate()
    schedules = scope(Schedule.objects.select_related("region").prefetch_related("cadres"), user)[:200]
    upcoming = (
        ReceptionDay.objects.filter(schedule__in=scope(Schedule.objects.all(), user), on__gte=today - dt.timedelta(days=31))
        .select_related("schedule__region")
        .prefetch_related("cadres")
        .order_by("on")[:100]
    )
    return render(
        request,
        "fieldwork/receptions.html",
        {"schedules": schedules, "sessions": upcoming, "today": today, "regions": _regions(user, ("street", "community"))[:500]},
    )


@login_required
@require_http_methods(["GET", "POST"])
def session(request, pk):
    user = request.user
    session = get_object_or_404(ReceptionDay.objects.select_related("schedule__region"), pk=pk)
    console = user.can_use_console and (user.is_system_admin or session.schedule.region.is_within(user.region))
    if not (console or actions.may_record_session(user, session)):
        raise Http404
    if request.method == "POST":
        with attempting(request, PermissionDenied):
            if request.POST.get("step") == "rota":
                if not console:
                    raise PermissionDenied
                forms.RotaForm(request.POST, user=user, session=session).save()
            else:
                forms.SessionRecordForm(request.POST, user=user, session=session).save()
            messages.success(request, _("Saved."))
        return redirect("fieldwork:session", session.pk)
    context = {
        "session": session,
        "cadres": session.cadres.all(),
        "items": session.items.select_related("cadre"),
        "console": console,
        "may_record": actions.may_record_session(user, session) and session.on <= timezone.localdate(),
    }
    return render(request, "fieldwork/session.html", context)


def public_receptions(request):
    """Upcoming reception days, for anyone: where, when, and who receives."""
    today = timezone.localdate()
    sessions = (
        ReceptionDay.objects.filter(on__gte=today, on__lte=today + dt.timedelta(days=62))
        .select_related("schedule__region")
        .prefetch_related("cadres")
    )
    region = None
    if request.GET.get("region"):
        region = Region.objects.filter(pk=posted_id(request.GET.get("region")) or 0).first()
        if region is None:
            raise Http404
        sessions = sessions.filter(schedule__region__path__startswith=region.path)
    page = Paginator(sessions.order_by("on", "schedule__region__path"), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "fieldwork/public_receptions.html", {"page": page, "region": region})


# Research topics and meetings ------------------------------------------------------------------------------------


@console_required
@require_http_methods(["GET", "POST"])
def topics(request):
    user = request.user
    if request.method == "POST":
        with attempting(request, PermissionDenied):
            step = forms.MeetingForm if request.POST.get("step") == "meeting" else forms.TopicForm
            step(request.POST, user=user).save()
            messages.success(request, _("Saved."))
            return redirect("fieldwork:topics")
    context = {
        "topics": scope(Topic.objects.select_related("owner", "region"), user)[:200],
        "meetings": scope(Meeting.objects.select_related("convener", "region", "topic"), user)[:200],
        "regions": _regions(user, ("district", "street", "community"))[:500],
        "kinds": Meeting.Kind.choices,
        "today": timezone.localdate(),
    }
    return render(request, "fieldwork/topics.html", context)


@console_required
@require_http_methods(["GET", "POST"])
def topic(request, pk):
    topic = get_for_user(request.user, Topic.objects.select_related("owner", "region"), pk=pk)
    if request.method == "POST":
        with attempting(request, PermissionDenied):
            forms.ConcludeTopicForm(request.POST, user=request.user, topic=topic).save()
            messages.success(request, _("Saved."))
        return redirect("fieldwork:topic", topic.pk)
    context = {"topic": topic, "team": topic.team.all(), "meetings": topic.meetings.all(), "today": timezone.localdate()}
    return render(request, "fieldwork/topic.html", context)


# 蹲点 --------------------------------------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def pairings(request):
    user = request.user
    if request.method == "POST":
        if not user.can_use_console:
            raise PermissionDenied
        with attempting(request, PermissionDenied):
            step = forms.ProjectForm if request.POST.get("step") == "project" else forms.PairingForm
            step(request.POST, user=user).save()
            messages.success(request, _("Saved."))
            return redirect("fieldwork:pairings")
    rows = Pairing.objects.select_related("project", "cadre", "senior")
    if user.can_use_console:
        rows = rows.filter(
            Q(pk__in=scope(Pairing.objects.all(), user).values("pk")) | Q(cadre_id=user.cadre_id) | Q(senior_id=user.cadre_id)
        )
    elif user.cadre_id:
        rows = rows.filter(Q(cadre_id=user.cadre_id) | Q(senior_id=user.cadre_id))
    else:
        raise PermissionDenied
    context = {
        "pairings": rows[:200],
        "projects": scope(Project.objects.all(), user)[:500] if user.can_use_console else [],
        "regions": _regions(user, ("district", "street", "community"))[:500] if user.can_use_console else [],
        "today": timezone.localdate(),
    }
    return render(request, "fieldwork/pairings.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def pairing(request, pk):
    user = request.user
    pairing = get_object_or_404(Pairing.objects.select_related("project__region", "cadre", "senior"), pk=pk)
    if not actions.may_record_activity(user, pairing):
        raise Http404
    if request.method == "POST":
        with attempting(request, PermissionDenied):
            forms.ActivityForm(request.POST, user=user, pairing=pairing).save()
            messages.success(request, _("Saved."))
        return redirect("fieldwork:pairing", pairing.pk)
    compliance = figures.compliance(pairing)
    context = {
        "pairing": pairing,
        "compliance": compliance,
        "rate": figures.percent(compliance.rate),
        "activities": pairing.activities.select_related("by")[:200],
        "kinds": Activity.Kind.choices,
        "today": timezone.localdate(),
    }
    return render(request, "fieldwork/pairing.html", context)


# Figures ---------------------------------------------------------------------------------------------------------


def _period(request) -> tuple[dt.date, dt.date]:
    today = timezone.localdate()
    start = typed_date(request.GET.get("start"), "start", "开始日期", default=dt.date(today.year, 1, 1))
    end = typed_date(
        request.GET.get("end"), "end", "结束日期", default=dt.date(today.year, 12, 31)
    )  # the year: whole months, from the rollups
    if end < start or (end - start).days > 366 * 3:
        raise ValidationError({"end": "结束日期应在开始日期之后，且期间不超过三年"})
    return start, end


def _cells(values) -> str:
    """A row's figures as table cells, made in one pass (a district's page shows hundreds)."""
    return format_html_join("", '<td class="num">{}</td>', ((value,) for value in values))


@console_required
def figures_page(request):
    user = request.user
    region = _shown_region(request)
    with attempting(request) as outcome:
        start, end = _period(request)
    if outcome.refused:  # the year's figures, beside the refusal
        today = timezone.localdate()
        start, end = dt.date(today.year, 1, 1), dt.date(today.year, 12, 31)
    status = outcome.status
    fmt = request.GET.get("format")
    if fmt == "xlsx":
        return attachment(exports.figures_workbook(region, start, end), f"{region.name}走基层工作统计.xlsx")
    if fmt == "docx":
        return attachment(exports.month_report(region, start), f"{region.name}{periods.label(start.replace(day=1))}走基层工作月报.docx")
    summary = figures.summary(region, start, end)
    cadres = figures.cadres_of(region).select_related("region").order_by("region__path", "name")
    page = Paginator(cadres, PAGE_SIZE).get_page(request.GET.get("page"))
    values = figures.cadre_figures([c.pk for c in page], start, end)
    context = {
        "region": region,
        "start": start,
        "end": end,
        "page": page,
        "summary": [
            (label, summary[key], definition)
            for key, label, definition in figures.SUMMARY_FIGURES + figures.CADRE_FIGURES
            if key in summary
        ],
        "columns": figures.CADRE_FIGURES,
        "rows": [(c, _cells(figures.shown(values[c.pk][key]) for key, _l, _d in figures.CADRE_FIGURES)) for c in page],
        "units": figures.by_unit(region, start, end) if request.GET.get("units") else None,
        "unit_columns": [f for f in figures.CADRE_FIGURES if f[0] not in figures.RATES],
        "month": end.strftime("%Y-%m"),
        "month_url": reverse("fieldwork:month", args=[1, "2000-01"]).removesuffix("1/2000-01/"),
        "regions": _regions(user, ("district", "street"))[:500],
    }
    return render(request, "fieldwork/figures.html", context, status=status)
