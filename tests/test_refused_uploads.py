"""Nothing of a refused post stays: a pledge signed twice in one month is refused in Chinese with its agreement
left unwritten, and a post whose last file is refused leaves none of its other files on disk."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from minping.commitments import actions
from minping.commitments.models import CommitmentForm, Pledge
from minping.evaluations import actions as evaluations
from minping.evidence.models import Evidence
from minping.org.models import Unit
from tests.base import BaseTestCase
from tests.committing import published_form, this_month
from tests.test_evidence import PDF, photo


def files_on_disk() -> list:
    root = settings.MEDIA_ROOT / "evidence"
    return sorted(p for p in root.rglob("*") if p.is_file()) if root.exists() else []


class RefusedUploadTest(BaseTestCase):
    def setUp(self):
        evaluations.install_builtin_instruments()
        self.supply = Unit.objects.create(name="一街道供电所", kind="resident_unit", region=self.street_a)
        self.water = Unit.objects.create(name="一街道自来水站", kind="resident_unit", region=self.street_a)

    def test_a_second_pledge_of_the_month_is_refused_and_keeps_nothing(self):
        month = this_month()
        actions.sign_pledge(
            actor=self.office_a,
            community=self.community_a,
            unit=self.supply,
            signed_on=month,
            agreement=SimpleUploadedFile("协议.pdf", PDF),
        )
        before = (files_on_disk(), Evidence.objects.count(), CommitmentForm.objects.count())
        with self.assertRaisesMessage(ValidationError, "一份承诺表只能对应一份双诺"):
            actions.sign_pledge(
                actor=self.office_a,
                community=self.community_a,
                unit=self.water,
                signed_on=month,
                agreement=SimpleUploadedFile("协议2.pdf", PDF + b"%second"),
            )
        self.assertEqual((files_on_disk(), Evidence.objects.count(), CommitmentForm.objects.count()), before)
        self.assertEqual(Pledge.objects.count(), 1)

    def test_the_page_answers_a_second_pledge_with_a_message_not_a_500(self):
        month = this_month()
        actions.sign_pledge(actor=self.office_a, community=self.community_a, unit=self.supply, signed_on=month)
        before = files_on_disk()
        self.client.force_login(self.office_a)
        page = self.client.post(
            "/commitments/pledges/",
            {
                "community": self.community_a.pk,
                "unit": self.water.pk,
                "signed_on": month.isoformat(),
                "agreement": SimpleUploadedFile("协议.pdf", PDF),
            },
        )
        self.assertContains(page, "一份承诺表只能对应一份双诺", status_code=page.status_code)
        self.assertLess(page.status_code, 500)
        self.assertEqual((Pledge.objects.count(), files_on_disk()), (1, before))

    def test_a_progress_post_whose_last_file_is_refused_leaves_no_file(self):
        item = published_form(self).items.first()
        before = files_on_disk()
        files = [
            SimpleUploadedFile("现场1.jpg", photo()),
            SimpleUploadedFile("现场2.jpg", photo(size=(80, 60))),
            SimpleUploadedFile("说明.exe", b"MZ\x90\x00 not a document"),
        ]
        with self.assertRaises(ValidationError):
            actions.add_progress(actor=self.cadre_user, item=item, percent=50, text="已修复一半", files=files)
        self.assertEqual((files_on_disk(), Evidence.objects.count(), item.updates.count()), (before, 0, 0))
