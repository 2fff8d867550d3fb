"""The yearly budget forecast per recipient hospital, prefecture or the province (F12;
§六; A2-四(三)), scoped to the user, with the small-cell suppression of pay (ADR 0004)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, F, Min, Q, QuerySet, Sum, Value
from django.db.models.functions import Coalesce
from django.http import Http404

from bangfu.accounts.models import Role, User
from bangfu.incentives.agreement_terms import policy_rates
from bangfu.incentives.domain.benefits import (
    BenefitItem,
)
from bangfu.incentives.domain.budget import (
    BudgetDeployment,
    BudgetLine,
    budget_forecast,
    expected_travel_amount,
    work_fund_line,
)
from bangfu.incentives.domain.rates import IncentiveRates
from bangfu.incentives.labels import ITEM_LABELS, ITEM_ORDER
from bangfu.incentives.models import HospitalForecast, Payment
from bangfu.incentives.payment_selectors import paid_by_recipient, payment_reveals_pay
from bangfu.incentives.statement_selectors import agreement_rates
from bangfu.partnerships.models import Agreement
from bangfu.partnerships.selectors import governed_spans_of
from bangfu.people import access
from bangfu.people.domain.privacy import (
    SMALL_CELL_MIN_PEOPLE,
    SMALL_CELL_TEXT,
    small_cell_hidden,
)
from bangfu.people.models import Deployment, deployments_with_days_in
from bangfu.people.selectors import (
    domain_deployment,
    domain_expert,
)
from bangfu.policy.domain.money import yuan
from bangfu.registry.models import Institution
from bangfu.registry.scope import scope_for_user

# Product assumption for forecasts: the expected cost of one round trip between the helper's city
# and the recipient county, when the user does not give one (the policy reimburses actual cost).
DEFAULT_ROUND_TRIP_COST = Decimal("1500.00")


# ---- budgets ----


class BudgetLevel:
    HOSPITAL = "hospital"
    PREFECTURE = "prefecture"
    PROVINCE = "province"
    CHOICES = (("hospital", "按受扶医院"), ("prefecture", "按市州"), ("province", "全省汇总"))
    VALUES = ("hospital", "prefecture", "province")


BUDGET_SMALL_CELL_NOTE = (
    f"薪酬补足由个人薪酬算出：不足3人的薪酬补足及含有它的合计显示为“{SMALL_CELL_TEXT}”，"
    "以免推算出个人薪酬（个人信息保护法）；省卫健委和受扶医院本院可见实际金额。"
)
BUDGET_ROLES = (Role.PROVINCE, Role.OBSERVER, Role.PREFECTURE, Role.COUNTY, Role.RECIPIENT)


@dataclass(frozen=True)
class BudgetLineView:
    expert_name: str
    item_label: str
    amount_text: str
    clause: str
    reason: str


@dataclass(frozen=True)
class BudgetRow:
    key: str
    name: str
    prefecture: str
    hospitals: int
    deployments: int
    items: dict[str, Decimal]
    total: Decimal
    lines: tuple[BudgetLineView, ...] = ()
    details_visible: bool = False
    # The salary top-up gives away pay (ADR 0004): how many people's top-ups the row adds up,
    # and whether the reader may see the pay-derived cells (the top-up and the total).
    pay_people: int = 0
    pay_visible: bool = True
    # What approved payments (frozen statements, with their adjustments) have paid in the year.
    paid: Decimal = Decimal("0.00")
    paid_visible: bool = True

    @property
    def shown_paid(self) -> Decimal | str:
        return self.paid if self.paid_visible else SMALL_CELL_TEXT

    @property
    def amounts(self) -> tuple[Decimal, ...]:
        """The item sums in `ITEM_ORDER` (for tables)."""
        return tuple(self.items[item.value] for item in ITEM_ORDER)

    @property
    def shown_items(self) -> dict[str, Decimal | str]:
        """`items` as the reader may see them: a suppressed top-up is `SMALL_CELL_TEXT`."""
        return {
            key: SMALL_CELL_TEXT
            if key == BenefitItem.SALARY_TOP_UP.value and not self.pay_visible
            else amount
            for key, amount in self.items.items()
        }

    @property
    def shown_amounts(self) -> tuple[Decimal | str, ...]:
        shown = self.shown_items
        return tuple(shown[item.value] for item in ITEM_ORDER)

    @property
    def shown_total(self) -> Decimal | str:
        """The total less the other items is the top-up, so it is suppressed along with it."""
        return self.total if self.pay_visible else SMALL_CELL_TEXT


BUDGET_PAGE_SIZE = 50


def _zero_items() -> dict[str, Decimal]:
    return {item.value: Decimal("0.00") for item in ITEM_ORDER}


@dataclass(frozen=True)
class BudgetReport:
    year: int
    level: str
    round_trip_cost: Decimal
    rows: tuple[BudgetRow, ...]
    """This page's rows: 50 hospitals a page; every prefecture; the province's one row."""
    available: bool
    totals: BudgetRow = field(
        default_factory=lambda: BudgetRow("", "合计", "", 0, 0, _zero_items(), Decimal("0.00"))
    )
    """The sums over every row in the reader's scope (all pages), masked like a row."""
    count: int = 0
    """Rows at this level in the reader's scope (all pages)."""
    page: int = 1
    pages: int = 1
    q: str = ""

    @property
    def item_totals(self) -> dict[str, Decimal]:
        return self.totals.items

    @property
    def total(self) -> Decimal:
        return self.totals.total

    @property
    def item_amounts(self) -> tuple[Decimal, ...]:
        return self.totals.amounts

    @property
    def pay_visible(self) -> bool:
        """Totals over every row show the top-up only when no row hides it: otherwise the total
        less the shown rows would give the hidden ones away."""
        return self.totals.pay_visible

    @property
    def paid(self) -> Decimal:
        return self.totals.paid

    @property
    def shown_paid(self) -> Decimal | str:
        return self.totals.shown_paid

    @property
    def note(self) -> str:
        """Said on the page, in the export and by the API whenever a cell is suppressed."""
        hidden = not self.totals.pay_visible or not self.totals.paid_visible
        return BUDGET_SMALL_CELL_NOTE if hidden else ""

    @property
    def shown_item_totals(self) -> dict[str, Decimal | str]:
        return self.totals.shown_items

    @property
    def shown_item_amounts(self) -> tuple[Decimal | str, ...]:
        return self.totals.shown_amounts

    @property
    def shown_total(self) -> Decimal | str:
        return self.totals.shown_total


