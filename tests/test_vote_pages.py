"""The voter's pages without JavaScript: code, ballot, review, submit, receipt, public box."""

import re

from django.core.cache import cache
from django.test import Client

from minping.evaluations.actions import casting
from minping.evaluations.models import Code
from minping.results.actions import close_campaign, publish
from tests.base import BaseTestCase
from tests.evaluating import ballots_cast, full_answers, make_campaign, only_ballot


def posted_value(page, name: str) -> str:
    """The value of the form field `name` on `page`, as a browser would send it."""
    return re.search(rf'name="{name}" value="([^"]*)"', page.content.decode()).group(1)


class VotePagesTest(BaseTestCase):
    def setUp(self):
        cache.clear()
        self.campaign, self.group, self.pairs = make_campaign(self)
        self.subject = self.campaign.subjects.get()
        self.voter = Client(enforce_csrf_checks=False)

    def answers(self, **overrides):
        data = {f"s{self.subject.pk}__{q}": "satisfied" for q in ("de", "neng", "qin", "ji", "lian")}
        data[f"s{self.subject.pk}__overall"] = "competent"
        data["g__suggestion"] = "多来走走"
        data.update(overrides)
        return data

    def test_voters_loading_the_same_ballot_page_each_get_their_own_code_submission_and_token(self):
        pages = []
        for token, short in self.pairs[:3]:
            voter = Client(enforce_csrf_checks=True)
            voter.get("/v/")
            voter.post("/v/", {"code": short, "csrfmiddlewaretoken": voter.cookies["csrftoken"].value})
            pages.append((token, short, voter.get("/v/ballot/")))
        fields = [
            (posted_value(page, "code"), posted_value(page, "submission"), posted_value(page, "csrfmiddlewaretoken")) for *_c, page in pages
        ]
        self.assertEqual([code for code, _s, _t in fields], [short for _t, short, _p in pages])
        self.assertEqual(len({submission for _c, submission, _t in fields}), 3)
        self.assertEqual(len({token for _c, _s, token in fields}), 3)
        for _token, _short, page in pages:
            self.assertContains(page, "王书记")
            self.assertEqual(sum(page.content.decode().count(other) for _t, other, _p in pages), 1, "another voter's code on the page")

    def test_the_whole_flow_stores_one_ballot_and_shows_a_receipt(self):
        short = self.pairs[0][1]
        posted = self.voter.post("/v/", {"code": f"{short[:4]}-{short[4:8]}-{short[8:]}"})
        self.assertRedirects(posted, "/v/ballot/", status_code=303)
        page = self.voter.get("/v/ballot/")
        self.assertContains(page, "王书记")
        self.assertEqual(page["Referrer-Policy"], "no-referrer")
        self.assertEqual(page["Cache-Control"], "no-store")
        submission = posted_value(page, "submission")
        checked = self.voter.post("/v/ballot/", {"code": short, "submission": submission, "step": "review", **self.answers()})
        self.assertRedirects(checked, "/v/review/", status_code=303)
        self.assertContains(self.voter.get("/v/review/"), "称职")
        self.assertEqual(len(ballots_cast()), 0)
        cast = self.voter.post("/v/ballot/", {"code": short, "submission": submission, "step": "submit", **self.answers()})
        self.assertRedirects(cast, "/v/receipt/", status_code=303)
        ballot = only_ballot()
        self.assertContains(self.voter.get("/v/receipt/"), ballot.tracker)
        self.assertEqual(ballot.answers["s"][str(self.subject.pk)]["overall"], "competent")
        self.assertEqual(ballot.channel, "qr")
        # Going back after voting: every page of the vote is a GET, and each now shows the receipt.
        for page in ("/v/ballot/", "/v/review/"):
            with self.subTest(back_to=page):
                self.assertRedirects(self.voter.get(page), "/v/receipt/")
        again = self.voter.post("/v/ballot/", {"code": short, "submission": submission, "step": "submit", **self.answers()})
        self.assertRedirects(again, "/v/receipt/", status_code=303)
        self.assertContains(self.voter.get("/v/receipt/"), ballot.tracker)
        self.assertEqual(len(ballots_cast()), 1)
        self.assertNotIn("sessionid", self.voter.cookies)
        self.assertNotIn(short, str(self.voter.cookies))  # the code's cookie is gone once the ballot is cast
        self.assertNotIn(ballot.tracker, self.voter.cookies["mp_receipt"].value)  # signed and compressed

    def test_voters_of_one_campaign_each_see_their_own_receipt(self):
        receipts = []
        for _token, short in self.pairs[:2]:
            voter = Client()
            voter.post("/v/", {"code": short})
            submission = posted_value(voter.get("/v/ballot/"), "submission")
            voter.post("/v/ballot/", {"code": short, "submission": submission, "step": "submit", **self.answers()})
            receipts.append(voter.get("/v/receipt/"))
        trackers = sorted(ballot.tracker for ballot in ballots_cast())
        shown = sorted(tracker for tracker in trackers for page in receipts if tracker in page.content.decode())
        self.assertEqual(shown, trackers)  # each tracker on one receipt
        for page in receipts:
            self.assertContains(page, self.campaign.name)
            self.assertNotIn("csrftoken", page.cookies)  # a page without a form sets no CSRF cookie

    def test_a_mistyped_code_stays_in_the_box_and_a_used_one_says_what_to_do_next(self):
        short = self.pairs[0][1]
        mistyped = f"{short[:4]}-{short[4:8]}-{short[8:-1]}{'A' if short[-1] != 'A' else 'B'}"
        refused = self.voter.post("/v/", {"code": mistyped})
        self.assertContains(refused, "请逐位核对", status_code=refused.status_code)
        self.assertContains(refused, f'value="{mistyped}"', status_code=refused.status_code)
        casting.cast_ballot(campaign=self.campaign, code=short, answers=full_answers(self.campaign))
        used = self.voter.post("/v/", {"code": short})
        self.assertContains(used, "这个测评码已经投过票", status_code=409)
        self.assertContains(used, "请找发给您测评码的工作人员", status_code=409)
        self.assertNotContains(used, "公开票箱中查验您的回执", status_code=409)  # the box is public once results are published
        close_campaign(actor=self.organiser_a, campaign=self.campaign)
        publish(actor=self.organiser_a, campaign=self.campaign)
        self.assertContains(self.voter.post("/v/", {"code": short}), f"/v/box/{self.campaign.pk}/", status_code=409)

    def test_a_missing_answer_is_marked_on_the_form_and_nothing_is_stored(self):
        data = self.answers()
        del data[f"s{self.subject.pk}__de"]
        self.voter.post("/v/", {"code": self.pairs[0][0]})  # the code is kept, as after entering it
        posted = self.voter.post("/v/ballot/", {"code": self.pairs[0][0], "step": "submit", **data})
        self.assertRedirects(posted, "/v/ballot/?checked=1", status_code=303, fetch_redirect_response=False)
        page = self.voter.get("/v/ballot/?checked=1")
        self.assertEqual(page.status_code, 422)
        self.assertContains(page, "必答题未作答", status_code=422)
        self.assertEqual(Code.objects.filter(status="used").count(), 0)

    def test_an_unknown_subject_needs_no_answers(self):
        data = {f"s{self.subject.pk}__unknown": "1"}
        self.voter.post("/v/ballot/", {"code": self.pairs[0][0], "step": "submit", **data})
        self.assertEqual(only_ballot().answers["s"], {str(self.subject.pk): {"unknown": True}})

    def test_a_qr_slip_opened_without_scripts_says_what_to_type(self):
        page = self.voter.get("/v/")
        self.assertContains(page, "<noscript>", html=False)
        self.assertContains(page, "请在下方输入")

    def test_bad_codes_get_a_clear_message(self):
        cases = [("ABCD", 400, "11位"), ("0" * 32, 404, "不存在")]
        for code, status, text in cases:
            with self.subTest(code=code):
                self.assertContains(self.voter.post("/v/", {"code": code}), text, status_code=status)

    def test_guessing_is_limited_per_address_but_typos_do_not_count(self):
        for _ in range(100):
            self.voter.post("/v/", {"code": "ABCD-EFGH-JKX"}, REMOTE_ADDR="10.1.1.1")  # typo: check char wrong
        self.assertContains(self.voter.post("/v/", {"code": self.pairs[0][0]}, REMOTE_ADDR="10.1.1.1", follow=True), "王书记")
        for _ in range(60):
            self.voter.post("/v/", {"code": "f" * 32}, REMOTE_ADDR="10.1.1.2")
        self.assertEqual(self.voter.post("/v/", {"code": self.pairs[0][0]}, REMOTE_ADDR="10.1.1.2").status_code, 429)

    def test_forms_without_csrf_are_refused(self):
        strict = Client(enforce_csrf_checks=True)
        self.assertEqual(strict.post("/v/ballot/", {"code": self.pairs[0][0], "step": "submit", **self.answers()}).status_code, 403)
        self.assertEqual(len(ballots_cast()), 0)

    def test_the_public_box_lists_trackers_only_once_results_are_published(self):
        receipt = casting.cast_ballot(
            campaign=self.campaign, code=self.pairs[0][0], channel="qr", answers={"subjects": {str(self.subject.pk): {"unknown": True}}}
        )
        casting.cast_ballot(campaign=self.campaign, code=self.pairs[1][0], channel="qr", answers=full_answers(self.campaign))
        self.assertEqual(self.voter.get(f"/v/box/{self.campaign.pk}/").status_code, 404)
        close_campaign(actor=self.organiser_a, campaign=self.campaign)
        self.assertEqual(self.voter.get(f"/v/box/{self.campaign.pk}/").status_code, 404)  # closed, not yet published
        publish(actor=self.organiser_a, campaign=self.campaign)
        page = self.voter.get(f"/v/box/{self.campaign.pk}/")
        self.assertContains(page, receipt.tracker)
        body = receipt.tracker.replace("-", "")
        full_width = "".join(chr(ord(c) + 0xFEE0) for c in body.lower())
        for typed in (receipt.tracker.lower(), body, f" {body[:5]} {body[5:]} ", full_width, f"{body[:5]}—{body[5:]}"):
            with self.subTest(typed=typed):
                self.assertContains(self.voter.post(f"/v/box/{self.campaign.pk}/", {"tracker": typed}), 'class="ok"')
        self.assertNotContains(self.voter.post(f"/v/box/{self.campaign.pk}/", {"tracker": "AAAAA-AAAAA"}), 'class="ok"')


