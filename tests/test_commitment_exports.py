"""A month's commitments and a quarter's scores in Excel, Word and the A3 poster."""

import io

from django.urls import reverse
from openpyxl import load_workbook

from minping.commitments import exports
from minping.commitments.models import (
    Item,
)
from tests.base import BaseTestCase, typed_cells_only
from tests.committing import published_form


class ExportsTest(BaseTestCase):
    def test_the_months_workbook_document_and_poster(self):
        form = published_form(self, items=2)
        book = load_workbook(io.BytesIO(exports.month_workbook(self.district_a, form.month)))
        rows = list(book.active.iter_rows(values_only=True))
        self.assertEqual(rows[1][:3], ("区域", "承诺人", "序列"))
        self.assertEqual([r[4] for r in rows[2:]], ["承诺事项1", "承诺事项2"])
        typed_cells_only(self, exports.month_workbook(self.district_a, form.month))
        self.assertEqual((type(rows[2][6]).__name__, rows[2][8]), ("datetime", 0))  # the deadline a date, progress 0%
        self.assertTrue(exports.month_document(self.district_a, form.month).startswith(b"PK"))
        poster = self.client.get(reverse("board:poster", args=[self.district_a.pk, form.month.strftime("%Y-%m")]))
        self.assertEqual((poster.status_code, poster["Content-Type"]), (200, "application/pdf"))
        self.assertTrue(poster.content.startswith(b"%PDF"))
        self.client.force_login(self.office_a)
        response = self.client.get(reverse("commitments:month-export"), {"month": form.month.strftime("%Y-%m"), "format": "docx"})
        from docx import Document

        document = Document(io.BytesIO(response.content))
        self.assertIn("承诺事项1", "".join(c.text for t in document.tables for r in t.rows for c in r.cells))
        self.assertEqual(self.client.get(reverse("board:board", args=[self.district_a.pk, "2026-99"])).status_code, 404)

    def test_a_formula_in_a_commitment_is_not_run_by_excel(self):
        form = published_form(self, items=1)
        Item.objects.filter(form=form).update(content='=HYPERLINK("http://x")')
        rows = list(load_workbook(io.BytesIO(exports.month_workbook(self.district_a, form.month))).active.iter_rows(values_only=True))
        self.assertEqual(rows[2][4], '\'=HYPERLINK("http://x")')

    def test_the_poster_carries_the_boards_qr_code_and_address_in_type_read_at_a_metre(self):
        import segno
        from pypdf import PdfReader

        form = published_form(self, items=2)
        month = form.month.strftime("%Y-%m")
        poster = self.client.get(reverse("board:poster", args=[self.district_a.pk, month]))
        url = f"http://testserver{reverse('board:board', args=[self.district_a.pk, month])}"
        page = PdfReader(io.BytesIO(poster.content)).pages[0]
        sizes = []
        text = page.extract_text(visitor_text=lambda t, cm, tm, font, size: sizes.append(size * tm[0]) if t.strip() else None)
        self.assertIn(url, text.replace("\n", ""))
        self.assertGreaterEqual(min(sizes), 14)  # points, on A3: read at a metre
        dark = sum(sum(row) for row in segno.make(url, error="m").matrix)
        self.assertGreaterEqual(page.get_contents().get_data().count(b" re"), dark)  # the code's modules are drawn
