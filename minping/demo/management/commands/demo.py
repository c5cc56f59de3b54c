import json
import secrets
import time

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand
from django.db import transaction

from minping.accounts.models import User
from minping.demo.assessment import seed_assessment
from minping.demo.campaigns import seed_campaigns
from minping.demo.campaigns import slips as demo_slips
from minping.demo.commitments import seed_commitments
from minping.demo.fieldwork import seed_fieldwork
from minping.demo.grid import seed_grid
from minping.demo.seed import seed_district
from minping.demo.surveys import seed_surveys
from minping.evaluations.codes import format_short
from minping.org.models import Cadre, Region, Unit

DISTRICT = "明湖区"


class Command(BaseCommand):
    help = "Create the embedded database, seed a synthetic district once, print demo logins and serve it."

    def add_arguments(self, parser):
        parser.add_argument("--port", type=int, default=8000)
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--residents", type=int, default=50_000)
        parser.add_argument("--no-serve", action="store_true", help="seed and print, but do not serve")

    def progress(self):
        """A function that prints each finished step of the seeding with the seconds it took."""
        last = [time.monotonic()]

        def step(what: str) -> None:
            now = time.monotonic()
            self.stdout.write(f"  {what}: {now - last[0]:.0f} s")
            self.stdout.flush()
            last[0] = now

        return step

    def handle(self, *args, **options):
        call_command("migrate", verbosity=0, interactive=False)
        call_command("collectstatic", verbosity=0, interactive=False)
        district = Region.objects.filter(name=DISTRICT, parent__isnull=True).first()
        data = settings.DATA_DIR
        slips, slip_codes = data / "demo-slips.pdf", data / "demo-slips.json"
        codes_file, large_file, phone_file = data / "demo-codes.txt", data / "demo-codes-30.txt", data / "demo-phone-codes.txt"
        survey_file = data / "demo-survey-codes.txt"
        if district is None:
            self.stdout.write(f"Seeding the demo district {DISTRICT} ({options['residents']} residents), about two minutes:")
            step = self.progress()
            district = seed_district(name=DISTRICT, residents=options["residents"])
            step("regions, units, cadres and residents")
            logins = demo_users(district)
            organiser = User.objects.get(username="organiser")
            seeded = seed_campaigns(actor=organiser, district=district)
            step("campaigns, their ballots cast through the voters' own path")
            seed_commitments(
                organiser=organiser,
                office=User.objects.get(username="office"),
                cadre_user=User.objects.get(username="cadre"),
                district=district,
                open_campaign=seeded["open"],
            )
            step("a quarter of commitments")
            seed_grid(
                district=district,
                organiser=organiser,
                office=User.objects.get(username="office"),
                grid_user=User.objects.get(username="grid"),
                handler=User.objects.get(username="handler"),
            )
            step("a year of grid visits and problems")
            seed_fieldwork(
                district=district,
                organiser=organiser,
                office=User.objects.get(username="office"),
                cadre_user=User.objects.get(username="cadre"),
            )
            step("a year of field work")
            seed_assessment(
                district=district,
                organiser=organiser,
                office=User.objects.get(username="office"),
                cadre_user=User.objects.get(username="cadre"),
            )
            step("two years of the composite assessment")
            surveyed = seed_surveys(
                district=district,
                organiser=organiser,
                office=User.objects.get(username="office"),
                interviewer=User.objects.get(username="interviewer"),
            )
            survey_file.write_text(
                "".join(f"{name}: {' '.join(format_short(c) for c in codes)}\n" for name, codes in surveyed["sheets"].items())
            )
            step("a phone survey and a sample audit")
            codes_file.write_text("".join(f"{format_short(c)}\n" for c in seeded["codes"]))
            large_file.write_text("".join(f"{format_short(c)}\n" for c in seeded["large_codes"]))
            phone_file.write_text("".join(f"{format_short(c)}\n" for c in seeded["phone_codes"]))
            slip_codes.write_text(json.dumps(seeded["slips"], ensure_ascii=False))
            slip_codes.chmod(0o600)
        else:
            self.stdout.write(f"Reusing the demo district {DISTRICT} in {settings.DATABASES['default']['NAME']}.")
            logins = demo_users(district)
        url = f"http://{options['host']}:{options['port']}/"
        self.stdout.write("\nDemo logins (username / password / role):")
        for username, password, role in logins:
            self.stdout.write(f"  {username:<12} {password:<24} {role}")
        self.stdout.write(f"\nConsole: {url}   Admin: {url}admin/   Public notice of results: {url}notice/")
        if slip_codes.exists():  # drawn for the address served now
            slips.write_bytes(demo_slips(f"{url}v/", json.loads(slip_codes.read_text())))
        if codes_file.exists():
            codes = codes_file.read_text().split()
            self.stdout.write(f"Vote in the open demo campaign at {url}v/ with one of these codes: {', '.join(codes[:5])}")
        if large_file.exists():
            codes = large_file.read_text().split()
            self.stdout.write(f"or in the open 30-person campaign, one page a person on a phone: {', '.join(codes[:5])}")
            self.stdout.write(f"(all their codes: {codes_file} and {large_file}; their QR slips, for {url}v/: {slips})")
        if phone_file.exists():
            phone = phone_file.read_text().split()
            self.stdout.write(
                f"Telephone interviews: log in as interviewer at {url}interview/ and use a phone code: "
                f"{', '.join(phone[:3])} (all of them: {phone_file})\n"
            )
        if survey_file.exists():
            self.stdout.write(
                f"A phone survey: log in as interviewer at {url}; the first page links the survey's next number (电话督评). Key "
                f"the answers with a code of the number's community from {survey_file}; organisers see it at {url}surveys/\n"
            )
        if not options["no_serve"]:
            call_command("serve", host=options["host"], port=options["port"], no_collect=True)


