"""Reads of experts, teams, deployments and department services, scoped to the user (F4, F6, F12).

Every Expert row read here carries the `sensitive_visible` annotation (may the reader see pay, ID
and phone numbers at all, `access.sensitive_filter_for_user`). The model's `pay_display` /
`id_number_display` / `phone_display` still mask them until `expert_sensitive_view` records a
full view (detail page, API detail); lists and exports never do (ADR 0004).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date

from django.db.models import Prefetch, Q, QuerySet
from django.http import Http404

from bangfu.accounts.models import Role, User
from bangfu.core.audit import audit_object_type
from bangfu.core.clock import today_local as today_local
from bangfu.core.models import AuditEntry
from bangfu.partnerships.models import Partnership
from bangfu.partnerships.selectors import governing_agreement_of, partnership_filter_for_user
from bangfu.people import access
from bangfu.people.contributions import (
    NO_CARE,
    ExpertPageReader,
    ExpertSection,
    MemberCare,
    expert_sections,
    member_care,
)
from bangfu.people.domain.appointment import (
    AppointmentEligibility,
    AppointmentRules,
    appointment_eligibility,
    appointment_rules_from_terms,
    appointment_rules_with_overrides,
)
from bangfu.people.domain.department_services import may_record_title_result
from bangfu.people.domain.experts import Degree, DeploymentKind, Title
from bangfu.people.domain.experts import Deployment as DomainDeployment
from bangfu.people.domain.experts import Expert as DomainExpert
from bangfu.people.domain.privacy import SENSITIVE_VIEW_ACTION
from bangfu.people.domain.recognition import withdrawal_problem
from bangfu.people.domain.team import Team as DomainTeam
from bangfu.people.domain.team import (
    TeamCheck,
    TeamMember,
    TeamRules,
    team_check,
    team_rules_from_terms,
)
from bangfu.people.models import (
    Appointment,
    AppointmentLetter,
    CoverageLink,
    Deployment,
    Expert,
    InsuranceBriefing,
    Mentorship,
    Recognition,
    SciTechApplication,
    Team,
    TitleEvaluationApplication,
    deployments_with_days_in,
)
from bangfu.policy.domain.periods import Period
from bangfu.policy.loader import load_policy
from bangfu.registry.models import Department, Institution, InstitutionCategory, Specialty
from bangfu.registry.scope import scope_for_user


def policy_appointment_rules() -> AppointmentRules:
    return appointment_rules_from_terms(load_policy().incentives)


def partnership_appointment_rules_on(partnership: Partnership, day: date) -> AppointmentRules:
    """The policy's appointment rules with the own terms of the agreement governing the
    partnership on `day` (`partnerships.selectors.governing_agreement_of`), e.g. an agreed 3 years
    of residence to be president (A2-四(三)1); the policy's when no agreement governs that day.
    Reads `partnership.agreements.all()` (prefetch it)."""
    base = policy_appointment_rules()
    agreement = governing_agreement_of(partnership.agreements.all(), day)
    if agreement is None or not agreement.guarantee_overrides:
        return base
    return appointment_rules_with_overrides(base, agreement.guarantee_overrides)


def policy_team_rules() -> TeamRules:
    policy = load_policy()
    return team_rules_from_terms(policy.team, policy.incentives)


# ---- domain inputs built from rows ----


def domain_expert(expert: Expert) -> DomainExpert:
    """The expert as the rules read it; the days recognised as outstanding come from the dated
    recognitions (prefetch `recognitions` when reading many experts), never from today's state."""
    recognised = tuple(
        Period(r.start, r.last_day or date.max) for r in expert.recognitions.all() if r.has_days
    )
    return DomainExpert(
        title=Title(expert.title),
        degree=Degree(expert.degree),
        prior_year_pay=expert.prior_year_pay,
        outstanding=bool(recognised),
        leadership_qualified=expert.leadership_qualified,
        recognised=recognised,
    )


def domain_deployment(deployment: Deployment) -> DomainDeployment:
    """The stay as the rules read it: the actual end once recorded, else the planned end."""
    return DomainDeployment(
        kind=DeploymentKind(deployment.kind),
        start=deployment.start,
        planned_end=deployment.effective_end,
    )


