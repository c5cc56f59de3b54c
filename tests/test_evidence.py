"""Evidence uploads: the type comes from the content, disguised and active files are refused, photos lose their
location and camera data, size and quota are enforced, files are kept owner-only outside the web root and
reach only those whose region holds them."""

import io
import stat
import zipfile

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings
from django.urls import reverse
from PIL import Image

from minping.audit.models import AuditEvent
from minping.evidence.actions import store_evidence
from minping.evidence.models import Evidence
from tests.base import BaseTestCase

GPS = 0x8825


def photo(fmt="JPEG", size=(64, 48), gps=True, orientation=None) -> bytes:
    image = Image.new("RGB", size, (200, 30, 30))
    exif = Image.Exif()
    exif[0x010F] = "Camera Maker"  # Make
    exif[0x0110] = "Model X"  # Model
    if gps:
        exif[GPS] = {1: "N", 2: (30.0, 17.0, 5.0), 3: "E", 4: (120.0, 9.0, 2.0)}
    if orientation:
        exif[0x0112] = orientation
    out = io.BytesIO()
    image.save(out, fmt, exif=exif.tobytes())
    return out.getvalue()


def office(main_part="word/document.xml", extra=()) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr(main_part, "<document/>")
        for name in extra:
            archive.writestr(name, b"\x00" * 10)
    return out.getvalue()


