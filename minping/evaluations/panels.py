"""Places on a campaign's console page that modules built on evaluations fill in (results shows its denominator
policy there), so that evaluations renders them without importing those modules."""

from typing import Callable

from django.http import HttpRequest
from django.utils.safestring import SafeString

CAMPAIGN_FACTS: list[Callable[[HttpRequest, object], SafeString]] = []  # rendered as <dt>/<dd> pairs


def campaign_fact(render: Callable[[HttpRequest, object], SafeString]):
    """Register a function (request, campaign) → HTML for the campaign page's list of facts."""
    CAMPAIGN_FACTS.append(render)
    return render
