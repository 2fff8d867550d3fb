"""Twenty identical requests at once (issue 9): one is recorded, the others get a clear 409/422,
none a server error, and the database holds one row — never a "created" answer for a row that
does not exist. A replace (needs) or a correction (work fund) sent twenty times at once is applied
one after the other: every call succeeds and the rows are those of one call.

PostgreSQL only: SQLite serialises writers, so the races these tests provoke cannot happen
there (CI runs the suite again on PostgreSQL).

The requests run in threads, each on its own connection, so they see only committed data. The
tests carry the ordinary `django_db` mark (so that the session's test database is set up even when
they run alone) but write nothing on the test's own connection, whose transaction the threads
cannot see: the token and every clean-up are written by `_committed`, on a connection of its own.
`django_db(transaction=True)` is not used: its flush would remove the registry and demo data that
`django_db_setup` loads once per session for the tests that follow. Instead `committed_db` notes
the highest id of every table the requests write to and deletes what is above it afterwards, then
checks that each of those tables holds as many rows as before.
"""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Callable, Iterator
from datetime import timedelta
from decimal import Decimal
from typing import Any, TypeVar

import pytest
from django.apps import apps
from django.db import connection, models
from django.test import Client
from django.utils import timezone

from bangfu.accounts.models import ApiToken, User
from bangfu.accounts.services import token_create
from bangfu.core.models import AuditEntry
from bangfu.incentives.models import InsurancePolicy, TravelClaim, WorkFund
from bangfu.matching.models import RecipientNeed
from bangfu.overview.derived import derived_rows_refresh_all
from bangfu.partnerships.demo import demo_measures
from bangfu.partnerships.models import Agreement, AgreementMeasure, Partnership
from bangfu.people.domain.identity import id_number_check_char
from bangfu.people.models import (
    ApplicationStatus,
    AppointmentLetter,
    Deployment,
    Expert,
    TitleEvaluationApplication,
)
from bangfu.registry.models import Institution, InstitutionCategory, Specialty

pytestmark = [
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="concurrent writers need PostgreSQL"
    ),
    pytest.mark.django_db,
]

THREADS = 20
T = TypeVar("T")

# Every table the requests below write to, children before parents (the order of deletion).
WRITTEN: tuple[type[models.Model], ...] = (
    TitleEvaluationApplication,
    TravelClaim,
    InsurancePolicy,
    WorkFund,
    AppointmentLetter,
    RecipientNeed,
    AgreementMeasure,
    Agreement,
    Partnership,
    Expert,
    ApiToken,
    AuditEntry,
)


def _highest_ids() -> dict[type[models.Model], int]:
    return {m: m._default_manager.aggregate(top=models.Max("pk"))["top"] or 0 for m in WRITTEN}


def _committed(write: Callable[[], T]) -> T:
    """Run `write` on a connection of its own, so that it commits at once."""
    outcome: list[T] = []
    failure: list[BaseException] = []

    def run() -> None:
        try:
            outcome.append(write())
        except BaseException as exc:  # re-raised below, in the test's thread
            failure.append(exc)
        finally:
            connection.close()

    thread = threading.Thread(target=run)
    thread.start()
    thread.join()
    if failure:
        raise failure[0]
    return outcome[0]


def _delete_above(highest: dict[type[models.Model], int]) -> None:
    for model in WRITTEN:
        model._default_manager.filter(pk__gt=highest[model]).delete()


# Stores whose full rebuild gives their rows new ids: their children's links to them are not
# compared (the parents' own rows are, and each child row names its year and partnership).
REBUILT_PARENTS = frozenset({"activities.AgreementYearProgress"})


def _contents() -> dict[str, Counter[str]]:
    """Every project table's rows as a multiset of their values, without the primary key and the
    timestamps (a rebuilt store writes new ids and times, not new facts)."""
    contents = {}
    for model in apps.get_models():
        if not model.__module__.startswith("bangfu."):
            continue
        fields = [
            f.attname
            for f in model._meta.concrete_fields
            if not f.primary_key
            and not isinstance(f, models.DateTimeField)
            and not (f.related_model is not None and f.related_model._meta.label in REBUILT_PARENTS)
        ]
        rows = model._default_manager.values_list(*fields)
        contents[model._meta.label] = Counter(repr(row) for row in rows)  # JSON values: repr
    return contents


@pytest.fixture
def committed_db() -> Iterator[None]:
    """What the test's requests add is deleted after it, and every table is checked to hold the
    rows it held before, for the tests that follow on this database."""
    before = _highest_ids()
    contents = _contents()
    try:
        yield
    finally:
        _committed(lambda: _delete_above(before))
        # The requests' signals also rewrote the stores of derived rows (the budget's forecasts,
        # activity progress, standings, gaps, coverage spans), which deleting the rows above
        # cannot restore: rebuild them from what is left.
        _committed(derived_rows_refresh_all)
    after = _contents()
    assert [label for label in contents if after[label] != contents[label]] == []


