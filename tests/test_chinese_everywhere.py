"""Chinese on every page: each role (and the public) follows every link it is shown, from its home, through the
pages of an open, a closed and a published campaign; no page may show English words outside the language menu.
Error pages (403, 404 and 500) are checked too, as each role meets them."""

import html
import re
from collections import deque
from urllib.parse import urlsplit

from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from minping.commitments import actions as commitments
from minping.commitments import periods
from minping.evaluations.actions import casting
from minping.org.models import Unit
from minping.results.actions import close_campaign, publish
from tests.base import BaseTestCase
from tests.committing import item_data, published_form
from tests.evaluating import full_answers, make_campaign
from tests.fieldworking import field_work
from tests.test_evidence import photo

# Words that are the same in Chinese text: product and file-format names, and units.
ALLOWED = {
    "Minping",
    "Excel",
    "Word",
    "PDF",
    "CSV",
    "xlsx",
    "docx",
    "API",
    "OpenAPI",
    "QR",
    "SVG",
    "JSON",
    "ID",
    "GB",
    "MB",
    "KB",
    "WPS",
    "UTF",
    "Wilson",
    "SHA",
    "URL",
    "HTTPS",
    "SMS",
    "GB18030",
    "JavaScript",
    "jpg",
}
SKIPPED = ("/admin/", "/api/", "/static/", "/i18n/", "/files/", "/healthz")
WORD = re.compile(r"[A-Za-z][A-Za-z']{2,}")
TECHNICAL = [
    re.compile(r"<(script|style)\b.*?</\1>", re.S),
    re.compile(r'<form action="/i18n/setlang/".*?</form>', re.S),  # the language menu names its languages
    re.compile(r"<code\b[^>]*>.*?</code>", re.S),  # hashes, codes, trackers and keys shown as such
    re.compile(r'<span class="who">.*?</span>', re.S),  # the user's own name
    re.compile(r"<[^>]+>"),
]
NOISE = [
    re.compile(p)
    for p in (
        r"\b(admin|org_[ab]|office_a|cadre_a|grid_a|caller_a|handler_a)\b",  # usernames
        r"\b[0-9a-f]{16,}\b",
        r"\b[A-Z0-9]{4,5}(-[A-Z0-9]{3,5})+\b",
        r"\S+@\S+",
        r"https?://\S+",
    )
]


def english_words(body: str) -> set[str]:
    for pattern in TECHNICAL:
        body = pattern.sub(" ", body)
    text = html.unescape(body)
    for pattern in NOISE:
        text = pattern.sub(" ", text)
    return {word for word in WORD.findall(text) if word not in ALLOWED}


def attribute_words(body: str) -> set[str]:
    """English in what people read that is not text: placeholders, titles, labels for screen readers."""
    found = set()
    for value in re.findall(r'(?:placeholder|title|aria-label|alt)="([^"]*)"', body):
        text = html.unescape(value)
        for pattern in NOISE:
            text = pattern.sub(" ", text)
        found |= {word for word in WORD.findall(text) if word not in ALLOWED}
    return found


