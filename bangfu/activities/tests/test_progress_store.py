"""The stored progress of agreement-years (ADR 0020): the services keep it equal to a fresh
computation after every kind of change, the SQL status is `status_on`, and the province's
summary and the goals panel's counts read from it equal what the per-request computation
gave, for several readers and days, in a number of queries that does not grow."""

from __future__ import annotations

from collections import defaultdict
from datetime import date, timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import connection, transaction
from django.db.models import F
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from bangfu.activities.domain.progress import (
    ActivityFact,
    MeasureYear,
    ProgressStatus,
    agreement_year,
    first_behind_day,
    status_on,
)
from bangfu.activities.models import (
    Activity,
    AgreementYearCount,
    AgreementYearProgress,
    MeasureYearCount,
    MeasureYearProgress,
)
from bangfu.activities.selectors import (
    agreement_terms,
    behind_on_sql,
    progress_counts_for_user,
    progress_rows_for_user,
    progress_summary,
    progress_summary_for_user,
    status_sql,
)
from bangfu.activities.services import (
    ActivityInput,
    activity_confirm,
    activity_create,
    activity_delete,
    activity_import_file,
    activity_update,
)
from bangfu.activities.tests.sheets import write_sheet
from bangfu.partnerships.demo import demo_measures
from bangfu.partnerships.models import Agreement, Partnership
from bangfu.partnerships.services import (
    AgreementInput,
    agreement_record_signing,
    agreement_renew,
    agreement_terminate,
    partnership_create,
)
from bangfu.policy.loader import load_policy
from bangfu.registry.models import County, Institution, InstitutionCategory, Prefecture
from bangfu.registry.services import institution_update
from bangfu.registry.signals import county_changed

pytestmark = pytest.mark.django_db

Key = tuple[int, int]  # agreement, year


def _stored() -> dict[Key, tuple]:
    measures: dict[int, list[tuple]] = defaultdict(list)
    for m in MeasureYearProgress.objects.order_by("code"):
        measures[m.agreement_year_id].append(
            (m.code, m.target, m.achieved, m.unconfirmed, m.met, m.any_record, m.behind_from)
        )
    return {
        (row.agreement_id, row.year): (
            row.partnership_id,
            row.county_id,
            row.prefecture_id,
            row.first,
            row.last,
            row.behind_from,
            tuple(measures[row.pk]),
        )
        for row in AgreementYearProgress.objects.all()
    }


def _fresh() -> dict[Key, tuple]:
    """Every signed agreement in every year, computed from scratch with the activities read
    as model instances (not the store's narrowed query)."""
    policy = load_policy()
    facts: dict[int, list[ActivityFact]] = defaultdict(list)
    for a in Activity.objects.all():
        facts[a.partnership_id].append(
            ActivityFact(
                day=a.date,
                kind=a.kind,
                quantities=a.quantities,
                attributes=a.attributes,
                department=a.department,
                confirmed=a.confirmed_at is not None,
            )
        )
    out: dict[Key, tuple] = {}
    for agreement in Agreement.objects.select_related(
        "partnership__recipient__county"
    ).prefetch_related("measures"):
        terms = agreement_terms(agreement)
        if terms is None:
            continue
        for year in range(terms.start.year - 1, terms.last_day.year + 2):
            # A1-(2) counts centres from the agreement's start, capped at five years back.
            counted = [
                f
                for f in facts[agreement.partnership_id]
                if f.day >= date(year, 1, 1)
                or (f.kind == "centre_building" and f.day >= date(year - 5, 1, 1))
            ]
            row = agreement_year(
                terms,
                year,
                counted,
                policy.activity_catalogue,
                default_team_size=policy.team.min_size,
            )
            if row is None:
                continue
            county = agreement.partnership.recipient.county
            out[(agreement.pk, year)] = (
                agreement.partnership_id,
                county.pk if county else None,
                county.prefecture_id if county else None,
                row.first,
                row.last,
                first_behind_day(row.measures),
                tuple(
                    (
                        m.code,
                        m.target,
                        m.achieved,
                        m.unconfirmed,
                        m.met,
                        m.any_record,
                        m.behind_from,
                    )
                    for m in row.measures
                ),
            )
    return out


