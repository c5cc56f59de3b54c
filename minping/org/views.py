"""The organiser console: adapters that read through the scope and write through the actions."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from minping.accounts.scoping import console_required, get_for_user, scope
from minping.lib.feedback import refused
from minping.lib.identity import clean_text, id_digest, parse_id_number
from minping.org import actions
from minping.org.forms import RegionForm, RenameRegionForm
from minping.org.lookup import RegionIndex
from minping.org.models import (
    Cadre,
    Enterprise,
    Household,
    Post,
    Region,
    Resident,
    Unit,
)

PAGE_SIZE = 50


def _page(request, queryset):
    return Paginator(queryset, PAGE_SIZE).get_page(request.GET.get("page"))


def _region_filter(request, queryset):
    """Narrow a list to the subtree of ?region=, itself checked against the user's scope."""
    region_id = request.GET.get("region")
    if not region_id:
        return queryset, None
    region = get_for_user(request.user, Region.objects, pk=region_id)
    return queryset.within(region), region


def _roots(user):
    if user.is_system_admin:
        return Region.objects.roots()
    return Region.objects.filter(pk=user.region_id)


@login_required
def home(request):
    if not request.user.can_use_console:
        return redirect("home")  # every role's workbench
    counts = {
        _("Regions"): scope(Region.objects, request.user).count(),
        _("Units"): scope(Unit.objects, request.user).count(),
        _("Cadres"): scope(Cadre.objects, request.user).count(),
        _("Enterprises"): scope(Enterprise.objects, request.user).count(),
        _("Households"): scope(Household.objects, request.user).count(),
        _("Residents"): scope(Resident.objects, request.user).count(),
    }
    return render(request, "org/home.html", {"counts": counts, "roots": _roots(request.user)})


@console_required
def region_tree(request):
    return render(request, "org/region_tree.html", {"roots": _roots(request.user).annotate(n_children=Count("children"))})


@console_required
def region_children(request, pk):
    region = get_for_user(request.user, Region.objects, pk=pk)
    children = region.children.annotate(n_children=Count("children")).order_by("name")
    return render(request, "org/_region_children.html", {"children": children})


@console_required
def region_detail(request, pk):
    region = get_for_user(request.user, Region.objects, pk=pk)
    context = {
        "region": region,
        "ancestors": [a for a in region.ancestors() if request.user.is_system_admin or a.is_within(request.user.region)],
        "children": region.children.order_by("name"),
        "units": region.units.all()[:50],
        "counts": {
            "residents": Resident.objects.within(region).count(),
            "households": Household.objects.within(region).count(),
            "enterprises": Enterprise.objects.within(region).count(),
            "cadres": Cadre.objects.within(region).count(),
        },
        "form": RegionForm(),
        "rename_form": RenameRegionForm(initial={"name": region.name, "code": region.code}),
    }
    return render(request, "org/region_detail.html", context)


@console_required
@require_POST
def region_create(request, pk):
    parent = get_for_user(request.user, Region.objects, pk=pk)
    form = RegionForm(request.POST)
    if form.is_valid():
        try:
            region = actions.create_region(actor=request.user, parent=parent, **form.cleaned_data)
        except ValidationError as exc:
            refused(request, exc)
        else:
            messages.success(request, _("Region created."))
            return redirect("org:region-detail", pk=region.pk)
    else:
        messages.error(request, _("Please check the form."))
    return redirect("org:region-detail", pk=parent.pk)


@console_required
@require_POST
def region_rename(request, pk):
    region = get_for_user(request.user, Region.objects, pk=pk)
    form = RenameRegionForm(request.POST)
    if form.is_valid():
        try:
            actions.rename_region(actor=request.user, region=region, **form.cleaned_data)
            messages.success(request, _("Region saved."))
        except ValidationError as exc:
            refused(request, exc)
    return redirect("org:region-detail", pk=region.pk)


@console_required
@require_POST
def region_move(request, pk):
    region = get_for_user(request.user, Region.objects, pk=pk)
    target = RegionIndex(None if request.user.is_system_admin else request.user.region).resolve(
        clean_text(request.POST.get("parent_path", ""))
    )
    if target is None:
        messages.error(request, _("The new parent region does not exist or is outside your area."))
        return redirect("org:region-detail", pk=region.pk)
    new_parent = get_for_user(request.user, Region.objects, pk=target[0])
    try:
        actions.move_region(actor=request.user, region=region, new_parent=new_parent)
        messages.success(request, _("Region moved."))
    except ValidationError as exc:
        refused(request, exc)
    return redirect("org:region-detail", pk=region.pk)


def _searched(queryset, q: str, *fields: str):
    if not q:
        return queryset
    condition = Q()
    for field in fields:
        condition |= Q(**{field: q})
    return queryset.filter(condition)


def _person_search(queryset, q: str):
    """Names by prefix, phones by their last digits, ID numbers whole (matched by digest)."""
    if not q:
        return queryset
    try:
        number, _gender, _year = parse_id_number(q)
        return queryset.filter(id_digest=id_digest(number))
    except ValueError:
        pass
    if q.isdigit():
        return queryset.filter(phone__endswith=q)
    return queryset.filter(name__startswith=q)


def _list(request, queryset, template, search, **extra):
    q = clean_text(request.GET.get("q", ""))[:50]
    queryset, region = _region_filter(request, scope(queryset, request.user))
    queryset = search(queryset, q)
    return render(request, template, {"page": _page(request, queryset), "q": q, "region": region, **extra})


@console_required
def unit_list(request):
    kind = request.GET.get("kind", "")
    queryset = Unit.objects.select_related("region").order_by("name")
    if kind in Unit.Kind.values:
        queryset = queryset.filter(kind=kind)
    search = lambda qs, q: _searched(qs, q, "name__contains")  # noqa: E731
    return _list(request, queryset, "org/unit_list.html", search, kinds=Unit.Kind.choices, kind=kind)


@console_required
def cadre_list(request):
    category = request.GET.get("category", "")
    queryset = Cadre.objects.select_related("region").order_by("name", "pk")
    if category in Post.Category.values:
        queryset = queryset.filter(posts__category=category, posts__ended_on__isnull=True).distinct()
    return _list(request, queryset, "org/cadre_list.html", _person_search, categories=Post.Category.choices, category=category)


@console_required
def cadre_detail(request, pk):
    cadre = get_for_user(request.user, Cadre.objects.select_related("region"), pk=pk)
    posts = cadre.posts.select_related("unit", "region").order_by("ended_on", "-started_on")
    return render(request, "org/cadre_detail.html", {"cadre": cadre, "posts": posts})


@console_required
def enterprise_list(request):
    queryset = Enterprise.objects.select_related("region").order_by("name")
    search = lambda qs, q: _searched(qs, q, "name__contains", "credit_code")  # noqa: E731
    return _list(request, queryset, "org/enterprise_list.html", search)


@console_required
def household_list(request):
    queryset = Household.objects.select_related("region").annotate(n_residents=Count("residents")).order_by("code")
    search = lambda qs, q: _searched(qs, q, "code", "address__contains")  # noqa: E731
    return _list(request, queryset, "org/household_list.html", search)


@console_required
def resident_list(request):
    queryset = Resident.objects.select_related("region", "household").order_by("pk")
    return _list(request, queryset, "org/resident_list.html", _person_search)
