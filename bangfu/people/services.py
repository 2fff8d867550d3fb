"""Writes to experts, teams, deployments, appointments, 3X links, mentorships and department
services (F4, F6). Each runs in one transaction and records one audit row.

Bad input raises `django.core.exceptions.ValidationError` keyed by field with a Chinese message and
writes nothing; a user acting outside their role or scope gets `PermissionDenied`. Sensitive
fields (pay, identity number) are recorded in the audit trail masked: the history shows that they
changed, never their values.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from bangfu.accounts.models import Role, User
from bangfu.core.audit import (
    audit_changes,
    audit_record,
    model_snapshot,
    save_changes_audited,
)
from bangfu.core.duplicates import DuplicateError, refusing_duplicates
from bangfu.core.programme_dates import programme_dates_validate
from bangfu.core.text import forbidden_characters_message
from bangfu.core.validation import raise_if_any
from bangfu.partnerships.models import Partnership
from bangfu.partnerships.selectors import governed_spans_of
from bangfu.people import access
from bangfu.people.domain.appointment import appointment_eligibility
from bangfu.people.domain.department_services import (
    may_record_title_result,
    title_result_recordable,
)
from bangfu.people.domain.deployments import (
    CLAUSE_SHORT_TRIP,
    AgreementDates,
    Span,
    helper_mismatch_message,
    may_overlap,
    refused_days,
    ungoverned_message,
)
from bangfu.people.domain.experts import (
    PHYSICIAN_TITLE_GRADES,
    Degree,
    DeploymentKind,
    Title,
)
from bangfu.people.domain.identity import id_number_problem
from bangfu.people.domain.privacy import (
    SENSITIVE_VIEW_ACTION,
    mask_id_number,
    mask_pay,
    mask_phone,
)
from bangfu.people.domain.recognition import periods_overlap as recognition_periods_overlap
from bangfu.people.domain.recognition import start_problem as recognition_start_problem
from bangfu.people.domain.recognition import (
    withdrawal_problem as recognition_withdrawal_problem,
)
from bangfu.people.domain.team import Team as DomainTeam
from bangfu.people.domain.team import TeamMember, mentor_findings
from bangfu.people.domain.title_route import RecipientCounty, title_evaluation_route
from bangfu.people.models import (
    ApplicationStatus,
    Appointment,
    AppointmentLetter,
    AppointmentPost,
    CoverageLink,
    Deployment,
    Expert,
    InsuranceBriefing,
    Mentorship,
    Recognition,
    SciTechApplication,
    Sex,
    Team,
    TitleEvaluationApplication,
    deployments_with_days_in,
)
from bangfu.people.selectors import (
    domain_deployment,
    domain_expert,
    partnership_appointment_rules_on,
    policy_team_rules,
    today_local,
)
from bangfu.people.signals import deployment_changed, expert_changed
from bangfu.policy.loader import load_policy
from bangfu.registry.models import Department, Institution, InstitutionCategory, Specialty

EXPERT_FIELDS = (
    "name",
    "sex",
    "title",
    "job_title",
    "degree",
    "specialty",
    "home_institution",
    "prior_year_pay",
    "leadership_qualified",
    "phone",
    "id_number",
    "user",
)
TEAM_FIELDS = ("partnership", "batch", "captain", "note")
TITLE_VALUES = frozenset(t.value for t in Title)
DEGREE_VALUES = frozenset(d.value for d in Degree)
KIND_VALUES = frozenset(k.value for k in DeploymentKind)
DEPLOYMENT_FIELDS = (
    "expert",
    "team",
    "kind",
    "department",
    "start",
    "planned_end",
    "actual_end",
    "helper_exception_reason",
)


def expert_snapshot(expert: Expert) -> dict[str, object]:
    """The audited fields of an expert, with pay, identity number and phone number masked
    (the history is shown to every reader of the expert, ADR 0004)."""
    snapshot = model_snapshot(expert, EXPERT_FIELDS)
    snapshot["prior_year_pay"] = mask_pay(expert.prior_year_pay)
    snapshot["id_number"] = mask_id_number(expert.id_number)
    snapshot["phone"] = mask_phone(expert.phone)
    return snapshot


def expert_sensitive_changes(before: Expert, expert: Expert) -> dict[str, object]:
    """Masked values never compare as changed; say which sensitive field did change."""
    changed: dict[str, object] = {}
    if before.prior_year_pay != expert.prior_year_pay:
        changed["prior_year_pay"] = "已修改（内容保密）"
    if before.id_number != expert.id_number:
        changed["id_number"] = "已修改（内容保密）"
    if before.phone != expert.phone:
        changed["phone"] = "已修改（内容保密）"
    return changed


# ---- experts ----


@dataclass(frozen=True)
class ExpertInput:
    """An expert as entered in a form or an API body."""

    name: str
    sex: str
    title: str
    degree: str
    home_institution_id: int | None
    prior_year_pay: Decimal | None
    job_title: str = ""
    specialty_id: int | None = None
    leadership_qualified: bool = False
    phone: str = ""
    id_number: str = ""
    username: str = ""  # an account with the expert role, for the expert's own view


def _other_experts(expert_id: int | None) -> QuerySet[Expert]:
    return Expert.objects.exclude(pk__in=[expert_id] if expert_id is not None else [])


def _expert_validate(actor: User, data: ExpertInput, expert_id: int | None) -> dict[str, object]:
    """Check an `ExpertInput` and return the model values, or raise ValidationError."""
    errors: list[tuple[str, str]] = []
    name = data.name.strip()
    if not name:
        errors.append(("name", "请填写姓名"))
    if data.sex not in Sex.values:
        errors.append(("sex", "性别应为“男”或“女”"))
    if data.title not in TITLE_VALUES:
        errors.append(("title", "职称级别应为正高、副高、中级或初级"))
    if data.degree not in DEGREE_VALUES:
        errors.append(("degree", "学历学位应为博士、硕士、学士或无"))
    job_title = data.job_title.strip()
    grade = PHYSICIAN_TITLE_GRADES.get(job_title)
    if grade is not None and data.title in TITLE_VALUES and grade != data.title:
        errors.append(("job_title", f"专业技术职务“{job_title}”属于{grade}，与职称级别不一致"))
    if data.prior_year_pay is None:
        errors.append(("prior_year_pay", "请填写派驻前一年度薪酬（元）"))
    elif data.prior_year_pay < 0:
        errors.append(("prior_year_pay", "派驻前一年度薪酬不能为负数"))
    home = None
    if data.home_institution_id is not None:
        home = Institution.objects.filter(pk=data.home_institution_id).first()
    scope_institution = actor.institution_id if actor.role == Role.HELPER else None
    if home is None:
        errors.append(("home_institution", "请选择派出单位"))
    elif home.category != InstitutionCategory.HELPER:
        errors.append(("home_institution", f"「{home.name}」不是帮扶医院"))
    elif scope_institution is not None and home.pk != scope_institution:
        errors.append(("home_institution", "帮扶医院只能登记本院派出的专家"))
    if (
        data.specialty_id is not None
        and not Specialty.objects.filter(pk=data.specialty_id).exists()
    ):
        errors.append(("specialty", "未知的专业"))
    id_number = data.id_number.strip().upper()
    if id_number:
        problem = id_number_problem(id_number)
        if problem:
            errors.append(("id_number", problem))
        elif _other_experts(expert_id).filter(id_number=id_number).exists():
            errors.append(("id_number", "该身份证号已登记为其他专家"))
    user = None
    username = data.username.strip()
    if username:
        if actor.role != Role.PROVINCE:
            errors.append(("username", "只有省级管理员可以关联登录账号"))
        user = User.objects.filter(username=username).first()
        if user is None:
            errors.append(("username", f"账号“{username}”不存在"))
        elif user.role != Role.EXPERT:
            errors.append(("username", f"账号“{username}”不是帮扶专家角色"))
        elif _other_experts(expert_id).filter(user=user).exists():
            errors.append(("username", f"账号“{username}”已关联其他专家"))
    raise_if_any(errors)
    values: dict[str, object] = {
        "name": name,
        "sex": data.sex,
        "title": data.title,
        "job_title": job_title,
        "degree": data.degree,
        "specialty_id": data.specialty_id or None,
        "home_institution": home,
        "prior_year_pay": data.prior_year_pay,
        "leadership_qualified": data.leadership_qualified,
        "phone": data.phone.strip(),
        "id_number": id_number,
    }
    if username:
        values["user"] = user
    return values


@transaction.atomic
def expert_create(*, actor: User, data: ExpertInput, is_demo: bool = False) -> Expert:
    """Register an expert (F4). The province, or a helper hospital for its own staff."""
    if not access.can_register_experts(actor):
        raise PermissionDenied("只有省卫健委或派出专家的帮扶医院可以登记专家")
    values = _expert_validate(actor, data, None)
    # Two identical requests together both pass the checks above; the unique ID number decides.
    with refusing_duplicates("id_number", "该身份证号已登记为其他专家"):
        expert = Expert.objects.create(**values, is_demo=is_demo)
    audit_record(actor=actor, action="create", obj=expert, after=expert_snapshot(expert))
    return expert


@transaction.atomic
def expert_update(*, actor: User, expert: Expert, data: ExpertInput) -> Expert:
    expert = Expert.objects.select_for_update().get(pk=expert.pk)
    if not access.can_edit_expert(actor, expert):
        raise PermissionDenied("只有省卫健委或专家的派出单位可以修改专家信息")
    values = _expert_validate(actor, data, expert.pk)
    original = Expert(
        prior_year_pay=expert.prior_year_pay, id_number=expert.id_number, phone=expert.phone
    )
    before = expert_snapshot(expert)
    for name, value in values.items():
        setattr(expert, name, value)
    after = expert_snapshot(expert)
    changed = audit_changes(before, after) | expert_sensitive_changes(original, expert)
    if changed:
        fields = [Expert._meta.get_field(k).name for k in changed]
        expert.save(update_fields=[*fields, "updated_at"])
        expert_changed.send(sender=Expert, expert_id=expert.pk)
        audit_record(
            actor=actor,
            action="update",
            obj=expert,
            before={k: before[k] for k in changed},
            after=changed,
        )
    return expert


@transaction.atomic
def expert_sensitive_view(
    *, actor: User, expert: Expert, channel: str, shown: str = "薪酬、身份证号和联系电话"
) -> bool:
    """Show `expert`'s pay, identity number and phone number in full to an entitled reader and
    record who looked, when and where (`channel`: 详情页 / API / 待遇明细) in the audit history
    (个人信息保护法; ADR 0004); `shown` names what was shown. `expert` must come from a scoped
    selector (it carries the `sensitive_visible` annotation); for anyone else nothing is shown
    or recorded."""
    if not expert.sensitive_is_visible:
        return False
    audit_record(
        actor=actor,
        action=SENSITIVE_VIEW_ACTION,
        obj=expert,
        note=f"查看完整{shown}（{channel}）",
    )
    expert.sensitive_shown = True  # type: ignore[attr-defined]
    return True


RECOGNITION_FIELDS = (
    "expert",
    "deployment",
    "start",
    "end",
    "reason",
    "decided_by",
    "withdrawn_from",
    "withdrawal_reason",
    "withdrawn_by",
)


@dataclass(frozen=True)
class RecognitionInput:
    expert_id: int | None
    start: date | None
    end: date | None = None
    reason: str = ""
    deployment_id: int | None = None


def _text_problem(field: str, text: str, missing: str) -> tuple[str, str] | None:
    if not text:
        return (field, missing)
    problem = forbidden_characters_message(text)
    return (field, problem) if problem else None


@transaction.atomic
def recognition_create(
    *, actor: User, data: RecognitionInput, today: date | None = None
) -> Recognition:
    """Recognise an expert as outstanding (表现突出) from `start` (through `end`, or open-ended),
    which opens the monthly subsidy for those days (§六). Refused before the first day of the
    current month and over another recognition in force (`people.domain.recognition`)."""
    expert = None
    if data.expert_id is not None:
        expert = (
            Expert.objects.select_for_update()
            .filter(access.expert_filter_for_user(actor), pk=data.expert_id)
            .first()
        )
    if expert is None:
        raise_if_any([("expert", "请选择专家（须为您可查看的专家）")])
    assert expert is not None
    if not access.can_pay_for_expert(actor, expert):
        raise PermissionDenied("只有省卫健委或专家服务的受扶医院可以认定表现突出")
    programme_dates_validate(start=data.start, end=data.end)
    today = today or today_local()
    reason = data.reason.strip()
    errors: list[tuple[str, str]] = []
    if (problem := _text_problem("reason", reason, "请填写认定依据")) is not None:
        errors.append(problem)
    deployment = None
    if data.deployment_id is not None:
        deployment = Deployment.objects.filter(pk=data.deployment_id, expert=expert).first()
        if deployment is None:
            errors.append(("deployment", "派驻应为该专家的派驻"))
    if data.start is None:
        errors.append(("start", "请填写认定起始日期"))
    elif (dates := recognition_start_problem(data.start, data.end, today)) is not None:
        errors.append(dates)
    else:
        last = data.end
        for other in expert.recognitions.all():
            if other.has_days and recognition_periods_overlap(
                data.start, last, other.start, other.last_day
            ):
                until = f"{other.last_day:%Y-%m-%d}" if other.last_day else "长期"
                errors.append(
                    ("start", f"与已有认定（{other.start:%Y-%m-%d}至{until}）重叠，请先撤销")
                )
                break
    raise_if_any(errors)
    assert data.start is not None
    recognition = Recognition.objects.create(
        expert=expert,
        deployment=deployment,
        start=data.start,
        end=data.end,
        reason=reason,
        decided_by=actor,
    )
    expert_changed.send(sender=Expert, expert_id=expert.pk)
    audit_record(
        actor=actor,
        action="recognise",
        obj=recognition,
        after=model_snapshot(recognition, RECOGNITION_FIELDS),
        note=reason,
    )
    return recognition


@transaction.atomic
def recognition_withdraw(
    *,
    actor: User,
    recognition: Recognition,
    reason: str,
    on: date | None = None,
    today: date | None = None,
) -> Recognition:
    """Withdraw a recognition from `on` (default today): it stays in force through the day
    before, so months already computed keep their subsidy (§六; `people.domain.recognition`)."""
    recognition = (
        Recognition.objects.select_for_update(of=("self",))
        .select_related("expert")
        .get(pk=recognition.pk)
    )
    if not access.can_pay_for_expert(actor, recognition.expert):
        raise PermissionDenied("只有省卫健委或专家服务的受扶医院可以撤销表现突出认定")
    programme_dates_validate(on=on)
    today = today or today_local()
    on = on or today
    reason = reason.strip()
    errors: list[tuple[str, str]] = []
    if (problem := _text_problem("reason", reason, "请填写撤销原因")) is not None:
        errors.append(problem)
    refused = recognition_withdrawal_problem(
        recognition.start, recognition.end, recognition.withdrawn_from, on, today
    )
    if refused is not None:
        errors.append(("on", refused))
    raise_if_any(errors)
    before = model_snapshot(recognition, RECOGNITION_FIELDS)
    recognition.withdrawn_from = on
    recognition.withdrawn_at = timezone.now()
    recognition.withdrawn_by = actor
    recognition.withdrawal_reason = reason
    recognition.save(
        update_fields=["withdrawn_from", "withdrawn_at", "withdrawn_by", "withdrawal_reason"]
    )
    expert_changed.send(sender=Expert, expert_id=recognition.expert_id)
    audit_record(
        actor=actor,
        action="withdraw",
        obj=recognition,
        before=before,
        after=model_snapshot(recognition, RECOGNITION_FIELDS),
        note=reason,
    )
    return recognition


# ---- teams and deployments ----


@transaction.atomic
def team_create(
    *, actor: User, partnership: Partnership, batch: int, note: str = "", is_demo: bool = False
) -> Team:
    """Form a team for one batch of a partnership (§三(四); A1-(1))."""
    if not access.can_manage_team(actor, partnership):
        raise PermissionDenied("只有省卫健委或帮扶关系双方可以组建帮扶队")
    errors = []
    if batch < 1:
        errors.append(("batch", "批次应为正整数"))
    elif Team.objects.filter(partnership=partnership, batch=batch).exists():
        errors.append(("batch", f"该帮扶关系已有第{batch}批帮扶队"))
    raise_if_any(errors)
    team = Team.objects.create(
        partnership=partnership, batch=batch, note=note.strip(), is_demo=is_demo
    )
    audit_record(actor=actor, action="create", obj=team, after=model_snapshot(team, TEAM_FIELDS))
    return team


@transaction.atomic
def team_set_captain(*, actor: User, team: Team, captain: Expert | None) -> Team:
    """Name the team's one captain (§三(四)); the captain must be a member."""
    team = (
        Team.objects.select_for_update(of=("self",)).select_related("partnership").get(pk=team.pk)
    )
    if not access.can_manage_team(actor, team.partnership):
        raise PermissionDenied("只有省卫健委或帮扶关系双方可以指定队长")
    if captain is not None and not team.deployments.filter(expert=captain).exists():
        raise_if_any([("captain", f"{captain.name}不是该队队员，请先登记派驻")])
    before = model_snapshot(team, ("captain",))
    team.captain = captain
    team.save(update_fields=["captain", "updated_at"])
    audit_record(
        actor=actor,
        action="set_captain",
        obj=team,
        before=before,
        after=model_snapshot(team, ("captain",)),
    )
    return team