def _counts_of(rows: dict[Key, tuple]) -> tuple[dict[tuple, int], dict[tuple, int]]:
    """The agreement-years and measure-years of ``rows`` (as `_fresh` gives them) counted per
    key of `AgreementYearCount` and `MeasureYearCount`."""
    agreements: dict[tuple, int] = defaultdict(int)
    measures: dict[tuple, int] = defaultdict(int)
    for (_, year), (_, county, prefecture, _, _, behind_from, ms) in rows.items():
        agreements[(year, county, prefecture, behind_from)] += 1
        for code, _, _, _, met, any_record, measure_behind_from in ms:
            measures[(year, county, prefecture, code, met, any_record, measure_behind_from)] += 1
    return dict(agreements), dict(measures)


def _stored_counts() -> tuple[dict[tuple, int], dict[tuple, int]]:
    agreements = {
        (c.year, c.county_id, c.prefecture_id, c.behind_from): c.n
        for c in AgreementYearCount.objects.all()
    }
    measures = {
        (c.year, c.county_id, c.prefecture_id, c.code, c.met, c.any_record, c.behind_from): c.n
        for c in MeasureYearCount.objects.all()
    }
    # one row per key (the unique index), none at zero
    assert len(agreements) == AgreementYearCount.objects.count()
    assert len(measures) == MeasureYearCount.objects.count()
    return agreements, measures


def assert_progress_fresh() -> dict[Key, tuple]:
    stored = _stored()
    fresh = _fresh()
    assert stored == fresh
    assert stored
    # The counts are those of a fresh computation (no key left at zero).
    assert _stored_counts() == _counts_of(fresh)
    # The measure rows carry their agreement-year's year and partnership (the reads' filter).
    assert not MeasureYearProgress.objects.exclude(year=F("agreement_year__year")).exists()
    assert not MeasureYearProgress.objects.exclude(
        partnership=F("agreement_year__partnership")
    ).exists()
    # ... and its region (the summary's GROUP BY).
    regions = MeasureYearProgress.objects.values_list(
        "county_id", "prefecture_id", "agreement_year__county_id", "agreement_year__prefecture_id"
    )
    assert all((c, p) == (ac, ap) for c, p, ac, ap in regions)
    return stored


def test_every_demo_agreement_year_is_stored_as_computed():
    stored = assert_progress_fresh()
    assert len({year for _, year in stored}) >= 3
    behind = [m for row in stored.values() for m in row[-1] if m[6] is not None]
    assert behind  # the demo has measures that fall behind on some day
    assert any(row[5] is not None for row in stored.values())  # and agreement-years


def _rules(day, documents=3):
    return ActivityInput(date=day, kind="rules", quantities={"documents": documents})


def _measure(partnership, year, code):
    return MeasureYearProgress.objects.get(
        agreement_year__partnership=partnership, agreement_year__year=year, code=code
    )


def test_each_activity_change_keeps_the_stored_progress_fresh(
    tmp_path, expert_user, recipient_user, county_officer, weining
):
    day = timezone.localdate() - timedelta(days=3)
    before = _measure(weining, day.year, "M07")
    # create (unconfirmed: counted apart)
    activity = activity_create(actor=expert_user, partnership=weining, data=_rules(day))
    after = _measure(weining, day.year, "M07")
    assert after.unconfirmed == before.unconfirmed + 3
    assert_progress_fresh()
    # update
    activity_update(actor=expert_user, activity=activity, data=_rules(day, documents=5))
    assert _measure(weining, day.year, "M07").unconfirmed == before.unconfirmed + 5
    assert_progress_fresh()
    # confirm (counts now)
    activity_confirm(actor=recipient_user, activity=activity)
    assert _measure(weining, day.year, "M07").achieved == before.achieved + 5
    assert_progress_fresh()
    # delete (an unconfirmed one)
    other = activity_create(actor=expert_user, partnership=weining, data=_rules(day, 2))
    activity_delete(actor=expert_user, activity=other)
    assert _measure(weining, day.year, "M07").unconfirmed == before.unconfirmed
    assert_progress_fresh()
    # import: several rows of one partnership, one refresh after the batch
    rows = [
        (weining.pk, day, "rules", 4, None, "制度", "", "STORE-1"),
        (weining.pk, day, "rules", 2, None, "制度", "", "STORE-2"),
    ]
    result = activity_import_file(actor=county_officer, path=write_sheet(tmp_path / "a.xlsx", rows))
    assert result.ok
    assert _measure(weining, day.year, "M07").unconfirmed == before.unconfirmed + 6
    assert_progress_fresh()


