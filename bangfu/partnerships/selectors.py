"""Reads of partnerships and agreements, scoped to the user (F2, F12).

Statuses are not stored: they are a pure function of the dates and today
(`domain.lifecycle.agreement_status`), computed here for each row read, and translated into a
SQL expression (`agreement_status_sql`, ADR 0012) wherever a list filters, counts or pages by it.
"""

from __future__ import annotations

import json
import operator
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from functools import reduce
from typing import Any

from django.db import connection
from django.db.models import (
    BooleanField,
    Case,
    CharField,
    Count,
    Exists,
    ExpressionWrapper,
    F,
    IntegerField,
    Max,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    RowRange,
    Subquery,
    TextField,
    Value,
    When,
    Window,
)
from django.db.models.functions import Cast
from django.http import Http404

from bangfu.accounts.models import Role, User
from bangfu.core.clock import today_local as today_local
from bangfu.core.day_numbers import DayNumber, day_number, from_day_number
from bangfu.core.pagination import LazyRows
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
    agreement_counts_for_coverage,
    agreement_coverage_reason,
    county_coverage_of_covered,
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
from bangfu.partnerships.models import (
    PARTNERSHIP_ORDER,
    Agreement,
    AgreementMeasure,
    AgreementSpan,
    CountyCoverageSpan,
    CountyPlan,
    Partnership,
    PartnershipGap,
)
from bangfu.policy.domain import HelperEligibility
from bangfu.policy.domain.policy import Policy
from bangfu.policy.loader import load_policy
from bangfu.registry.models import County, Institution, InstitutionCategory, ProgrammeGroup
from bangfu.registry.scope import scope_for_user


def partnership_filter_for_user(user: User) -> Q:
    """Which partnerships a user may read: those whose recipient is in scope; a helper its own;
    an expert those it is deployed on."""
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


# ---- statuses in SQL (ADR 0012) ----
#
# The same rules as `domain.lifecycle.agreement_status`, `in_force_on` and
# `domain.actions.governing_agreement`, written as query expressions so that lists filter,
# count and page in the database. `test_status_sql.py` checks, for every agreement and
# partnership of the demo data on several days (boundary days included), that these give
# exactly what the domain functions give.


def in_force_q(day: date, prefix: str = "") -> Q:
    """`domain.lifecycle.in_force_on` as a filter on Agreement (through `prefix`, e.g.
    "agreements__"): signed by `day`, `start <= day <= end`, not terminated on or before it."""
    return Q(
        **{f"{prefix}signed_on__lte": day, f"{prefix}start__lte": day, f"{prefix}end__gte": day}
    ) & (Q(**{f"{prefix}terminated_on__isnull": True}) | Q(**{f"{prefix}terminated_on__gt": day}))


def in_force_during_q(first: date, last: date, prefix: str = "") -> Q:
    """An agreement in force (`in_force_q`) on at least one day of `first`..`last`: the latest
    of its signature, its start and `first` comes no later than the earliest of its end, `last`
    and the day before its termination. On such a day some agreement of the partnership governs
    (`governing_agreement`), so this is "governed on some day of the period" per partnership."""
    signed, start, end, terminated = (
        f"{prefix}signed_on",
        f"{prefix}start",
        f"{prefix}end",
        f"{prefix}terminated_on",
    )
    lower = (signed, start)  # and `first`; a null signature is never in force
    overlaps = Q(**{f"{end}__gte": first}) & Q(**{f"{start}__lte": last, f"{signed}__lte": last})
    for name in lower:
        overlaps &= Q(**{f"{name}__lte": F(end)})
    not_terminated = Q(**{f"{terminated}__gt": first})
    for name in lower:
        not_terminated &= Q(**{f"{terminated}__gt": F(name)})
    return overlaps & (Q(**{f"{terminated}__isnull": True}) | not_terminated)


def helper_counts_for_coverage(province: str, grade: str, eligibility: HelperEligibility) -> bool:
    """Whether an agreement in force (active or expiring) with a helper of this province and
    grade counts toward the §一 goal: ``agreement_counts_for_coverage``, judged for the pair."""
    return agreement_counts_for_coverage(
        CoverageAgreement(
            agreement_id=0,
            recipient_county_code="",
            helper_province=province,
            helper_grade=grade,
            status=AgreementStatus.ACTIVE,  # in force that day (active or expiring)
        ),
        eligibility,
    )


def counting_helpers_q() -> Q:
    """Agreements whose partnership's helper counts toward the §一 goal (an out-of-province 三甲
    hospital), as a filter on Agreement: the distinct (province, grade) pairs of the
    partnerships' helpers, each judged once by the partnerships rule
    (``helper_counts_for_coverage``, the agreement in force on the day it governs: active or
    expiring). A few dozen pairs, whatever the number of hospitals."""
    eligibility = load_policy().helper_eligibility
    pairs = (
        Partnership.objects.order_by().values_list("helper__province", "helper__grade").distinct()
    )
    counted = [
        Q(partnership__helper__province=province, partnership__helper__grade=grade)
        for province, grade in sorted(pairs)
        if helper_counts_for_coverage(province, grade, eligibility)
    ]
    if not counted:
        return Q(pk__isnull=True)  # no agreement (a filter that still compiles in a Count)
    return reduce(operator.or_, counted)


