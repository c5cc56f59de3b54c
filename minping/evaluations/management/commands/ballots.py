from django.core.management.base import BaseCommand, CommandError

from minping.evaluations.actions.shuffle import cast_count
from minping.evaluations.ballots import verify_ballot_box
from minping.evaluations.models import Campaign


class Command(BaseCommand):
    help = (
        "`minping ballots verify CAMPAIGN` recomputes every ballot's digest and the chain head and reconciles "
        "ballots with used codes; `minping ballots reconcile` checks ballots = used codes ≤ issued codes for "
        "every campaign."
    )

    def add_arguments(self, parser):
        parser.add_argument("action", choices=["verify", "reconcile"])
        parser.add_argument("campaign", nargs="?", type=int)

    def handle(self, *args, action, campaign, **options):
        if action == "verify":
            if campaign is None:
                raise CommandError("name the campaign: minping ballots verify CAMPAIGN_ID")
            found = Campaign.objects.filter(pk=campaign).first()
            if found is None:
                raise CommandError(f"no campaign {campaign}")
            campaigns = [found]
        else:
            campaigns = list(Campaign.objects.exclude(status=Campaign.Status.DRAFT))
        failed = False
        for item in campaigns:
            problems = verify_ballot_box(item) if action == "verify" else self._reconcile(item)
            ballots = cast_count(item)
            if problems:
                failed = True
                for problem in problems:
                    self.stderr.write(f"campaign {item.pk} ({item.name}): {problem}")
            else:
                head = f"; chain head {item.head_at_close}" if action == "verify" and item.head_at_close else ""
                self.stdout.write(f"campaign {item.pk} ({item.name}): {ballots} ballots reconcile with used codes{head}")
        if failed:
            raise CommandError("the ballot box does not reconcile")

    def _reconcile(self, campaign) -> list[str]:
        ballots = cast_count(campaign)
        used = campaign.codes.filter(status="used").count()
        issued = campaign.codes.count()
        problems = []
        if ballots != used:
            problems.append(f"{ballots} ballots but {used} used codes")
        if used > issued:
            problems.append(f"{used} used codes exceed the {issued} issued")
        return problems