def budget_hospitals(user: User, year: int) -> QuerySet[HospitalForecast]:
    """The stored rows of the recipients in the user's scope that are in `year`'s budget (a
    signed agreement or a deployment in the year; `forecasts.py`), in the page's order."""
    if scope_for_user(user).role not in BUDGET_ROLES:
        return HospitalForecast.objects.none()
    return HospitalForecast.objects.filter(
        year=year, recipient__in=access.recipients_in_scope(user)
    ).order_by("recipient__county__code", "recipient__name", "recipient_id")


def small_cell_q(field_name: str) -> Q:
    """`people.domain.privacy.small_cell_hidden` as a filter on a count column."""
    return Q(**{f"{field_name}__gt": 0, f"{field_name}__lt": SMALL_CELL_MIN_PEOPLE})


def hospital_rates_for_year(
    agreements_of_hospital: Iterable[Agreement], year: int, base: IncentiveRates
) -> IncentiveRates:
    """A recipient hospital's rates for a year (its work fund, A2-四(三)5): those of the agreement
    governing the last day of the year that one governs (`governed_spans_of`, per partnership;
    the latest such day across its partnerships); the policy's when none governs that year."""
    by_partnership: dict[int, list[Agreement]] = defaultdict(list)
    for a in agreements_of_hospital:
        by_partnership[a.partnership_id].append(a)
    last_spans = [
        spans[-1]
        for cycles in by_partnership.values()
        if (spans := governed_spans_of(cycles, date(year, 1, 1), date(year, 12, 31)))
    ]
    if not last_spans:
        return base
    _, _, agreement = max(last_spans, key=lambda span: (span[1], span[2].start, span[2].pk))
    return agreement_rates(agreement, base)