@pytest.fixture
def token(committed_db: None) -> str:
    return _committed(lambda: token_create(user=User.objects.get(username="demo_province")))


def _at_once(method: str, path: str, body: dict[str, Any], token: str) -> list[tuple[int, Any]]:
    """Send the same request from THREADS threads released together; (status, body) of each."""
    barrier = threading.Barrier(THREADS)
    results: list[tuple[int, Any]] = [(-1, "not run")] * THREADS

    def send(index: int) -> None:
        try:
            client = Client()
            barrier.wait(timeout=60)
            response = getattr(client, method)(
                path,
                body,
                content_type="application/json",
                headers={"Authorization": f"Bearer {token}"},
            )
            try:
                payload = response.json()
            except ValueError:
                payload = response.content[:500]
            results[index] = (response.status_code, payload)
        except Exception as exc:  # reported by the assertions below
            results[index] = (-1, repr(exc))
        finally:
            connection.close()

    threads = [threading.Thread(target=send, args=(i,)) for i in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=180)
    return results


def _assert_one_recorded(results: list[tuple[int, Any]], fragment: str, created: int = 201) -> None:
    statuses = sorted(status for status, _ in results)
    assert not [r for r in results if r[0] < 0 or r[0] >= 500], results
    assert statuses.count(created) == 1, statuses
    refused = [body for status, body in results if status != created]
    assert all(status in (409, 422) for status, _ in results if status != created), statuses
    assert all(fragment in body["detail"] for body in refused), refused


def _helper_and_recipient_not_paired() -> tuple[Institution, Institution]:
    paired = set(Partnership.objects.values_list("helper_id", "recipient_id"))
    helpers = Institution.objects.filter(category=InstitutionCategory.HELPER).order_by("pk")
    recipients = Institution.objects.filter(category=InstitutionCategory.RECIPIENT).order_by("pk")
    for recipient in recipients:
        for helper in helpers:
            if (helper.pk, recipient.pk) not in paired:
                return helper, recipient
    raise AssertionError("every pair is taken")


def test_twenty_identical_partnerships_make_one(token: str) -> None:
    helper, recipient = _helper_and_recipient_not_paired()
    body = {
        "helper_id": helper.pk,
        "recipient_id": recipient.pk,
        "modes": ["specialty_alliance"],
        "agreement": {
            "start": "2026-01-01",
            "signed_on": "2025-12-20",
            "measures": demo_measures(),
        },
    }
    results = _at_once("post", "/api/v1/partnerships", body, token)
    _assert_one_recorded(results, "的帮扶关系已存在")
    (created,) = [b for s, b in results if s == 201]
    partnership = Partnership.objects.get(helper=helper, recipient=recipient)
    assert created["id"] == partnership.pk
    assert Agreement.objects.filter(partnership=partnership).count() == 1


@pytest.fixture
def recipient_with_needs_kept(committed_db: None) -> Iterator[Institution]:
    """A recipient hospital whose demo needs are put back as they were after the test."""
    recipient = (
        Institution.objects.filter(category=InstitutionCategory.RECIPIENT).order_by("pk").first()
    )
    assert recipient is not None
    kept = list(RecipientNeed.objects.filter(institution=recipient).values())

    def put_back() -> None:
        RecipientNeed.objects.filter(institution=recipient).delete()
        RecipientNeed.objects.bulk_create(RecipientNeed(**row) for row in kept)

    yield recipient
    _committed(put_back)


def test_twenty_identical_needs_replaces_leave_one_set(
    token: str, recipient_with_needs_kept: Institution
) -> None:
    recipient = recipient_with_needs_kept
    codes = list(Specialty.objects.order_by("code").values_list("code", flat=True)[:3])
    body = {"needs": [{"specialty_code": c, "referrals_3y": 12, "weak": True} for c in codes]}
    results = _at_once("put", f"/api/v1/matching/needs/{recipient.pk}", body, token)
    # Each replace is legal; run one after the other, each replaces the one before.
    assert [status for status, _ in results] == [200] * THREADS, results
    stored = RecipientNeed.objects.filter(institution=recipient)
    assert sorted(stored.values_list("specialty__code", flat=True)) == sorted(codes)


