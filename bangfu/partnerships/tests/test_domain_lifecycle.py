"""Agreement lifecycle (§七, §三(一)): status on a day, cycle dates, renewal, gaps (断档)."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bangfu.partnerships.domain import (
    AgreementFacts,
    AgreementStatus,
    agreement_status,
    anniversary,
    cycle_default_end,
    find_gaps,
    in_force_on,
    in_force_span,
    last_day_in_force,
    recipients_without_helper,
    renewal_prefill,
    status_kind,
)
from bangfu.policy import load_policy

POLICY = load_policy("guizhou_2025")
WINDOW = POLICY.cycle.expiring_window_days  # 90
YEARS = POLICY.cycle.years  # 3
START = date(2025, 1, 1)
END = date(2027, 12, 31)
FIRST_EXPIRING_DAY = date(2027, 10, 3)  # END - (WINDOW - 1) days


def agreement(
    id: int = 1,
    start: date = START,
    end: date = END,
    signed_on: date | None = date(2024, 12, 20),
    terminated_on: date | None = None,
    reason: str = "",
    has_next_cycle: bool = False,
    partnership_id: int = 10,
) -> AgreementFacts:
    return AgreementFacts(
        id=id,
        partnership_id=partnership_id,
        start=start,
        end=end,
        signed_on=signed_on,
        terminated_on=terminated_on,
        termination_reason=reason,
        has_next_cycle=has_next_cycle,
    )


def test_policy_window_and_cycle_are_what_these_tables_assume():
    assert (WINDOW, YEARS) == (90, 3)
    assert (END - FIRST_EXPIRING_DAY).days == WINDOW - 1


@pytest.mark.parametrize(
    ("facts", "today", "expected"),
    [
        pytest.param(
            agreement(signed_on=None), date(2025, 6, 1), AgreementStatus.DRAFT, id="never signed"
        ),
        pytest.param(
            agreement(signed_on=date(2025, 2, 1)),
            date(2025, 1, 31),
            AgreementStatus.DRAFT,
            id="signature date still ahead",
        ),
        pytest.param(
            agreement(), date(2024, 12, 31), AgreementStatus.SIGNED, id="day before start"
        ),
        pytest.param(agreement(), START, AgreementStatus.ACTIVE, id="start day is in force"),
        pytest.param(agreement(), date(2026, 6, 1), AgreementStatus.ACTIVE, id="mid cycle"),
        pytest.param(
            agreement(),
            FIRST_EXPIRING_DAY - timedelta(days=1),
            AgreementStatus.ACTIVE,
            id="day before the window",
        ),
        pytest.param(
            agreement(),
            FIRST_EXPIRING_DAY,
            AgreementStatus.EXPIRING,
            id="first day inside the window",
        ),
        pytest.param(agreement(), END, AgreementStatus.EXPIRING, id="end day is in force"),
        pytest.param(
            agreement(), END + timedelta(days=1), AgreementStatus.EXPIRED, id="day after end"
        ),
        pytest.param(
            agreement(has_next_cycle=True),
            END + timedelta(days=1),
            AgreementStatus.RENEWED,
            id="day after end with next cycle",
        ),
        pytest.param(
            agreement(has_next_cycle=True),
            END,
            AgreementStatus.EXPIRING,
            id="renewed only once ended",
        ),
        pytest.param(
            agreement(terminated_on=date(2026, 3, 1)),
            date(2026, 2, 28),
            AgreementStatus.ACTIVE,
            id="day before termination",
        ),
        pytest.param(
            agreement(terminated_on=date(2026, 3, 1)),
            date(2026, 3, 1),
            AgreementStatus.TERMINATED,
            id="termination day",
        ),
        pytest.param(
            agreement(terminated_on=date(2026, 3, 1), has_next_cycle=True),
            date(2028, 6, 1),
            AgreementStatus.TERMINATED,
            id="terminated wins over renewed",
        ),
        pytest.param(
            agreement(signed_on=None, terminated_on=date(2025, 3, 1)),
            date(2025, 3, 1),
            AgreementStatus.TERMINATED,
            id="abandoned draft",
        ),
    ],
)
def test_agreement_status_on_boundary_days(facts, today, expected):
    result = agreement_status(facts, today, WINDOW)
    assert result.status is expected
    assert result.reasons


def test_expiring_reason_cites_renewal_clause_and_days_left():
    result = agreement_status(agreement(), FIRST_EXPIRING_DAY, WINDOW)
    assert result.days_until_end == WINDOW - 1
    assert "§三(一)" in result.reasons[0]
    assert "89天" in result.reasons[0]


def test_expired_reason_asks_for_renewal_and_cites_cycle_clause():
    result = agreement_status(agreement(), END + timedelta(days=1), WINDOW)
    assert "§七" in result.reasons[0]
    assert result.days_until_end == -1


def test_termination_reason_is_reported():
    result = agreement_status(
        agreement(terminated_on=date(2026, 3, 1), reason="帮扶医院调整"), date(2026, 3, 2), WINDOW
    )
    assert any("帮扶医院调整" in reason for reason in result.reasons)


def test_zero_window_never_reports_expiring():
    assert agreement_status(agreement(), END, 0).status is AgreementStatus.ACTIVE


def test_negative_window_is_refused():
    with pytest.raises(ValueError):
        agreement_status(agreement(), END, -1)


@pytest.mark.parametrize(
    ("day", "in_force"),
    [
        (START - timedelta(days=1), False),
        (START, True),
        (END, True),
        (END + timedelta(days=1), False),
    ],
)
def test_agreement_is_in_force_from_start_day_through_end_day(day, in_force):
    assert in_force_on(agreement(), day) is in_force


def test_status_in_force_matches_in_force_on():
    facts = agreement(terminated_on=date(2026, 3, 1))
    for offset in range(-3, 1200, 7):
        day = START + timedelta(days=offset)
        assert agreement_status(facts, day, WINDOW).status.in_force is in_force_on(facts, day)


@pytest.mark.parametrize(
    ("start", "years", "end"),
    [
        (date(2025, 1, 1), 3, date(2027, 12, 31)),
        (date(2025, 7, 15), 3, date(2028, 7, 14)),
        (date(2024, 2, 29), 3, date(2027, 2, 27)),
        (date(2024, 2, 29), 4, date(2028, 2, 28)),
        (date(2024, 2, 29), 1, date(2025, 2, 27)),
        (date(2025, 3, 1), 3, date(2028, 2, 29)),
        (date(2024, 12, 31), 1, date(2025, 12, 30)),
    ],
)
def test_cycle_default_end_is_the_day_before_the_anniversary(start, years, end):
    assert cycle_default_end(start, years) == end


def test_29_february_anniversary_falls_on_28_february_in_common_years():
    assert anniversary(date(2024, 2, 29), 1) == date(2025, 2, 28)
    assert anniversary(date(2024, 2, 29), 4) == date(2028, 2, 29)


def test_cycle_of_zero_years_is_refused():
    with pytest.raises(ValueError):
        cycle_default_end(START, 0)


def test_renewal_starts_the_day_after_the_previous_end_for_a_full_cycle():
    prefill = renewal_prefill(agreement(), YEARS)
    assert (prefill.start, prefill.end) == (date(2028, 1, 1), date(2030, 12, 31))
    assert any("§七" in reason for reason in prefill.reasons)


def test_renewal_of_leap_day_cycle():
    prefill = renewal_prefill(agreement(start=date(2021, 3, 1), end=date(2024, 2, 28)), YEARS)
    assert (prefill.start, prefill.end) == (date(2024, 2, 29), date(2027, 2, 27))


def test_renewal_after_termination_starts_on_the_termination_day():
    prefill = renewal_prefill(agreement(terminated_on=date(2026, 3, 1)), YEARS)
    assert prefill.start == date(2026, 3, 1)


TODAY = date(2029, 6, 30)


def chain(*periods: tuple[date, date]) -> list[AgreementFacts]:
    return [agreement(id=i, start=s, end=e) for i, (s, e) in enumerate(periods, start=1)]


@pytest.mark.parametrize(
    ("cycles", "expected"),
    [
        pytest.param(
            chain((START, END), (date(2028, 1, 1), date(2030, 12, 31))),
            [],
            id="next starts the day after: no gap",
        ),
        pytest.param(
            chain((START, END), (date(2028, 1, 2), date(2030, 12, 31))),
            [(1, 2, date(2028, 1, 1), date(2028, 1, 1), 1)],
            id="one-day gap",
        ),
        pytest.param(
            chain((START, END), (date(2028, 4, 1), date(2031, 3, 31))),
            [(1, 2, date(2028, 1, 1), date(2028, 3, 31), 91)],
            id="many-day gap across a leap February",
        ),
        pytest.param(
            chain((START, END), (date(2027, 6, 1), date(2030, 5, 31))), [], id="overlap: no gap"
        ),
        pytest.param(
            chain(
                (START, END),
                (date(2026, 1, 1), date(2026, 6, 30)),
                (date(2028, 1, 1), date(2030, 12, 31)),
            ),
            [],
            id="cycle nested inside another: still covered",
        ),
        pytest.param(
            chain((date(2022, 1, 1), date(2024, 12, 31)), (START, date(2029, 6, 29))),
            [(2, None, date(2029, 6, 30), TODAY, 1)],
            id="ended yesterday: trailing gap of one day",
        ),
        pytest.param(
            chain((date(2022, 1, 1), date(2024, 12, 31)), (START, TODAY)),
            [],
            id="ends today: no trailing gap",
        ),
        pytest.param(
            chain((START, END)),
            [(1, None, date(2028, 1, 1), TODAY, 547)],
            id="expired and never renewed",
        ),
    ],
)
def test_find_gaps_between_cycles_of_a_pair(cycles, expected):
    gaps = find_gaps({("helper", "recipient"): cycles}, TODAY)
    assert [
        (g.after_agreement_id, g.before_agreement_id, g.first_day, g.last_day, g.days) for g in gaps
    ] == expected
    for gap in gaps:
        assert gap.pair == ("helper", "recipient")
        assert "§七" in gap.reasons[0]


def test_gap_is_counted_to_the_termination_not_the_planned_end():
    first = agreement(id=1, terminated_on=date(2026, 7, 1))
    second = agreement(id=2, start=date(2026, 9, 1), end=date(2029, 8, 31))
    [gap] = find_gaps({7: [first, second]}, TODAY)
    assert (gap.first_day, gap.last_day, gap.days) == (date(2026, 7, 1), date(2026, 8, 31), 62)


def test_a_draft_next_cycle_does_not_close_the_gap():
    signed = agreement(id=1)
    draft = agreement(id=2, start=date(2028, 1, 1), end=date(2030, 12, 31), signed_on=None)
    [gap] = find_gaps({7: [signed, draft]}, TODAY)
    assert gap.trailing
    assert gap.first_day == date(2028, 1, 1)


def test_gaps_are_sorted_by_first_day_across_pairs():
    gaps = find_gaps(
        {
            "b": chain((date(2020, 1, 1), date(2022, 12, 31))),
            "a": chain((START, END)),
        },
        TODAY,
    )
    assert [g.pair for g in gaps] == ["b", "a"]


def test_pair_with_no_signed_cycle_has_no_gap():
    assert find_gaps({1: [agreement(signed_on=None)], 2: []}, TODAY) == []


def test_recipients_without_helper_lists_never_paired_and_lapsed_recipients():
    result = recipients_without_helper(
        {
            "covered": [agreement(id=1, start=date(2028, 1, 1), end=date(2030, 12, 31))],
            "lapsed": [agreement(id=2)],
            "never": [],
            "only_draft": [
                agreement(id=3, signed_on=None, start=date(2029, 1, 1), end=date(2031, 12, 31))
            ],
            "upcoming": [
                agreement(
                    id=4, start=date(2029, 9, 1), end=date(2032, 8, 31), signed_on=date(2029, 6, 1)
                )
            ],
        },
        TODAY,
    )
    assert [
        (r.recipient, r.days_since_last_end, r.last_agreement_id, r.next_start) for r in result
    ] == [
        ("never", None, None, None),
        ("only_draft", None, None, None),
        ("upcoming", None, None, date(2029, 9, 1)),
        ("lapsed", 547, 2, None),
    ]
    assert "§三(二)" in result[0].reasons[0]
    assert "§三(一)" in result[-1].reasons[0]


def test_recipient_whose_agreement_ended_yesterday_is_one_day_without_helper():
    [row] = recipients_without_helper({"r": [agreement(end=TODAY - timedelta(days=1))]}, TODAY)
    assert row.days_since_last_end == 1


dates = st.dates(min_value=date(2015, 1, 1), max_value=date(2040, 12, 31))


@st.composite
def cycles(draw: st.DrawFn) -> list[AgreementFacts]:
    result = []
    for index in range(draw(st.integers(min_value=0, max_value=5))):
        start = draw(dates)
        end = start + timedelta(days=draw(st.integers(min_value=0, max_value=1500)))
        signed = draw(st.one_of(st.none(), dates))
        terminated = draw(st.one_of(st.none(), dates))
        result.append(
            agreement(
                id=index + 1, start=start, end=end, signed_on=signed, terminated_on=terminated
            )
        )
    return result


@given(st.dictionaries(st.integers(min_value=1, max_value=4), cycles(), max_size=4), dates)
def test_gaps_are_never_negative_and_cover_only_days_without_an_agreement(by_pair, today):
    for gap in find_gaps(by_pair, today):
        assert gap.days >= 1
        assert gap.days == (gap.last_day - gap.first_day).days + 1
        assert not any(in_force_on(c, gap.first_day) for c in by_pair[gap.pair])
        assert not any(in_force_on(c, gap.last_day) for c in by_pair[gap.pair])


@given(dates, st.integers(min_value=1, max_value=5))
def test_default_cycle_and_its_renewal_leave_no_gap(start, years):
    end = cycle_default_end(start, years)
    assert end > start
    assert (end - start).days + 1 in range(365 * years - 1, 366 * years + 1)
    prefill = renewal_prefill(agreement(start=start, end=end), years)
    assert prefill.start == end + timedelta(days=1)
    assert find_gaps({1: chain((start, end), (prefill.start, prefill.end))}, prefill.end) == []


small_dates = st.dates(min_value=date(2025, 1, 1), max_value=date(2026, 6, 30))


@st.composite
def short_cycles(draw: st.DrawFn) -> list[AgreementFacts]:
    result = []
    for index in range(draw(st.integers(min_value=1, max_value=4))):
        start = draw(small_dates)
        end = start + timedelta(days=draw(st.integers(min_value=0, max_value=200)))
        signed = draw(st.one_of(st.none(), small_dates))
        terminated = draw(st.one_of(st.none(), small_dates))
        result.append(
            agreement(
                id=index + 1, start=start, end=end, signed_on=signed, terminated_on=terminated
            )
        )
    return result


@given(short_cycles(), small_dates)
def test_every_uncovered_day_up_to_today_after_the_first_cycle_is_in_exactly_one_gap(cycles, today):
    counted = [
        c
        for c in cycles
        if c.signed_on is not None
        and c.signed_on <= today
        and c.start
        <= (
            c.end
            if c.terminated_on is None or c.terminated_on > c.end
            else c.terminated_on - timedelta(days=1)
        )
    ]
    gaps = find_gaps({1: cycles}, today)
    if not counted:
        assert gaps == []
        return

    def covered(day: date) -> bool:
        return any(
            c.start <= day and (day <= c.end) and (c.terminated_on is None or day < c.terminated_on)
            for c in counted
        )

    first = min(c.start for c in counted)
    last = max(today, *(c.end for c in counted))
    day = first
    while day <= last:
        in_gaps = sum(1 for g in gaps if g.first_day <= day <= g.last_day)
        if covered(day):
            assert in_gaps == 0, day
        elif day <= today or any(c.start > day for c in counted):
            assert in_gaps == 1, day
        day += timedelta(days=1)


@st.composite
def any_facts(draw: st.DrawFn) -> AgreementFacts:
    """An agreement with any dates: signed before, during or after its period or not at all,
    terminated before, during or after it or not at all, with or without a next cycle."""
    start = draw(small_dates)
    end = start + timedelta(days=draw(st.integers(min_value=0, max_value=800)))
    signed_on = draw(st.none() | st.dates(min_value=start - timedelta(days=60), max_value=end))
    terminated_on = draw(
        st.none() | st.dates(min_value=start - timedelta(days=30), max_value=end + timedelta(30))
    )
    return AgreementFacts(
        id=1,
        partnership_id=1,
        start=start,
        end=end,
        signed_on=signed_on,
        terminated_on=terminated_on,
        termination_reason=draw(st.sampled_from(["", "合作终止"])),
        has_next_cycle=draw(st.booleans()),
    )


def _status_as_before(facts: AgreementFacts, day: date, window: int) -> AgreementStatus:
    """The order of precedence as `agreement_status` decided it before `status_kind` existed
    (an independent oracle: the production code now shares one function)."""
    if facts.terminated_on is not None and facts.terminated_on <= day:
        return AgreementStatus.TERMINATED
    if facts.signed_on is None or facts.signed_on > day:
        return AgreementStatus.DRAFT
    if day < facts.start:
        return AgreementStatus.SIGNED
    if day > facts.end:
        return AgreementStatus.RENEWED if facts.has_next_cycle else AgreementStatus.EXPIRED
    if (facts.end - day).days < window:
        return AgreementStatus.EXPIRING
    return AgreementStatus.ACTIVE


@given(any_facts(), st.integers(min_value=-90, max_value=900), st.sampled_from([0, 1, 90]))
def test_status_kind_is_the_status_agreement_status_gives(facts, offset, window):
    """`status_kind` (the reads over many agreements and days) and `agreement_status` (the
    pages' reasons) give the former status on any day; in force is exactly `in_force_span`."""
    day = facts.start + timedelta(days=offset)
    expected = _status_as_before(facts, day, window)
    assert status_kind(facts, day, window) is expected
    assert agreement_status(facts, day, window).status is expected
    span = in_force_span(facts)
    old_rule = (
        facts.signed_on is not None
        and facts.signed_on <= day
        and facts.start <= day <= last_day_in_force(facts)
    )
    assert in_force_on(facts, day) is old_rule
    assert (span is not None and span[0] <= day <= span[1]) is old_rule
