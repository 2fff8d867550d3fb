"""The stored form of a measure-year (``met``, ``any_record``, ``behind_from``) gives, through
``status_on``, the status the pro-rata rule gave on every day (ADR 0020): checked against the
computation as it was (``_old_year_statuses``, the per-day rule with ``elapsed``) for generated
terms and activities, on every day of the year and days before and after it."""

from __future__ import annotations

from datetime import date, timedelta

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bangfu.activities.domain.progress import (
    CENTRE_KIND,
    RULES_KIND,
    SPECIALTY_KIND,
    ActivityFact,
    AgreementTerms,
    ProgressStatus,
    _anniversary,
    _centres,
    _departments,
    _in,
    _sum,
    _whole,
    agreement_year,
    first_behind_day,
    status_on,
    year_progress,
)
from bangfu.policy import load_policy

YEAR = 2025
CATALOGUE = load_policy().activity_catalogue
TEAM = 3
M15_KINDS = sorted(k.code for k in CATALOGUE.kinds_for_measure("M15"))
OTHER = "M05"
OTHER_KINDS = sorted(k.code for k in CATALOGUE.kinds_for_measure(OTHER))
# The counted kinds several times over, so that most cases have records.
KINDS = [RULES_KIND, SPECIALTY_KIND, CENTRE_KIND] * 3 + M15_KINDS * 2 + OTHER_KINDS


# ---- the rule as it was before ADR 0020 (verbatim but for names) ----


def _elapsed(first: date, last: date, today: date) -> int:
    if today < first:
        return 0
    return (min(today, last) - first).days + 1


def _status(
    target: int | None, achieved: int, any_record: bool, elapsed: int, span: int
) -> ProgressStatus:
    if target is not None and achieved >= target:
        return ProgressStatus.MET
    if not any_record:
        return ProgressStatus.NO_RECORD
    if target is None or achieved * span >= target * elapsed:
        return ProgressStatus.ON_TRACK
    return ProgressStatus.BEHIND


def _old_year_statuses(
    terms: AgreementTerms, year: int, facts: list[ActivityFact], today: date
) -> dict[str, tuple[int | None, int, int, ProgressStatus]] | None:
    first = max(terms.start, date(year, 1, 1))
    last = min(terms.last_day, date(year, 12, 31))
    if last < first:
        return None
    confirmed = [f for f in facts if f.confirmed]
    pending = [f for f in facts if not f.confirmed]
    span = (last - first).days + 1
    elapsed = _elapsed(first, last, today)
    out: dict[str, tuple[int | None, int, int, ProgressStatus]] = {}
    for code in sorted(terms.measures):
        targets = terms.measures[code]
        kinds = {k.code for k in CATALOGUE.kinds_for_measure(code)}
        target: int | None
        if code == "M07":
            target = _whole(targets.get("rules_per_year"), 10)
            done = _in(confirmed, first, last, {RULES_KIND})
            achieved = _sum(done, "documents")
            unconfirmed = _sum(_in(pending, first, last, {RULES_KIND}), "documents")
            status = _status(target, achieved, bool(done), elapsed, span)
        elif code == "M03":
            target = _whole(targets.get("specialties_per_year"), 1)
            done = _in(confirmed, first, last, {SPECIALTY_KIND})
            achieved = _sum(done, "specialties")
            unconfirmed = _sum(_in(pending, first, last, {SPECIALTY_KIND}), "specialties")
            status = _status(target, achieved, bool(done), elapsed, span)
        elif code == "M02":
            target = _whole(targets.get("centres"), 5)
            years = max(1, _whole(targets.get("years"), 3))
            whole_first = terms.start
            whole_last = _anniversary(terms.start, years) - timedelta(days=1)
            done = _in(confirmed, whole_first, last, {CENTRE_KIND})
            achieved = _centres(done)
            unconfirmed = max(
                0, _centres(done + _in(pending, whole_first, last, {CENTRE_KIND})) - achieved
            )
            whole_span = (whole_last - whole_first).days + 1
            whole_elapsed = min(whole_span, _elapsed(whole_first, whole_last, min(today, last)))
            status = _status(target, achieved, bool(done), whole_elapsed, whole_span)
        elif code == "M15":
            team = terms.measures.get("M01", {}).get("team_size")
            per_member = _whole(targets.get("departments_per_member"), 3)
            target = per_member * _whole(team, TEAM)
            done = _in(confirmed, first, last, kinds)
            achieved = _departments(done)
            unconfirmed = max(0, _departments(done + _in(pending, first, last, kinds)) - achieved)
            status = _status(target, achieved, bool(done), elapsed, span)
        else:
            target = None
            done = _in(confirmed, first, last, kinds)
            achieved = len(done)
            unconfirmed = len(_in(pending, first, last, kinds))
            status = _status(None, achieved, bool(done), elapsed, span)
        out[code] = (target, achieved, unconfirmed, status)
    return out