# ---- experts ----


@dataclass(frozen=True)
class ExpertFilters:
    q: str = ""  # name or home institution
    title: str = ""
    kind: str = ""  # has a deployment of this kind
    home_institution: int | None = None
    recipient: int | None = None  # deployed to this recipient hospital
    specialty: int | None = None


def _experts_for_user(user: User) -> QuerySet[Expert]:
    return (
        Expert.objects.filter(access.expert_filter_for_user(user))
        .select_related("home_institution", "specialty")
        .annotate(sensitive_visible=access.sensitive_visible_expression(user))
    )


def expert_list_for_user(*, user: User, filters: ExpertFilters | None = None) -> QuerySet[Expert]:
    """Experts in scope, each with `visible_deployments` (only those the user may see)."""
    filters = filters or ExpertFilters()
    qs = _experts_for_user(user).prefetch_related(
        Prefetch(
            "deployments",
            queryset=Deployment.objects.filter(access.deployment_filter_for_user(user))
            .select_related("team__partnership__recipient")
            .order_by("-start", "pk"),
            to_attr="visible_deployments",
        ),
        "recognitions",
    )
    if filters.q:
        q = filters.q.strip()
        qs = qs.filter(Q(name__contains=q) | Q(home_institution__name__contains=q))
    if filters.title:
        qs = qs.filter(title=filters.title)
    if filters.kind:
        qs = qs.filter(pk__in=Deployment.objects.filter(kind=filters.kind).values("expert_id"))
    if filters.home_institution:
        qs = qs.filter(home_institution_id=filters.home_institution)
    if filters.recipient:
        qs = qs.filter(
            pk__in=Deployment.objects.filter(
                team__partnership__recipient_id=filters.recipient
            ).values("expert_id")
        )
    if filters.specialty:
        qs = qs.filter(specialty_id=filters.specialty)
    return qs.order_by("name", "pk")


def expert_with_deployments_for_user(*, user: User, pk: int) -> Expert:
    """One expert as `expert_list_for_user` returns it (with `visible_deployments`), or 404."""
    try:
        return expert_list_for_user(user=user).get(pk=pk)
    except Expert.DoesNotExist as exc:
        raise Http404("未找到该专家") from exc


def expert_get_for_user(*, user: User, pk: int) -> Expert:
    try:
        return _experts_for_user(user).get(pk=pk)
    except Expert.DoesNotExist as exc:
        raise Http404("未找到该专家") from exc


def _deployments_base() -> QuerySet[Deployment]:
    return Deployment.objects.select_related(
        "expert__home_institution",
        "team__partnership__helper",
        "team__partnership__recipient__county__prefecture",
        "department",
    )


@dataclass(frozen=True)
class DeploymentEligibility:
    deployment: Deployment
    eligibility: AppointmentEligibility


@dataclass(frozen=True)
class ExpertDetail:
    expert: Expert
    deployments: list[Deployment]
    eligibilities: list[DeploymentEligibility]
    appointments: list[Appointment]
    coverage_links: list[CoverageLink]
    mentorships: list[Mentorship]
    title_applications: list[TitleEvaluationApplication]
    sections: list[ExpertSection]
    """What other apps add to the page (incentives: the ledger), `people.contributions`."""
    history: list[AuditEntry]
    sensitive_views: list[AuditEntry]  # who read the full pay / ID / phone, and when
    can_edit: bool
    can_pay: bool
    is_self: bool
    appointable: frozenset[int] = frozenset()
    """Deployments offered 登记挂任职: the user pays there (`access.can_pay`, as
    `appointment_create` checks) and the expert is eligible for a post today."""


def _expert_audit(expert: Expert) -> QuerySet[AuditEntry]:
    return AuditEntry.objects.filter(
        object_type=audit_object_type(expert), object_id=str(expert.pk)
    )


