"""Reads of partnerships and agreements, scoped to the user (F2, F12).

Statuses are not stored: they are a pure function of the dates and today
(`domain.lifecycle.agreement_status`), computed here for each row read.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import overload

from django.db.models import Exists, OuterRef, Prefetch, Q, QuerySet
from django.http import Http404
from django.utils import timezone

from bangfu.accounts.models import Role, User
from bangfu.accounts.scope import scope_for_user
from bangfu.partnerships.domain.actions import (
    ActionDecision,
    AgreementAction,
    AgreementActions,
    agreement_actions,
    first_agreement_decision,
    governed_spans,
    governing_agreement,
)
from bangfu.partnerships.domain.coverage import (
    CountyFacts,
    CoverageAgreement,
    CoverageResult,
    ProgramGroup,
    county_coverage,
)
from bangfu.partnerships.domain.lifecycle import (
    AgreementFacts,
    AgreementStatus,
    Gap,
    StatusResult,
    UnpairedRecipient,
    agreement_status,
    find_gaps,
    recipients_without_helper,
)
from bangfu.partnerships.models import Agreement, AgreementMeasure, CountyPlan, Partnership
from bangfu.policy.domain.policy import Policy
from bangfu.policy.loader import load_policy
from bangfu.registry.models import County, Institution, InstitutionCategory


def today_local() -> date:
    return timezone.localdate()


def partnership_filter_for_user(user: User) -> Q:
    """Which partnerships a user may read: those whose recipient is in scope; a helper its own."""
    scope = scope_for_user(user)
    if scope.whole_province:
        return Q()
    if scope.role == Role.HELPER:
        return Q(helper_id=scope.institution_id)
    if scope.role == Role.EXPERT:
        # Read-only: the partnerships whose teams the expert is deployed in (no import of
        # people: the lookup follows the reverse relations Partnership → Team → Deployment).
        return Q(
            pk__in=Partnership.objects.filter(teams__deployments__expert__user_id=user.pk).values(
                "pk"
            )
        )
    return Q(
        recipient__in=scope.institutions(
            Institution.objects.filter(category=InstitutionCategory.RECIPIENT)
        )
    )


def can_manage_partnerships(user: User) -> bool:
    """Province, prefecture and county officers create, renew and terminate (§三, §七)."""
    return scope_for_user(user).role in (Role.PROVINCE, Role.PREFECTURE, Role.COUNTY)


def agreement_facts(agreement: Agreement, *, has_next_cycle: bool) -> AgreementFacts:
    return AgreementFacts(
        id=agreement.pk,
        partnership_id=agreement.partnership_id,
        start=agreement.start,
        end=agreement.end,
        signed_on=agreement.signed_on,
        terminated_on=agreement.terminated_on,
        termination_reason=agreement.termination_reason,
        has_next_cycle=has_next_cycle,
    )


@dataclass
class AgreementRow:
    agreement: Agreement
    status: StatusResult
    # What the agreement allows on the row's day (`domain.actions.agreement_actions`), before
    # the user's permission; `actions_for_user` combines both.
    actions: AgreementActions
    facts: AgreementFacts


@dataclass
class PartnershipRow:
    partnership: Partnership
    today: date
    cycles: list[AgreementRow] = field(default_factory=list)

    @property
    def current(self) -> AgreementRow | None:
        """The cycle that matters on the row's day: the one governing it
        (`domain.actions.governing_agreement`), else the latest started, else the first."""
        governing = governing_agreement((c.facts for c in self.cycles), self.today)
        if governing is not None:
            return next(c for c in self.cycles if c.agreement.pk == governing.id)
        started = [c for c in self.cycles if c.agreement.start <= self.today]
        return started[-1] if started else (self.cycles[0] if self.cycles else None)

    @property
    def first_agreement(self) -> ActionDecision:
        """Whether the first agreement (登记首期协议) may be registered, before permission."""
        return first_agreement_decision(len(self.cycles))

    @property
    def status(self) -> AgreementStatus | None:
        current = self.current
        return current.status.status if current else None


def _agreement_row(
    agreement: Agreement, facts: AgreementFacts, today: date, policy: Policy
) -> AgreementRow:
    return AgreementRow(
        agreement,
        agreement_status(facts, today, policy.cycle.expiring_window_days),
        agreement_actions(facts, today),
        facts,
    )


NOT_PERMITTED = ActionDecision(
    False, "只有省、市州、县卫生健康部门可以登记和变更帮扶协议（§三、§七）"
)


def actions_for_user(
    user: User, actions: AgreementActions
) -> dict[AgreementAction, ActionDecision]:
    """Each action's decision for this user: allowed only when the agreement allows it on the
    day (`agreement_actions`) and the user may write partnerships (`can_manage_partnerships`,
    what the services enforce); pages show a button exactly when it is allowed here."""
    permitted = can_manage_partnerships(user)
    return {
        action: actions.decision(action) if permitted else NOT_PERMITTED
        for action in AgreementAction
    }


def first_agreement_for_user(user: User, row: PartnershipRow) -> ActionDecision:
    """登记首期协议 for this user: the partnership has no agreement yet and the user may write."""
    return row.first_agreement if can_manage_partnerships(user) else NOT_PERMITTED


def governing_agreement_of(cycles: Iterable[Agreement], day: date) -> Agreement | None:
    """The agreement (row) governing a partnership on `day`, from its cycles as fetched
    (`domain.actions.governing_agreement`: signed, not terminated, in force that day)."""
    by_id = {a.pk: a for a in cycles}
    governing = governing_agreement(
        (agreement_facts(a, has_next_cycle=False) for a in by_id.values()), day
    )
    return None if governing is None else by_id[governing.id]


def governed_spans_of(
    cycles: Iterable[Agreement], first: date, last: date
) -> list[tuple[date, date, Agreement]]:
    """The days `first`..`last` split by the agreement (row) governing them
    (`domain.actions.governed_spans`); days no agreement governs are left out."""
    by_id = {a.pk: a for a in cycles}
    spans = governed_spans(
        (agreement_facts(a, has_next_cycle=False) for a in by_id.values()), first, last
    )
    return [(span.first, span.last, by_id[span.agreement_id]) for span in spans]


def _rows(partnerships: Iterable[Partnership], today: date, policy: Policy) -> list[PartnershipRow]:
    rows = []
    for p in partnerships:
        fetched = p.cycle_list if hasattr(p, "cycle_list") else p.agreements.all()
        agreements = sorted(fetched, key=lambda a: a.cycle_number)
        successors = {a.previous_id for a in agreements if a.previous_id}
        row = PartnershipRow(p, today)
        for a in agreements:
            facts = agreement_facts(a, has_next_cycle=a.pk in successors)
            row.cycles.append(_agreement_row(a, facts, today, policy))
        rows.append(row)
    return rows


class PartnershipRows(Sequence[PartnershipRow]):
    """Partnership rows built lazily from an ordered queryset: `len()` is a COUNT, a slice
    builds (and fetches the cycles of) only that slice, iteration builds all rows at once."""

    def __init__(self, queryset: QuerySet[Partnership], today: date, policy: Policy) -> None:
        self._queryset = queryset
        self._today = today
        self._policy = policy
        self._count: int | None = None
        self._all: list[PartnershipRow] | None = None

    def __len__(self) -> int:
        if self._count is None:
            self._count = self._queryset.count()
        return self._count

    @overload
    def __getitem__(self, index: int) -> PartnershipRow: ...

    @overload
    def __getitem__(self, index: slice) -> list[PartnershipRow]: ...

    def __getitem__(self, index: int | slice) -> PartnershipRow | list[PartnershipRow]:
        if isinstance(index, slice):
            return _rows(self._queryset[index], self._today, self._policy)
        if index < 0:
            index += len(self)
        rows = _rows(self._queryset[index : index + 1], self._today, self._policy)
        if not rows:
            raise IndexError(index)
        return rows[0]

    def __iter__(self) -> Iterator[PartnershipRow]:
        if self._all is None:  # built once, however often it is walked
            self._all = _rows(self._queryset, self._today, self._policy)
            self._count = len(self._all)
        return iter(self._all)


def _base_queryset(*, details: bool = False) -> QuerySet[Partnership]:
    """Partnerships with their parties and cycles — all a status needs. `details` adds each
    cycle's measures and the leading hospitals, which only the detail page shows: on a
    province-wide list they are most of the rows fetched (bench/bench_pages.py)."""
    qs = Partnership.objects.select_related("helper", "recipient__county__prefecture")
    if not details:
        # to_attr: a plain list per partnership, without a related manager per row.
        return qs.prefetch_related(Prefetch("agreements", to_attr="cycle_list"))
    return qs.prefetch_related(
        Prefetch("agreements", queryset=Agreement.objects.prefetch_related("measures")),
        "leading_institutions",
    )


@dataclass(frozen=True)
class PartnershipFilters:
    prefecture: str = ""
    county: str = ""
    helper_province: str = ""
    mode: str = ""
    status: str = ""
    expiring_within_days: int | None = None
    q: str = ""


def partnership_list_for_user(
    *,
    user: User,
    filters: PartnershipFilters | None = None,
    today: date | None = None,
) -> Sequence[PartnershipRow]:
    """Partnerships in scope with their cycles and statuses, filtered; a constant number of
    queries. Without a status, mode or expiry filter the rows are built only for the slice a
    page asks for (`PartnershipRows`); with one, every row in scope is built and filtered."""
    filters = filters or PartnershipFilters()
    today = today or today_local()
    policy = load_policy()
    qs = _base_queryset().filter(partnership_filter_for_user(user))
    if filters.prefecture:
        qs = qs.filter(recipient__county__prefecture__code=filters.prefecture)
    if filters.county:
        qs = qs.filter(recipient__county__code=filters.county)
    if filters.helper_province:
        qs = qs.filter(helper__province=filters.helper_province)
    if filters.q:
        qs = qs.filter(Q(helper__name__contains=filters.q) | Q(recipient__name__contains=filters.q))
    qs = qs.order_by("recipient__county__code", "recipient__name", "helper__name", "pk")
    if not (filters.mode or filters.status or filters.expiring_within_days is not None):
        return PartnershipRows(qs, today, policy)
    # Statuses are computed (ADR 0001), so these filters need every row's cycles.
    rows = _rows(qs, today, policy)
    if filters.mode:
        rows = [r for r in rows if filters.mode in r.partnership.modes]
    if filters.status:
        rows = [r for r in rows if r.status == filters.status]
    if filters.expiring_within_days is not None:
        horizon = today + timedelta(days=filters.expiring_within_days)
        rows = [
            r
            for r in rows
            if r.current is not None
            and r.current.status.status.in_force
            and r.current.agreement.end <= horizon
        ]
    return rows


def partnership_get_for_user(*, user: User, pk: int, today: date | None = None) -> PartnershipRow:
    qs = _base_queryset(details=True).filter(partnership_filter_for_user(user), pk=pk)
    rows = _rows(qs, today or today_local(), load_policy())
    if not rows:
        raise Http404("未找到该帮扶关系")
    return rows[0]


def partnerships_pending_for_recipient(
    *, user: User, recipient_id: int, today: date | None = None
) -> list[PartnershipRow]:
    """The recipient's partnerships in scope still waiting for a signed agreement (no cycle, or
    only a draft): shown on the create form so an officer completes one instead of starting
    another (the pair itself is unique; another helper for the same recipient is a choice)."""
    qs = _base_queryset().filter(partnership_filter_for_user(user), recipient_id=recipient_id)
    rows = _rows(qs.order_by("helper__name", "pk"), today or today_local(), load_policy())
    return [r for r in rows if r.status in (None, AgreementStatus.DRAFT)]


def agreement_get_for_user(*, user: User, pk: int) -> Agreement:
    try:
        return (
            Agreement.objects.select_related(
                "partnership__helper", "partnership__recipient__county__prefecture"
            )
            .prefetch_related("measures")
            .filter(partnership__in=Partnership.objects.filter(partnership_filter_for_user(user)))
            .get(pk=pk)
        )
    except Agreement.DoesNotExist as exc:
        raise Http404("未找到该协议") from exc


def agreement_list_for_user(*, user: User) -> QuerySet[Agreement]:
    """Agreements in scope, in the partnership list's order then by cycle, each annotated with
    `has_next_cycle` so a page's statuses need no other cycles; read with `agreement_rows`."""
    return (
        Agreement.objects.filter(
            partnership__in=Partnership.objects.filter(partnership_filter_for_user(user))
        )
        .select_related("partnership__helper", "partnership__recipient__county")
        .annotate(has_next_cycle=Exists(Agreement.objects.filter(previous=OuterRef("pk"))))
        .order_by(
            "partnership__recipient__county__code",
            "partnership__recipient__name",
            "partnership__helper__name",
            "partnership__pk",
            "cycle_number",
        )
    )


