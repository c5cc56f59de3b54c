from django.core.management.base import BaseCommand, CommandError

from minping.accounts.actions import create_api_key, revoke_api_key
from minping.accounts.models import ApiKey, User


class Command(BaseCommand):
    help = "API keys: `minping apikey create USERNAME NAME` prints a new key once; `revoke PREFIX` revokes one. Both are audited."

    def add_arguments(self, parser):
        parser.add_argument("action", choices=["create", "revoke"])
        parser.add_argument("target", help="username (create) or key prefix (revoke)")
        parser.add_argument("name", nargs="?", default="api")

    def handle(self, *args, action, target, name, **options):
        if action == "create":
            user = User.objects.filter(username=target).first()
            if user is None:
                raise CommandError(f"no user {target!r}")
            self.stdout.write(create_api_key(actor=None, user=user, name=name))
            return
        key = ApiKey.objects.filter(prefix=target).first()
        if key is None:
            raise CommandError(f"no key with prefix {target!r}")
        revoke_api_key(actor=None, key=key)