def expert_detail_for_user(*, user: User, pk: int) -> ExpertDetail:
    """An expert with the deployments, appointments, 3X links and mentorships the user may see, and
    the sections other apps add (the ledger, from incentives)."""
    expert = expert_get_for_user(user=user, pk=pk)
    deployments = list(
        _deployments_base()
        .filter(access.deployment_filter_for_user(user), expert=expert)
        .prefetch_related(
            Prefetch("appointments", queryset=Appointment.objects.order_by("-start")),
            Prefetch("coverage_links", queryset=CoverageLink.objects.select_related("department")),
            Prefetch(
                "mentorships", queryset=Mentorship.objects.select_related("mentee_department")
            ),
            Prefetch("title_applications"),
            "team__partnership__agreements",
        )
        .order_by("-start", "pk")
    )
    facts = domain_expert(expert)
    today = today_local()
    reader = ExpertPageReader(
        user=user,
        can_pay=access.can_pay_for_expert(user, expert),
        is_self=access.is_the_expert(user, expert),
    )
    eligibilities = [
        DeploymentEligibility(
            d,
            appointment_eligibility(
                facts,
                domain_deployment(d),
                # the terms in force today, or at the deployment's nearest end
                partnership_appointment_rules_on(
                    d.team.partnership, min(max(today, d.start), d.effective_end)
                ),
            ),
        )
        for d in deployments
        if d.kind == DeploymentKind.RESIDENT
    ]
    return ExpertDetail(
        expert=expert,
        deployments=deployments,
        eligibilities=eligibilities,
        appointments=[a for d in deployments for a in d.appointments.all()],
        coverage_links=[c for d in deployments for c in d.coverage_links.all()],
        mentorships=[m for d in deployments for m in d.mentorships.all()],
        title_applications=[t for d in deployments for t in d.title_applications.all()],
        sections=expert_sections(reader=reader, expert=expert),
        history=list(
            _expert_audit(expert).exclude(action=SENSITIVE_VIEW_ACTION)[:50],
        ),
        sensitive_views=list(_expert_audit(expert).filter(action=SENSITIVE_VIEW_ACTION)[:20]),
        can_edit=access.can_edit_expert(user, expert),
        can_pay=reader.can_pay,
        is_self=reader.is_self,
        appointable=frozenset(
            e.deployment.pk
            for e in eligibilities
            if (e.eligibility.vice_president or e.eligibility.president)
            and access.can_pay(user, e.deployment.team.partnership)
        ),
    )


# ---- teams ----


@dataclass(frozen=True)
class TeamFilters:
    q: str = ""  # helper or recipient name
    prefecture: str = ""  # recipient's prefecture code
    partnership: int | None = None


def _teams_for_user(user: User) -> QuerySet[Team]:
    return (
        Team.objects.filter(access.team_filter_for_user(user))
        .select_related(
            "partnership__helper", "partnership__recipient__county__prefecture", "captain"
        )
        .prefetch_related(
            Prefetch(
                "deployments",
                queryset=Deployment.objects.select_related("expert", "department")
                .prefetch_related(
                    Prefetch(
                        "coverage_links",
                        queryset=CoverageLink.objects.select_related("department"),
                    ),
                    Prefetch(
                        "mentorships",
                        queryset=Mentorship.objects.select_related("mentee_department"),
                    ),
                )
                .order_by("start", "pk"),
            )
        )
    )


def _team_list_base(user: User) -> QuerySet[Team]:
    """Teams in scope with only what a list row reads (`team_rows`, the list page, its export,
    the API list): names, batch, captain, and members with the columns the composition check
    reads. Half the cost of full rows (no JSON or text columns of the institutions,
    partnerships and experts; no department rows for the 3X links), the same queries."""
    members = (
        Deployment.objects.select_related("expert")
        .only(
            "id",
            "team_id",
            "expert_id",
            "kind",
            "department_id",
            "start",
            "planned_end",
            "actual_end",
            "expert__id",
            "expert__name",
            "expert__title",
        )
        .prefetch_related(
            Prefetch(
                "coverage_links",
                queryset=CoverageLink.objects.only("id", "deployment_id", "department_id"),
            ),
            Prefetch("mentorships", queryset=Mentorship.objects.only("id", "deployment_id")),
        )
        .order_by("start", "pk")
    )
    return (
        Team.objects.filter(access.team_filter_for_user(user))
        .select_related("partnership__helper", "partnership__recipient", "captain")
        .only(
            "id",
            "partnership_id",
            "batch",
            "captain_id",
            "partnership__id",
            "partnership__helper_id",
            "partnership__recipient_id",
            "partnership__helper__id",
            "partnership__helper__name",
            "partnership__recipient__id",
            "partnership__recipient__name",
            "captain__id",
            "captain__name",
        )
        .prefetch_related(Prefetch("deployments", queryset=members))
    )


