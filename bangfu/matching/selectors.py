"""Reads for matching (F7, §三(二)), scoped to the user (F12).

Rounds are readable by the province office and by the prefecture that ran them; every other
role sees none (out-of-scope rounds are 404, never 403). The candidates of a round are the
recipients in the officer's scope and the helper directory.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from functools import lru_cache
from typing import Any

from django.db.models import (
    BooleanField,
    Count,
    Exists,
    ExpressionWrapper,
    Max,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Value,
)
from django.db.models.functions import Coalesce
from django.http import Http404

from bangfu.accounts.models import Role, User
from bangfu.core.audit import audit_object_type
from bangfu.core.models import AuditEntry
from bangfu.matching.domain import CityPairing, city_pairings_from_rows
from bangfu.matching.domain.fit import HelperProfile, RecipientNeeds, ReferralCount, Region
from bangfu.matching.domain.rounds import (
    RecipientStanding,
    default_helper_ids,
    default_recipient_ids,
)
from bangfu.matching.models import (
    MatchingProposal,
    MatchingRound,
    MatchPreference,
    ProposalStatus,
    RecipientNeed,
)
from bangfu.partnerships.selectors import gap_report_for_user, today_local
from bangfu.registry.models import (
    County,
    Institution,
    InstitutionCategory,
    Prefecture,
    ProgrammeGroup,
    Specialty,
)
from bangfu.registry.registry_files import read_csv_rows
from bangfu.registry.scope import scope_for_user

PAIRINGS_FILE = "guangdong_guizhou_pairs.csv"
RUNNER_ROLES = (Role.PROVINCE, Role.PREFECTURE)


def can_run_matching(user: User) -> bool:
    """Only the province office and prefecture offices run matching rounds (§三(二)–(三))."""
    return scope_for_user(user).role in RUNNER_ROLES


def matching_round_filter_for_user(user: User) -> Q:
    """Province: every round; prefecture officer: its prefecture's rounds; others: none."""
    scope = scope_for_user(user)
    if scope.role == Role.PROVINCE:
        return Q()
    if scope.role == Role.PREFECTURE and scope.prefecture_id is not None:
        return Q(prefecture_id=scope.prefecture_id)
    return Q(pk__in=[])


@dataclass(frozen=True)
class RoundFilters:
    method: str = ""  # stable / optimal
    created_by_id: int | None = None


def _latest_round_ids() -> QuerySet[Any, Any]:
    """The newest round of each prefecture (rounds without a prefecture form one group), as a
    sub-query of ids: two independent rounds are not both the latest."""
    return (
        MatchingRound.objects.order_by()
        .values("prefecture_id")
        .annotate(last=Max("pk"))
        .values("last")
    )


def _accepted_counts() -> QuerySet[Any, Any]:
    """The number of accepted proposals of the outer round, as a correlated sub-query."""
    return (
        MatchingProposal.objects.filter(round_id=OuterRef("pk"), status=ProposalStatus.ACCEPTED)
        .order_by()
        .values("round_id")
        .annotate(n=Count("pk"))
        .values("n")
    )


def matching_round_list_for_user(
    *, user: User, filters: RoundFilters | None = None
) -> QuerySet[MatchingRound]:
    """Rounds in scope, newest first, without their JSON (one query per page)."""
    filters = filters or RoundFilters()
    qs = MatchingRound.objects.filter(matching_round_filter_for_user(user))
    if filters.method:
        qs = qs.filter(method=filters.method)
    if filters.created_by_id is not None:
        qs = qs.filter(created_by_id=filters.created_by_id)
    return (
        qs.select_related("created_by", "prefecture")
        .defer("parameters", "instance", "result")
        .annotate(
            # A sub-query per round shown, not a join and GROUP BY over every proposal (which
            # the page's COUNT also had to wrap; issue #13).
            accepted_count=Coalesce(Subquery(_accepted_counts()), Value(0)),
            superseded=Exists(MatchingRound.objects.filter(previous_id=OuterRef("pk"))),
            is_latest=ExpressionWrapper(Q(pk__in=_latest_round_ids()), output_field=BooleanField()),
        )
        .order_by("-created_at", "-pk")
    )


