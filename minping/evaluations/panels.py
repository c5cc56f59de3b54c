"""Places on a campaign's console page that modules built on evaluations fill in (results shows its denominator
policy there), so that evaluations renders them without importing those modules."""

from collections.abc import Callable

from django.http import HttpRequest
from django.utils.safestring import SafeString

CAMPAIGN_FACTS: list[Callable[[HttpRequest, object], SafeString]] = []  # rendered as <dt>/<dd> pairs


def campaign_fact(render: Callable[[HttpRequest, object], SafeString]):
    """Register a function (request, campaign) → HTML for the campaign page's list of facts."""
    CAMPAIGN_FACTS.append(render)
    return render


BALLOT_NOTES: list[Callable[[object], SafeString]] = []  # rendered above the questions of the ballot page


def ballot_note(render: Callable[[object], SafeString]):
    """Register a function (campaign) → HTML shown to voters above the ballot's questions (the subjects' duty
    reports); it must not depend on the voter."""
    BALLOT_NOTES.append(render)
    return render