def team_list_for_user(*, user: User, filters: TeamFilters | None = None) -> QuerySet[Team]:
    filters = filters or TeamFilters()
    qs = _team_list_base(user)
    if filters.q:
        q = filters.q.strip()
        qs = qs.filter(
            Q(partnership__helper__name__contains=q) | Q(partnership__recipient__name__contains=q)
        )
    if filters.prefecture:
        qs = qs.filter(partnership__recipient__county__prefecture__code=filters.prefecture)
    if filters.partnership:
        qs = qs.filter(partnership_id=filters.partnership)
    return qs.order_by("partnership__recipient__name", "partnership__helper__name", "batch")


def team_get_for_user(*, user: User, pk: int) -> Team:
    try:
        return _teams_for_user(user).get(pk=pk)
    except Team.DoesNotExist as exc:
        raise Http404("未找到该帮扶队") from exc


def team_facts(
    team: Team,
    year: int,
    care: Mapping[int, MemberCare],
    members: list[Deployment] | None = None,
) -> DomainTeam:
    """The team as `team_check` reads it, from a team loaded by `team_list_for_user` and its
    members' insurance and health checks (`people.contributions.member_care`); `members` is
    `team.deployments.all()` when the caller already has it."""
    if members is None:
        members = list(team.deployments.all())
    return DomainTeam(
        members=tuple(
            TeamMember(
                member_id=str(d.pk),
                name=d.expert.name,
                title=Title(d.expert.title),
                is_captain=d.expert_id == team.captain_id,
                resident=d.kind == DeploymentKind.RESIDENT,
                linked_departments=frozenset(str(c.department_id) for c in d.coverage_links.all()),
                insurance_coverage=care.get(d.expert_id, NO_CARE).insurance_coverage,
                health_check_dates=care.get(d.expert_id, NO_CARE).health_check_dates,
                is_mentor=bool(d.mentorships.all()),
            )
            for d in members
        ),
        departments_with_resident_expert=frozenset(
            str(d.department_id)
            for d in members
            if d.kind == DeploymentKind.RESIDENT and d.department_id is not None
        ),
    )


@dataclass(frozen=True)
class TeamRow:
    team: Team
    members: list[Deployment]
    check: TeamCheck
    on_site_today: int


def team_rows(teams: Iterable[Team], *, today: date | None = None) -> list[TeamRow]:
    """Each team with its members and the composition check of `today`'s year (§三(四); A1-(15))."""
    today = today or today_local()
    rules = policy_team_rules()
    teams_members = [(team, list(team.deployments.all())) for team in teams]
    care = member_care(
        expert_ids={d.expert_id for _, members in teams_members for d in members},
        year=today.year,
    )
    rows = []
    for team, members in teams_members:
        rows.append(
            TeamRow(
                team=team,
                members=members,
                check=team_check(team_facts(team, today.year, care, members), rules, today.year),
                on_site_today=sum(1 for d in members if d.start <= today <= d.effective_end),
            )
        )
    return rows


@dataclass(frozen=True)
class TeamDetail:
    row: TeamRow
    departments: list[Department]
    scitech_applications: list[SciTechApplication]
    insurance_briefings: list[InsuranceBriefing]
    history: list[AuditEntry]
    can_manage: bool
    can_pay: bool


