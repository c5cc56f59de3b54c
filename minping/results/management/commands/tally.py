from django.core.management.base import BaseCommand, CommandError

from minping.evaluations import lifecycle
from minping.evaluations.models import Campaign
from minping.results import tally


class Command(BaseCommand):
    help = "verify CAMPAIGN: recount every count of a closed campaign from its ballots and report any difference."

    def add_arguments(self, parser):
        parser.add_argument("action", choices=["verify"])
        parser.add_argument("campaign", type=int)

    def handle(self, action, campaign, **options):
        found = Campaign.objects.filter(pk=campaign).first()
        if found is None:
            raise CommandError(f"no campaign {campaign}")
        if not lifecycle.allows(found, "read_results"):
            raise CommandError(f"campaign {campaign} is still {found.status}: counts are made when it closes")
        problems = tally.verify(found)
        for problem in problems:
            self.stdout.write(problem)
        if problems:
            raise CommandError(f"{len(problems)} counts differ from the ballots")
        self.stdout.write(f"campaign {campaign}: every count agrees with the ballots")
