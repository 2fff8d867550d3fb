"""The monthly subsidy follows dated recognitions (§六): a month counts with half its days on site
and recognised, and recognising or withdrawing never rewrites a past month's statement. The
recognitions themselves are people's (`people.domain.recognition`, `people.services`)."""

from __future__ import annotations

from datetime import date as D

import pytest

from bangfu.core.models import AuditEntry
from bangfu.incentives.domain.benefits import subsidy_months
from bangfu.incentives.statement_selectors import expert_statement_for_user
from bangfu.people.domain.experts import Deployment as DomainDeployment
from bangfu.people.domain.experts import DeploymentKind
from bangfu.people.services import RecognitionInput, recognition_create, recognition_withdraw
from bangfu.policy.domain.periods import CalendarMonth, Period

pytestmark_db = pytest.mark.django_db


def test_a_month_counts_with_half_its_days_on_site_and_recognised():
    stay = DomainDeployment(DeploymentKind.RESIDENT, D(2026, 1, 1), D(2026, 12, 31))
    year = Period(D(2026, 1, 1), D(2026, 12, 31))
    # March: 15 of 31 days recognised (under half); April whole; May 16 of 31 (half or more).
    recognised = (Period(D(2026, 3, 17), D(2026, 5, 16)),)
    assert subsidy_months(stay, year, recognised) == (
        CalendarMonth(2026, 4),
        CalendarMonth(2026, 5),
    )
    assert subsidy_months(stay, year, ()) == ()
    # Two recognitions meeting end to end count as one run of days.
    split = (Period(D(2026, 6, 1), D(2026, 6, 10)), Period(D(2026, 6, 11), D(2026, 6, 20)))
    assert subsidy_months(stay, year, split) == (CalendarMonth(2026, 6),)


def _statement(user, expert, first, last):
    s = expert_statement_for_user(user=user, expert_id=expert.pk, period=Period(first, last))
    return s.total, [(r.item, r.amount, r.reason) for r in s.rows]


@pytestmark_db
def test_recognising_in_march_leaves_january_as_it_was(province_officer, expert, resident):
    year = resident.start.year + 1  # a year the resident deployment covers whole
    january = (D(year, 1, 1), D(year, 1, 31))
    before = _statement(province_officer, expert, *january)
    march_on = (D(year, 3, 1), D(year, 12, 31))
    assert not [
        r for r in _statement(province_officer, expert, *march_on)[1] if r[0] == "monthly_subsidy"
    ]

    recognition_create(
        actor=province_officer,
        data=RecognitionInput(expert_id=expert.pk, start=D(year, 3, 1), reason="考核优秀"),
        today=D(year, 3, 1),
    )
    assert _statement(province_officer, expert, *january) == before
    after = _statement(province_officer, expert, *march_on)
    [line] = [r for r in after[1] if r[0] == "monthly_subsidy"]
    assert "× 10个月" in line[2]  # March..December, 正高: 1000 a month


@pytestmark_db
def test_withdrawing_from_june_leaves_march_to_may_as_they_were(province_officer, expert, resident):
    year = resident.start.year + 1
    recognition = recognition_create(
        actor=province_officer,
        data=RecognitionInput(expert_id=expert.pk, start=D(year, 3, 1), reason="考核优秀"),
        today=D(year, 3, 1),
    )
    spring = (D(year, 3, 1), D(year, 5, 31))
    before = _statement(province_officer, expert, *spring)
    recognition_withdraw(
        actor=province_officer,
        recognition=recognition,
        reason="考核复核未通过",
        on=D(year, 6, 1),
        today=D(year, 6, 1),
    )
    assert _statement(province_officer, expert, *spring) == before
    later = _statement(province_officer, expert, D(year, 6, 1), D(year, 12, 31))
    assert not [r for r in later[1] if r[0] == "monthly_subsidy"]
    recognition.refresh_from_db()
    assert recognition.last_day == D(year, 5, 31) and recognition.withdrawn_by == province_officer
    rows = AuditEntry.objects.filter(object_id=str(recognition.pk)).order_by("id")
    assert [r.action for r in rows if r.action in ("recognise", "withdraw")] == [
        "recognise",
        "withdraw",
    ]