def team_detail_for_user(*, user: User, pk: int, today: date | None = None) -> TeamDetail:
    team = team_get_for_user(user=user, pk=pk)
    (row,) = team_rows([team], today=today)
    return TeamDetail(
        row=row,
        departments=list(
            Department.objects.filter(institution_id=team.partnership.recipient_id).order_by("name")
        ),
        scitech_applications=list(team.scitech_applications.all()),
        insurance_briefings=list(team.insurance_briefings.all()),
        history=list(
            AuditEntry.objects.filter(object_type=audit_object_type(team), object_id=str(team.pk))[
                :50
            ]
        ),
        can_manage=access.can_manage_team(user, team.partnership),
        can_pay=access.can_pay(user, team.partnership),
    )


# ---- deployments ----


@dataclass(frozen=True)
class DeploymentFilters:
    q: str = ""  # expert name
    kind: str = ""
    team: int | None = None
    on_site_on: date | None = None


def deployment_list_for_user(
    *, user: User, filters: DeploymentFilters | None = None
) -> QuerySet[Deployment]:
    filters = filters or DeploymentFilters()
    qs = _deployments_base().filter(access.deployment_filter_for_user(user))
    if filters.q:
        qs = qs.filter(expert__name__contains=filters.q.strip())
    if filters.kind:
        qs = qs.filter(kind=filters.kind)
    if filters.team:
        qs = qs.filter(team_id=filters.team)
    if filters.on_site_on:
        day = filters.on_site_on
        qs = qs.filter(deployments_with_days_in(day, day))
    return qs.order_by("-start", "pk")


def deployment_get_for_user(*, user: User, pk: int) -> Deployment:
    try:
        return deployment_list_for_user(user=user).get(pk=pk)
    except Deployment.DoesNotExist as exc:
        raise Http404("未找到该派驻记录") from exc


# ---- choices for forms (each already scoped) ----


def home_institution_choices_for_user(*, user: User) -> QuerySet[Institution]:
    scope = scope_for_user(user)
    qs = Institution.objects.filter(category=InstitutionCategory.HELPER).order_by("name")
    if scope.role == Role.PROVINCE:
        return qs
    if scope.role == Role.HELPER and scope.institution_id is not None:
        return qs.filter(pk=scope.institution_id)
    return qs.none()


def specialty_choices() -> QuerySet[Specialty]:
    return Specialty.objects.order_by("code")


def team_partnership_choices_for_user(*, user: User) -> QuerySet[Partnership]:
    """Partnerships on which the user may form teams (province, or either party)."""
    scope = scope_for_user(user)
    qs = Partnership.objects.select_related("helper", "recipient").order_by(
        "recipient__name", "helper__name"
    )
    if scope.role == Role.PROVINCE:
        return qs
    if scope.role == Role.HELPER:
        return qs.filter(helper_id=scope.institution_id)
    if scope.role == Role.RECIPIENT:
        return qs.filter(recipient_id=scope.institution_id)
    return qs.none()


def department_choices(*, institution_id: int) -> QuerySet[Department]:
    return Department.objects.filter(institution_id=institution_id).order_by("name")


# ---- department services (§五, §六) ----


@dataclass(frozen=True)
class DepartmentServices:
    title_applications: list[TitleEvaluationApplication]
    scitech_applications: list[SciTechApplication]
    insurance_briefings: list[InsuranceBriefing]
    appointment_letters: list[AppointmentLetter]
    can_issue_letters: bool
    can_manage_teams: bool
    can_apply_titles: bool
    can_record_title_results: bool
    is_province: bool


def appointment_letter_filter_for_user(user: User) -> Q:
    scope = scope_for_user(user)
    if scope.whole_province:
        return Q()
    if scope.role == Role.HELPER:
        return Q(helper_id=scope.institution_id)
    if scope.role in (Role.PREFECTURE, Role.COUNTY, Role.RECIPIENT):
        return Q(
            helper_id__in=Partnership.objects.filter(partnership_filter_for_user(user)).values(
                "helper_id"
            )
        )
    return Q(pk__in=[])