def test_each_agreement_change_keeps_the_stored_progress_fresh(province_officer):
    today = timezone.localdate()
    helper = Institution.objects.get(name="上海演示第7医院")
    recipient = (
        Institution.objects.filter(category=InstitutionCategory.RECIPIENT)
        .exclude(pk__in=Partnership.objects.values("recipient_id"))
        .order_by("pk")
        .first()
    )
    start = today - timedelta(days=400)
    # create (with its first cycle, signed)
    partnership = partnership_create(
        actor=province_officer,
        helper=helper,
        recipient=recipient,
        modes=["east_west"],
        agreement=AgreementInput(
            start=start, signed_on=start - timedelta(days=5), measures=demo_measures()
        ),
    )
    years = set(
        AgreementYearProgress.objects.filter(partnership=partnership).values_list("year", flat=True)
    )
    end = partnership.agreements.get().end
    assert years == set(range(start.year, end.year + 1))
    assert_progress_fresh()
    # renew (unsigned: no rows), then sign (rows), then terminate the first (its rows cut)
    first = partnership.agreements.get()
    renewed = agreement_renew(actor=province_officer, previous=first)
    assert not AgreementYearProgress.objects.filter(agreement=renewed).exists()
    assert_progress_fresh()
    agreement_record_signing(actor=province_officer, agreement=renewed, signed_on=today)
    assert AgreementYearProgress.objects.filter(agreement=renewed).exists()
    assert_progress_fresh()
    agreement_terminate(actor=province_officer, agreement=first, on=today, reason="测试：提前终止")
    lasts = AgreementYearProgress.objects.filter(agreement=first).values_list("last", flat=True)
    assert max(lasts) == today - timedelta(days=1)
    assert_progress_fresh()


def test_the_refresh_command_repairs_rows_written_around_the_services(weining):
    year = timezone.localdate().year
    AgreementYearProgress.objects.filter(partnership=weining, year=year).delete()
    MeasureYearProgress.objects.filter(agreement_year__partnership=weining).update(achieved=99)
    out = StringIO()
    call_command("refresh_progress", "--year", str(year), stdout=out)
    assert "已重算" in out.getvalue()
    assert AgreementYearProgress.objects.filter(partnership=weining, year=year).exists()
    call_command("refresh_progress", stdout=StringIO())
    assert_progress_fresh()


def _days(year: int) -> list[date]:
    """Before, at the start of, inside, at the end of and after the year, and the boundary
    days of the stored rows (behind_from of measures and of agreement-years, the day before
    and the day after)."""
    days = {
        date(year - 1, 12, 31),
        date(year, 1, 1),
        date(year, 6, 30),
        date(year, 12, 31),
        date(year + 1, 3, 1),
    }
    for model in (MeasureYearProgress, AgreementYearProgress):
        for behind_from in (
            model.objects.filter(year=year, behind_from__isnull=False)
            .order_by("behind_from")
            .values_list("behind_from", flat=True)
            .distinct()[:4]
        ):
            assert behind_from is not None
            days |= {behind_from - timedelta(days=1), behind_from, behind_from + timedelta(days=1)}
    return sorted(days)


def test_the_sql_status_is_status_on():
    rows = list(MeasureYearProgress.objects.all())
    assert any(r.behind_from for r in rows)
    days = sorted({d for y in {r.agreement_year.year for r in rows[:50]} for d in _days(y)})
    for day in days:
        in_sql = dict(
            MeasureYearProgress.objects.annotate(status=status_sql(day)).values_list("pk", "status")
        )
        for r in rows:
            measure = MeasureYear(
                r.code, r.target, r.achieved, r.unconfirmed, r.met, r.any_record, r.behind_from, ""
            )
            assert in_sql[r.pk] == status_on(measure, day).value, (r.pk, day)


