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
from minping.fieldwork import actions, exports, figures
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
from minping.org.models import Cadre, Enterprise, Household, Region

PAGE_SIZE = 50


def _cadres(user, text: str, field: str = "cadres") -> list[Cadre]:
    """Cadres named in `text` (separated by commas or 、), each found once among the cadres the user manages."""
    names = [n.strip() for n in text.replace("，", ",").replace("、", ",").split(",") if n.strip()]
    found = []
    for name in dict.fromkeys(names):
        matches = list(scope(Cadre.objects.filter(name=name), user).select_related("region")[:2])
        if not matches:
            raise ValidationError({field: f"找不到干部“{name}”"})
        if len(matches) > 1:
            raise ValidationError({field: f"有不止一位名叫“{name}”的干部，请在名册中核对"})
        found.append(matches[0])
    return found


def _cadre(user, text: str, field: str) -> Cadre:
    cadres = _cadres(user, text, field)
    if len(cadres) != 1:
        raise ValidationError({field: "请填写一位干部的姓名"})
    return cadres[0]


def _region(user, value, field: str = "region") -> Region:
    region = scope(Region.objects, user).filter(pk=posted_id(value) or 0).first()
    if region is None:
        raise ValidationError({field: "请选择区域"})
    return region


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
        contact = Contact.objects.filter(pk=posted_id(request.POST.get("contact")) or 0, cadre_id=user.cadre_id).first()
        with attempting(request, PermissionDenied) as outcome:
            if contact is None:
                raise ValidationError({"contact": "请选择您的联系点"})
            entry, created = actions.record_entry(
                actor=user,
                contact=contact,
                on=request.POST.get("on", ""),
                form=request.POST.get("form", ""),
                discussed=request.POST.get("discussed", ""),
                problems=request.POST.get("problems", ""),
                suggestions=request.POST.get("suggestions", ""),
                late_reason=request.POST.get("late_reason", ""),
                raiser_contact=request.POST.get("raiser_contact", ""),
                files=request.FILES.getlist("photos"),
                client_id=request.POST.get("id"),
            )
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
        step = request.POST.get("step")
        with attempting(request, PermissionDenied):
            if step == "review":
                actions.review_entry(actor=user, entry=entry, comment=request.POST.get("comment", ""))
            elif step == "edit":
                actions.edit_entry(
                    actor=user, entry=entry, reason=request.POST.get("reason", ""), **{f: request.POST.get(f, "") for f in actions.EDITABLE}
                )
            elif step == "item":
                if user.cadre_id != entry.cadre_id:
                    raise PermissionDenied
                actions.add_item(
                    actor=user,
                    kind=request.POST.get("kind", ""),
                    text=request.POST.get("text", ""),
                    cadre=entry.cadre,
                    region=entry.contact.region,
                    raised_by=request.POST.get("raised_by", "") or entry.contact.name,
                    raiser_kind=actions.raiser_kind_of(entry.contact),
                    raiser_contact=request.POST.get("raiser_contact", ""),
                    entry=entry,
                )
            else:
                raise ValidationError("未知的操作")
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
        "figures": [(label, values[key], definition) for key, label, definition in figures.CADRE_FIGURES if key != "cadence"],
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