class BallotCsrfTest(BaseTestCase):
    """Ballot pages send no referrer, so browsers post them with `Origin: null`."""

    def setUp(self):
        self.campaign, _group, self.pairs = make_campaign(self)
        self.browser = Client(enforce_csrf_checks=True)
        self.token = self.browser.get("/v/").cookies["csrftoken"].value

    def post(self, **headers):
        return self.browser.post("/v/", {"code": self.pairs[0][0], "csrfmiddlewaretoken": self.token}, headers=headers)

    def test_a_same_origin_post_with_a_null_origin_is_accepted(self):
        self.assertEqual(self.post(Origin="null", **{"Sec-Fetch-Site": "same-origin"}).status_code, 303)

    def test_a_null_origin_from_another_site_is_refused(self):
        self.assertEqual(self.post(Origin="null", **{"Sec-Fetch-Site": "cross-site"}).status_code, 403)

    def test_another_sites_origin_is_refused(self):
        self.assertEqual(self.post(Origin="https://evil.example").status_code, 403)


class BallotFormOracleTest(BaseTestCase):
    """The ballot form is no code oracle: a code posted to it is counted and throttled like one typed on the code
    page, and every refusal gets the same answer; the voter's JSON answers are kept by no cache."""

    def setUp(self):
        cache.clear()
        self.campaign, self.group, self.pairs = make_campaign(self)
        self.voter = Client()

    def test_unknown_used_and_closed_codes_get_one_answer(self):
        used = self.pairs[1][0]
        casting.cast_ballot(campaign=self.campaign, code=used, answers=full_answers(self.campaign), channel="qr")
        answers = {}
        for name, code in (("unknown", "f" * 32), ("used", used)):
            page = self.voter.post("/v/ballot/", {"code": code, "step": "review"}, REMOTE_ADDR="10.2.2.2")
            answers[name] = (page.status_code, page["Cache-Control"], page.content.decode().count("这个测评码不能用于投票"))
        self.assertEqual(answers["unknown"], answers["used"])
        self.assertEqual(answers["unknown"], (403, "no-store", 1))

    def test_codes_guessed_through_the_ballot_form_are_throttled(self):
        for _ in range(60):
            self.voter.post("/v/ballot/", {"code": "f" * 32, "step": "review"}, REMOTE_ADDR="10.3.3.3")
        self.assertEqual(
            self.voter.post("/v/ballot/", {"code": self.pairs[0][0], "step": "review"}, REMOTE_ADDR="10.3.3.3").status_code, 429
        )
        self.assertEqual(self.voter.post("/v/", {"code": self.pairs[0][0]}, REMOTE_ADDR="10.3.3.3").status_code, 429)  # one budget
        self.assertEqual(
            self.voter.post("/v/", {"code": self.pairs[0][0]}, REMOTE_ADDR="10.3.3.4").status_code, 303
        )  # others are not shut out

    def test_the_voters_json_answers_are_kept_by_no_cache_and_send_no_referrer(self):
        cases = [
            ("/api/vote/ballot", {"code": self.pairs[0][0]}),
            ("/api/vote/ballot", {"code": "f" * 32}),
            ("/api/vote/ballot", {}),
            ("/api/vote/cast", {"code": self.pairs[0][0], "answers": full_answers(self.campaign)}),
        ]
        for path, body in cases:
            answer = self.voter.post(path, body, content_type="application/json")
            with self.subTest(path=path, status=answer.status_code):
                self.assertEqual((answer["Cache-Control"], answer["Referrer-Policy"]), ("no-store", "no-referrer"))
        self.assertIn("tracker", answer.json())