def department_services_for_user(*, user: User, limit: int = 200) -> DepartmentServices:
    """The services of §五/§六 the user may see: title applications, S&T projects,
    medical-insurance briefings, letters of appointment for helper-hospital heads (latest first)."""
    role = scope_for_user(user).role
    return DepartmentServices(
        title_applications=list(title_application_list_for_user(user=user)[:limit]),
        scitech_applications=list(scitech_application_list_for_user(user=user)[:limit]),
        insurance_briefings=list(insurance_briefing_list_for_user(user=user)[:limit]),
        appointment_letters=list(appointment_letter_list_for_user(user=user)[:limit]),
        can_issue_letters=access.can_issue_appointment_letters(user),
        can_manage_teams=access.can_manage_teams_at_all(user),
        can_apply_titles=role in (Role.PROVINCE, Role.RECIPIENT, Role.EXPERT),
        can_record_title_results=may_record_title_result(user.role, user.department),
        is_province=role == Role.PROVINCE,
    )


def title_application_get_for_user(*, user: User, pk: int) -> TitleEvaluationApplication:
    """One title application as `title_application_list_for_user` returns it, or 404."""
    try:
        return title_application_list_for_user(user=user).get(pk=pk)
    except TitleEvaluationApplication.DoesNotExist as exc:
        raise Http404("未找到该职称申报") from exc


def team_choices_for_user(*, user: User) -> QuerySet[Team]:
    """Teams the user may add to: on partnerships where it is the province or a party."""
    return (
        Team.objects.filter(partnership__in=team_partnership_choices_for_user(user=user))
        .select_related("partnership__helper", "partnership__recipient")
        .order_by("partnership__recipient__name", "partnership__helper__name", "batch")
    )


def title_deployment_choices_for_user(*, user: User) -> QuerySet[Deployment]:
    """Deployments for which the user may file a title application: the expert's own, the
    recipient's, or any (province)."""
    scope = scope_for_user(user)
    qs = _deployments_base().order_by("expert__name", "-start")
    if scope.role == Role.PROVINCE:
        return qs
    if scope.role == Role.EXPERT:
        return qs.filter(expert__user_id=user.pk)
    if scope.role == Role.RECIPIENT and scope.institution_id is not None:
        return qs.filter(team__partnership__recipient_id=scope.institution_id)
    return qs.none()


def team_member_experts(*, team: Team) -> QuerySet[Expert]:
    return (
        Expert.objects.filter(deployments__team=team)
        .select_related("home_institution")
        .order_by("name", "pk")
        .distinct()
    )


def team_deployments(*, team: Team, resident_only: bool = False) -> QuerySet[Deployment]:
    qs = Deployment.objects.filter(team=team).select_related("expert").order_by("start", "pk")
    if resident_only:
        qs = qs.filter(kind=DeploymentKind.RESIDENT)
    return qs


def helper_choices() -> QuerySet[Institution]:
    return Institution.objects.filter(category=InstitutionCategory.HELPER).order_by("name")


# ---- department services, one paged list each (the API); scope as `department_services_for_user`


def title_application_list_for_user(
    *, user: User, q: str = "", expert: int | None = None, status: str = ""
) -> QuerySet[TitleEvaluationApplication]:
    """Title applications on deployments the user may read (latest first)."""
    qs = TitleEvaluationApplication.objects.filter(
        deployment__in=Deployment.objects.filter(access.deployment_filter_for_user(user))
    ).select_related("deployment__expert", "deployment__team__partnership__recipient")
    if q:
        qs = qs.filter(
            Q(deployment__expert__name__contains=q.strip()) | Q(applied_title__contains=q.strip())
        )
    if expert is not None:
        qs = qs.filter(deployment__expert_id=expert)
    if status:
        qs = qs.filter(status=status)
    return qs.order_by("-submitted_on", "-pk")


def _team_service_search(q: str) -> Q:
    return Q(team__partnership__recipient__name__contains=q) | Q(
        team__partnership__helper__name__contains=q
    )


def scitech_application_list_for_user(
    *, user: User, q: str = "", team: int | None = None, status: str = ""
) -> QuerySet[SciTechApplication]:
    """S&T project applications of teams the user may read (latest first)."""
    qs = SciTechApplication.objects.filter(
        team__in=Team.objects.filter(access.team_filter_for_user(user))
    ).select_related("team__partnership__recipient", "team__partnership__helper")
    if q:
        qs = qs.filter(Q(project_title__contains=q.strip()) | _team_service_search(q.strip()))
    if team is not None:
        qs = qs.filter(team_id=team)
    if status:
        qs = qs.filter(status=status)
    return qs.order_by("-submitted_on", "-pk")


