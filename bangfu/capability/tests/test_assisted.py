"""The stored assisted years (ADR 0021) equal the rule (`selectors.assisted_q`) after every
kind of change: an agreement created, renewed, signed, terminated; a helper's grade or province
changed; a recipient's category changed — for every year any agreement touches, and for every
demo year; `refresh_standings` repairs rows edited by hand; the reads count over the rows."""

from __future__ import annotations

import datetime as dt
from io import StringIO

import pytest
from django.core.management import call_command
from django.db.models import Max, Min, Q
from django.utils import timezone

from bangfu.capability.assisted import assisted_q, assisted_refresh, assisted_refresh_all
from bangfu.capability.models import AssistedYear
from bangfu.capability.selectors import (
    assisted_recipient_ids,
    capability_summary,
    standard_trend_for_user,
)
from bangfu.capability.tests.test_summary_sql import _reference_assisted
from bangfu.partnerships.demo import demo_measures
from bangfu.partnerships.models import Agreement, Partnership
from bangfu.partnerships.selectors import counting_helpers_q
from bangfu.partnerships.services import (
    AgreementInput,
    agreement_create,
    agreement_record_signing,
    agreement_terminate,
    partnership_create,
)
from bangfu.registry.models import County, Institution, InstitutionCategory
from bangfu.registry.services import institution_edit_profile, institution_update

pytestmark = pytest.mark.django_db

Row = tuple[int, int]  # (institution, year)


def _rule() -> set[Row]:
    """Every (hospital, year) the rule selects, over every year any agreement touches and the
    year on either side (the reference)."""
    span = Agreement.objects.aggregate(first=Min("start"), last=Max("end"))
    helpers = counting_helpers_q()
    return {
        (pk, year)
        for year in range(span["first"].year - 1, span["last"].year + 2)
        for pk in Institution.objects.filter(assisted_q(year, helpers)).values_list("pk", flat=True)
    }


def _stored() -> set[Row]:
    return set(AssistedYear.objects.values_list("institution_id", "year"))


def _years_of(institution: Institution) -> set[int]:
    return {y for pk, y in _stored() if pk == institution.pk}


@pytest.fixture
def today() -> dt.date:
    return timezone.localdate()


@pytest.fixture
def counting_helper() -> Institution:
    helper = Institution.objects.filter(
        category=InstitutionCategory.HELPER, grade="三甲", name__contains="演示"
    ).order_by("name")[0]
    return helper


@pytest.fixture
def unpartnered() -> Institution:
    """A recipient hospital without any partnership: assisted in no year."""
    return (
        Institution.objects.filter(category=InstitutionCategory.RECIPIENT)
        .exclude(pk__in=Partnership.objects.values("recipient_id"))
        .order_by("pk")[0]
    )


def test_every_demo_year_is_stored_as_the_rule_selects(today):
    stored = _stored()
    assert stored == _rule()
    assert len({y for _, y in stored}) >= 3  # the demo's agreements span several years
    demo_year = today.year - 1
    assert len(assisted_recipient_ids(year=demo_year)) >= 10
    for year in sorted({y for _, y in stored}):
        everyone = Q(category=InstitutionCategory.RECIPIENT)
        assert {pk for pk, y in stored if y == year} == _reference_assisted(year, everyone), year


def test_an_agreement_created_signed_renewed_and_terminated(
    province_officer, counting_helper, unpartnered, today
):
    y = today.year
    # a proposal, then its first agreement unsigned: never in force, assisted in no year
    partnership = partnership_create(
        actor=province_officer,
        helper=counting_helper,
        recipient=unpartnered,
        modes=["east_west"],
        agreement=None,
    )
    first = agreement_create(
        actor=province_officer,
        partnership=partnership,
        data=AgreementInput(start=dt.date(y - 1, 3, 1), measures=demo_measures()),
    )
    assert _years_of(unpartnered) == set()
    assert _stored() == _rule()

    # signed: assisted in every year of its period
    agreement_record_signing(
        actor=province_officer, agreement=first, signed_on=dt.date(y - 1, 2, 20)
    )
    first.refresh_from_db()
    assert _years_of(unpartnered) == set(range(y - 1, first.end.year + 1))
    assert _stored() == _rule()

    # renewed, signed, after a gap year: the years of the next cycle too, not the gap's
    gap_start = dt.date(first.end.year + 2, 1, 1)
    second = agreement_create(
        actor=province_officer,
        partnership=partnership,
        previous=first,
        data=AgreementInput(start=gap_start, signed_on=today, measures=demo_measures()),
    )
    years = _years_of(unpartnered)
    assert years == set(range(y - 1, first.end.year + 1)) | set(
        range(gap_start.year, second.end.year + 1)
    )
    assert first.end.year + 1 not in years
    assert _stored() == _rule()

    # the first cycle terminated on 1 January: no longer in force in this year or later
    agreement_terminate(
        actor=province_officer, agreement=first, on=dt.date(y, 1, 1), reason="测试终止"
    )
    assert _years_of(unpartnered) == {y - 1} | set(range(gap_start.year, second.end.year + 1))
    assert _stored() == _rule()


def test_a_first_agreement_with_the_partnership(province_officer, counting_helper, unpartnered):
    before = capability_summary(year=2031).assisted
    partnership_create(
        actor=province_officer,
        helper=counting_helper,
        recipient=unpartnered,
        modes=["east_west"],
        agreement=AgreementInput(
            start=dt.date(2030, 7, 1), signed_on=dt.date(2025, 6, 1), measures=demo_measures()
        ),
    )
    assert _years_of(unpartnered) >= {2030, 2031, 2032, 2033}
    assert _stored() == _rule()
    assert capability_summary(year=2031).assisted == before + 1


