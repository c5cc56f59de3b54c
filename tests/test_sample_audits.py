"""Sample audits (抽样督评) with the one sampler: resolved problems and work-log entries drawn with a recorded seed,
checked on the ground, and the verdicts counted in the department's scorecard and the cadre's figures; the
commitments' sample drawn the same way."""

import datetime as dt

from django.core.exceptions import ValidationError

from minping.commitments import actions as commitments
from minping.fieldwork import actions as fieldwork
from minping.fieldwork import figures
from minping.fieldwork.models import ContactKind
from minping.grid import actions as grid
from minping.grid import scorecards
from minping.grid.models import Category
from minping.lib import sampling
from minping.org.models import Unit
from minping.sampling import actions
from minping.sampling.models import AuditItem
from tests.base import BaseTestCase
from tests.clock import pinned
from tests.committing import published_form

DAY = dt.date(2026, 11, 18)


class ProblemAudit(BaseTestCase):
    def test_resolved_problems_drawn_checked_and_counted_in_the_scorecard(self):
        grid.install_categories(Category)
        lamps = Category.objects.filter(evidence_required=False).first()
        with pinned(DAY):
            grid.save_route(actor=self.office_a, category=lamps, region=self.street_a, unit=self.unit_a)
            for n in range(4):
                problem, _new = grid.report_problem(
                    actor=self.grid_worker, category=lamps, region=self.grid_a, address=f"幸福路{n}号", description="路灯不亮"
                )
                grid.receive_problem(actor=self.handler, problem=problem)
                grid.resolve_problem(actor=self.handler, problem=problem, note="已修复")
            grid.report_problem(actor=self.grid_worker, category=lamps, region=self.grid_a, address="幸福路9号", description="未办结")
            audit = actions.draw_audit(
                actor=self.office_a, kind="problems", region=self.street_a, start="2026-11-01", end="2026-11-30", size="3"
            )
        self.assertEqual((audit.frame, audit.items.count()), (4, 3))  # only resolved problems are drawn
        refs = [item.ref for item in audit.items.order_by("pk")]
        redrawn = sampling.draw(((0, ref) for ref in self.resolved_refs()), {0: 3}, audit.seed)[0]  # the frame, redrawn
        self.assertEqual(sorted(redrawn), sorted(refs))
        items = list(audit.items.order_by("pk"))
        with self.assertRaisesMessage(ValidationError, "请写明情况"):
            actions.record_verdict(actor=self.office_a, item=items[0], verdict="refuted")
        actions.record_verdict(actor=self.office_a, item=items[0], verdict="refuted", note="路灯仍不亮")
        for item in items[1:]:
            actions.record_verdict(actor=self.office_a, item=item, verdict="confirmed")
        start = dt.datetime(2026, 11, 1, tzinfo=dt.UTC)
        card = scorecards.scorecard(Unit.objects.filter(pk=self.unit_a.pk), start, start + dt.timedelta(days=30))[self.unit_a.pk]
        self.assertEqual((card["核查属实率"].k, card["核查属实率"].n), (2, 3))

    def resolved_refs(self):
        from minping.grid.models import Problem

        return [str(pk) for pk in Problem.objects.filter(resolved_at__isnull=False).values_list("pk", flat=True)]


class LogAudit(BaseTestCase):
    def test_log_entries_drawn_checked_and_counted_in_the_cadres_figures(self):
        with pinned(DAY):
            contact = fieldwork.add_contact(
                actor=self.office_a,
                cadre=self.cadre_a,
                kind=ContactKind.objects.get(code="community"),
                record=self.community_a,
                starts_on=dt.date(2026, 1, 1),
            )
            for day in (16, 17):
                fieldwork.record_entry(actor=self.cadre_user, contact=contact, on=dt.date(2026, 11, day), form="visit", discussed="走访")
            audit = actions.draw_audit(
                actor=self.office_a, kind="logs", region=self.street_a, start="2026-11-01", end="2026-11-30", size="5"
            )
            first, second = audit.items.order_by("pk")
            actions.record_verdict(actor=self.office_a, item=first, verdict="confirmed")
            actions.record_verdict(actor=self.office_a, item=second, verdict="partly", note="只见到一户")
        values = figures.cadre_figures([self.cadre_a.pk], dt.date(2026, 11, 1), dt.date(2026, 11, 30))[self.cadre_a.pk]
        self.assertEqual(values["checked"], 0.5)
        self.assertEqual(AuditItem.objects.filter(verdict="").count(), 0)

    def test_an_empty_period_and_an_outsider_are_refused(self):
        with self.assertRaisesMessage(ValidationError, "没有可抽查的记录"):
            actions.draw_audit(actor=self.office_a, kind="logs", region=self.street_a, start="2026-01-01", end="2026-01-31", size="5")
        from django.core.exceptions import PermissionDenied

        with self.assertRaises(PermissionDenied):
            actions.draw_audit(actor=self.organiser_b, kind="logs", region=self.street_a, start="2026-01-01", end="2026-01-31", size="5")


class CommitmentSample(BaseTestCase):
    def test_the_commitments_sample_uses_the_same_sampler_and_its_seed(self):
        form = published_form(self, items=3)
        sample = commitments.draw_sample(actor=self.office_a, region=self.street_a, month=form.month, size=2)
        ids = [str(pk) for pk in form.items.values_list("pk", flat=True)]
        drawn = sampling.draw(((0, int(pk)) for pk in ids), {0: 2}, sample.seed)[0]
        self.assertEqual(sorted(drawn), sorted(sample.checks.values_list("item_id", flat=True)))
