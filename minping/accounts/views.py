from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.contrib.auth.views import LoginView as BaseLoginView
from django.utils.translation import gettext_lazy as _

from minping.accounts import ratelimit


class RateLimitedAuthenticationForm(AuthenticationForm):
    error_messages = {
        **AuthenticationForm.error_messages,
        "blocked": _("Too many failed logins. Try again in 15 minutes."),
    }

    def clean(self):
        username = self.cleaned_data.get("username") or ""
        address = self.request.META.get("REMOTE_ADDR", "")
        if ratelimit.is_blocked(username, address):
            raise forms.ValidationError(self.error_messages["blocked"], code="blocked")
        try:
            cleaned = super().clean()
        except forms.ValidationError:
            ratelimit.record_failure(username, address)
            raise
        ratelimit.clear_failures(username)
        return cleaned


class LoginView(BaseLoginView):
    form_class = RateLimitedAuthenticationForm
    template_name = "accounts/login.html"
    redirect_authenticated_user = True