def test_the_sql_behind_of_an_agreement_year_is_status_on_of_its_measures():
    rows = list(AgreementYearProgress.objects.prefetch_related("measures"))
    days = sorted({d for y in {r.year for r in rows} for d in _days(y)})
    behind_on_some_day = False
    for day in days:
        in_sql = set(
            AgreementYearProgress.objects.filter(behind_on_sql(day)).values_list("pk", flat=True)
        )
        for r in rows:
            measures = [
                MeasureYear(
                    m.code,
                    m.target,
                    m.achieved,
                    m.unconfirmed,
                    m.met,
                    m.any_record,
                    m.behind_from,
                    "",
                )
                for m in r.measures.all()
            ]
            behind = any(status_on(m, day) is ProgressStatus.BEHIND for m in measures)
            assert (r.pk in in_sql) == behind, (r.pk, day)
            behind_on_some_day |= behind
    assert behind_on_some_day


def _assert_summary_and_counts_equal_the_computation(user) -> int:
    """Returns the measures behind on some day in the summaries checked."""
    this_year = timezone.localdate().year
    checked = 0
    for year in (this_year - 1, this_year):
        for day in _days(year):
            rows = progress_rows_for_user(user=user, year=year, today=day)
            for by in ("prefecture", "county"):
                expected = progress_summary(rows, by=by)
                assert progress_summary_for_user(user=user, year=year, by=by, today=day) == (
                    expected
                )
                checked += sum(sum(s.behind.values()) for s in expected)
            county = "520526"
            assert progress_summary_for_user(
                user=user, year=year, by="county", county=county, today=day
            ) == progress_summary(
                progress_rows_for_user(user=user, year=year, county=county, today=day),
                by="county",
            )
            counts = progress_counts_for_user(user=user, year=year, today=day)
            assert counts.tracked == len(rows)
            assert counts.behind == sum(
                1
                for r in rows
                if any(m.status is ProgressStatus.BEHIND for m in r.progress.measures)
            )
    return checked


@pytest.mark.parametrize(
    "persona", ["province_officer", "prefecture_officer", "county_officer", "helper_user"]
)
def test_summary_and_counts_equal_the_per_request_computation(request, persona):
    checked = _assert_summary_and_counts_equal_the_computation(request.getfixturevalue(persona))
    if persona == "province_officer":
        assert checked  # some measures are behind on some of these days


def test_a_recipient_moved_to_another_county_moves_its_rows(
    weining, province_officer, prefecture_officer, county_officer, helper_user
):
    """The rows carry the recipient's county and prefecture: `institution_update` of the
    county (registry's signal) rewrites them, and the summaries follow."""
    year = timezone.localdate().year
    old = weining.recipient.county
    assert old is not None
    new = County.objects.exclude(prefecture_id=old.prefecture_id).order_by("code").first()
    assert new is not None
    rows = AgreementYearProgress.objects.filter(partnership=weining)
    assert set(rows.values_list("county_id", "prefecture_id")) == {(old.pk, old.prefecture_id)}

    def agreements_in(code: str) -> int:
        summary = progress_summary_for_user(user=province_officer, year=year, by="county")
        return sum(s.agreements for s in summary if s.code == code)

    before = (agreements_in(old.code), agreements_in(new.code))
    moved = rows.filter(year=year).count()
    assert moved
    institution_update(actor=province_officer, institution=weining.recipient, county=new)

    assert set(rows.values_list("county_id", "prefecture_id")) == {(new.pk, new.prefecture_id)}
    assert set(
        MeasureYearProgress.objects.filter(partnership=weining).values_list(
            "county_id", "prefecture_id"
        )
    ) == {(new.pk, new.prefecture_id)}
    assert (agreements_in(old.code), agreements_in(new.code)) == (
        before[0] - moved,
        before[1] + moved,
    )
    assert_progress_fresh()
    for user in (province_officer, prefecture_officer, county_officer, helper_user):
        _assert_summary_and_counts_equal_the_computation(user)