def agreement_status_sql(today: date, window_days: int) -> Case:
    """`agreement_status(facts, today, window_days).status` as a CASE over an Agreement row
    annotated with `has_next_cycle`, in the domain's order of precedence."""
    if window_days < 0:
        raise ValueError("window_days must not be negative")
    # expiring: 0 <= (end - today).days < window_days, i.e. end < today + window_days
    first_day_not_expiring = today + timedelta(days=window_days)
    return Case(
        When(terminated_on__lte=today, then=Value(AgreementStatus.TERMINATED.value)),
        When(
            Q(signed_on__isnull=True) | Q(signed_on__gt=today),
            then=Value(AgreementStatus.DRAFT.value),
        ),
        When(start__gt=today, then=Value(AgreementStatus.SIGNED.value)),
        When(end__lt=today, has_next_cycle=True, then=Value(AgreementStatus.RENEWED.value)),
        When(end__lt=today, then=Value(AgreementStatus.EXPIRED.value)),
        When(end__lt=first_day_not_expiring, then=Value(AgreementStatus.EXPIRING.value)),
        default=Value(AgreementStatus.ACTIVE.value),
        output_field=CharField(),
    )


def with_status(agreements: QuerySet[Agreement], today: date) -> QuerySet[Agreement]:
    """Agreements annotated with `has_next_cycle` and `sql_status` (the status on `today`)."""
    if "has_next_cycle" not in agreements.query.annotations:
        agreements = agreements.annotate(
            has_next_cycle=Exists(Agreement.objects.filter(previous=OuterRef("pk")))
        )
    return agreements.annotate(
        sql_status=agreement_status_sql(today, load_policy().cycle.expiring_window_days)
    )


def governing_agreements(day: date) -> QuerySet[Agreement]:
    """The agreements governing their partnership on `day` (`domain.actions.
    governing_agreement`): in force, and no other cycle of the partnership in force that day
    started later, or the same day with a larger id."""
    later = Agreement.objects.filter(in_force_q(day), partnership=OuterRef("partnership")).filter(
        Q(start__gt=OuterRef("start")) | Q(start=OuterRef("start"), pk__gt=OuterRef("pk"))
    )
    return Agreement.objects.filter(in_force_q(day)).filter(~Exists(later))


def with_current_status(
    partnerships: QuerySet[Partnership], today: date, *, select: bool = True
) -> QuerySet[Partnership]:
    """Partnerships annotated with their current cycle on `today` (`PartnershipRow.current`:
    the governing agreement, else the latest started cycle, else the first) as
    `current_agreement_id`, its status `current_status` and its `current_end`. With
    `select=False` they are only aliases for filters: not selected, so a page query does not
    compute them again for every row it returns."""
    # One ordering puts the current cycle first: in force (governing: latest start, then
    # largest id), else started (largest cycle number), else the first cycle.
    governing, started = in_force_q(today), Q(start__lte=today)
    cycles = (
        with_status(Agreement.objects.filter(partnership=OuterRef("pk")), today)
        .annotate(
            current_rank=Case(
                When(governing, then=Value(0)), When(started, then=Value(1)), default=Value(2)
            )
        )
        .order_by(
            "current_rank",
            Case(When(governing, then="start")).desc(),
            Case(When(governing, then="pk")).desc(),
            Case(When(started, then="cycle_number")).desc(),
            "cycle_number",
        )
    )
    expressions = {
        "current_agreement_id": Subquery(cycles.values("pk")[:1]),
        "current_status": Subquery(cycles.values("sql_status")[:1]),
        "current_end": Subquery(cycles.values("end")[:1]),
    }
    if select:
        return partnerships.annotate(**expressions)
    return partnerships.alias(**expressions)


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


class PartnershipRows(LazyRows[PartnershipRow]):
    """Partnership rows built lazily from an ordered queryset (`core.pagination.LazyRows`):
    `len()` is a COUNT, a slice builds (and fetches the cycles of) only that slice, iteration
    builds all rows at once. Given `ids` (the matching partnerships' ids, already in the
    queryset's order), `len()` is theirs and a slice fetches only its own ids' rows."""

    def __init__(
        self,
        queryset: QuerySet[Partnership],
        today: date,
        policy: Policy,
        *,
        ids: Sequence[int] | None = None,
    ) -> None:
        super().__init__(count=None if ids is None else len(ids))
        self._queryset = queryset
        self._today = today
        self._policy = policy
        self._ids = ids

    def _count(self) -> int:
        return self._queryset.count()

    def _page(self, start: int, stop: int | None) -> list[PartnershipRow]:
        if self._ids is None:
            return _rows(self._queryset[start:stop], self._today, self._policy)
        return _rows(self._queryset.filter(pk__in=self._ids[start:stop]), self._today, self._policy)

    def in_chunks(self, size: int = 500) -> Iterator[PartnershipRow]:
        """Every row, built and fetched `size` at a time and not kept (for streamed exports)."""
        start = 0
        while True:
            rows = self._page(start, start + size)
            yield from rows
            if len(rows) < size:
                return
            start += size