@dataclass(frozen=True)
class DeploymentInput:
    expert_id: int | None
    kind: str
    start: date | None
    planned_end: date | None
    department_id: int | None = None
    helper_exception_reason: str = ""
    """Why an expert of another hospital serves on this helper's team (§三(四)); required then."""


def _overlap_clash(
    expert_id: int, kind: DeploymentKind, start: date, end: date, exclude: int | None
) -> Deployment | None:
    """The first deployment of the expert sharing days with `start`..`end` that the overlap
    rule (`people.domain.deployments.may_overlap`) forbids, or None."""
    overlapping = (
        Deployment.objects.filter(expert_id=expert_id)
        .exclude(pk__in=[exclude] if exclude is not None else [])
        .filter(deployments_with_days_in(start, end))
        .select_related("team__partnership__recipient")
        .order_by("start", "pk")
    )
    return next((d for d in overlapping if not may_overlap(kind, DeploymentKind(d.kind))), None)


def _ungoverned_problem(partnership: Partnership, start: date, end: date) -> str | None:
    """Why `start`..`end` does not lie within the signed agreements in force of the partnership
    (`partnerships.domain.actions.governed_spans`; `people.domain.deployments.refused_days`),
    or None when it does."""
    cycles = list(partnership.agreements.all())
    spans = [Span(first, last) for first, last, _ in governed_spans_of(cycles, start, end)]
    renewable_after = max(
        (a.end for a in cycles if a.signed_on is not None and a.terminated_on is None),
        default=None,
    )
    gap = refused_days(spans, start, end, renewable_after)
    if gap is None:
        return None
    return ungoverned_message(
        gap,
        (
            AgreementDates(a.cycle_number, a.start, a.end, a.signed_on, a.terminated_on)
            for a in cycles
        ),
    )