def partnership_year_rates(
    cycles: Sequence[Agreement], year: int, base: IncentiveRates
) -> IncentiveRates:
    """The rates of a partnership's deployments in a year's budget: the terms of the agreement
    that governs first in the year (the policy's when none governs it)."""
    spans = governed_spans_of(cycles, date(year, 1, 1), date(year, 12, 31))
    return agreement_rates(spans[0][2] if spans else None, base)


PREFECTURE_NAME = Coalesce(
    F("recipient__county__prefecture__name"), F("recipient__prefecture__name"), Value("")
)
FORECAST_SUMS = {
    "n_deployments": Sum("deployments"),
    "top_up": Sum("salary_top_up"),
    "subsidy": Sum("monthly_subsidy"),
    "settling": Sum("settling_in"),
    "trips": Sum("round_trips"),
    "fund": Sum("work_fund"),
    "people": Sum("pay_people"),
    "n_hospitals": Count("pk"),
}


@dataclass(frozen=True)
class _Budget:
    """What every row of one reader's budget needs: the scoped rows and who is masked."""

    user: User
    year: int
    cost: Decimal
    rates: IncentiveRates
    hospitals: QuerySet[HospitalForecast]
    pay_hidden: frozenset[int]
    """Hospitals whose top-up (and total) the reader does not see (1 or 2 people)."""
    paid_hidden: frozenset[int]
    """Hospitals whose paid amount the reader does not see."""
    q: str = ""

    def items(self, values: Mapping[str, Any]) -> dict[str, Decimal]:
        zero = Decimal("0.00")
        sums = {
            BenefitItem.SALARY_TOP_UP: values["top_up"] or zero,
            BenefitItem.MONTHLY_SUBSIDY: values["subsidy"] or zero,
            BenefitItem.SETTLING_IN: values["settling"] or zero,
            BenefitItem.TRAVEL: expected_travel_amount(values["trips"] or 0, self.cost, self.rates),
            BenefitItem.WORK_FUND: values["fund"] or zero,
        }
        return {item.value: sums[item] for item in ITEM_ORDER}


def _budget(user: User, year: int, cost: Decimal, q: str) -> _Budget:
    hospitals = budget_hospitals(user, year)
    if q:
        hospitals = hospitals.filter(recipient__name__contains=q)
    # Who sees what: `access.can_see_pay_of_recipient` in SQL (the province: every hospital).
    seen = access.recipients_pay_seen_filter(user, "recipient_id")
    pay_hidden = set(
        hospitals.filter(small_cell_q("pay_people"))
        .exclude(seen)
        .values_list("recipient_id", flat=True)
    )
    # Paid amounts hold top-ups: suppressed where the top-up is, or where payments holding a
    # top-up were made to 1 or 2 people (ADR 0004).
    paid_people: dict[int, set[int]] = defaultdict(set)
    unseen = Payment.objects.filter(
        recipient__in=hospitals.exclude(seen).values("recipient_id"), period_start__year=year
    ).only("recipient_id", "expert_id", "lines")
    for payment in unseen:
        if payment_reveals_pay(payment):
            paid_people[payment.recipient_id].add(payment.expert_id)
    paid_hidden = pay_hidden | {
        h for h, people in paid_people.items() if small_cell_hidden(len(people))
    }
    return _Budget(
        user,
        year,
        cost,
        policy_rates(),
        hospitals,
        frozenset(pay_hidden),
        frozenset(paid_hidden),
        q,
    )


def _check(level: str, round_trip_cost: Decimal) -> None:
    if level not in BudgetLevel.VALUES:
        raise ValidationError({"level": "汇总层级应为 hospital、prefecture 或 province"})
    if round_trip_cost < 0:
        raise ValidationError({"round_trip_cost": "预计往返交通费不能为负数"})
    if round_trip_cost != round_trip_cost.quantize(Decimal("0.01")):
        raise ValidationError({"round_trip_cost": "预计往返交通费最多保留两位小数"})