def agreement_rows(
    agreements: Iterable[Agreement], today: date | None = None
) -> list[AgreementRow]:
    """Statuses of agreements from `agreement_list_for_user` (ADR 0001: computed, not stored)."""
    today = today or today_local()
    policy = load_policy()
    return [
        _agreement_row(
            a,
            agreement_facts(a, has_next_cycle=a.has_next_cycle),  # type: ignore[attr-defined]
            today,
            policy,
        )
        for a in agreements
    ]


def agreement_measures(agreement: Agreement) -> list[AgreementMeasure]:
    return sorted(agreement.measures.all(), key=lambda m: m.code)


# ---- gaps and coverage ----


@dataclass(frozen=True)
class GapReport:
    gaps: list[Gap[int]]
    unpaired: list[UnpairedRecipient[int]]
    partnerships: dict[int, Partnership]
    recipients: dict[int, Institution]


def gap_report_for_user(
    *, user: User, today: date | None = None, rows: Sequence[PartnershipRow] | None = None
) -> GapReport:
    """断档 between cycles, and in-scope recipients with no agreement in force today (§七, §三(二)).

    `rows`, when the caller already has them, must be `partnership_list_for_user(user=user,
    today=today)` unfiltered; passing them saves the partnership queries."""
    today = today or today_local()
    if rows is None:
        rows = partnership_list_for_user(user=user, today=today)
    cycles_by_pair = {r.partnership.pk: [c.agreement for c in r.cycles] for r in rows}
    facts_by_pair = {
        pk: [agreement_facts(a, has_next_cycle=False) for a in agreements]
        for pk, agreements in cycles_by_pair.items()
    }
    scope = scope_for_user(user)
    recipients = {
        i.pk: i
        for i in scope.institutions(
            Institution.objects.filter(category=InstitutionCategory.RECIPIENT).select_related(
                "county"
            )
        )
    }
    by_recipient: dict[int, list[AgreementFacts]] = defaultdict(list)
    for r in rows:
        by_recipient[r.partnership.recipient_id].extend(facts_by_pair[r.partnership.pk])
    if scope.role != Role.HELPER:
        for pk in recipients:
            by_recipient.setdefault(pk, [])
    return GapReport(
        gaps=find_gaps(facts_by_pair, today),
        unpaired=recipients_without_helper(by_recipient, today),
        partnerships={r.partnership.pk: r.partnership for r in rows},
        recipients=recipients,
    )