def _deployment_problems(
    *,
    team: Team,
    expert: Expert,
    data: DeploymentInput,
    actual_end: date | None = None,
    exclude: int | None = None,
) -> tuple[list[tuple[str, str]], Department | None, str]:
    """The refusals of `data` for `expert` on `team` (create and update alike), with the
    department and the exception reason to store. `actual_end`, when the stay has ended, is the
    last day on site; `exclude` is the deployment being changed (it does not clash with itself).

    - The expert belongs to the team's helper hospital (§三(四)), unless an exception is recorded
      with its reason (`helper_exception_reason`).
    - Every day lies within a signed agreement in force of the partnership (§七; 附件2 五(一)).
    - An expert is on site in one place at a time: deployments may overlap only as
      `people.domain.deployments.may_overlap` allows (remote help; A1-(16) short trips).
    """
    errors: list[tuple[str, str]] = []
    if data.kind not in KIND_VALUES:
        errors.append(("kind", "派驻方式应为常驻、短期、柔性、银龄、远程或相邻受扶医院巡诊"))
    exception_reason = data.helper_exception_reason.strip()
    if expert.home_institution_id == team.partnership.helper_id:
        exception_reason = ""
    elif not exception_reason:
        errors.append(
            (
                "helper_exception_reason",
                helper_mismatch_message(
                    expert.name, expert.home_institution.name, team.partnership.helper.name
                ),
            )
        )
    if data.start is None:
        errors.append(("start", "请填写开始日期"))
    if data.planned_end is None:
        errors.append(("planned_end", "请填写计划结束日期"))
    elif data.start is not None and data.planned_end < data.start:
        errors.append(("planned_end", "计划结束日期不能早于开始日期"))
    if actual_end is not None and data.start is not None and data.start > actual_end:
        errors.append(("start", f"开始日期不能晚于已登记的实际结束日期 {actual_end:%Y-%m-%d}"))
    department = None
    if data.department_id:
        department = Department.objects.filter(
            pk=data.department_id, institution_id=team.partnership.recipient_id
        ).first()
        if department is None:
            errors.append(("department", "派驻科室应为受扶医院的科室"))
    if errors or data.start is None or data.planned_end is None:
        return errors, department, exception_reason
    last = actual_end if actual_end is not None else data.planned_end
    problem = _ungoverned_problem(team.partnership, data.start, last)
    if problem is not None:
        return [("start", problem)], department, exception_reason
    clash = _overlap_clash(expert.pk, DeploymentKind(data.kind), data.start, last, exclude)
    if clash is not None:
        errors.append(
            (
                "start",
                f"{expert.name}在{clash.start:%Y-%m-%d}至{clash.effective_end:%Y-%m-%d}已派驻"
                f"{clash.team.partnership.recipient.name}（{clash.get_kind_display()}），"
                f"驻点时间不能重叠；到相邻受扶医院短期巡诊请选择“相邻受扶医院巡诊”"
                f"（{CLAUSE_SHORT_TRIP}）",
            )
        )
    return errors, department, exception_reason


