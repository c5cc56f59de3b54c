"""The audit log's console page. It lives here, above the audit app, so that audit imports nothing from accounts:
every module's actions record events downward, and the page that reads them is a console page like any other."""

from django.core.paginator import Paginator
from django.shortcuts import render
from django.urls import path

from minping.accounts.scoping import console_required
from minping.audit.models import AuditEvent


@console_required
def event_list(request):
    """System administrators see every event; other console users see the events they caused."""
    events = AuditEvent.objects.all()
    if not request.user.is_system_admin:
        events = events.filter(actor=request.user)
    page = Paginator(events, 50).get_page(request.GET.get("page"))
    return render(request, "accounts/audit_log.html", {"page": page})


app_name = "audit"
urlpatterns = [path("", event_list, name="event-list")]