# ---- generated terms and activities ----

# Mostly reachable targets above zero (a target of 0 is met at once), sometimes 0.
small = st.sampled_from([4, 6, 8, 10, 12, 3, 2, 1, 0, 20]).map(str)


@st.composite
def terms_and_facts(draw: st.DrawFn) -> tuple[AgreementTerms, list[ActivityFact]]:
    # Mostly in force during YEAR (from up to three years before it), sometimes not at all.
    start = date(YEAR, 1, 1) + timedelta(days=draw(st.integers(-1100, 300)))
    last_day = max(start, date(YEAR, 1, 1)) + timedelta(days=draw(st.integers(-400, 800)))
    last_day = max(start, last_day)
    measures: dict[str, dict[str, str]] = {}
    if draw(st.booleans()):
        measures["M07"] = {"rules_per_year": draw(small)}
    if draw(st.booleans()):
        measures["M03"] = {"specialties_per_year": draw(small)}
    if draw(st.booleans()):
        measures["M02"] = {"centres": draw(small), "years": draw(st.sampled_from("01235"))}
    if draw(st.booleans()):
        measures["M15"] = {"departments_per_member": draw(small)}
        if draw(st.booleans()):
            measures["M01"] = {"team_size": draw(st.integers(1, 6).map(str))}
    if draw(st.booleans()):
        measures[OTHER] = {}
    facts = [
        ActivityFact(
            day=date(YEAR - 1, 7, 1) + timedelta(days=draw(st.integers(0, 560))),
            kind=draw(st.sampled_from(KINDS)),
            quantities={
                "documents": draw(st.sampled_from([1, 2, 0, 3])),
                "specialties": draw(st.sampled_from([1, 0])),
            },
            attributes={
                "centre": draw(st.sampled_from(["胸痛", "卒中", "创伤", "危重孕产妇", ""])),
                "stage": draw(st.sampled_from(["通过省级", "通过国家级", "通过省级", "建设中"])),
            },
            department=draw(st.sampled_from(["内科", "外科", " ", "儿科", "眼科"])),
            confirmed=draw(st.sampled_from([True, True, False])),
        )
        for _ in range(
            draw(st.integers(0, 30)) if draw(st.booleans()) else draw(st.integers(8, 30))
        )
    ]
    return AgreementTerms(start=start, last_day=last_day, measures=measures), facts


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(terms_and_facts())
def test_the_stored_form_gives_the_old_status_on_every_day(case):
    terms, facts = case
    stored = agreement_year(terms, YEAR, facts, CATALOGUE, default_team_size=TEAM)
    days = [date(YEAR, 1, 1) + timedelta(days=n) for n in range(-3, 369)]
    for day in days:
        old = _old_year_statuses(terms, YEAR, facts, day)
        if stored is None:
            assert old is None
            continue
        assert old is not None
        new = {
            m.code: (m.target, m.achieved, m.unconfirmed, status_on(m, day))
            for m in stored.measures
        }
        assert new == old, day
        # The agreement-year is behind on a measure exactly from its first behind day.
        first_behind = first_behind_day(stored.measures)
        assert (first_behind is not None and day >= first_behind) == any(
            v[3] is ProgressStatus.BEHIND for v in old.values()
        ), day
        if day.day == 1:  # the in-Python path asks the same function
            shown = year_progress(terms, YEAR, facts, CATALOGUE, today=day, default_team_size=TEAM)
            assert shown is not None
            assert {m.code: m.status for m in shown.measures} == {c: v[3] for c, v in old.items()}


def test_behind_from_is_the_first_day_of_k():
    """A1-(7): 10 rules over 365 days, 3 confirmed: k = ⌊3 × 365 / 10⌋ = 109, so on track
    through day 109 (19 April) and behind from day 110 (20 April)."""
    terms = AgreementTerms(date(YEAR, 1, 1), date(YEAR, 12, 31), {"M07": {"rules_per_year": "10"}})
    fact = ActivityFact(date(YEAR, 1, 5), RULES_KIND, {"documents": 3}, {}, "", True)
    (m07,) = agreement_year(terms, YEAR, [fact], CATALOGUE, default_team_size=TEAM).measures
    assert m07.behind_from == date(YEAR, 1, 1) + timedelta(days=109)
    assert status_on(m07, date(YEAR, 4, 19)) is ProgressStatus.ON_TRACK
    assert status_on(m07, date(YEAR, 4, 20)) is ProgressStatus.BEHIND