@transaction.atomic
def deployment_create(*, actor: User, team: Team, data: DeploymentInput) -> Deployment:
    """Put an expert on a team (F4): kind, start and planned end, under the rules of
    `_deployment_problems` (the expert's helper, the agreement's dates, the overlap rule)."""
    programme_dates_validate(start=data.start, planned_end=data.planned_end)
    team = Team.objects.select_related("partnership__helper").get(pk=team.pk)
    if not access.can_manage_team(actor, team.partnership):
        raise PermissionDenied("只有省卫健委或帮扶关系双方可以登记派驻")
    expert = None
    if data.expert_id is not None:
        expert = (
            Expert.objects.filter(access.expert_filter_for_user(actor), pk=data.expert_id)
            .select_related("home_institution")
            .first()
        )
    if expert is None:
        raise_if_any([("expert", "请选择专家（须为您可查看的专家）")])
    assert expert is not None
    errors, department, exception_reason = _deployment_problems(team=team, expert=expert, data=data)
    if Deployment.objects.filter(team=team, expert=expert).exists():
        errors.insert(0, ("expert", f"{expert.name}已在该队"))
    raise_if_any(errors)
    assert data.start is not None and data.planned_end is not None
    deployment = Deployment.objects.create(
        expert=expert,
        team=team,
        kind=data.kind,
        department=department,
        start=data.start,
        planned_end=data.planned_end,
        helper_exception_reason=exception_reason,
    )
    deployment_changed.send(sender=Deployment, deployment=deployment)
    audit_record(
        actor=actor,
        action="create",
        obj=deployment,
        after=model_snapshot(deployment, DEPLOYMENT_FIELDS),
    )
    return deployment