def matching_round_get_for_user(*, user: User, pk: int) -> MatchingRound:
    try:
        return (
            MatchingRound.objects.filter(matching_round_filter_for_user(user))
            .select_related("created_by", "prefecture", "previous")
            .get(pk=pk)
        )
    except MatchingRound.DoesNotExist as exc:
        raise Http404("未找到该匹配轮次") from exc


def matching_proposal_get_for_user(*, user: User, round_pk: int, pk: int) -> MatchingProposal:
    """A proposal of a round in the user's scope (else 404)."""
    try:
        return MatchingProposal.objects.select_related("round", "recipient", "helper").get(
            round__in=MatchingRound.objects.filter(matching_round_filter_for_user(user)),
            round_id=round_pk,
            pk=pk,
        )
    except MatchingProposal.DoesNotExist as exc:
        raise Http404("未找到该配对") from exc


@dataclass(frozen=True)
class UnmatchedRow:
    id: int
    name: str
    reason: str


@dataclass(frozen=True)
class HelperCapacity:
    id: int
    name: str
    capacity: int


@dataclass
class RoundDetail:
    round: MatchingRound
    proposals: list[MatchingProposal]
    unmatched: list[UnmatchedRow]
    helpers: list[HelperCapacity]
    reasons: list[str]
    successor: MatchingRound | None
    counts: dict[str, int] = field(default_factory=dict)
    is_latest: bool = False
    """The newest round of its prefecture (or of the province); only it is badged 最新."""


def matching_round_detail_for_user(*, user: User, pk: int) -> RoundDetail:
    """A round with its proposals (and their hospitals) in a constant number of queries."""
    round_ = matching_round_get_for_user(user=user, pk=pk)
    proposals = list(matching_proposals_for_round(round_=round_))
    successor = MatchingRound.objects.filter(previous=round_).order_by("pk").first()
    newest = MatchingRound.objects.filter(prefecture=round_.prefecture).aggregate(last=Max("pk"))
    result = round_.result
    profiles = round_.instance.get("helper_profiles", [])
    counts = {s.value: 0 for s in ProposalStatus}
    for p in proposals:
        counts[p.status] += 1
    return RoundDetail(
        round=round_,
        proposals=proposals,
        unmatched=[UnmatchedRow(u["id"], u["name"], u["reason"]) for u in result["unmatched"]],
        helpers=[HelperCapacity(h["id"], h["name"], h["capacity"]) for h in profiles],
        reasons=list(result.get("reasons", [])),
        successor=successor,
        counts=counts,
        is_latest=round_.pk == newest["last"],
    )


def matching_proposals_for_round(*, round_: MatchingRound) -> QuerySet[MatchingProposal]:
    """The proposals of a round the caller already fetched through a scoped selector."""
    return (
        MatchingProposal.objects.filter(round=round_)
        .select_related("recipient__county__prefecture", "helper", "partnership")
        .order_by("-fit_total", "recipient__county__code", "recipient__name")
    )


# ---- candidates and inputs of a round ----


def _recipients_in_scope(user: User) -> QuerySet[Institution]:
    return scope_for_user(user).institutions(
        Institution.objects.filter(category=InstitutionCategory.RECIPIENT)
    )


def matching_recipients_for_user(*, user: User) -> QuerySet[Institution]:
    """The recipients an officer may put in a round: those in its scope."""
    return _recipients_in_scope(user).select_related("county__prefecture")


def matching_helpers() -> QuerySet[Institution]:
    """The helper directory every officer matches from."""
    return Institution.objects.filter(category=InstitutionCategory.HELPER)


@dataclass(frozen=True)
class RoundCandidates:
    recipients: list[Institution]
    helpers: list[Institution]
    default_recipient_ids: tuple[int, ...]
    default_helper_ids: tuple[int, ...]