def insurance_briefing_list_for_user(
    *, user: User, q: str = "", team: int | None = None
) -> QuerySet[InsuranceBriefing]:
    """Medical-insurance briefings of teams the user may read (latest first)."""
    qs = InsuranceBriefing.objects.filter(
        team__in=Team.objects.filter(access.team_filter_for_user(user))
    ).select_related("team__partnership__recipient", "team__partnership__helper")
    if q:
        qs = qs.filter(Q(topic__contains=q.strip()) | _team_service_search(q.strip()))
    if team is not None:
        qs = qs.filter(team_id=team)
    return qs.order_by("-held_on", "-pk")


def appointment_letter_list_for_user(
    *, user: User, q: str = "", helper: int | None = None
) -> QuerySet[AppointmentLetter]:
    """Letters of appointment for helper-hospital heads the user may read (latest first)."""
    qs = AppointmentLetter.objects.filter(appointment_letter_filter_for_user(user)).select_related(
        "helper"
    )
    if q:
        q = q.strip()
        qs = qs.filter(
            Q(head_name__contains=q) | Q(helper__name__contains=q) | Q(letter_number__contains=q)
        )
    if helper is not None:
        qs = qs.filter(helper_id=helper)
    return qs.order_by("-issued_on", "-pk")


def team_service_target_for_user(*, user: User, pk: int) -> Team:
    """A team the user may read, as the subject of a department service; else 404."""
    try:
        return Team.objects.filter(access.team_filter_for_user(user)).get(pk=pk)
    except Team.DoesNotExist as exc:
        raise Http404("未找到该帮扶队") from exc


def coverage_link_get_for_user(*, user: User, deployment_id: int, pk: int) -> CoverageLink:
    """A 3X link of a deployment the user may read; else 404."""
    try:
        return CoverageLink.objects.select_related("department").get(
            deployment__in=Deployment.objects.filter(access.deployment_filter_for_user(user)),
            deployment_id=deployment_id,
            pk=pk,
        )
    except CoverageLink.DoesNotExist as exc:
        raise Http404("未找到该3X联系科室") from exc


def recipient_department_for_deployment(*, deployment: Deployment, pk: int) -> Department | None:
    """A department of the deployment's recipient hospital (the 3X link's target), or None."""
    return (
        department_choices(institution_id=deployment.team.partnership.recipient_id)
        .filter(pk=pk)
        .first()
    )


# ---- recognitions (表现突出认定, §六) ----


def recognition_list_for_user(*, user: User, expert_id: int | None = None) -> QuerySet[Recognition]:
    """Recognitions of the experts the user may read (scoped like the expert), newest first."""
    qs = Recognition.objects.filter(
        expert__in=Expert.objects.filter(access.expert_filter_for_user(user))
    ).select_related(
        "expert", "deployment__team__partnership__recipient", "decided_by", "withdrawn_by"
    )
    if expert_id is not None:
        qs = qs.filter(expert_id=expert_id)
    return qs.order_by("-start", "-pk")


def recognitions_withdrawable(
    *, user: User, expert: Expert, recognitions: Iterable[Recognition], today: date | None = None
) -> frozenset[int]:
    """The recognitions offered 撤销 (from today, the form's default): those
    `recognition_withdraw` accepts — the user pays the expert (`access.can_pay_for_expert`) and
    `people.domain.recognition.withdrawal_problem` finds nothing (not withdrawn, not ended)."""
    if not access.can_pay_for_expert(user, expert):
        return frozenset()
    today = today or today_local()
    return frozenset(
        r.pk
        for r in recognitions
        if withdrawal_problem(r.start, r.end, r.withdrawn_from, today, today) is None
    )


def recognition_get_for_user(*, user: User, pk: int) -> Recognition:
    try:
        return recognition_list_for_user(user=user).get(pk=pk)
    except Recognition.DoesNotExist as exc:
        raise Http404("未找到该表现突出认定") from exc