def _base_queryset(*, details: bool = False) -> QuerySet[Partnership]:
    """Partnerships with their parties and cycles — all a status needs. `details` adds each
    cycle's measures and the leading hospitals, which only the detail page shows: on a
    province-wide list they are most of the rows fetched (bench/bench_pages.py)."""
    qs = Partnership.objects.select_related("helper", "recipient__county__prefecture")
    if not details:
        # to_attr: a plain list per partnership, without a related manager per row. Ordered by
        # the key only: Agreement's default ordering goes through Partnership's (its sort key),
        # a join and a sort per page that `_rows` does not need.
        return qs.prefetch_related(
            Prefetch(
                "agreements",
                queryset=Agreement.objects.order_by("partnership_id", "cycle_number"),
                to_attr="cycle_list",
            )
        )
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
    institution: int | None = None  # the helper or the recipient


def partnership_list_for_user(
    *,
    user: User,
    filters: PartnershipFilters | None = None,
    today: date | None = None,
) -> PartnershipRows:
    """Partnerships in scope with their cycles and statuses, filtered; a constant number of
    queries. Every filter is applied in the database (status and expiry through
    `with_current_status`), and rows are built only for the slice a page asks for
    (`PartnershipRows`: `len()` is a COUNT)."""
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
    if filters.institution is not None:
        qs = qs.filter(Q(helper_id=filters.institution) | Q(recipient_id=filters.institution))
    if filters.q:
        qs = qs.filter(Q(helper__name__contains=filters.q) | Q(recipient__name__contains=filters.q))
    if filters.mode:
        # `modes` is a JSON list of codes; its text holds each code in double quotes.
        qs = qs.annotate(modes_text=Cast("modes", TextField())).filter(
            modes_text__contains=json.dumps(filters.mode)
        )
    if filters.status or filters.expiring_within_days is not None:
        # The current cycle's status as SQL (ADR 0012), so the filter counts and pages in the
        # database; the rows of a page get their statuses from the domain functions.
        expiring = AgreementStatus.EXPIRING.value
        if filters.status in ("", expiring) and (
            filters.status or filters.expiring_within_days is not None
        ):
            # Both need the current cycle in force, which is then the governing one: read from
            # the agreements ending in a date range (indexed), not from every partnership.
            window = policy.cycle.expiring_window_days
            ending = governing_agreements(today)
            if filters.status:
                ending = ending.filter(end__lt=today + timedelta(days=window))
            if filters.expiring_within_days is not None:
                ending = ending.filter(
                    end__lte=today + timedelta(days=filters.expiring_within_days)
                )
            matching = qs.filter(pk__in=ending.values("partnership_id"))
        else:
            matching = with_current_status(qs, today, select=False)
            if filters.status:
                matching = matching.filter(Q(current_status=filters.status))
            if filters.expiring_within_days is not None:
                horizon = today + timedelta(days=filters.expiring_within_days)
                in_force = [AgreementStatus.ACTIVE.value, AgreementStatus.EXPIRING.value]
                matching = matching.filter(
                    Q(current_status__in=in_force) & Q(current_end__lte=horizon)
                )
        # The ids first, in the list's order (one query, also the count; the sort key is the
        # partnership's own columns, ADR 0024): joined to the page's parties, the status
        # subquery misleads PostgreSQL's row estimate into nested-loop scans. A page then
        # fetches only its own ids, not a filter naming every match (at ×50, 3,620 expiring).
        ids = list(matching.order_by(*PARTNERSHIP_ORDER).values_list("pk", flat=True))
        return PartnershipRows(qs.order_by(*PARTNERSHIP_ORDER), today, policy, ids=ids)
    # The stored sort key (ADR 0024): the first page is read from its index.
    return PartnershipRows(qs.order_by(*PARTNERSHIP_ORDER), today, policy)


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
    in_scope = partnership_filter_for_user(user)
    agreements = Agreement.objects.all()
    if in_scope:  # the whole province reads every agreement: no semi-join in its count
        agreements = agreements.filter(partnership__in=Partnership.objects.filter(in_scope))
    return (
        agreements.select_related("partnership__helper", "partnership__recipient__county")
        # A left join on the next cycle (`previous` is unique), read per row of the page: as an
        # `Exists` subquery, PostgreSQL hashes every agreement's `previous_id` for each page
        # (18 ms at ×50, growing with the data).
        .annotate(
            has_next_cycle=ExpressionWrapper(
                Q(next_cycle__isnull=False), output_field=BooleanField()
            )
        )
        # The partnership list's order (its stored sort key, ADR 0024), then the cycle.
        .order_by(*(f"partnership__{field}" for field in PARTNERSHIP_ORDER), "cycle_number")
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
    cycles: dict[int, list[Agreement]]  # each partnership's agreements, by partnership id


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
        cycles=cycles_by_pair,
    )