def _record(user, kind: ContactKind, text: str):
    """The registry record a contact of `kind` names, looked up by what the user typed."""
    text = text.strip()
    source = kind.source
    if source == ContactKind.Source.PERSON:
        return None
    if not text:
        raise ValidationError({"record": f"请填写{kind.name}的名称"})
    if source == ContactKind.Source.COMMUNITY:
        found = scope(Region.objects.filter(name=text, level__in=["community", "grid"]), user)
    elif source == ContactKind.Source.ENTERPRISE:
        found = scope(Enterprise.objects.filter(Q(name=text) | Q(credit_code=text.upper())), user)
    elif source == ContactKind.Source.CADRE:
        found = scope(Cadre.objects.filter(name=text), user)
    else:
        found = scope(Household.objects.filter(code=text), user)
    found = list(found[:2])
    if not found:
        raise ValidationError({"record": f"名册中找不到“{text}”"})
    if len(found) > 1:
        raise ValidationError({"record": f"名册中有不止一个“{text}”"})
    return found[0]


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
                contact = get_object_or_404(Contact, pk=posted_id(request.POST.get("contact")) or 0, cadre=cadre)
                actions.end_contact(actor=user, contact=contact)
            else:
                kind = ContactKind.objects.filter(pk=posted_id(request.POST.get("kind")) or 0).first()
                if kind is None:
                    raise ValidationError({"kind": "请选择联系点类别"})
                actions.add_contact(
                    actor=user,
                    cadre=cadre,
                    kind=kind,
                    record=_record(user, kind, request.POST.get("record", "")),
                    name=request.POST.get("name", ""),
                    note=request.POST.get("note", ""),
                )
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
        step = request.POST.get("step")
        with attempting(request, PermissionDenied):
            if step == "propose":
                actions.propose_solution(actor=user, item=item, solution=request.POST.get("solution", ""))
            elif step == "act":
                actions.act_on_item(actor=user, item=item, note=request.POST.get("note", ""))
            elif step == "forward":
                category = Category.objects.filter(pk=posted_id(request.POST.get("category")) or 0, is_active=True).first()
                actions.forward_item(actor=user, item=item, category=category, address=request.POST.get("address", ""))
            elif step == "close":
                actions.close_item(actor=user, item=item, outcome=request.POST.get("outcome", ""))
            elif step == "tell":
                actions.tell_raiser(actor=user, item=item, how=request.POST.get("how", ""))
            else:
                raise ValidationError("未知的操作")
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
            actions.create_schedule(
                actor=user,
                region=_region(user, request.POST.get("region")),
                place=request.POST.get("place", ""),
                day=request.POST.get("day", ""),
                per_session=request.POST.get("per_session", "") or 2,
                months=request.POST.get("months", "") or 12,
                cadres=_cadres(user, request.POST.get("cadres", "")),
            )
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
                actions.set_rota(actor=user, session=session, cadres=_cadres(user, request.POST.get("cadres", "")))
            else:
                raised = [
                    {
                        "kind": kind,
                        "text": line,
                        "raised_by": request.POST.get("raised_by", ""),
                        "raiser_contact": request.POST.get("raiser_contact", ""),
                        "cadre": posted_id(request.POST.get("cadre")),
                    }
                    for kind in FollowUp.Kind.values
                    for line in actions.split_lines(request.POST.get(kind, ""), kind, "事项")
                ]
                actions.record_session(
                    actor=user,
                    session=session,
                    visitors=request.POST.get("visitors", ""),
                    notes=request.POST.get("notes", ""),
                    items=raised,
                )
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
            region = _region(user, request.POST.get("region"))
            if request.POST.get("step") == "meeting":
                topic = scope(Topic.objects.all(), user).filter(pk=posted_id(request.POST.get("topic")) or 0).first()
                actions.record_meeting(
                    actor=user,
                    region=region,
                    kind=request.POST.get("kind", ""),
                    title=request.POST.get("title", ""),
                    held_on=request.POST.get("held_on", ""),
                    convener=_cadre(user, request.POST.get("convener", ""), "convener"),
                    participants=request.POST.get("participants", ""),
                    documents=request.POST.get("documents", ""),
                    suggestions=request.POST.get("suggestions", ""),
                    notes=request.POST.get("notes", ""),
                    topic=topic,
                )
            else:
                actions.create_topic(
                    actor=user,
                    region=region,
                    title=request.POST.get("title", ""),
                    owner=_cadre(user, request.POST.get("owner", ""), "owner"),
                    team=_cadres(user, request.POST.get("team", ""), "team"),
                    deliverables=request.POST.get("deliverables", ""),
                    starts_on=request.POST.get("starts_on", ""),
                    due_on=request.POST.get("due_on", ""),
                )
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
            actions.conclude_topic(
                actor=request.user, topic=topic, conclusion=request.POST.get("conclusion", ""), on=request.POST.get("on") or None
            )
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
            if request.POST.get("step") == "project":
                actions.create_project(
                    actor=user,
                    region=_region(user, request.POST.get("region")),
                    name=request.POST.get("name", ""),
                    description=request.POST.get("description", ""),
                )
            else:
                project = get_for_user(user, Project.objects.select_related("region"), pk=posted_id(request.POST.get("project")) or 0)
                actions.create_pairing(
                    actor=user,
                    project=project,
                    cadre=_cadre(user, request.POST.get("cadre", ""), "cadre"),
                    senior=_cadre(user, request.POST.get("senior", ""), "senior"),
                    starts_on=request.POST.get("starts_on", ""),
                    ends_on=request.POST.get("ends_on", ""),
                    site_days_a_week=request.POST.get("site_days_a_week", "1"),
                    exchanges_a_month=request.POST.get("exchanges_a_month", "1"),
                    reports_a_month=request.POST.get("reports_a_month", "1"),
                )
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
            actions.record_activity(
                actor=user,
                pairing=pairing,
                kind=request.POST.get("kind", ""),
                on=request.POST.get("on", ""),
                title=request.POST.get("title", ""),
                text=request.POST.get("text", ""),
            )
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
        "unit_columns": [f for f in figures.CADRE_FIGURES if f[0] != "cadence"],
        "month": end.strftime("%Y-%m"),
        "month_url": reverse("fieldwork:month", args=[1, "2000-01"]).removesuffix("1/2000-01/"),
        "regions": _regions(user, ("district", "street"))[:500],
    }
    return render(request, "fieldwork/figures.html", context, status=status)