class ChineseEverywhereTest(BaseTestCase):
    maxDiff = None

    def setUp(self):
        self.open_campaign, _g, _p = make_campaign(self)
        closed, _g, pairs = make_campaign(self, codes=6)
        for token, _short in pairs:
            casting.cast_ballot(campaign=closed, code=token, answers=full_answers(closed, suggestion="多来社区走走"))
        self.closed = close_campaign(actor=self.organiser_a, campaign=closed)
        published, _g, pairs = make_campaign(self, codes=6)
        for token, _short in pairs:
            casting.cast_ballot(campaign=published, code=token, answers=full_answers(published))
        self.published = close_campaign(actor=self.organiser_a, campaign=published)
        publish(actor=self.organiser_a, campaign=self.published)
        self.commitments()
        self.grid()
        field_work(self)

    def grid(self):
        """A grid worker on 第1网格, a problem routed to the police station and one waiting for dispatch."""
        import datetime as dt

        from minping.grid import actions as grid
        from minping.grid.models import Category

        grid.assign_worker(actor=self.office_a, grid=self.grid_a, worker=self.grid_worker, starts_on=dt.date(2025, 1, 1))
        lamps = Category.objects.get(code="facilities")
        grid.save_route(actor=self.organiser_a, category=lamps, region=self.street_a, unit=self.unit_a)
        routed, _new = grid.report_problem(
            actor=self.grid_worker, category=lamps, region=self.grid_a, address="幸福路", description="路灯不亮"
        )
        grid.receive_problem(actor=self.handler, problem=routed)
        grid.report_problem(
            actor=self.grid_worker,
            category=Category.objects.get(code="dispute"),
            region=self.grid_a,
            address="幸福路",
            description="邻里纠纷",
        )

    def commitments(self):
        """A posted form with progress and a revision, a sample, a quarter assessed, a pledge, a duty report."""
        form = published_form(self, items=2)
        first = form.items.first()
        commitments.save_item(actor=self.cadre_user, form=form, item=first, data=item_data(form.month, content="改过的承诺"), reason="调整")
        commitments.add_progress(
            actor=self.cadre_user, item=first, percent="100", text="完成", outcome="kept", files=[SimpleUploadedFile("现场.jpg", photo())]
        )
        sample = commitments.draw_sample(actor=self.organiser_a, region=self.district_a, month=form.month, size=1)
        commitments.record_check(actor=self.organiser_a, check=sample.checks.get(), verdict="confirmed")
        year, quarter = periods.quarter_of(form.month)
        commitments.assess_quarter(actor=self.organiser_a, region=self.district_a, year=year, quarter=quarter)
        unit = Unit.objects.create(name="一街道供电所", kind="resident_unit", region=self.street_a)
        commitments.sign_pledge(actor=self.office_a, community=self.community_a, unit=unit, signed_on=form.month)
        subject = self.open_campaign.subjects.first()
        commitments.write_duty_report(actor=self.cadre_user, subject=subject, text="述职报告")
        question = commitments.ask_question(subject=subject, text="提问")
        commitments.answer_question(actor=self.cadre_user, question=question, answer="答复")
        self.board = f"/board/{self.district_a.pk}/{form.month:%Y-%m}/"

    def crawl(self, client: Client, starts: list[str]) -> dict[str, set[str]]:
        seen, queue, found = set(starts), deque(starts), {}
        self.pages = 0
        while queue and len(seen) < 400:
            url = queue.popleft()
            response = client.get(url)
            self.pages += 1
            if response.status_code in (301, 302):
                target = response["Location"]
                if target not in seen and target.startswith("/") and not target.startswith(SKIPPED):
                    seen.add(target)
                    queue.append(target)
                continue
            if "text/html" not in response.get("Content-Type", ""):
                continue
            body = response.content.decode()
            words = english_words(body) | attribute_words(body)
            if words:
                found[f"{url} ({response.status_code})"] = words
            for href in re.findall(r'href="([^"#]+)"', body):
                href = html.unescape(href)
                path = urlsplit(href).path if href.startswith("/") else None
                if path and href not in seen and not href.startswith(SKIPPED) and "logout" not in href:
                    seen.add(href)
                    queue.append(href)
        return found

    def test_no_page_any_role_reaches_shows_english(self):
        people = {
            "public": None,
            "admin": self.admin,
            "organiser": self.organiser_a,
            "office": self.office_a,
            "cadre": self.cadre_user,
            "grid worker": self.grid_worker,
            "interviewer": self.interviewer,
            "handler": self.handler,
        }
        campaigns = [self.open_campaign, self.closed, self.published]
        starts = [
            "/",
            "/v/",
            "/notice/",
            "/no-such-page/",
            f"/notice/{self.published.pk}/",
            f"/v/box/{self.published.pk}/",
            "/board/",
            self.board,
            f"/board/duty/{self.open_campaign.pk}/",
            "/reception/",
        ]
        starts += [f"/console/campaigns/{c.pk}/" for c in campaigns] + [f"/console/campaigns/{c.pk}/results/" for c in campaigns]
        for role, user in people.items():
            client = Client()
            if user is not None:
                client.force_login(user)
            with self.subTest(role=role):
                self.assertEqual(self.crawl(client, list(starts)), {})
                if role in ("admin", "organiser"):
                    self.assertGreater(self.pages, 40)  # the crawl does go through the console

    def test_the_server_error_page_is_in_chinese(self):
        from django.template.loader import render_to_string

        page = render_to_string("500.html")
        self.assertIn("出错了", page)
        self.assertEqual(english_words(page), set())