DEPLOYMENT_UPDATE_FIELDS = ("kind", "department", "start", "planned_end", "helper_exception_reason")


def deployment_dependents_refresh(deployment: Deployment) -> None:
    """Refresh what is derived from a deployment after it changed, inside the change's
    transaction: statements and payments' adjustments (ADR 0015) are computed when read; the
    apps above people that store data derived from it are told (`signals.deployment_changed`; incentives rewrites its stored yearly forecasts, ADR 0018)."""
    deployment_changed.send(sender=Deployment, deployment=deployment)


@transaction.atomic
def deployment_update(*, actor: User, deployment: Deployment, data: DeploymentInput) -> Deployment:
    """Correct a deployment's kind, department, dates or exception reason, under the same rules
    as `deployment_create` (`_deployment_problems`). The expert and the team stay: a different
    expert or team is another deployment. `data.expert_id`, when given, must be the same expert.

    Payments already approved are not rewritten: a later statement carries the difference as an
    adjustment (ADR 0015). One audit row "update" with the changed fields before and after."""
    programme_dates_validate(start=data.start, planned_end=data.planned_end)
    deployment = (
        Deployment.objects.select_for_update(of=("self",))
        .select_related("team__partnership__helper", "expert__home_institution")
        .get(pk=deployment.pk)
    )
    if not access.can_manage_team(actor, deployment.team.partnership):
        raise PermissionDenied("只有省卫健委或帮扶关系双方可以修改派驻")
    errors, department, exception_reason = _deployment_problems(
        team=deployment.team,
        expert=deployment.expert,
        data=data,
        actual_end=deployment.actual_end,
        exclude=deployment.pk,
    )
    if data.expert_id is not None and data.expert_id != deployment.expert_id:
        errors.insert(0, ("expert", "不能更换派驻的专家；请为新专家另行登记派驻"))
    raise_if_any(errors)
    assert data.start is not None and data.planned_end is not None
    before = model_snapshot(deployment, DEPLOYMENT_UPDATE_FIELDS)
    deployment.kind = data.kind
    deployment.department = department
    deployment.start = data.start
    deployment.planned_end = data.planned_end
    deployment.helper_exception_reason = exception_reason
    changed = save_changes_audited(
        actor=actor, obj=deployment, fields=DEPLOYMENT_UPDATE_FIELDS, before=before
    )
    if changed:
        deployment_dependents_refresh(deployment)
    return deployment


