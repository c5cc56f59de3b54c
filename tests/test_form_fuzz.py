"""Every form of every page, posted with values no browser would send, and every page asked with such values in its
query string, answers with a page or a refusal, never with a server error: for the public and for each kind of
console user. The pages come from the URL configuration, the forms and their fields from the pages."""

import html
import re

from django.urls import URLPattern, URLResolver, get_resolver

from minping.accounts.models import User
from minping.commitments import actions as commitments
from minping.evaluations.actions import casting
from minping.results import actions as results_actions
from minping.results.actions import close_campaign
from tests.base import BaseTestCase
from tests.committing import published_form
from tests.evaluating import full_answers, make_campaign
from tests.fieldworking import field_work

VALUES = [
    "",
    "0",
    "-1",
    "99999999999999999999",
    "1e400",
    "NaN",
    "abc",
    "x" * 3000,
    "９",
    "2026-13-45",
    "9999-12-31T23:59",
    "0001-01-01",
    "<script>",
    "1.5",
    "' OR 1=1 --",
    "í\xa0\x80",
]
FORM = re.compile(r'<form[^>]*method="post"[^>]*>.*?</form>', re.S | re.I)
SKIPPED = ("/i18n/", "/accounts/logout/", "/admin/")
QUERY = ("page", "region", "q", "kind", "category", "register", "month", "status", "format")  # every query parameter a view reads


def patterns(resolver, prefix=""):
    for pattern in resolver.url_patterns:
        if isinstance(pattern, URLResolver):
            yield from patterns(pattern, prefix + str(pattern.pattern))
        elif isinstance(pattern, URLPattern):
            yield prefix + str(pattern.pattern)


class FormFuzzTest(BaseTestCase):
    def setUp(self):
        draft, _group, _pairs = make_campaign(self, open_it=False)
        opened, _group, _pairs = make_campaign(self, channels=("qr", "paper", "online", "phone"))
        closed, _group, pairs = make_campaign(self)
        published, _group, published_pairs = make_campaign(self)
        for campaign, codes in ((closed, pairs), (published, published_pairs)):
            casting.cast_ballot(campaign=campaign, code=codes[0][0], answers=full_answers(campaign))
            close_campaign(actor=self.organiser_a, campaign=campaign)
        results_actions.publish(actor=self.organiser_a, campaign=published)  # its public notice takes objections
        form = published_form(self, items=2)  # commitments: a posted form, a sample, a quarter, a duty report
        commitments.draw_sample(actor=self.organiser_a, region=self.district_a, month=form.month, size=1)
        commitments.assess_quarter(
            actor=self.organiser_a, region=self.district_a, year=form.month.year, quarter=(form.month.month - 1) // 3 + 1
        )
        commitments.write_duty_report(actor=self.cadre_user, subject=opened.subjects.first(), text="述职")
        field_work(self)  # field work: contacts, an entry, items at each stage, a reception day, a topic, a pairing
        self.ids = sorted({draft.pk, opened.pk, closed.pk, published.pk, 1, 2})

    def pages(self):
        found = set()
        for pattern in patterns(get_resolver()):
            if pattern.startswith("^") or pattern.startswith("api/"):
                continue
            for pk in self.ids:
                url = "/" + re.sub(r"<(?:int|id):\w+>", str(pk), pattern)
                found.add(re.sub(r"<(?:\w+:)?\w+>", "x", url))
        return sorted(found)

    def forms(self, page):
        response = self.client.get(page)
        if response.status_code != 200 or "text/html" not in response.get("Content-Type", ""):
            return
        for form in FORM.findall(response.content.decode()):
            action = re.search(r'action="([^"]*)"', form)
            action = html.unescape(action.group(1)) if action and action.group(1) else page
            names = sorted(set(re.findall(r'name="([^"]+)"', form)) - {"csrfmiddlewaretoken"})
            if names and not action.startswith(SKIPPED):
                yield action, names

    def test_no_form_fails_with_a_server_error(self):
        interviewer = User.objects.create_user("caller", role=User.Role.INTERVIEWER, region=self.district_a)
        for persona in (None, self.organiser_a, self.office_a, self.cadre_user, self.grid_worker, interviewer):
            if persona is None:  # the public: the voter's pages, the ballot box, the notice of results
                self.client.logout()
            else:
                self.client.force_login(persona)
            posted = set()
            for page in self.pages():
                for action, names in self.forms(page):
                    if (action, tuple(names)) in posted:
                        continue
                    posted.add((action, tuple(names)))
                    for value in VALUES:
                        with self.subTest(user=persona and persona.username, action=action, value=value[:12]):
                            response = self.client.post(action, {name: value for name in names})
                            self.assertLess(response.status_code, 500)
            if persona is self.organiser_a:
                self.assertGreater(len(posted), 20)  # the crawl reached the console's forms

    def test_no_query_string_fails_with_a_server_error(self):
        for persona in (None, self.organiser_a):
            if persona is not None:
                self.client.force_login(persona)
            for page in self.pages():
                if page.startswith(SKIPPED):
                    continue
                for value in VALUES:
                    with self.subTest(user=persona and persona.username, page=page, value=value[:12]):
                        response = self.client.get(page, {name: value for name in QUERY})
                        self.assertLess(response.status_code, 500)