def test_a_county_moved_to_another_prefecture_moves_its_rows_and_counts(weining, province_officer):
    """As `registry_load` does when the official list moves a county (registry's
    `county_changed`): the rows and the counts follow, and the province's summary by
    prefecture (read from the counts) with them."""
    year = timezone.localdate().year
    county = weining.recipient.county
    assert county is not None
    new = Prefecture.objects.exclude(pk=county.prefecture_id).order_by("code").first()
    assert new is not None
    before = progress_summary_for_user(user=province_officer, year=year, by="prefecture")
    moved = AgreementYearProgress.objects.filter(county=county, year=year).count()
    assert moved
    with transaction.atomic():
        County.objects.filter(pk=county.pk).update(prefecture=new)
        county.refresh_from_db()
        county_changed.send(sender=County, county=county, changed=frozenset({"prefecture"}))

    assert_progress_fresh()
    after = progress_summary_for_user(user=province_officer, year=year, by="prefecture")
    agreements = {s.code: s.agreements for s in after}
    assert agreements[new.code] == moved + sum(s.agreements for s in before if s.code == new.code)
    _assert_summary_and_counts_equal_the_computation(province_officer)


def test_a_change_of_other_institution_fields_rewrites_no_rows(weining, province_officer):
    before = list(AgreementYearProgress.objects.order_by("pk").values_list("pk", flat=True))
    institution_update(actor=province_officer, institution=weining.recipient, city="测试市")
    institution_update(actor=province_officer, institution=weining.helper, grade="二级乙等")
    assert list(AgreementYearProgress.objects.order_by("pk").values_list("pk", flat=True)) == (
        before
    )


def _more_agreements(actor, count: int) -> None:
    helper = Institution.objects.get(name="上海演示第7医院")
    free = (
        Institution.objects.filter(category=InstitutionCategory.RECIPIENT)
        .exclude(pk__in=Partnership.objects.values("recipient_id"))
        .order_by("pk")[:count]
    )
    start = timezone.localdate() - timedelta(days=200)
    for recipient in free:
        partnership_create(
            actor=actor,
            helper=helper,
            recipient=recipient,
            modes=["east_west"],
            agreement=AgreementInput(
                start=start, signed_on=start - timedelta(days=5), measures=demo_measures()
            ),
        )


def test_the_page_and_the_counts_take_the_same_queries_at_two_sizes(client, province_officer):
    client.force_login(province_officer)
    year = timezone.localdate().year
    url = reverse("activities:progress_overview")

    def queries() -> list[int]:
        counts = []
        for params in ({}, {"by": "county"}):
            with CaptureQueriesContext(connection) as ctx:
                assert client.get(url, params).status_code == 200
            counts.append(len(ctx))
        with CaptureQueriesContext(connection) as ctx:
            progress_counts_for_user(user=province_officer, year=year)
        counts.append(len(ctx))
        return counts

    small = queries()
    tracked = progress_counts_for_user(user=province_officer, year=year).tracked
    _more_agreements(province_officer, 15)
    assert progress_counts_for_user(user=province_officer, year=year).tracked >= tracked + 10
    assert queries() == small
    assert small[2] == 1


@pytest.mark.parametrize(
    "model", [AgreementYearProgress, MeasureYearProgress, AgreementYearCount, MeasureYearCount]
)
def test_the_stored_rows_are_read_only_in_the_admin(client, province_officer, model):
    assert province_officer.is_superuser
    client.force_login(province_officer)
    opts = model._meta
    name = f"admin:{opts.app_label}_{opts.model_name}"
    assert client.get(reverse(f"{name}_changelist")).status_code == 200
    row = model.objects.order_by("pk").first()
    assert client.get(reverse(f"{name}_change", args=[row.pk])).status_code == 200
    assert client.get(reverse(f"{name}_add")).status_code == 403
    assert client.post(reverse(f"{name}_delete", args=[row.pk]), {"post": "yes"}).status_code == 403
    assert model.objects.filter(pk=row.pk).exists()
