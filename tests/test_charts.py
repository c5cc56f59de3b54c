"""Charts keep their labels inside the picture."""

import math
import re

from minping.lib import charts


def test_trend_labels_stay_inside_the_chart_however_long_the_campaign_names():
    names = [
        "2026年第一季度光明社区书记群众满意度测评",
        "二季度",
        "2026年第三季度测评（补测）",
        "Q4",
        "2027年上半年",
        "2027年下半年光明社区书记测评",
        "2028",
        "2028年度光明社区干部作风满意度测评",
    ]
    svg = str(charts.trend([(name, 60 + i * 5) for i, name in enumerate(names)], "王书记"))
    width, height = map(float, re.search(r'viewBox="0 0 (\S+) (\S+)"', svg).groups())
    labels = re.findall(r'<text x="([\d.]+)" y="([\d.]+)" font-size="12" text-anchor="end"[^>]*>([^<]+)</text>', svg)
    assert len(labels) == len(names)
    for x, y, text in labels:
        span = charts.text_width(text, 12)
        start_x = float(x) - span * math.cos(charts.LABEL_SLANT)
        start_y = float(y) + span * math.sin(charts.LABEL_SLANT)
        assert 0 <= start_x and float(x) <= width, (text, start_x, width)
        assert start_y + 4 <= height, (text, start_y, height)
        assert len(text) <= charts.TREND_LABEL_CHARS


def test_a_long_campaign_name_on_a_slip_wraps_at_a_readable_size():
    from reportlab.pdfbase import pdfmetrics

    from minping.evaluations import printing

    name = "光明社区2026年度社区党组织书记和两委班子成员群众满意度测评大会"
    width = 50 * 72 / 25.4  # a slip's text column, 50 mm
    lines = printing.title_lines(name, printing.SLIP_TITLE_SIZE, width, printing.SLIP_TITLE_LINES)
    assert len(lines) == 2 and lines[-1].endswith("…")
    assert all(pdfmetrics.stringWidth(line, printing.FONT, printing.SLIP_TITLE_SIZE) <= width for line in lines)
    assert printing.SLIP_TITLE_SIZE >= 10
    assert printing.title_lines("短名", printing.SLIP_TITLE_SIZE, width, 2) == ["短名"]
    pdf = printing.slips_pdf(campaign_name=name, group_name="群众", vote_url="http://x/v/", pairs=[("0" * 32, "ABCDEFGHJK1")])
    assert pdf.startswith(b"%PDF")


def test_a_slip_is_read_at_ten_points_or_more_and_its_code_at_fourteen():
    import io

    from pypdf import PdfReader
    from reportlab.pdfbase import pdfmetrics

    from minping.evaluations import printing

    url = "https://minping.mingshu-district.example.gov.cn/v/"
    pdf = printing.slips_pdf(campaign_name="光明社区书记测评", group_name="群众", vote_url=url, pairs=[("0" * 32, "ABCDEFGHJK1")])
    runs = []
    text = (
        PdfReader(io.BytesIO(pdf))
        .pages[0]
        .extract_text(visitor_text=lambda t, cm, tm, font, size: runs.append((t.strip(), size * tm[0])) if t.strip() else None)
    )
    assert min(size for _t, size in runs) >= 10, runs
    assert [size for t, size in runs if t == "ABCD-EFGH-JK1"] == [14]
    assert url in text.replace("\n", "")
    # A title is never broken before its last character: the second line takes one more from the first.
    width = pdfmetrics.stringWidth("光明社区书记测评", printing.FONT, printing.SLIP_TITLE_SIZE)
    assert printing.title_lines("光明社区书记测评会", printing.SLIP_TITLE_SIZE, width, 2) == ["光明社区书记测", "评会"]