@transaction.atomic
def deployment_end(
    *, actor: User, deployment: Deployment, actual_end: date, today: date | None = None
) -> Deployment:
    """Record the day an expert actually left; statements then use the actual stay."""
    programme_dates_validate(actual_end=actual_end)
    deployment = (
        Deployment.objects.select_for_update(of=("self",))
        .select_related("team__partnership")
        .get(pk=deployment.pk)
    )
    if not access.can_manage_team(actor, deployment.team.partnership):
        raise PermissionDenied("只有省卫健委或帮扶关系双方可以登记派驻结束")
    today = today or today_local()
    errors = []
    if actual_end < deployment.start:
        errors.append(("actual_end", "实际结束日期不能早于开始日期"))
    if actual_end > today:
        errors.append(("actual_end", "实际结束日期不能晚于今天"))
    raise_if_any(errors)
    before = model_snapshot(deployment, ("actual_end",))
    deployment.actual_end = actual_end
    deployment.save(update_fields=["actual_end", "updated_at"])
    deployment_changed.send(sender=Deployment, deployment=deployment)
    audit_record(
        actor=actor,
        action="end",
        obj=deployment,
        before=before,
        after=model_snapshot(deployment, ("actual_end",)),
    )
    return deployment


# ---- appointments, 3X links, mentorships ----


def _locked_deployment(deployment: Deployment) -> Deployment:
    return (
        Deployment.objects.select_for_update(of=("self",))
        .select_related("expert", "team__partnership__recipient__county")
        .get(pk=deployment.pk)
    )


@transaction.atomic
def appointment_create(
    *, actor: User, deployment: Deployment, post: str, start: date
) -> Appointment:
    """Appoint a resident expert vice-president or president, if eligible (§六; A1-(1))."""
    programme_dates_validate(start=start)
    deployment = _locked_deployment(deployment)
    if not access.can_pay(actor, deployment.team.partnership):
        raise PermissionDenied("只有省卫健委或受扶医院可以登记挂任职")
    errors: list[tuple[str, str]] = []
    if post not in AppointmentPost.values:
        errors.append(("post", "职务应为副院长或院长"))
    else:
        eligibility = appointment_eligibility(
            domain_expert(deployment.expert),
            domain_deployment(deployment),
            # the agreement's own thresholds where it sets them (A2-四(三)1), else §六's
            partnership_appointment_rules_on(deployment.team.partnership, start),
        )
        eligible = (
            eligibility.president
            if post == AppointmentPost.PRESIDENT
            else eligibility.vice_president
        )
        if not eligible:
            label = AppointmentPost(post).label
            errors.append(("post", f"不符合任{label}的条件：" + "；".join(eligibility.reasons)))
    if not deployment.start <= start <= deployment.effective_end:
        errors.append(
            (
                "start",
                f"任职日期应在派驻期内（{deployment.start:%Y-%m-%d}至"
                f"{deployment.effective_end:%Y-%m-%d}）",
            )
        )
    if Appointment.objects.filter(deployment=deployment, post=post, end__isnull=True).exists():
        errors.append(("post", "该专家已担任此职务"))
    raise_if_any(errors)
    appointment = Appointment.objects.create(deployment=deployment, post=post, start=start)
    audit_record(
        actor=actor,
        action="create",
        obj=appointment,
        after=model_snapshot(appointment, ("deployment", "post", "start", "end")),
    )
    return appointment


@transaction.atomic
def coverage_link_add(
    *, actor: User, deployment: Deployment, department: Department
) -> CoverageLink:
    """Link a resident member to a recipient department (3X mechanism, A1-(15))."""
    deployment = _locked_deployment(deployment)
    if not access.can_manage_team(actor, deployment.team.partnership):
        raise PermissionDenied("只有省卫健委或帮扶关系双方可以登记3X联系科室")
    errors = []
    if deployment.kind != DeploymentKind.RESIDENT:
        errors.append(("deployment", "3X机制由常驻队员联系科室（A1-(15)）"))
    if department.institution_id != deployment.team.partnership.recipient_id:
        errors.append(("department", "联系科室应为受扶医院的科室"))
    elif CoverageLink.objects.filter(deployment=deployment, department=department).exists():
        errors.append(("department", f"已联系{department.name}"))
    raise_if_any(errors)
    link = CoverageLink.objects.create(deployment=deployment, department=department)
    audit_record(
        actor=actor,
        action="create",
        obj=link,
        after=model_snapshot(link, ("deployment", "department")),
    )
    return link