def matching_candidates_for_user(*, user: User, today: date | None = None) -> RoundCandidates:
    """Recipients in scope and helpers, with the preselection of `default_recipient_ids` and
    `default_helper_ids`. Nothing for a user who may not run rounds."""
    if not can_run_matching(user):
        return RoundCandidates([], [], (), ())
    today = today or today_local()
    recipients = list(matching_recipients_for_user(user=user).order_by("county__code", "name"))
    helpers = list(matching_helpers().order_by("province", "city", "name"))
    report = gap_report_for_user(user=user, today=today)
    not_in_force = {u.recipient for u in report.unpaired}
    signed_upcoming = {u.recipient for u in report.unpaired if u.next_start is not None}
    # The report's cycles, already fetched: `p.agreements.all()` here was a query per
    # partnership (the rows prefetch into a plain list).
    pending = {
        p.recipient_id
        for p in report.partnerships.values()
        if not any(a.signed_on is not None for a in report.cycles[p.pk])
    }
    standings = [
        RecipientStanding(
            id=r.pk,
            target_county=r.county is not None
            and r.county.programme_group == ProgrammeGroup.TARGET,
            agreement_in_force=r.pk not in not_in_force,
            pending_partnership=r.pk in pending or r.pk in signed_upcoming,
        )
        for r in recipients
    ]
    return RoundCandidates(
        recipients=recipients,
        helpers=helpers,
        default_recipient_ids=default_recipient_ids(standings),
        default_helper_ids=default_helper_ids({h.pk: h.capacity for h in helpers}),
    )


@lru_cache(maxsize=1)
def city_pairings() -> tuple[CityPairing, ...]:
    """The 粤黔 East-West city pairings (§二(一)) from the registry's reference file."""
    return city_pairings_from_rows(read_csv_rows(PAIRINGS_FILE))


def recipient_needs_for(*, recipients: Iterable[Institution]) -> list[RecipientNeeds]:
    """Each recipient's needs as the fit score reads them (specialties by name)."""
    recipient_list = list(recipients)
    needs_by_recipient: dict[int, list[RecipientNeed]] = {r.pk: [] for r in recipient_list}
    for need in RecipientNeed.objects.filter(institution__in=recipient_list).select_related(
        "specialty"
    ):
        needs_by_recipient[need.institution_id].append(need)
    result = []
    for r in recipient_list:
        rows = sorted(needs_by_recipient[r.pk], key=lambda n: n.specialty.code)
        result.append(
            RecipientNeeds(
                id=r.pk,
                prefecture=r.county.prefecture.name if r.county else "",
                weak_specialties=tuple(n.specialty.name for n in rows if n.weak),
                capability_gaps=tuple(n.specialty.name for n in rows if n.gap),
                referrals=tuple(
                    ReferralCount(n.disease or n.specialty.name, n.specialty.name, n.referrals_3y)
                    for n in rows
                    if n.referrals_3y > 0
                ),
            )
        )
    return result


def helper_profiles_for(
    *, helpers: Iterable[Institution], capacity_overrides: Mapping[int, int]
) -> list[HelperProfile]:
    """Each helper's strengths, region and capacity (the officer's override if any)."""
    helper_list = list(helpers)
    strengths: dict[int, list[str]] = {h.pk: [] for h in helper_list}
    through = Institution.strong_specialties.through
    for row in (
        through.objects.filter(institution__in=helper_list)
        .select_related("specialty")
        .order_by("specialty__code")
    ):
        strengths[row.institution_id].append(row.specialty.name)
    known_regions = {r.value: r for r in Region}
    return [
        HelperProfile(
            id=h.pk,
            province=h.province,
            city=h.city,
            advantage_specialties=tuple(strengths[h.pk]),
            capacity=capacity_overrides.get(h.pk, h.capacity),
            regions=frozenset(known_regions[v] for v in h.regions if v in known_regions),
        )
        for h in helper_list
    ]


def stated_preferences_for(*, institution_ids: Iterable[int]) -> dict[int, list[int]]:
    """Hospitals' own ranked choices (§三(二) 自主选择), by institution id."""
    return {
        p.institution_id: [int(i) for i in p.ranked_ids]
        for p in MatchPreference.objects.filter(institution_id__in=list(institution_ids))
    }


# ---- needs and ranked choices: who may see and edit them ----

