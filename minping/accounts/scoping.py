"""The one mechanism that limits what a user reads and writes to their region's subtree."""

from functools import wraps

from django.core.exceptions import PermissionDenied
from django.http import Http404


def scope(queryset, user):
    """`queryset` reduced to the rows inside `user`'s subtree (all rows for a system administrator)."""
    if user.is_system_admin:
        return queryset
    if not user.is_authenticated or user.region_id is None:
        return queryset.none()
    return queryset.within(user.region)


def accounts_in_scope(queryset, user):
    """`queryset` of accounts reduced to those whose region is inside `user`'s subtree (all of them for a system
    administrator): the people a console user may name as raters, interviewers and the like."""
    if user.is_system_admin:
        return queryset
    return queryset.filter(region__path__startswith=user.region.path) if user.region_id else queryset.none()


def get_for_user(user, queryset, **lookup):
    """One object inside the user's subtree, or 404: an outsider cannot even learn that it exists."""
    try:
        return scope(queryset, user).get(**lookup)
    except (queryset.model.DoesNotExist, ValueError):
        raise Http404 from None


def ensure_region_in_scope(user, region) -> None:
    """Writes name a region: refuse any region outside the user's subtree."""
    if user.is_system_admin:
        return
    if user.region_id is None or region is None or not region.is_within(user.region):
        raise PermissionDenied("该区域不在您的管辖范围内")


def console_required(view):
    """Views of the organiser console: logged in with a console role, else login or 403."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not request.user.is_authenticated:
            from django.contrib.auth.views import redirect_to_login

            return redirect_to_login(request.get_full_path())
        if not request.user.can_use_console:
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return wrapper
