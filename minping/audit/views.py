from django.core.paginator import Paginator
from django.shortcuts import render

from minping.accounts.scoping import console_required
from minping.audit.models import AuditEvent


@console_required
def event_list(request):
    """System administrators see every event; other console users see the events they caused."""
    events = AuditEvent.objects.all()
    if not request.user.is_system_admin:
        events = events.filter(actor=request.user)
    page = Paginator(events, 50).get_page(request.GET.get("page"))
    return render(request, "audit/event_list.html", {"page": page})