NEED_EDITOR_ROLES = (Role.PROVINCE, Role.PREFECTURE, Role.COUNTY, Role.RECIPIENT)
PREFERENCE_EDITOR_ROLES = (Role.PROVINCE, Role.PREFECTURE, Role.RECIPIENT, Role.HELPER)
HOSPITAL_ROLES = (Role.RECIPIENT, Role.HELPER)
NEEDS_AUDIT_NOTE = "受扶医院需求（结对匹配）"
MATCHING_SIDES = (InstitutionCategory.RECIPIENT, InstitutionCategory.HELPER)


def matching_inputs_editable(*, user: User, institution: Institution, roles: Iterable[str]) -> bool:
    """Whether `user` may record `institution`'s needs or ranked choices: its role is one of
    `roles` and the institution is in its scope. A hospital user speaks only for its own
    hospital — a helper sees the recipients it partners with but does not choose for them."""
    scope = scope_for_user(user)
    if scope.role not in roles:
        return False
    if scope.role in HOSPITAL_ROLES:
        return institution.pk == scope.institution_id
    return scope.institutions(Institution.objects.filter(pk=institution.pk)).exists()


def own_matching_institution_id(user: User) -> int | None:
    """The hospital a recipient- or helper-hospital user fills in needs and choices for."""
    scope = scope_for_user(user)
    return scope.institution_id if scope.role in HOSPITAL_ROLES else None


@dataclass(frozen=True)
class NeedsFilters:
    prefecture: str = ""  # prefecture code
    county: str = ""  # county code
    q: str = ""  # part of the hospital's name


def recipient_needs_list_for_user(
    *, user: User, filters: NeedsFilters | None = None
) -> QuerySet[Institution]:
    """Recipients in scope with their needs (most out-referrals first) and ranked choices, in a
    constant number of queries; read them with `recipient_needs_summary`."""
    filters = filters or NeedsFilters()
    qs = _recipients_in_scope(user)
    if filters.prefecture:
        qs = qs.filter(county__prefecture__code=filters.prefecture)
    if filters.county:
        qs = qs.filter(county__code=filters.county)
    if filters.q.strip():
        qs = qs.filter(name__contains=filters.q.strip())
    return (
        qs.select_related("county__prefecture", "matching_preference")
        .prefetch_related(
            Prefetch(
                "matching_needs",
                queryset=RecipientNeed.objects.select_related("specialty").order_by(
                    "-referrals_3y", "specialty__code"
                ),
            )
        )
        .order_by("county__code", "name")
    )


def needs_filter_choices_for_user(
    *, user: User
) -> tuple[list[tuple[str, str]], list[tuple[str, str]]]:
    """The prefectures and counties (code, name) a user may filter the needs list by."""
    scope = scope_for_user(user)
    prefectures = scope.prefectures(Prefecture.objects.order_by("code"))
    counties = scope.counties(County.objects.order_by("code"))
    return (
        [(p.code, p.name) for p in prefectures],
        [(c.code, c.name) for c in counties],
    )


@dataclass(frozen=True)
class ReferralRow:
    disease: str
    specialty: str
    count: int


@dataclass(frozen=True)
class NeedsSummary:
    """One recipient's needs as the list shows them."""

    institution: Institution
    weak_specialties: tuple[str, ...]
    capability_gaps: tuple[str, ...]
    referrals: tuple[ReferralRow, ...]  # most referred first
    need_count: int
    preference_count: int
    updated_at: datetime | None

    TOP = 3

    @property
    def top_referrals(self) -> tuple[ReferralRow, ...]:
        return self.referrals[: self.TOP]

    @property
    def referral_total(self) -> int:
        return sum(r.count for r in self.referrals)


def recipient_needs_summary(institution: Institution) -> NeedsSummary:
    """The summary of a recipient fetched by `recipient_needs_list_for_user` (no query)."""
    rows = list(institution.matching_needs.all())
    by_code = sorted(rows, key=lambda n: n.specialty.code)
    preference: MatchPreference | None = getattr(institution, "matching_preference", None)
    stamps = [n.updated_at for n in rows] + ([preference.updated_at] if preference else [])
    return NeedsSummary(
        institution=institution,
        weak_specialties=tuple(n.specialty.name for n in by_code if n.weak),
        capability_gaps=tuple(n.specialty.name for n in by_code if n.gap),
        referrals=tuple(
            ReferralRow(n.disease or n.specialty.name, n.specialty.name, n.referrals_3y)
            for n in rows
            if n.referrals_3y > 0
        ),
        need_count=len(rows),
        preference_count=len(preference.ranked_ids) if preference else 0,
        updated_at=max(stamps) if stamps else None,
    )