def _facts_by(agreements: QuerySet[Agreement], key: str) -> dict[int, list[AgreementFacts]]:
    """The dates of `agreements` as domain facts grouped by `key`, read as plain values."""
    grouped: dict[int, list[AgreementFacts]] = defaultdict(list)
    values = agreements.order_by().values_list(
        key, "pk", "partnership_id", "start", "end", "signed_on", "terminated_on"
    )
    for group, pk, partnership_id, start, end, signed_on, terminated_on in values:
        grouped[group].append(
            AgreementFacts(
                id=pk,
                partnership_id=partnership_id,
                start=start,
                end=end,
                signed_on=signed_on,
                terminated_on=terminated_on,
            )
        )
    return grouped


def _in_scope(agreements: QuerySet[Agreement], user: User) -> QuerySet[Agreement]:
    """Agreements of the partnerships the user may read (no filter for the whole province)."""
    scope = partnership_filter_for_user(user)
    if not scope:
        return agreements
    return agreements.filter(partnership__in=Partnership.objects.filter(scope))


def last_day_number_sql() -> Case:
    """`domain.lifecycle.last_day_in_force` as a day number (`core.day_numbers`): the day
    before the termination when it falls on or before `end`, else `end`."""
    return Case(
        When(terminated_on__lte=F("end"), then=DayNumber("terminated_on") - 1),
        default=DayNumber("end"),
        output_field=IntegerField(),
    )


def signed_periods_sql(agreements: QuerySet[Agreement], today: date) -> QuerySet[Agreement]:
    """`domain.lifecycle._signed_periods`: the cycles that count for gaps and for a recipient's
    last day with a helper — signed by `today` and not terminated before they began — with
    their first and last day in force as day numbers (`start_n`, `last_n`)."""
    return (
        agreements.filter(signed_on__lte=today)
        .annotate(start_n=DayNumber("start"), last_n=last_day_number_sql())
        .filter(last_n__gte=F("start_n"))
    )


# `domain.lifecycle.find_gaps` over day numbers. Walking a partnership's signed periods by
# (start, id), a cycle whose last day is later than every earlier one's (`prev_max`, a window
# over the preceding rows) moves the covered-until day and is a "record"; only records can
# open or close a gap, and each record's predecessor among records is the cycle that covered
# the days up to it (the domain's `covered_by`). A gap precedes a record starting more than a
# day after its predecessor's last day; a trailing gap follows the last record when its last
# day is before today. `test_gaps_sql.py` checks this equals `find_gaps`. The windows order by
# `start` (not `start_n`, the same order): the rows come sorted by it from `prev_max`'s window,
# so PostgreSQL sorts the agreements once instead of twice (≈ 40 % of the query at ×50).
_GAPS_CTE = """
WITH records AS (
    SELECT pk, partnership_id, start_n, last_n,
        LAG(pk) OVER (PARTITION BY partnership_id ORDER BY start, pk) AS after_id,
        LAG(last_n) OVER (PARTITION BY partnership_id ORDER BY start, pk) AS covered_until,
        LEAD(pk) OVER (PARTITION BY partnership_id ORDER BY start, pk) AS next_id
    FROM ({periods}) periods
    WHERE prev_max IS NULL OR last_n > prev_max
), gaps AS (
    SELECT partnership_id AS pair, after_id, pk AS before_id, covered_until + 1 AS first_n
    FROM records WHERE after_id IS NOT NULL AND start_n > covered_until + 1
    UNION ALL
    SELECT partnership_id AS pair, pk AS after_id, NULL AS before_id, last_n + 1 AS first_n
    FROM records WHERE next_id IS NULL AND last_n < %s
)
"""


# A list page shows this many items: the first page of gaps and unpaired recipients is read
# with the total (`COUNT(*) OVER ()`), so a page's count and its rows are one query.
FIRST_PAGE = 50


