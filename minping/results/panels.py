"""What results add to the campaign's console page (evaluations.panels)."""

from django.template.loader import render_to_string

from minping.evaluations import lifecycle
from minping.evaluations.panels import campaign_fact
from minping.results.figures import policy_for
from minping.results.models import Policy


@campaign_fact
def denominator(request, campaign):
    return render_to_string(
        "results/_denominator_fact.html",
        {
            "campaign": campaign,
            "policy": policy_for(campaign),
            "denominators": Policy.Denominator.choices,
            "can_choose": lifecycle.allows(campaign, "choose_denominator"),
        },
        request=request,
    )