def budget_for_user(
    *,
    user: User,
    year: int,
    level: str = BudgetLevel.HOSPITAL,
    round_trip_cost: Decimal = DEFAULT_ROUND_TRIP_COST,
    q: str = "",
    page: int = 1,
    lines: bool = True,
) -> BudgetReport:
    """The year's forecast per recipient hospital, prefecture or the province (§六; A2-四(三)):
    top-ups, subsidies, settling-in, expected travel and 200,000 yuan of work funds per hospital,
    summed in SQL from the stored forecasts (ADR 0018); hospitals 50 a page (`q`: by name).

    Per-expert lines are given only where the user may see the experts' pay (the province; a
    recipient for itself), computed by the domain for the rows of the page only, and not at
    all with `lines=False` (the page loads them per hospital, `budget_lines_for_user`); the sums per
    item are shown to every user who may see the budget, except that for the others a top-up
    (and the total holding it) adding up fewer than 3 people is suppressed, as is any sum over
    rows that holds a suppressed one (ADR 0004).
    """
    _check(level, round_trip_cost)
    return _report(_budget(user, year, round_trip_cost, q.strip()), level, page, lines)


def _report(budget: _Budget, level: str, page: int, lines: bool = False) -> BudgetReport:
    totals = _totals(budget)
    count = totals.hospitals if level == BudgetLevel.HOSPITAL else 0
    rows: list[BudgetRow] = []
    pages = max(1, -(-count // BUDGET_PAGE_SIZE))
    page = min(max(1, page), pages)
    if level == BudgetLevel.HOSPITAL:
        start = (page - 1) * BUDGET_PAGE_SIZE
        shown = list(
            budget.hospitals.select_related(
                "recipient__county__prefecture", "recipient__prefecture"
            )[start : start + BUDGET_PAGE_SIZE]
        )
        rows = _hospital_rows(budget, shown, with_lines=lines)
    elif level == BudgetLevel.PREFECTURE:
        rows = _prefecture_rows(budget)
        count = len(rows)
    elif totals.hospitals:
        rows = [replace(totals, key="贵州省", name="贵州省")]
        count = 1
    return BudgetReport(
        year=budget.year,
        level=level,
        round_trip_cost=budget.cost,
        rows=tuple(rows),
        available=scope_for_user(budget.user).role in BUDGET_ROLES,
        totals=totals,
        count=count,
        page=page,
        pages=pages,
        q=budget.q,
    )


def budget_rows_for_export(
    *,
    user: User,
    year: int,
    level: str = BudgetLevel.HOSPITAL,
    round_trip_cost: Decimal = DEFAULT_ROUND_TRIP_COST,
    q: str = "",
) -> tuple[BudgetReport, Iterator[BudgetRow]]:
    """`budget_for_user`'s report (its totals) and every row of every page, read 500 at a
    time, without per-expert lines (the export)."""
    _check(level, round_trip_cost)
    budget = _budget(user, year, round_trip_cost, q.strip())
    report = _report(budget, level, 1)
    if level != BudgetLevel.HOSPITAL:
        return report, iter(report.rows)

    def rows() -> Iterator[BudgetRow]:
        batch: list[HospitalForecast] = []
        for row in budget.hospitals.select_related(
            "recipient__county__prefecture", "recipient__prefecture"
        ).iterator(chunk_size=EXPORT_BATCH):
            batch.append(row)
            if len(batch) == EXPORT_BATCH:
                yield from _hospital_rows(budget, batch, with_lines=False)
                batch = []
        yield from _hospital_rows(budget, batch, with_lines=False)

    return report, rows()


EXPORT_BATCH = 500


def _totals(budget: _Budget) -> BudgetRow:
    values = budget.hospitals.order_by().aggregate(**FORECAST_SUMS)
    items = budget.items(values)
    paid = Payment.objects.filter(
        recipient__in=budget.hospitals.values("recipient_id"), period_start__year=budget.year
    ).aggregate(paid=Sum("total"))["paid"]
    return BudgetRow(
        key="",
        name="合计",
        prefecture="",
        hospitals=values["n_hospitals"] or 0,
        deployments=values["n_deployments"] or 0,
        items=items,
        total=sum(items.values(), Decimal("0.00")),
        pay_people=values["people"] or 0,
        pay_visible=not budget.pay_hidden,
        paid=paid or Decimal("0.00"),
        paid_visible=not budget.paid_hidden,
    )


def _prefecture_rows(budget: _Budget) -> list[BudgetRow]:
    groups: list[dict[str, Any]] = [
        dict(group)
        for group in budget.hospitals.order_by()
        .annotate(prefecture_name=PREFECTURE_NAME)
        .values("prefecture_name")
        .annotate(first_code=Min("recipient__county__code"), **FORECAST_SUMS)
    ]
    paid = dict(
        Payment.objects.filter(
            recipient__in=budget.hospitals.values("recipient_id"), period_start__year=budget.year
        )
        .annotate(prefecture_name=PREFECTURE_NAME)
        .values("prefecture_name")
        .annotate(paid=Sum("total"))
        .values_list("prefecture_name", "paid")
    )
    masked = budget.pay_hidden | budget.paid_hidden
    prefecture_of = dict(
        budget.hospitals.filter(recipient_id__in=masked)
        .annotate(prefecture_name=PREFECTURE_NAME)
        .values_list("recipient_id", "prefecture_name")
    )
    pay_hidden = {prefecture_of[h] for h in budget.pay_hidden if h in prefecture_of}
    paid_hidden = {prefecture_of[h] for h in budget.paid_hidden if h in prefecture_of}
    rows = []
    for group in sorted(groups, key=lambda g: (g["first_code"] or "", g["prefecture_name"])):
        name = group["prefecture_name"]
        items = budget.items(group)
        rows.append(
            BudgetRow(
                key=name,
                name=name,
                prefecture=name,
                hospitals=group["n_hospitals"],
                deployments=group["n_deployments"] or 0,
                items=items,
                total=sum(items.values(), Decimal("0.00")),
                pay_people=group["people"] or 0,
                pay_visible=name not in pay_hidden,
                paid=paid.get(name) or Decimal("0.00"),
                paid_visible=name not in paid_hidden,
            )
        )
    return rows


def _hospital_rows(
    budget: _Budget, shown: Sequence[HospitalForecast], *, with_lines: bool
) -> list[BudgetRow]:
    """The rows of `shown`, with the per-expert lines (computed by the domain, for these rows
    only) where the reader may see the pay."""
    ids = [h.recipient_id for h in shown]
    paid = paid_by_recipient(ids, budget.year)
    details = {
        h.recipient_id
        for h in shown
        if with_lines and access.can_see_pay_of_recipient(budget.user, h.recipient_id)
    }
    lines = _lines_of(details, budget)
    rows = []
    for h in shown:
        recipient = h.recipient
        values = {
            "top_up": h.salary_top_up,
            "subsidy": h.monthly_subsidy,
            "settling": h.settling_in,
            "trips": h.round_trips,
            "fund": h.work_fund,
        }
        items = budget.items(values)
        seen = access.can_see_pay_of_recipient(budget.user, h.recipient_id)
        rows.append(
            BudgetRow(
                key=str(h.recipient_id),
                name=recipient.name,
                prefecture=_prefecture_of(recipient),
                hospitals=1,
                deployments=h.deployments,
                items=items,
                total=sum(items.values(), Decimal("0.00")),
                lines=tuple(lines.get(h.recipient_id, ())),
                details_visible=seen,
                pay_people=h.pay_people,
                pay_visible=seen or not small_cell_hidden(h.pay_people),
                paid=paid.get(h.recipient_id, Decimal("0.00")),
                paid_visible=h.recipient_id not in budget.paid_hidden,
            )
        )
    return rows


@dataclass(frozen=True)
class HospitalBudgetLines:
    hospital: Institution
    year: int
    round_trip_cost: Decimal
    lines: tuple[BudgetLineView, ...]


def budget_lines_for_user(
    *,
    user: User,
    hospital_id: int,
    year: int,
    round_trip_cost: Decimal = DEFAULT_ROUND_TRIP_COST,
) -> HospitalBudgetLines:
    """One hospital's per-expert budget lines for the year (`budget_forecast`, as the rows'
    sums): Http404 outside the reader's budget, PermissionDenied where it may not see the
    pay (ADR 0004: the province, and the paying recipient for itself)."""
    _check(BudgetLevel.HOSPITAL, round_trip_cost)
    row = (
        budget_hospitals(user, year)
        .filter(recipient_id=hospital_id)
        .select_related("recipient")
        .first()
    )
    if row is None:
        raise Http404("该年度预算中没有这家受扶医院")
    if not access.can_see_pay_of_recipient(user, hospital_id):
        raise PermissionDenied("逐人明细涉及个人薪酬，仅省卫健委和受扶医院本院可见")
    budget = _Budget(
        user,
        year,
        round_trip_cost,
        policy_rates(),
        budget_hospitals(user, year),
        frozenset(),
        frozenset(),
    )
    lines = _lines_of([hospital_id], budget).get(hospital_id, [])
    return HospitalBudgetLines(row.recipient, year, round_trip_cost, tuple(lines))


def _prefecture_of(hospital: Institution) -> str:
    if hospital.county:
        return hospital.county.prefecture.name
    return hospital.prefecture.name if hospital.prefecture else ""


def _lines_of(recipient_ids: Iterable[int], budget: _Budget) -> dict[int, list[BudgetLineView]]:
    """The per-expert lines of these hospitals for the year: `budget_forecast` per
    partnership (each with its agreement's rates), then the hospital's work fund."""
    ids = sorted(set(recipient_ids))
    if not ids:
        return {}
    year = budget.year
    first, last = date(year, 1, 1), date(year, 12, 31)
    deployments = list(
        Deployment.objects.filter(team__partnership__recipient__in=ids)
        .filter(deployments_with_days_in(first, last))
        .select_related("expert", "team__partnership")
        .prefetch_related("expert__recognitions")  # 表现突出 by date (§六)
        .order_by("team__partnership_id", "pk")
    )
    cycles: dict[int, list[Agreement]] = defaultdict(list)
    hospital_agreements: dict[int, list[Agreement]] = defaultdict(list)
    for agreement in (
        Agreement.objects.filter(partnership__recipient__in=ids)
        .annotate(recipient_id=F("partnership__recipient_id"))
        .order_by("cycle_number")
    ):
        cycles[agreement.partnership_id].append(agreement)
        hospital_agreements[agreement.recipient_id].append(agreement)
    by_hospital: dict[int, list[Deployment]] = defaultdict(list)
    for d in deployments:
        by_hospital[d.team.partnership.recipient_id].append(d)
    result = {}
    for hospital_id in ids:
        of_hospital = by_hospital.get(hospital_id, [])
        names = {str(d.pk): d.expert.name for d in of_hospital}
        result[hospital_id] = [
            BudgetLineView(
                expert_name=names.get(line.deployment_id or "", "（医院）"),
                item_label=ITEM_LABELS[line.item],
                amount_text=yuan(line.amount),
                clause=line.clause,
                reason=line.reason,
            )
            for line in hospital_lines(
                hospital_id,
                of_hospital,
                cycles,
                hospital_agreements.get(hospital_id, []),
                year,
                budget.rates,
                budget.cost,
            )
        ]
    return result


def hospital_lines(
    hospital_id: int,
    deployments: Sequence[Deployment],
    cycles: Mapping[int, Sequence[Agreement]],
    agreements_of_hospital: Sequence[Agreement],
    year: int,
    base: IncentiveRates,
    round_trip_cost: Decimal,
) -> list[BudgetLine]:
    """`budget_forecast` per partnership (each with its agreement's rates), then one work-fund
    line for the hospital."""
    by_partnership: dict[int, list[Deployment]] = defaultdict(list)
    for d in deployments:
        by_partnership[d.team.partnership_id].append(d)
    lines: list[BudgetLine] = []
    for group in by_partnership.values():
        partnership = group[0].team.partnership
        rates = partnership_year_rates(cycles.get(partnership.pk, []), year, base)
        forecast = budget_forecast(
            year,
            [
                BudgetDeployment(
                    deployment_id=str(d.pk),
                    hospital_id=str(hospital_id),
                    expert=domain_expert(d.expert),
                    deployment=domain_deployment(d),
                )
                for d in group
            ],
            [],
            rates,
            round_trip_cost,
        )
        lines.extend(
            line
            for h in forecast.hospitals
            for line in h.lines
            if line.item is not BenefitItem.WORK_FUND
        )
    lines.append(
        work_fund_line(
            str(hospital_id), hospital_rates_for_year(agreements_of_hospital, year, base)
        )
    )
    return lines