@transaction.atomic
def coverage_link_remove(*, actor: User, link: CoverageLink) -> None:
    link = CoverageLink.objects.select_related("deployment__team__partnership").get(pk=link.pk)
    if not access.can_manage_team(actor, link.deployment.team.partnership):
        raise PermissionDenied("只有省卫健委或帮扶关系双方可以删除3X联系科室")
    audit_record(
        actor=actor,
        action="delete",
        obj=link,
        before=model_snapshot(link, ("deployment", "department")),
    )
    link.delete()


@transaction.atomic
def mentorship_create(
    *,
    actor: User,
    deployment: Deployment,
    mentee_name: str,
    start: date,
    mentee_department: Department | None = None,
) -> Mentorship:
    """Pair a mentor with a mentee (师带徒); the mentor holds 副主任医师 or above (A1-(5))."""
    programme_dates_validate(start=start)
    deployment = _locked_deployment(deployment)
    if not access.can_manage_team(actor, deployment.team.partnership):
        raise PermissionDenied("只有省卫健委或帮扶关系双方可以登记师带徒")
    errors: list[tuple[str, str]] = []
    expert = deployment.expert
    member = TeamMember(str(deployment.pk), expert.name, Title(expert.title), is_mentor=True)
    for finding in mentor_findings(DomainTeam((member,)), policy_team_rules()):
        errors.append(("deployment", f"{finding.message}（依据{finding.clause}）"))
    if not mentee_name.strip():
        errors.append(("mentee_name", "请填写徒弟姓名"))
    if (
        mentee_department is not None
        and mentee_department.institution_id != deployment.team.partnership.recipient_id
    ):
        errors.append(("mentee_department", "徒弟科室应为受扶医院的科室"))
    raise_if_any(errors)
    mentorship = Mentorship.objects.create(
        deployment=deployment,
        mentee_name=mentee_name.strip(),
        mentee_department=mentee_department,
        start=start,
    )
    audit_record(
        actor=actor,
        action="create",
        obj=mentorship,
        after=model_snapshot(
            mentorship, ("deployment", "mentee_name", "mentee_department", "start")
        ),
    )
    return mentorship


@transaction.atomic
def mentorship_record_outcome(
    *, actor: User, mentorship: Mentorship, outcome: str, end: date | None
) -> Mentorship:
    programme_dates_validate(end=end)
    mentorship = (
        Mentorship.objects.select_for_update(of=("self",))
        .select_related("deployment__team__partnership")
        .get(pk=mentorship.pk)
    )
    if not access.can_manage_team(actor, mentorship.deployment.team.partnership):
        raise PermissionDenied("只有省卫健委或帮扶关系双方可以登记培养成效")
    errors = []
    if not outcome.strip():
        errors.append(("outcome", "请填写培养成效"))
    if end is not None and end < mentorship.start:
        errors.append(("end", "结业日期不能早于结对日期"))
    raise_if_any(errors)
    before = model_snapshot(mentorship, ("outcome", "end"))
    mentorship.outcome = outcome.strip()
    mentorship.end = end
    mentorship.save(update_fields=["outcome", "end", "updated_at"])
    audit_record(
        actor=actor,
        action="update",
        obj=mentorship,
        before=before,
        after=model_snapshot(mentorship, ("outcome", "end")),
    )
    return mentorship


# ---- department services (§五, §六) ----


def _open_title_application(deployment: Deployment) -> TitleEvaluationApplication | None:
    """The deployment's application still waiting for its result, if any (at most one)."""
    return TitleEvaluationApplication.objects.filter(
        deployment=deployment, status=ApplicationStatus.SUBMITTED
    ).first()


def _open_title_application_message(application: TitleEvaluationApplication) -> str:
    return (
        f"该派驻已于 {application.submitted_on:%Y-%m-%d} 申报“{application.applied_title}”，"
        "尚待评审结果；评审结果登记后方可再次申报"
    )


@transaction.atomic
def title_application_create(
    *,
    actor: User,
    deployment: Deployment,
    applied_title: str,
    has_entrustment_letter: bool,
    submitted_on: date,
) -> TitleEvaluationApplication:
    """Record a title application with its route decided by `title_evaluation_route` (§五)."""
    programme_dates_validate(submitted_on=submitted_on)
    deployment = _locked_deployment(deployment)
    allowed = access.is_the_expert(actor, deployment.expert) or access.can_pay(
        actor, deployment.team.partnership
    )
    if not allowed:
        raise PermissionDenied("只有专家本人、受扶医院或省卫健委可以登记职称申报")
    if not applied_title.strip():
        raise_if_any([("applied_title", "请填写申报的职称")])
    open_application = _open_title_application(deployment)
    if open_application is not None:
        raise DuplicateError({"deployment": [_open_title_application_message(open_application)]})
    county = deployment.team.partnership.recipient.county
    assert county is not None  # a recipient always has a county (registry constraint)
    decision = title_evaluation_route(
        RecipientCounty(county.code, county.name, county.national_key_county),
        has_entrustment_letter,
        load_policy().title_evaluation.clause,
    )
    # The deployment row is locked above; the partial unique constraint is the last word.
    with refusing_duplicates("deployment", "该派驻已有一份待评审的职称申报"):
        application = TitleEvaluationApplication.objects.create(
            deployment=deployment,
            applied_title=applied_title.strip(),
            has_entrustment_letter=has_entrustment_letter,
            route=decision.route.value,
            valid_scope=decision.valid_scope,
            reasons="\n".join(decision.reasons),
            submitted_on=submitted_on,
        )
    audit_record(
        actor=actor,
        action="create",
        obj=application,
        after=model_snapshot(
            application, ("deployment", "applied_title", "has_entrustment_letter", "route")
        ),
    )
    return application