@transaction.atomic
def demo_users(district: Region) -> list[tuple[str, str, str]]:
    """One user per role, created once; passwords live in the data directory so a re-run prints the same."""
    street = district.children.order_by("pk").first()
    community = street.children.order_by("pk").first()
    grid = community.children.order_by("pk").first()
    cadre = Cadre.objects.filter(region=community, posts__category="secretary").first()
    unit = Unit.objects.filter(region=street).order_by("pk").first()
    plan = [
        ("admin", User.Role.ADMIN, None, {}),
        ("organiser", User.Role.ORGANISER, district, {}),
        ("office", User.Role.OFFICE, street, {}),
        ("community", User.Role.OFFICE, community, {}),
        ("cadre", User.Role.CADRE, community, {"cadre": cadre}),
        ("handler", User.Role.HANDLER, street, {"unit": unit}),
        ("grid", User.Role.GRID_WORKER, grid, {}),
        ("interviewer", User.Role.INTERVIEWER, district, {}),
    ]
    store = settings.DATA_DIR / "demo-logins.txt"
    saved = dict(line.split(" ", 1) for line in store.read_text().splitlines()) if store.exists() else {}
    logins = []
    for username, role, region, extra in plan:
        password = saved.get(username) or secrets.token_urlsafe(9)
        user = User.objects.filter(username=username).first()
        if user is None:
            user = User(username=username, role=role, region=region, **extra)
            user.is_staff = user.is_superuser = role == User.Role.ADMIN
            user.set_password(password)
            user.save()
        elif username not in saved:
            user.set_password(password)
            user.save(update_fields=["password"])
        saved[username] = password
        logins.append((username, password, f"{user.get_role_display()} · {region.name if region else '全部'}"))
    store.parent.mkdir(parents=True, exist_ok=True)
    store.write_text("".join(f"{u} {p}\n" for u, p in saved.items()))
    store.chmod(0o600)
    return logins