def lying_zip(real=300 * 1024 * 1024, declared=1024) -> bytes:
    """A docx whose directory declares a member of `real` bytes (zeros, deflated) as `declared` bytes."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", "<document/>")
        with archive.open("word/media/image1.png", "w", force_zip64=False) as member:
            for _ in range(real // (1024 * 1024)):
                member.write(bytes(1024 * 1024))
    data = bytearray(out.getvalue())
    for signature, at in ((b"PK\x03\x04", 22), (b"PK\x01\x02", 24)):  # the local header's and the directory's size
        position = data.rfind(signature)
        data[position + at : position + at + 4] = declared.to_bytes(4, "little")
    return bytes(data)


def pdf(catalog: bytes = b"", page: bytes = b"", extra: list[bytes] = ()) -> bytes:
    """A one-page PDF with a correct cross-reference table, `catalog` and `page` added to those dictionaries and
    `extra` objects (numbered from 4) written after them."""
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R " + catalog + b" >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 200 200] " + page + b" >>",
        *extra,
    ]
    out, offsets = bytearray(b"%PDF-1.4\n"), []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n%s\nendobj\n" % (number, body)
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1) + b"".join(b"%010d 00000 n \n" % o for o in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return bytes(out)


PDF = pdf()


class StoreEvidenceTest(BaseTestCase):
    def store(self, name, content, actor=None, region=None):
        return store_evidence(
            actor=actor or self.grid_worker, upload=SimpleUploadedFile(name, content), region=region or self.grid_a, purpose="test"
        )

    def test_a_photo_is_stored_without_location_or_camera_data(self):
        original = photo()
        self.assertIn(GPS, Image.open(io.BytesIO(original)).getexif())
        evidence = self.store("现场.jpg", original)
        stored = Image.open(evidence.path)
        self.assertEqual((stored.format, stored.size), ("JPEG", (64, 48)))
        self.assertEqual(dict(stored.getexif()), {})
        self.assertNotIn(b"Camera Maker", evidence.path.read_bytes())
        self.assertEqual((evidence.kind, evidence.content_type, evidence.name), ("jpeg", "image/jpeg", "现场.jpg"))

    def test_a_photo_taken_sideways_is_turned_upright_before_its_exif_goes(self):
        evidence = self.store("竖拍.jpg", photo(size=(64, 48), orientation=6))
        self.assertEqual(Image.open(evidence.path).size, (48, 64))

    def test_the_file_is_owner_only_and_outside_the_web_root(self):
        evidence = self.store("a.png", photo("PNG"))
        self.assertEqual(stat.S_IMODE(evidence.path.stat().st_mode), 0o600)
        self.assertEqual(stat.S_IMODE(evidence.path.parent.stat().st_mode), 0o700)
        self.assertFalse(evidence.path.is_relative_to(settings.STATIC_ROOT))
        self.assertTrue(AuditEvent.objects.filter(action="evidence.store", data__sha256=evidence.sha256).exists())

    def test_disguised_files_are_refused_by_their_content(self):
        cases = {
            "invoice.jpg": (b"MZ\x90\x00" + b"\x00" * 100, "不接受可执行程序"),
            "photo.jpg": (b"\x7fELF\x02\x01\x01" + b"\x00" * 100, "不接受可执行程序"),
            "run.png": (b"#!/bin/sh\nrm -rf /\n", "不接受脚本"),
            "page.jpg": (b"<html><script>alert(1)</script></html>", "无法识别的文件类型"),
            "report.jpg": (PDF, "文件内容是 PDF，与文件名的扩展名 .jpg 不符"),
            "scan.pdf": (photo(), "文件内容是 JPG，与文件名的扩展名 .pdf 不符"),
            "old.doc": (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 100, "旧版 Office 文件"),
            "bundle.docx": (office("payload.txt"), "不接受压缩包"),
            "macro.docx": (office(extra=["word/vbaProject.bin"]), "含有宏"),
            "broken.jpg": (b"\xff\xd8\xff\xe0" + b"\x00" * 50, "图片已损坏"),
            "active.pdf": (pdf(b"/OpenAction << /S /JavaScript /JS (app.alert(1)) >>"), "含有脚本"),
            "escaped.pdf": (pdf(b"/OpenAction << /S /J#61vaScript /J#53 (app.alert(1)) >>"), "含有脚本"),
            "hex.pdf": (pdf(b"/OpenAction << /S /#4A#61#76#61#53#63#72#69#70#74 /#4A#53 (app.alert(1)) >>"), "含有脚本"),
            "launch.pdf": (pdf(b"/OpenAction 4 0 R", extra=[b"<< /S /L#61unch /F (cmd.exe) >>"]), "含有脚本"),
            "page-action.pdf": (pdf(page=b"/#41A << /O 4 0 R >>", extra=[b"<< /S /URI /URI (http://example.com) >>"]), "含有脚本"),
            "attached.pdf": (pdf(b"/Names << /EmbeddedFil#65s << /Names [] >> >>"), "含有脚本"),
            "xfa.pdf": (pdf(b"/AcroForm << /Fields [] /X#46A 4 0 R >>", extra=[b"[]"]), "含有脚本"),
            "unreferenced.pdf": (pdf(extra=[b"<< /S /JavaScr#69pt /JS (app.alert(1)) >>"]), "含有脚本"),
            "submit.pdf": (pdf(b"/OpenAction << /S /GoTo /D [3 0 R /Fit] /Next << /S /SubmitForm >> >>"), "含有脚本"),
            "noxref.pdf": (b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n", "PDF 已损坏"),
            "bomb.docx": (lying_zip(), "文件解压后过大"),
            "lying.docx": (lying_zip(real=2 * 1024 * 1024, declared=1024), "压缩包目录与内容不符"),
        }
        folder = settings.MEDIA_ROOT / "evidence"
        files_before = set(folder.glob("*/*/*"))
        for name, (content, message) in cases.items():
            with self.subTest(name=name):
                with self.assertRaisesMessage(ValidationError, message):
                    self.store(name, content)
        self.assertFalse(Evidence.objects.exists())
        self.assertEqual(set(folder.glob("*/*/*")), files_before)  # nothing written

    def test_a_pdf_that_only_opens_on_a_page_and_links_out_is_kept(self):
        for name, content in {
            "view.pdf": pdf(b"/OpenAction [3 0 R /Fit]"),
            "goto.pdf": pdf(b"/OpenAction << /S /GoTo /D [3 0 R /Fit] >>"),
            "link.pdf": pdf(
                page=b"/Annots [4 0 R]", extra=[b"<< /Type /Annot /Subtype /Link /A << /S /URI /URI (http://example.com) >> >>"]
            ),
        }.items():
            with self.subTest(name=name):
                self.assertEqual(self.store(name, content).kind, "pdf")

    def test_office_documents_and_pdfs_on_the_allow_list_are_kept_as_they_are(self):
        for name, content, kind in (
            ("总结.docx", office(), "docx"),
            ("台账.xlsx", office("xl/workbook.xml"), "xlsx"),
            ("通知.pdf", PDF, "pdf"),
        ):
            with self.subTest(name=name):
                evidence = self.store(name, content)
                self.assertEqual((evidence.kind, evidence.path.read_bytes()), (kind, content))

    def test_a_name_without_an_extension_gets_the_real_one(self):
        self.assertEqual(self.store("../../etc/passwd", PDF).name, "passwd.pdf")

    @override_settings(EVIDENCE_MAX_BYTES=1000)
    def test_a_file_over_the_limit_is_refused(self):
        with self.assertRaisesMessage(ValidationError, "超过"):
            self.store("big.pdf", PDF + b"%" * 2000)

    def test_an_image_of_too_many_pixels_is_refused(self):
        out = io.BytesIO()
        Image.new("1", (8000, 6000)).save(out, "PNG")
        with self.assertRaisesMessage(ValidationError, "图片像素过多"):
            self.store("flood.png", out.getvalue())

    @override_settings(EVIDENCE_QUOTA_BYTES=1500)
    def test_the_account_quota_is_kept(self):
        self.store("one.pdf", PDF + b"%" * 900)
        with self.assertRaisesMessage(ValidationError, "存储空间"):
            self.store("two.pdf", PDF + b"%" * 900)
        self.assertEqual(Evidence.objects.count(), 1)
        self.store("other.pdf", PDF + b"%" * 900, actor=self.office_a, region=self.street_a)  # a quota per account

    def test_a_region_outside_the_uploaders_scope_is_refused(self):
        from django.core.exceptions import PermissionDenied

        with self.assertRaises(PermissionDenied):
            self.store("a.pdf", PDF, region=self.community_b)


class EvidencePagesTest(BaseTestCase):
    def test_a_grid_worker_uploads_a_photo_and_sees_it(self):
        self.client.force_login(self.grid_worker)
        response = self.client.post(reverse("evidence:list"), {"file": SimpleUploadedFile("路灯.jpg", photo())})
        self.assertRedirects(response, reverse("evidence:list"))
        evidence = Evidence.objects.get()
        self.assertEqual(evidence.region, self.grid_a)
        download = self.client.get(reverse("evidence:download", args=[evidence.pk]))
        self.assertEqual((download.status_code, download["Content-Type"]), (200, "image/jpeg"))
        self.assertEqual(download["X-Content-Type-Options"], "nosniff")
        self.assertIn("sandbox", download["Content-Security-Policy"])
        self.assertEqual(download["Cache-Control"], "private, no-store")
        self.assertContains(self.client.get(reverse("home")), "路灯.jpg")

    def test_the_street_sees_its_grids_files_and_another_district_does_not(self):
        evidence = store_evidence(actor=self.grid_worker, upload=SimpleUploadedFile("a.pdf", PDF), region=self.grid_a, purpose="t")
        url = reverse("evidence:download", args=[evidence.pk])
        self.client.force_login(self.office_a)
        self.assertEqual(self.client.get(url).status_code, 200)
        for outsider in (self.organiser_b, None):
            with self.subTest(outsider=outsider):
                self.client.logout()
                if outsider:
                    self.client.force_login(outsider)
                self.assertEqual(self.client.get(url).status_code, 404)

    def test_a_disguised_upload_gets_a_chinese_message_and_400(self):
        self.client.force_login(self.grid_worker)
        response = self.client.post(reverse("evidence:list"), {"file": SimpleUploadedFile("a.jpg", b"MZ" + b"\x00" * 50)})
        self.assertContains(response, "不接受可执行程序", status_code=400)

    @override_settings(EVIDENCE_MAX_BYTES=1024 * 1024, UPLOAD_DEFAULT_LIMIT=1024 * 1024)
    def test_an_upload_over_the_limit_is_refused_before_it_is_read(self):
        self.client.force_login(self.grid_worker)
        body = b"x" * (2 * 1024 * 1024)
        response = self.client.post(reverse("evidence:list"), {"file": SimpleUploadedFile("big.pdf", body)})
        self.assertContains(response, "上限", status_code=413)
        self.assertFalse(Evidence.objects.exists())

    def test_a_user_without_a_region_is_told_so(self):
        from minping.accounts.models import User

        lost = User.objects.create_user("lost", password="x", role=User.Role.GRID_WORKER)
        self.client.force_login(lost)
        response = self.client.post(reverse("evidence:list"), {"file": SimpleUploadedFile("a.pdf", PDF)})
        self.assertContains(response, "尚未分配区域", status_code=400)


class OrphanFilesJobTest(BaseTestCase):
    def test_files_without_a_record_are_removed_and_kept_ones_stay(self):
        import os
        import time
        import uuid

        from minping.lib.schedule import JOBS

        kept = store_evidence(actor=self.grid_worker, upload=SimpleUploadedFile("a.pdf", PDF), region=self.grid_a, purpose="t")
        orphan = kept.path.parent / f"{uuid.uuid4()}.pdf"
        orphan.write_bytes(PDF)
        day_old = time.time() - 2 * 86400
        for path in (orphan, kept.path):
            os.utime(path, (day_old, day_old))
        result = JOBS["evidence.orphans"].run()
        self.assertGreaterEqual(result["removed"], 1)
        self.assertFalse(orphan.exists())
        self.assertTrue(kept.path.exists())