class GapRows(LazyRows[Gap[int]]):
    """断档 in the partnerships in scope on `today`, in `find_gaps`'s order (first day, then the
    agreement it follows), keyed in the database: `len()` and the first page are one query
    (keys and total), another slice one query for its keys; `find_gaps` then builds the gaps
    read from the cycles of their partnerships only (its reasons and figures: the domain stays
    the definition). Subclasses read the keys (`_read`) and the gaps' counties."""

    def __init__(self, agreements: QuerySet[Agreement], today: date) -> None:
        super().__init__()
        self._today = today
        self._agreements = agreements
        self._first: list[tuple[int, date]] | None = None
        self._total = 0

    def _read(self, start: int, stop: int | None, *, total: bool) -> list[tuple[Any, ...]]:
        """Keys (partnership id, first day) of rows `start` to `stop`, in order; with
        ``total``, each followed by the number of rows."""
        raise NotImplementedError

    def county_ids(self) -> set[int]:
        """The recipients' counties of the partnerships with a gap (one query, no list of
        partnership ids sent back and forth)."""
        raise NotImplementedError

    def _first_page(self) -> list[tuple[int, date]]:
        """The first page's keys, read once with the total."""
        if self._first is None:
            rows = self._read(0, FIRST_PAGE, total=True)
            self._first = [(pair, first_day) for pair, first_day, _ in rows]
            self._total = int(rows[0][2]) if rows else 0
        return self._first

    def _count(self) -> int:
        self._first_page()
        return self._total

    def _keys(self, start: int, stop: int | None) -> list[tuple[int, date]]:
        if stop is not None and stop <= FIRST_PAGE:
            return self._first_page()[start:stop]
        return [(pair, first_day) for pair, first_day in self._read(start, stop, total=False)]

    def _gaps(self, keys: list[tuple[int, date]]) -> list[Gap[int]]:
        if not keys:
            return []
        cycles = _facts_by(
            self._agreements.filter(partnership_id__in={pair for pair, _ in keys}),
            "partnership_id",
        )
        built = {(g.pair, g.first_day): g for g in find_gaps(cycles, self._today)}
        return [built[key] for key in keys]

    def _page(self, start: int, stop: int | None) -> list[Gap[int]]:
        return self._gaps(self._keys(start, stop))


