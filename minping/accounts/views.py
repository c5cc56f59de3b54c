from django import forms
from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.auth.decorators import login_required
from django.contrib.auth.forms import AuthenticationForm
from django.contrib.auth.views import LoginView as BaseLoginView
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_http_methods, require_POST

from minping.accounts import actions, ratelimit, workbench
from minping.accounts.models import ApiKey
from minping.accounts.scoping import console_required
from minping.lib.feedback import attempt, refused


class ThrottledLogin:
    """Login forms (the site's and the admin's) that wait out the growing delays of accounts.ratelimit."""

    def clean(self):
        username = self.cleaned_data.get("username") or ""
        client = self.request.META.get("REMOTE_ADDR", "") if self.request else ""
        wait = ratelimit.wait_seconds(username, client)
        if wait:
            raise forms.ValidationError(_("Too many failed logins. Try again in %(seconds)s seconds.") % {"seconds": wait}, code="blocked")
        try:
            cleaned = super().clean()
        except forms.ValidationError:
            ratelimit.record_failure(username, client)
            raise
        ratelimit.clear_failures(username, client)
        return cleaned


class RateLimitedAuthenticationForm(ThrottledLogin, AuthenticationForm):
    pass


class RateLimitedAdminAuthenticationForm(ThrottledLogin, AdminAuthenticationForm):
    pass


class LoginView(BaseLoginView):
    form_class = RateLimitedAuthenticationForm
    template_name = "accounts/login.html"
    redirect_authenticated_user = True


@console_required
@require_http_methods(["GET", "POST"])
def api_keys(request):
    """The user's API keys (every key, for a system administrator): create one, shown in clear once; revoke."""
    created = None
    if request.method == "POST":
        try:
            created = actions.create_api_key(actor=request.user, user=request.user, name=request.POST.get("name", ""))
        except ValidationError as exc:
            refused(request, exc)
    keys = ApiKey.objects.select_related("user").order_by("-pk")
    if not request.user.is_system_admin:
        keys = keys.filter(user=request.user)
    response = render(
        request,
        "accounts/api_keys.html",
        {"keys": keys, "created": created},
        status=400 if request.method == "POST" and created is None else 200,
    )
    response["Cache-Control"] = "no-store"  # the page that shows a key in clear is never cached
    return response


@console_required
@require_POST
def api_key_revoke(request, pk):
    keys = ApiKey.objects.all() if request.user.is_system_admin else ApiKey.objects.filter(user=request.user)
    attempt(request, actions.revoke_api_key, done=_("The key was revoked."), key=get_object_or_404(keys, pk=pk))
    return redirect("accounts:api-keys")


@login_required
def home(request):
    """The user's workbench: the work their role can do now, gathered from every module."""
    user = request.user
    return render(
        request, "accounts/home.html", {"sections": workbench.sections_for(user), "role": user.get_role_display(), "region": user.region}
    )