def _helper_of_assisted(today: dt.date) -> Institution:
    """A helper some of whose recipients are assisted last year through it alone."""
    year = today.year - 1
    assisted = assisted_recipient_ids(year=year)
    for partnership in Partnership.objects.filter(recipient_id__in=assisted).order_by("pk"):
        others = Partnership.objects.filter(recipient_id=partnership.recipient_id).exclude(
            helper_id=partnership.helper_id
        )
        if not others.exists():
            return partnership.helper
    raise AssertionError("the demo has no recipient assisted by one helper")


@pytest.mark.parametrize(
    ("field", "value"), [("grade", "三乙"), ("province", "贵州")]
)  # "贵州": an alias of the home province, which the registry's form lets through
def test_a_helpers_grade_or_province_change_rewrites_its_recipients(
    province_officer, today, field, value
):
    helper = _helper_of_assisted(today)
    recipients = set(
        Partnership.objects.filter(helper=helper).values_list("recipient_id", flat=True)
    )
    before = _stored()
    institution_update(actor=province_officer, institution=helper, **{field: value})
    after = _stored()
    assert after == _rule()
    lost = before - after
    assert lost and {pk for pk, _ in lost} <= recipients
    institution_update(
        actor=province_officer, institution=helper, **{field: getattr(helper, field)}
    )
    assert _stored() == before == _rule()


def test_a_helpers_grade_corrected_on_its_profile_rewrites_its_recipients(province_officer, today):
    """The province office's profile correction (`institution_edit_profile`) changes a grade
    too: the same signal, the same rows."""
    helper = _helper_of_assisted(today)
    grade = helper.grade
    before = _stored()
    institution_edit_profile(actor=province_officer, institution=helper, grade="三乙")
    after = _stored()
    assert after == _rule()
    assert before - after
    institution_edit_profile(actor=province_officer, institution=helper, grade=grade)
    assert _stored() == before == _rule()


def test_a_recipients_category_change_rewrites_it(province_officer, today):
    year = today.year - 1
    hospital = Institution.objects.get(pk=min(assisted_recipient_ids(year=year)))
    assert _years_of(hospital)
    before = _stored()
    institution_update(
        actor=province_officer, institution=hospital, category=InstitutionCategory.LEADING
    )
    assert _years_of(hospital) == set()
    assert _stored() == _rule()
    institution_update(
        actor=province_officer, institution=hospital, category=InstitutionCategory.RECIPIENT
    )
    assert _stored() == before == _rule()


@pytest.mark.parametrize("field", ["city", "county"])  # county: signalled, not an input
def test_a_change_of_other_fields_writes_no_rows(province_officer, today, field):
    hospital = Institution.objects.get(pk=min(assisted_recipient_ids(year=today.year - 1)))
    before = list(AssistedYear.objects.filter(institution=hospital).values_list("pk", flat=True))
    value = (
        "测试市"
        if field == "city"
        else County.objects.exclude(pk=hospital.county_id).order_by("code").first()
    )
    institution_update(actor=province_officer, institution=hospital, **{field: value})
    assert (
        list(AssistedYear.objects.filter(institution=hospital).values_list("pk", flat=True))
        == before
    )


def test_refresh_standings_repairs_rows_edited_by_hand(today):
    year = today.year - 1
    expected = _stored()
    summary = capability_summary(year=year)
    gone = AssistedYear.objects.filter(year=year).order_by("pk")[:3]
    AssistedYear.objects.filter(pk__in=[r.pk for r in gone]).delete()
    stray = Institution.objects.filter(category=InstitutionCategory.RECIPIENT).exclude(
        pk__in=assisted_recipient_ids(year=year)
    )[0]
    AssistedYear.objects.create(institution=stray, year=year)
    AssistedYear.objects.create(institution=stray, year=2090)
    # the reads count the rows as stored
    assert capability_summary(year=year).assisted == summary.assisted - 2
    assert _stored() != expected

    assert assisted_refresh_all(year=2090) == 0  # one year: only its rows
    assert (stray.pk, 2090) not in _stored() and (stray.pk, year) in _stored()
    out = StringIO()
    call_command("refresh_standings", stdout=out)
    assert f"年度受扶医院 {len(expected)} 行" in out.getvalue()
    assert _stored() == expected == _rule()
    assert capability_summary(year=year) == summary


def test_a_refresh_of_some_hospitals_rewrites_only_theirs(today):
    year = today.year - 1
    ids = sorted(assisted_recipient_ids(year=year))[:2]
    others = AssistedYear.objects.exclude(institution_id__in=ids)
    kept = set(others.values_list("pk", flat=True))
    AssistedYear.objects.filter(institution_id__in=ids).delete()
    written = assisted_refresh(ids)
    assert written == len({r for r in _rule() if r[0] in ids}) >= 2
    assert set(others.values_list("pk", flat=True)) == kept
    assert _stored() == _rule()


def test_the_trend_counts_the_stored_years(province_officer, today):
    year = today.year - 1
    trend = {p.year: p for p in standard_trend_for_user(user=province_officer, today=today)}
    summary = capability_summary(year=year, user=province_officer)
    assert (trend[year].assisted, trend[year].meeting_standard) == (
        summary.assisted,
        summary.meeting_standard,
    )
    AssistedYear.objects.filter(year=year).delete()
    assert standard_trend_for_user(user=province_officer, today=today)[-1].assisted == 0