def coverage_on(*, on: date, user: User | None = None) -> CoverageResult:
    """Coverage of the target counties on a date (§一). The province-wide figure unless a user is given."""
    policy = load_policy()
    counties = County.objects.select_related("prefecture")
    agreements = Agreement.objects.select_related(
        "partnership__helper", "partnership__recipient__county"
    )
    if user is not None:
        counties = scope_for_user(user).counties(counties)
        agreements = agreements.filter(
            partnership__in=Partnership.objects.filter(partnership_filter_for_user(user))
        )
    agreements = agreements.filter(
        start__lte=on, end__gte=on, partnership__recipient__county__isnull=False
    )
    successors = set(
        Agreement.objects.filter(previous__isnull=False).values_list("previous_id", flat=True)
    )
    by_partnership: dict[int, list[Agreement]] = defaultdict(list)
    for a in agreements:
        by_partnership[a.partnership_id].append(a)
    # One agreement per partnership: the one governing that day (signed, not terminated).
    governing = [g for g in (governing_agreement_of(c, on) for c in by_partnership.values()) if g]
    facts = [
        CoverageAgreement(
            agreement_id=a.pk,
            recipient_county_code=a.partnership.recipient.county.code,  # type: ignore[union-attr]
            helper_province=a.partnership.helper.province,
            helper_grade=a.partnership.helper.grade,
            status=agreement_status(
                agreement_facts(a, has_next_cycle=a.pk in successors),
                on,
                policy.cycle.expiring_window_days,
            ).status,
        )
        for a in governing
    ]
    county_facts = [
        CountyFacts(
            code=c.code,
            prefecture_code=c.prefecture.code,
            program_group=ProgramGroup(c.programme_group),
        )
        for c in counties
    ]
    return county_coverage(county_facts, facts, policy.helper_eligibility)


def county_plan_list_for_user(*, user: User) -> QuerySet[CountyPlan]:
    scope = scope_for_user(user)
    return (
        CountyPlan.objects.filter(county__in=scope.counties(County.objects.all()))
        .select_related("county__prefecture")
        .prefetch_related("specialties", "agreements__partnership__helper")
    )


def county_plan_get_for_user(*, user: User, pk: int) -> CountyPlan:
    try:
        return county_plan_list_for_user(user=user).get(pk=pk)
    except CountyPlan.DoesNotExist as exc:
        raise Http404("未找到该方案") from exc
