from django.core.management.base import BaseCommand, CommandError

from minping.audit.actions import verify_chain


class Command(BaseCommand):
    help = "Audit log tools. `minping audit verify` recomputes the hash chain."

    def add_arguments(self, parser):
        parser.add_argument("subcommand", choices=["verify"])

    def handle(self, *args, **options):
        checked, broken, reason = verify_chain()
        if reason:
            where = f"entry #{broken.seq} ({broken.action} {broken.object_repr})" if broken else "the chain head"
            raise CommandError(f"Audit chain broken at {where}: {reason}. {checked} entries before it are intact.")
        self.stdout.write(f"Audit chain intact: {checked} entries.")