def test_twenty_identical_insurance_policies_make_one(token: str) -> None:
    expert = Expert.objects.order_by("pk").first()
    assert expert is not None
    today = timezone.localdate()
    body = {
        "expert_id": expert.pk,
        "insurer": "并发测试保险公司",
        "policy_number": "CONCURRENT-0001",
        "coverage": "1000000",
        "start": f"{today:%Y-%m-%d}",
        "end": f"{today + timedelta(days=364):%Y-%m-%d}",
    }
    results = _at_once("post", "/api/v1/ledger/insurance-policies", body, token)
    _assert_one_recorded(results, "该保单已登记")
    assert InsurancePolicy.objects.filter(policy_number="CONCURRENT-0001").count() == 1


def _unused_id_number() -> str:
    for serial in range(100, 1000):
        first_17 = f"52010219800101{serial:03d}"
        id_number = first_17 + id_number_check_char(first_17)
        if not Expert.objects.filter(id_number=id_number).exists():
            return id_number
    raise AssertionError("no free identity number")


def test_twenty_identical_experts_make_one(token: str) -> None:
    home = Institution.objects.filter(category=InstitutionCategory.HELPER).order_by("pk").first()
    assert home is not None
    id_number = _unused_id_number()
    body = {
        "name": "并发测试专家",
        "sex": "M",
        "title": "正高",
        "degree": "博士",
        "job_title": "主任医师",
        "home_institution_id": home.pk,
        "prior_year_pay": "300000",
        "id_number": id_number,
    }
    results = _at_once("post", "/api/v1/experts", body, token)
    _assert_one_recorded(results, "该身份证号已登记为其他专家")
    assert Expert.objects.filter(id_number=id_number).count() == 1


def test_twenty_identical_appointment_letters_make_one(token: str) -> None:
    helper = Institution.objects.filter(category=InstitutionCategory.HELPER).order_by("pk").first()
    assert helper is not None
    body = {
        "helper_id": helper.pk,
        "head_name": "并发测试院长",
        "letter_number": "并发测试聘书-0001",
        "issued_on": f"{timezone.localdate():%Y-%m-%d}",
    }
    results = _at_once("post", "/api/v1/department-services/appointment-letters", body, token)
    _assert_one_recorded(results, "已存在")
    assert AppointmentLetter.objects.filter(letter_number="并发测试聘书-0001").count() == 1


def test_twenty_identical_first_work_funds_make_one_and_correct_it(token: str) -> None:
    recipient = (
        Institution.objects.filter(category=InstitutionCategory.RECIPIENT).order_by("pk").first()
    )
    assert recipient is not None
    year = 2099  # no work fund is recorded for it
    body = {"recipient_id": recipient.pk, "year": year, "amount": "150000", "note": "并发测试"}
    results = _at_once("post", "/api/v1/ledger/work-funds", body, token)
    # The first records the year (201); each later one corrects it with the same values (200).
    statuses = sorted(status for status, _ in results)
    assert statuses == [200] * (THREADS - 1) + [201], results
    fund = WorkFund.objects.get(recipient=recipient, year=year)
    assert {body["id"] for _, body in results} == {fund.pk}
    assert fund.amount == Decimal("150000")


def _deployment_on_site(**without: Any) -> Deployment:
    today = timezone.localdate()
    deployment = (
        Deployment.objects.filter(start__lte=today - timedelta(days=1))
        .exclude(**without)
        .order_by("pk")
        .first()
    )
    assert deployment is not None
    return deployment


def test_twenty_identical_travel_claims_make_one(token: str) -> None:
    deployment = _deployment_on_site()
    trip = min(timezone.localdate(), deployment.effective_end)
    body = {"deployment_id": deployment.pk, "date": f"{trip:%Y-%m-%d}", "amount": "1234.56"}
    results = _at_once("post", "/api/v1/ledger/travel-claims", body, token)
    _assert_one_recorded(results, "的往返交通费已登记")
    same_trip = TravelClaim.objects.filter(
        deployment__expert=deployment.expert, date=trip, amount=Decimal("1234.56")
    )
    assert same_trip.count() == 1


def test_twenty_identical_title_applications_make_one(token: str) -> None:
    deployment = _deployment_on_site(title_applications__status=ApplicationStatus.SUBMITTED)
    body = {
        "deployment_id": deployment.pk,
        "applied_title": "主任医师",
        "has_entrustment_letter": True,
        "submitted_on": f"{timezone.localdate():%Y-%m-%d}",
    }
    results = _at_once("post", "/api/v1/department-services/title-applications", body, token)
    _assert_one_recorded(results, "尚待评审结果")
    open_ones = TitleEvaluationApplication.objects.filter(
        deployment=deployment, status=ApplicationStatus.SUBMITTED
    )
    assert open_ones.count() == 1