@transaction.atomic
def title_application_decide(
    *, actor: User, application: TitleEvaluationApplication, status: str, decided_on: date
) -> TitleEvaluationApplication:
    """Record the evaluation result: the 省人社厅 (§五) or the province relaying its decision."""
    programme_dates_validate(decided_on=decided_on)
    if not may_record_title_result(actor.role, actor.department):
        raise PermissionDenied("只有省人社厅或省级管理员可以登记评审结果")
    application = TitleEvaluationApplication.objects.select_for_update().get(pk=application.pk)
    refusal = title_result_recordable(application.status)
    if refusal:
        raise DuplicateError({"status": [refusal]})  # 409: decided meanwhile or before
    errors = []
    if status not in (ApplicationStatus.APPROVED, ApplicationStatus.REJECTED):
        errors.append(("status", "评审结果应为“已通过”或“未通过”"))
    if decided_on < application.submitted_on:
        errors.append(("decided_on", "评审结果日期不能早于申报日期"))
    raise_if_any(errors)
    before = model_snapshot(application, ("status", "decided_on"))
    application.status = status
    application.decided_on = decided_on
    application.save(update_fields=["status", "decided_on"])
    audit_record(
        actor=actor,
        action="decide",
        obj=application,
        before=before,
        after=model_snapshot(application, ("status", "decided_on")),
    )
    return application


@transaction.atomic
def scitech_application_create(
    *, actor: User, team: Team, project_title: str, programme: str, submitted_on: date
) -> SciTechApplication:
    """An expert team applies for a provincial S&T project (§五, 省科技厅)."""
    programme_dates_validate(submitted_on=submitted_on)
    team = Team.objects.select_related("partnership").get(pk=team.pk)
    if not access.can_manage_team(actor, team.partnership):
        raise PermissionDenied("只有省卫健委或帮扶关系双方可以登记科技项目申报")
    if not project_title.strip():
        raise_if_any([("project_title", "请填写项目名称")])
    application = SciTechApplication.objects.create(
        team=team,
        project_title=project_title.strip(),
        programme=programme.strip() or "省级科技计划项目",
        submitted_on=submitted_on,
    )
    audit_record(
        actor=actor,
        action="create",
        obj=application,
        after=model_snapshot(application, ("team", "project_title", "programme", "submitted_on")),
    )
    return application


@transaction.atomic
def insurance_briefing_create(
    *, actor: User, team: Team, held_on: date, topic: str, attendees: int
) -> InsuranceBriefing:
    """A medical-insurance policy briefing for a team (§五, 省医保局)."""
    programme_dates_validate(held_on=held_on)
    team = Team.objects.select_related("partnership").get(pk=team.pk)
    if not access.can_pay(actor, team.partnership):
        raise PermissionDenied("只有省卫健委或受扶医院可以登记医保政策培训")
    errors = []
    if not topic.strip():
        errors.append(("topic", "请填写培训内容"))
    if attendees < 0:
        errors.append(("attendees", "参加人数不能为负数"))
    raise_if_any(errors)
    briefing = InsuranceBriefing.objects.create(
        team=team, held_on=held_on, topic=topic.strip(), attendees=attendees
    )
    audit_record(
        actor=actor,
        action="create",
        obj=briefing,
        after=model_snapshot(briefing, ("team", "held_on", "topic", "attendees")),
    )
    return briefing


@transaction.atomic
def appointment_letter_create(
    *,
    actor: User,
    helper: Institution,
    head_name: str,
    letter_number: str,
    issued_on: date,
    position: str = "院长",
) -> AppointmentLetter:
    """Issue a 东西部协作指导专家聘书 to a helper hospital's head (§六: by the province)."""
    programme_dates_validate(issued_on=issued_on)
    if not access.can_issue_appointment_letters(actor):
        raise PermissionDenied("聘书由省卫生健康委发放")
    errors = []
    if helper.category != InstitutionCategory.HELPER:
        errors.append(("helper", f"「{helper.name}」不是帮扶医院"))
    if not head_name.strip():
        errors.append(("head_name", "请填写主要负责人姓名"))
    if not letter_number.strip():
        errors.append(("letter_number", "请填写聘书编号"))
    elif AppointmentLetter.objects.filter(letter_number=letter_number.strip()).exists():
        errors.append(("letter_number", f"聘书编号“{letter_number.strip()}”已存在"))
    raise_if_any(errors)
    with refusing_duplicates("letter_number", f"聘书编号“{letter_number.strip()}”已存在"):
        letter = AppointmentLetter.objects.create(
            helper=helper,
            head_name=head_name.strip(),
            position=position.strip() or "院长",
            letter_number=letter_number.strip(),
            issued_on=issued_on,
        )
    audit_record(
        actor=actor,
        action="create",
        obj=letter,
        after=model_snapshot(letter, ("helper", "head_name", "position", "letter_number")),
    )
    return letter
