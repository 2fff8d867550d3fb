"""Which actions an agreement allows on a day, and which agreement governs a day (§七; A2-五)."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from bangfu.partnerships.domain import AgreementFacts, AgreementStatus, agreement_status
from bangfu.partnerships.domain.actions import (
    AgreementAction,
    GovernedSpan,
    agreement_actions,
    first_agreement_decision,
    governed_spans,
    governing_agreement,
)

START = date(2025, 1, 1)
END = date(2027, 12, 31)
SIGNED = date(2024, 12, 20)
DAY = timedelta(days=1)
R, S, T, F = (
    AgreementAction.RENEW,
    AgreementAction.SIGN,
    AgreementAction.TERMINATE,
    AgreementAction.FILE,
)


def facts(
    id: int = 1,
    start: date = START,
    end: date = END,
    signed_on: date | None = SIGNED,
    terminated_on: date | None = None,
    has_next_cycle: bool = False,
) -> AgreementFacts:
    return AgreementFacts(
        id=id,
        partnership_id=7,
        start=start,
        end=end,
        signed_on=signed_on,
        terminated_on=terminated_on,
        has_next_cycle=has_next_cycle,
    )


# Every status × action: (facts, day, the status that day, the allowed actions).
TABLE = [
    # draft: signed later (or never) — sign, terminate; no renewal, no filing
    (facts(signed_on=None), date(2025, 6, 1), AgreementStatus.DRAFT, {S, T}),
    (facts(signed_on=date(2025, 7, 1)), date(2025, 6, 30), AgreementStatus.DRAFT, {S, T}),
    # signed, not started: correct the signature, terminate, file; not renew yet
    (facts(), START - DAY, AgreementStatus.SIGNED, {S, T, F}),
    # active and expiring, first and last day in force included
    (facts(), START, AgreementStatus.ACTIVE, {R, S, T, F}),
    (facts(), date(2026, 6, 1), AgreementStatus.ACTIVE, {R, S, T, F}),
    (facts(), END, AgreementStatus.EXPIRING, {R, S, T, F}),
    # expired: renew and file only
    (facts(), END + DAY, AgreementStatus.EXPIRED, {R, F}),
    # renewed (a next cycle exists): only filing
    (facts(has_next_cycle=True), END + DAY, AgreementStatus.RENEWED, {F}),
    # an active cycle already renewed ahead of time: no second renewal
    (facts(has_next_cycle=True), date(2027, 11, 1), AgreementStatus.EXPIRING, {S, T, F}),
    # terminated: renew (a new cycle) and file only — never sign or terminate again
    (facts(terminated_on=date(2026, 3, 1)), date(2026, 3, 1), AgreementStatus.TERMINATED, {R, F}),
    # a terminated draft may still be followed by a new cycle, never signed
    (
        facts(signed_on=None, terminated_on=date(2025, 3, 1)),
        date(2025, 4, 1),
        AgreementStatus.TERMINATED,
        {R},
    ),
    # termination recorded for a future day: not yet terminated, but no more signing
    (facts(terminated_on=date(2026, 3, 1)), date(2026, 2, 28), AgreementStatus.ACTIVE, {R, F}),
]


@pytest.mark.parametrize(("agreement", "day", "status", "allowed"), TABLE)
def test_actions_for_each_status(agreement, day, status, allowed):
    assert agreement_status(agreement, day, 90).status is status
    actions = agreement_actions(agreement, day)
    assert set(actions.allowed) == allowed
    for action in AgreementAction:
        decision = actions.decision(action)
        assert decision.allowed == (action in allowed)
        # A refusal always says why, citing the clause or the date that decides it.
        assert bool(decision.reason) == (not decision.allowed)


def test_renewing_a_draft_is_refused_citing_the_signing_clause():
    decision = agreement_actions(facts(signed_on=None), date(2025, 6, 1)).renew
    assert not decision.allowed
    assert "附件2 五(一)" in decision.reason and "续签" in decision.reason


def test_signing_a_terminated_agreement_is_refused_naming_the_termination_day():
    decision = agreement_actions(facts(terminated_on=date(2026, 3, 1)), date(2026, 5, 1)).sign
    assert not decision.allowed
    assert "2026-03-01" in decision.reason and "终止" in decision.reason


def test_renewal_is_allowed_from_the_first_day_not_the_day_before():
    assert not agreement_actions(facts(), START - DAY).renew.allowed
    assert agreement_actions(facts(), START).renew.allowed


def test_terminate_and_sign_end_with_the_last_day():
    assert agreement_actions(facts(), END).terminate.allowed
    assert agreement_actions(facts(), END).sign.allowed
    after = agreement_actions(facts(), END + DAY)
    assert not after.terminate.allowed and not after.sign.allowed
    assert "2027-12-31" in after.terminate.reason


def test_first_agreement_only_while_the_partnership_has_none():
    assert first_agreement_decision(0).allowed
    refused = first_agreement_decision(1)
    assert not refused.allowed and "续签" in refused.reason and "§七" in refused.reason


# ---- which agreement governs a day ----

CYCLE_2 = facts(id=2, start=date(2028, 1, 1), end=date(2030, 12, 31), signed_on=date(2027, 12, 1))


@pytest.mark.parametrize(
    ("cycles", "day", "governing_id"),
    [
        # an unsigned draft governs nothing, not even within its dates
        ([facts(signed_on=None)], date(2026, 1, 1), None),
        # signed after the day: not yet
        ([facts(signed_on=date(2025, 3, 1))], date(2025, 2, 28), None),
        ([facts(signed_on=date(2025, 3, 1))], date(2025, 3, 1), 1),
        # first and last day inclusive, nothing outside
        ([facts()], START, 1),
        ([facts()], END, 1),
        ([facts()], START - DAY, None),
        ([facts()], END + DAY, None),
        # terminated: the day before still governed, the termination day not
        ([facts(terminated_on=date(2026, 3, 1))], date(2026, 2, 28), 1),
        ([facts(terminated_on=date(2026, 3, 1))], date(2026, 3, 1), None),
        ([facts(terminated_on=date(2026, 3, 1))], date(2026, 3, 2), None),
        # consecutive cycles: each governs its own days
        ([facts(), CYCLE_2], END, 1),
        ([facts(), CYCLE_2], date(2028, 1, 1), 2),
        # a renewal overlapping the old cycle governs from its start
        ([facts(), facts(id=2, start=date(2027, 7, 1), end=date(2030, 6, 30))], END, 2),
        (
            [facts(), facts(id=2, start=date(2027, 7, 1), end=date(2030, 6, 30))],
            date(2027, 6, 30),
            1,
        ),
        # an overlapping renewal still a draft does not replace the signed cycle
        (
            [facts(), facts(id=2, start=date(2027, 7, 1), end=date(2030, 6, 30), signed_on=None)],
            END,
            1,
        ),
        # a gap between cycles: nothing governs
        (
            [facts(), facts(id=2, start=date(2028, 3, 1), end=date(2031, 2, 28))],
            date(2028, 2, 1),
            None,
        ),
        # same start: the later record (larger id) governs, whatever the input order
        ([facts(id=5), facts(id=3)], date(2026, 1, 1), 5),
        ([], date(2026, 1, 1), None),
    ],
)
def test_governing_agreement(cycles, day, governing_id):
    governing = governing_agreement(cycles, day)
    assert (governing.id if governing else None) == governing_id


def test_governed_spans_leave_out_ungoverned_days_and_split_by_cycle():
    terminated = facts(terminated_on=date(2026, 3, 10))
    assert governed_spans([terminated], date(2026, 3, 1), date(2026, 3, 31)) == (
        GovernedSpan(date(2026, 3, 1), date(2026, 3, 9), 1),
    )
    assert governed_spans([terminated], date(2026, 4, 1), date(2026, 4, 30)) == ()
    assert governed_spans([facts(signed_on=None)], date(2026, 1, 1), date(2026, 12, 31)) == ()
    assert governed_spans([facts(), CYCLE_2], date(2027, 12, 1), date(2028, 1, 31)) == (
        GovernedSpan(date(2027, 12, 1), date(2027, 12, 31), 1),
        GovernedSpan(date(2028, 1, 1), date(2028, 1, 31), 2),
    )
    # signed mid-period: governed from the signing day
    late = facts(signed_on=date(2025, 2, 15))
    assert governed_spans([late], date(2025, 1, 1), date(2025, 3, 31)) == (
        GovernedSpan(date(2025, 2, 15), date(2025, 3, 31), 1),
    )
    gap = [facts(), facts(id=2, start=date(2028, 3, 1), end=date(2031, 2, 28))]
    assert governed_spans(gap, date(2027, 12, 1), date(2028, 3, 31)) == (
        GovernedSpan(date(2027, 12, 1), date(2027, 12, 31), 1),
        GovernedSpan(date(2028, 3, 1), date(2028, 3, 31), 2),
    )