@dataclass(frozen=True)
class RankedChoice:
    rank: int
    id: int
    name: str


@dataclass(frozen=True)
class MatchingInputs:
    """A hospital's matching inputs: a recipient's needs and either side's ranked choices."""

    institution: Institution
    needs: list[RecipientNeed]
    preference: MatchPreference | None
    ranked: list[RankedChoice]
    can_edit_needs: bool
    can_edit_preferences: bool

    @property
    def is_recipient(self) -> bool:
        return self.institution.category == InstitutionCategory.RECIPIENT

    @property
    def other_side_label(self) -> str:
        return "帮扶医院" if self.is_recipient else "受扶医院"


def matching_institution_get_for_user(*, user: User, pk: int) -> Institution:
    """A recipient or helper hospital in the user's scope (else 404)."""
    try:
        return (
            scope_for_user(user)
            .institutions(Institution.objects.filter(category__in=MATCHING_SIDES))
            .select_related("county__prefecture")
            .get(pk=pk)
        )
    except Institution.DoesNotExist as exc:
        raise Http404("未找到该医疗机构") from exc


def matching_inputs_get_for_user(*, user: User, pk: int) -> MatchingInputs:
    """A hospital's needs and ranked choices, with what `user` may change (404 out of scope)."""
    institution = matching_institution_get_for_user(user=user, pk=pk)
    is_recipient = institution.category == InstitutionCategory.RECIPIENT
    needs = (
        list(
            RecipientNeed.objects.filter(institution=institution)
            .select_related("specialty")
            .order_by("specialty__code")
        )
        if is_recipient
        else []
    )
    preference = MatchPreference.objects.filter(institution=institution).first()
    ranked_ids = [int(i) for i in preference.ranked_ids] if preference else []
    names = dict(Institution.objects.filter(pk__in=ranked_ids).values_list("pk", "name"))
    return MatchingInputs(
        institution=institution,
        needs=needs,
        preference=preference,
        ranked=[
            RankedChoice(rank, pk, names.get(pk, f"编号 {pk}（已不在名录中）"))
            for rank, pk in enumerate(ranked_ids, start=1)
        ],
        can_edit_needs=is_recipient
        and matching_inputs_editable(user=user, institution=institution, roles=NEED_EDITOR_ROLES),
        can_edit_preferences=matching_inputs_editable(
            user=user, institution=institution, roles=PREFERENCE_EDITOR_ROLES
        ),
    )


def preference_choices_for(*, institution: Institution) -> list[Institution]:
    """The hospitals `institution` may rank: helpers for a recipient, recipients for a helper."""
    if institution.category == InstitutionCategory.RECIPIENT:
        return list(matching_helpers().order_by("province", "city", "name"))
    return list(
        Institution.objects.filter(category=InstitutionCategory.RECIPIENT)
        .select_related("county__prefecture")
        .order_by("county__code", "name")
    )


def specialty_choices() -> list[tuple[str, str]]:
    return list(Specialty.objects.order_by("code").values_list("code", "name"))


def matching_inputs_history(*, inputs: MatchingInputs, limit: int = 50) -> QuerySet[AuditEntry]:
    """The audit rows of a hospital's needs and ranked choices, newest first. Callers fetch
    `inputs` through `matching_inputs_get_for_user` first."""
    institution = inputs.institution
    where = Q(
        object_type=audit_object_type(institution),
        object_id=str(institution.pk),
        note=NEEDS_AUDIT_NOTE,
    )
    if inputs.preference is not None:
        where |= Q(
            object_type=audit_object_type(inputs.preference),
            object_id=str(inputs.preference.pk),
        )
    return AuditEntry.objects.filter(where).order_by("-created_at", "-pk")[:limit]