class SqlGaps(GapRows):
    """The gaps found over the agreements (`_GAPS_CTE`), on any day: the coverage page's
    history (a day before a later signature), where the stored rows do not apply."""

    def __init__(self, agreements: QuerySet[Agreement], today: date) -> None:
        super().__init__(agreements, today)
        periods = (
            signed_periods_sql(agreements, today)
            .annotate(
                prev_max=Window(
                    Max("last_n"),
                    partition_by=[F("partnership_id")],
                    order_by=[F("start").asc(), F("pk").asc()],
                    frame=RowRange(start=None, end=-1),
                )
            )
            .order_by()
            .values("pk", "partnership_id", "start", "start_n", "last_n", "prev_max")
        )
        sql, params = periods.query.sql_with_params()
        self._cte = _GAPS_CTE.format(periods=sql)
        self._params: list[Any] = [*params, day_number(today)]

    def _fetch(self, tail: str, params: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
        with connection.cursor() as cursor:
            cursor.execute(self._cte + tail, [*self._params, *params])
            return list(cursor.fetchall())

    _ORDERED = "SELECT pair, first_n{total} FROM gaps ORDER BY first_n, after_id"

    def _read(self, start: int, stop: int | None, *, total: bool) -> list[tuple[Any, ...]]:
        tail, params = self._ORDERED.format(total=", COUNT(*) OVER ()" if total else ""), []
        skip = start
        if stop is not None:
            tail += " LIMIT %s OFFSET %s"
            params, skip = [stop - start, start], 0
        rows = self._fetch(tail, params)[skip:]  # to the end: every row read, the first skipped
        return [(pair, from_day_number(n), *rest) for pair, n, *rest in rows]

    def county_ids(self) -> set[int]:
        partnership = Partnership._meta.db_table
        institution = Institution._meta.db_table
        return {
            row[0]
            for row in self._fetch(
                f"SELECT DISTINCT i.county_id FROM gaps"
                f" JOIN {partnership} p ON p.id = gaps.pair"
                f" JOIN {institution} i ON i.id = p.recipient_id"
                " WHERE i.county_id IS NOT NULL"
            )
        }


class StoredGaps(GapRows):
    """The gaps read from the stored rows (`PartnershipGap`, ADR 0023) of the partnerships in
    scope (``partnerships``: a filter on them, or None for every one): exact on any day on or
    after every signature of their agreements (`gaps_for_user` checks it). Inner gaps always;
    a trailing gap once its first day has come. Paged by the rows' (first day, agreement)
    index."""

    def __init__(
        self,
        partnerships: QuerySet[Partnership] | None,
        agreements: QuerySet[Agreement],
        today: date,
    ) -> None:
        super().__init__(agreements, today)
        rows = PartnershipGap.objects.filter(Q(before__isnull=False) | Q(first_day__lte=today))
        if partnerships is not None:
            rows = rows.filter(partnership__in=partnerships)
        self._rows = rows

    def _read(self, start: int, stop: int | None, *, total: bool) -> list[tuple[Any, ...]]:
        rows = self._rows.order_by("first_day", "after_id")
        if total:
            return list(
                rows.annotate(total=Window(Count("pk"))).values_list(
                    "partnership_id", "first_day", "total"
                )[start:stop]
            )
        return list(rows.values_list("partnership_id", "first_day")[start:stop])

    def county_ids(self) -> set[int]:
        return set(
            self._rows.filter(county__isnull=False)
            .order_by()
            .values_list("county_id", flat=True)
            .distinct()
        )


def gaps_for_user(*, user: User, today: date) -> GapRows:
    """断档 in the partnerships in scope on `today` (`domain.lifecycle.find_gaps`, keyed by
    partnership id), counted and paged in the database: from the stored rows (`StoredGaps`)
    when no agreement in scope was signed after `today` (one query, a range of the
    `signed_on` index: none, for today — a signature is never dated after the day it is
    recorded), else over the agreements (`SqlGaps`: the coverage page's history)."""
    scope = partnership_filter_for_user(user)
    partnerships = Partnership.objects.filter(scope) if scope else None
    agreements = Agreement.objects.all()
    if partnerships is not None:
        agreements = agreements.filter(partnership__in=partnerships)
    if agreements.filter(signed_on__gt=today).exists():
        return SqlGaps(agreements, today)
    return StoredGaps(partnerships, agreements, today)


class SqlUnpaired(LazyRows[UnpairedRecipient[int]]):
    """Recipients with no agreement in force on `today`, in `recipients_without_helper`'s
    order (`candidates`, an ordered queryset): `len()` and the first page are one query (ids
    and total; `first_page`, when given, reads them, e.g. `UnpairedFirstPages` for two lists
    at once); the domain builds the items read, from their recipients' agreements only."""

    def __init__(
        self,
        candidates: QuerySet[Institution],
        agreements: QuerySet[Agreement],
        today: date,
        *,
        first_page: Callable[[], tuple[list[int], int]] | None = None,
    ) -> None:
        super().__init__()
        self._candidates = candidates
        self._agreements = agreements
        self._today = today
        self._read_first = first_page or self._read_first_page
        self._first: list[int] | None = None
        self._total = 0

    def _read_first_page(self) -> tuple[list[int], int]:
        rows = list(
            self._candidates.annotate(total=Window(Count("pk"))).values_list("pk", "total")[
                :FIRST_PAGE
            ]
        )
        return [pk for pk, _ in rows], int(rows[0][1]) if rows else 0

    def _first_page(self) -> list[int]:
        """The first page's ids, read once with the total."""
        if self._first is None:
            self._first, self._total = self._read_first()
        return self._first

    def _count(self) -> int:
        self._first_page()
        return self._total

    def _ids(self, start: int, stop: int | None) -> list[int]:
        if stop is not None and stop <= FIRST_PAGE:
            return self._first_page()[start:stop]
        return list(self._candidates.values_list("pk", flat=True)[start:stop])

    def _items(self, pks: list[int]) -> list[UnpairedRecipient[int]]:
        if not pks:
            return []
        facts = _facts_by(
            self._agreements.filter(partnership__recipient__in=pks), "partnership__recipient_id"
        )
        built = {
            u.recipient: u
            for u in recipients_without_helper({pk: facts.get(pk, []) for pk in pks}, self._today)
        }
        return [built[pk] for pk in pks]

    def _page(self, start: int, stop: int | None) -> list[UnpairedRecipient[int]]:
        return self._items(self._ids(start, stop))


@dataclass(frozen=True)
class Unpaired:
    lapsed: SqlUnpaired
    never_paired: SqlUnpaired


def unpaired_for_user(*, user: User, today: date) -> Unpaired:
    """In-scope recipients with no agreement in force on `today`
    (`domain.lifecycle.recipients_without_helper`, keyed by institution id; a helper sees the
    recipients of its own partnerships), split as the coverage page shows them: those whose
    last signed agreement has ended (`lapsed`, longest without a helper first, by the last day
    in force of `signed_periods_sql`) and those that never had one. Found, ordered and counted
    in the database; the domain builds only the items read."""
    scope = scope_for_user(user)
    in_scope = Partnership.objects.filter(partnership_filter_for_user(user))
    agreements = _in_scope(Agreement.objects.all(), user)
    if scope.role == Role.HELPER:
        recipients = Institution.objects.filter(pk__in=in_scope.values("recipient_id"))
    else:
        recipients = scope.institutions(
            Institution.objects.filter(category=InstitutionCategory.RECIPIENT)
        )
    in_force = agreements.filter(in_force_q(today), partnership__recipient=OuterRef("pk"))
    ended = signed_periods_sql(
        agreements.filter(partnership__recipient=OuterRef("pk")), today
    ).filter(Q(last_n__lt=day_number(today)))
    last_ended = (
        ended.order_by()
        .values("partnership__recipient")
        .annotate(last=Max("last_n"))
        .values("last")
    )
    candidates = recipients.filter(~Exists(in_force)).annotate(last_end_n=Subquery(last_ended))
    first_pages = UnpairedFirstPages(candidates)
    return Unpaired(
        lapsed=SqlUnpaired(
            candidates.filter(last_end_n__isnull=False).order_by(
                "last_end_n", "county__code", "name", "pk"
            ),
            agreements,
            today,
            first_page=lambda: first_pages.read(lapsed=True),
        ),
        never_paired=SqlUnpaired(
            candidates.filter(last_end_n__isnull=True).order_by("county__code", "name", "pk"),
            agreements,
            today,
            first_page=lambda: first_pages.read(lapsed=False),
        ),
    )


class UnpairedFirstPages:
    """The first page of ids and the total of both unpaired lists, read together in one query
    over the candidates (annotated with `last_end_n`, null when no signed agreement has ended):
    each row is numbered within its list in that list's order (`lapsed`: by `last_end_n`,
    then county, name, id; `never_paired`: the same order, `last_end_n` being null), so both
    lists cost the scan behind the candidates once."""

    def __init__(self, candidates: QuerySet[Institution]) -> None:
        self._candidates = candidates
        self._pages: dict[bool, tuple[list[int], int]] | None = None

    # On PostgreSQL, OFFSET 0 keeps the candidates a subquery of their own: flattened into the
    # numbering query, the planner costs `last_end_n`'s subquery again for each window and each
    # use (≈ 15× the real cost at ×10 data, past `jit_above_cost`: 100 ms of JIT compiling).
    # SQLite has no JIT (and no OFFSET without LIMIT).
    _NUMBERED = """
        SELECT lapsed, position, pk, total FROM (
            SELECT pk, lapsed,
                ROW_NUMBER() OVER (PARTITION BY lapsed ORDER BY last_end, code, name, pk)
                    AS position,
                COUNT(*) OVER (PARTITION BY lapsed) AS total
            FROM (
                SELECT pk, last_end, last_end IS NOT NULL AS lapsed, code, name
                FROM ({candidates}{fence}) candidates
            ) flagged
        ) numbered
        WHERE position <= %s
        ORDER BY lapsed, position
    """

    def read(self, *, lapsed: bool) -> tuple[list[int], int]:
        if self._pages is None:
            sql, params = (
                self._candidates.order_by()
                .values("pk", "name", code=F("county__code"), last_end=F("last_end_n"))
                .query.sql_with_params()
            )
            fence = " OFFSET 0" if connection.vendor == "postgresql" else ""
            ids: dict[bool, list[int]] = {True: [], False: []}
            totals = {True: 0, False: 0}
            with connection.cursor() as cursor:
                cursor.execute(
                    self._NUMBERED.format(candidates=sql, fence=fence), [*params, FIRST_PAGE]
                )
                for is_lapsed, _, pk, total in cursor.fetchall():
                    ids[bool(is_lapsed)].append(pk)
                    totals[bool(is_lapsed)] = int(total)
            self._pages = {key: (ids[key], totals[key]) for key in (True, False)}
        return self._pages[lapsed]


# ---- coverage on stored spans (ADR 0022) ----
#
# `coverage_store` keeps one `AgreementSpan` per agreement with a day in force (its days, its
# county, whether its helper counts) and per county the merged days it is covered
# (`CountyCoverageSpan`). The province (no partnership filter) reads the merged rows, ≈ 88 × few
# whatever the number of agreements; the other roles read their partnerships' spans.


def _whole_province(user: User) -> bool:
    """The user reads every partnership (no filter): the merged county rows answer for them."""
    return not partnership_filter_for_user(user)


def _spans_in_scope(user: User) -> QuerySet[AgreementSpan]:
    """The stored spans of the partnerships the user may read."""
    return AgreementSpan.objects.filter(
        partnership__in=Partnership.objects.filter(partnership_filter_for_user(user))
    )


def _in_force_on(day: date) -> Q:
    """A stored span (agreement or county) containing ``day``: `in_force_q` on the rows."""
    return Q(first_day__lte=day, last_day__gte=day)


def _covered_county_codes(on: date, user: User | None) -> set[str]:
    """The counties (target or not) with an agreement in force on `on` that counts toward §一,
    among the partnerships in scope: one query over the stored spans."""
    covered: QuerySet[Any]  # CountyCoverageSpan or AgreementSpan rows: both have the columns
    if user is None or _whole_province(user):
        covered = CountyCoverageSpan.objects.filter(_in_force_on(on))
    else:
        covered = _spans_in_scope(user).filter(_in_force_on(on), counts=True, county__isnull=False)
    return set(covered.order_by().values_list("county__code", flat=True).distinct())


def coverage_on(*, on: date, user: User | None = None) -> CoverageResult:
    """Coverage of the target counties on a date (§一). The province-wide figure unless a user
    is given: `domain.coverage.county_coverage` of the counties in scope, from the counties the
    stored spans show covered that day (`county_coverage_of_covered`). Two queries."""
    counties = County.objects.select_related("prefecture")
    if user is not None:
        counties = scope_for_user(user).counties(counties)
    county_facts = [
        CountyFacts(
            code=c.code,
            prefecture_code=c.prefecture.code,
            program_group=ProgramGroup(c.programme_group),
        )
        for c in counties
    ]
    return county_coverage_of_covered(county_facts, _covered_county_codes(on, user))


def covered_target_counts_on_days(
    *, days: Sequence[date], user: User | None = None
) -> dict[date, int]:
    """`coverage_on(on=day, user=user).covered` for each of `days`, in one query whatever their
    number or the data's size (the goals panel's month ends): for each day, the target counties
    in scope with a stored span in scope containing it that counts — for the whole province the
    merged county rows, else the partnerships' counting spans."""
    if not days:
        return {}
    counties = County.objects.filter(programme_group=ProgrammeGroup.TARGET)
    if user is not None:
        counties = scope_for_user(user).counties(counties)
    first, last = min(days), max(days)
    overlapping = Q(first_day__lte=last, last_day__gte=first, county__in=counties)
    spans: QuerySet[Any]  # CountyCoverageSpan or AgreementSpan rows: both have the columns
    if user is None or _whole_province(user):
        spans = CountyCoverageSpan.objects.filter(overlapping)
    else:
        spans = _spans_in_scope(user).filter(overlapping, counts=True)
    counts = spans.aggregate(
        **{
            f"day{i}": Count("county", distinct=True, filter=_in_force_on(day))
            for i, day in enumerate(days)
        }
    )
    return {day: counts[f"day{i}"] for i, day in enumerate(days)}


def covered_county_codes_on(*, on: date, user: User) -> set[str]:
    """The counties (target or not) with an agreement in force on `on` that counts toward §一
    (`domain.coverage.agreement_counts_for_coverage`), among the partnerships in scope — what
    `coverage_on` reads, one query."""
    return _covered_county_codes(on, user)


def expiring_county_ids_on(*, on: date, user: User) -> QuerySet[AgreementSpan, int | None]:
    """The governing agreements (in scope) that are 即将到期 on `on` (ADR 0012: in force and
    ending within the policy's window), as a subquery of their counties' ids, on the stored
    spans: in force on `on`, no other span of the partnership in force that day with a later
    start (or the same start and a larger id: `governing_agreements`), and `end` before `on` +
    the window. (`end >= on` follows from being in force; said, it bounds the index scan.)"""
    window = load_policy().cycle.expiring_window_days
    later = AgreementSpan.objects.filter(
        _in_force_on(on), partnership=OuterRef("partnership")
    ).filter(
        Q(start__gt=OuterRef("start"))
        | Q(start=OuterRef("start"), agreement_id__gt=OuterRef("agreement_id"))
    )
    spans = AgreementSpan.objects.all() if _whole_province(user) else _spans_in_scope(user)
    return (
        spans.filter(_in_force_on(on), end__gte=on, end__lt=on + timedelta(days=window))
        .filter(~Exists(later))
        .values_list("county_id", flat=True)
    )


def gap_county_ids(*, user: User, today: date) -> set[int]:
    """The counties of the partnerships in scope with a 断档 (`gaps_for_user`), one query."""
    return gaps_for_user(user=user, today=today).county_ids()


@dataclass(frozen=True)
class CoverageExplanation:
    """An agreement in force in a county, and why it counts toward §一 or not."""

    county_code: str
    partnership: Partnership
    status: AgreementStatus
    counts: bool
    reason: str


def coverage_explanations_on(
    *, on: date, user: User, county_codes: Sequence[str]
) -> list[CoverageExplanation]:
    """The agreements in force on `on` in the given counties that the user may read, each with
    the coverage domain's reason (`agreement_coverage_reason`): why a county shows 0 covered
    while a partnership there is 执行中 (its helper is an exception, not an out-of-province 三甲)."""
    eligibility = load_policy().helper_eligibility
    agreements = with_status(
        Agreement.objects.filter(
            in_force_q(on),
            partnership__in=Partnership.objects.filter(partnership_filter_for_user(user)),
            partnership__recipient__county__code__in=list(county_codes),
        ),
        on,
    ).select_related("partnership__helper", "partnership__recipient__county")
    explanations = []
    for agreement in agreements.order_by("partnership__recipient__county__code", "pk"):
        partnership = agreement.partnership
        county = partnership.recipient.county  # never None: filtered on the county above
        facts = CoverageAgreement(
            agreement_id=agreement.pk,
            recipient_county_code=county.code if county else "",
            helper_province=partnership.helper.province,
            helper_grade=partnership.helper.grade,
            status=AgreementStatus(agreement.sql_status),  # type: ignore[attr-defined]
        )
        explanations.append(
            CoverageExplanation(
                county_code=facts.recipient_county_code,
                partnership=partnership,
                status=facts.status,
                counts=agreement_counts_for_coverage(facts, eligibility),
                reason=agreement_coverage_reason(facts, eligibility),
            )
        )
    return explanations


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
