"""Pages for experts, teams, deployments and department services (F4, F6).

Each view: authenticate → parse → call one selector or service → render. Sensitive fields are
shown through `Expert.pay_display` / `id_number_display` / `phone_display` only: masked in lists
and exports, in full on the detail page to entitled readers with the view audited (ADR 0004).
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST

from bangfu.accounts.models import Role
from bangfu.accounts.request import request_user
from bangfu.core.excel import xlsx_response, xlsx_stream_response
from bangfu.core.forms import form_submit
from bangfu.core.request import query_without_page
from bangfu.people import access
from bangfu.people.domain.privacy import mask_id_number, mask_phone
from bangfu.people.forms import (
    AppointmentForm,
    AppointmentLetterForm,
    BriefingForm,
    CaptainForm,
    CoverageLinkForm,
    DeploymentEditForm,
    DeploymentEndForm,
    DeploymentFilterForm,
    DeploymentForm,
    ExpertFilterForm,
    ExpertForm,
    MentorshipForm,
    MentorshipOutcomeForm,
    RecognitionForm,
    RecognitionWithdrawForm,
    SciTechForm,
    TeamFilterForm,
    TeamForm,
    TitleApplicationForm,
    TitleDecisionForm,
)
from bangfu.people.models import Expert
from bangfu.people.selectors import (
    DeploymentFilters,
    ExpertFilters,
    TeamFilters,
    department_choices,
    department_services_for_user,
    deployment_get_for_user,
    deployment_list_for_user,
    expert_detail_for_user,
    expert_get_for_user,
    expert_list_for_user,
    helper_choices,
    home_institution_choices_for_user,
    recognition_get_for_user,
    recognition_list_for_user,
    recognitions_withdrawable,
    specialty_choices,
    team_choices_for_user,
    team_deployments,
    team_detail_for_user,
    team_get_for_user,
    team_list_for_user,
    team_member_experts,
    team_partnership_choices_for_user,
    team_rows,
    title_application_get_for_user,
    title_deployment_choices_for_user,
    today_local,
)
from bangfu.people.services import (
    ExpertInput,
    RecognitionInput,
    appointment_create,
    appointment_letter_create,
    coverage_link_add,
    coverage_link_remove,
    deployment_create,
    deployment_end,
    deployment_update,
    expert_create,
    expert_sensitive_view,
    expert_update,
    insurance_briefing_create,
    mentorship_create,
    mentorship_record_outcome,
    recognition_create,
    recognition_withdraw,
    scitech_application_create,
    team_create,
    team_set_captain,
    title_application_create,
    title_application_decide,
)

SUBNAV = "people/_subnav.html"
"""The people and incentives pages' sub-navigation, above every form page."""


# ---- experts ----


def _expert_filters(request: HttpRequest) -> tuple[ExpertFilterForm, ExpertFilters]:
    form = ExpertFilterForm(request.GET)
    if not form.is_valid():
        return form, ExpertFilters()
    data = form.cleaned_data
    return form, ExpertFilters(
        q=data["q"],
        title=data["title"],
        kind=data["kind"],
        recipient=data["recipient"],
        home_institution=data["home_institution"],
    )


@login_required
def expert_list(request: HttpRequest) -> HttpResponse:
    user = request_user(request)
    form, filters = _expert_filters(request)
    experts = expert_list_for_user(user=user, filters=filters)
    page = Paginator(experts, settings.PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "people/expert_list.html",
        {
            "form": form,
            "page": page,
            "query": query_without_page(request),
            "can_register": access.can_register_experts(user),
        },
    )


EXPERT_EXPORT_HEADERS = [
    "姓名",
    "性别",
    "职称级别",
    "专业技术职务",
    "学历学位",
    "专业",
    "派出单位",
    "派驻前一年度薪酬（元）",
    "身份证号",
    "联系电话",
    "领导任职资格",
    "表现突出",
    "派驻（本人可见范围内）",
]


@login_required
def expert_export(request: HttpRequest) -> HttpResponse:
    _, filters = _expert_filters(request)
    experts = expert_list_for_user(user=request_user(request), filters=filters)
    rows = (
        (
            e.name,
            e.get_sex_display(),
            e.title,
            e.job_title,
            e.degree,
            e.specialty.name if e.specialty else "",
            e.home_institution.name,
            e.pay_display,  # masked for every reader in lists and exports (ADR 0004)
            e.id_number_display,
            e.phone_display,
            "是" if e.leadership_qualified else "否",
            "是" if e.outstanding else "否",
            "；".join(
                f"{d.team.partnership.recipient.name} {d.get_kind_display()} "
                f"{d.start:%Y-%m-%d}至{d.effective_end:%Y-%m-%d}"
                for d in e.visible_deployments  # type: ignore[attr-defined]
            ),
        )
        for e in experts
    )
    return xlsx_response("帮扶专家.xlsx", "帮扶专家", EXPERT_EXPORT_HEADERS, rows)


def _expert_form(
    request: HttpRequest, data: Any = None, initial: Any = None, editing: Expert | None = None
) -> ExpertForm:
    user = request_user(request)
    if initial is None and user.role == Role.HELPER:
        initial = {"home_institution": user.institution_id}  # a helper registers its own staff
    masks = None
    if editing is not None:  # never echo a stored sensitive value, to any role (ADR 0004)
        masks = {
            "prior_year_pay": "已填写",
            "id_number": mask_id_number(editing.id_number),
            "phone": mask_phone(editing.phone),
        }
    return ExpertForm(
        data,
        initial=initial,
        specialties=specialty_choices(),
        home_institutions=home_institution_choices_for_user(user=user),
        can_link_account=user.role == Role.PROVINCE,
        current_masks=masks,
    )


def _expert_input(form: ExpertForm, keep: Expert | None = None) -> ExpertInput:
    """The form's expert; editing (`keep`), an empty sensitive field keeps the stored value."""
    data = dict(form.cleaned_data)
    if keep is not None:
        if data["prior_year_pay"] is None:
            data["prior_year_pay"] = keep.prior_year_pay
        if not data["id_number"].strip():
            data["id_number"] = keep.id_number
        if not data["phone"].strip():
            data["phone"] = keep.phone
    return ExpertInput(
        name=data["name"],
        sex=data["sex"],
        title=data["title"],
        job_title=data["job_title"],
        degree=data["degree"],
        specialty_id=data["specialty"].pk if data["specialty"] else None,
        home_institution_id=data["home_institution"].pk,
        prior_year_pay=data["prior_year_pay"],
        leadership_qualified=data["leadership_qualified"],
        phone=data["phone"],
        id_number=data["id_number"],
        username=data.get("username", ""),
    )


@login_required
@require_http_methods(["GET", "POST"])
def expert_create_view(request: HttpRequest) -> HttpResponse:
    user = request_user(request)
    if not access.can_register_experts(user):
        raise PermissionDenied("只有省卫健委或帮扶医院可以登记专家")
    form = _expert_form(request, request.POST or None)
    return form_submit(
        request,
        form,
        lambda _: expert_create(actor=user, data=_expert_input(form)),
        done=lambda e: (f"已登记专家「{e.name}」", reverse("people:expert_detail", args=[e.pk])),
        title="登记帮扶专家",
        back_url=reverse("people:expert_list"),
        subnav=SUBNAV,
    )


@login_required
@require_http_methods(["GET", "POST"])
def expert_edit(request: HttpRequest, pk: int) -> HttpResponse:
    user = request_user(request)
    expert = expert_get_for_user(user=user, pk=pk)
    if not access.can_edit_expert(user, expert):
        raise PermissionDenied("只有省卫健委或专家的派出单位可以修改专家信息")
    initial = {
        "name": expert.name,
        "sex": expert.sex,
        "title": expert.title,
        "job_title": expert.job_title,
        "degree": expert.degree,
        "specialty": expert.specialty_id,
        "home_institution": expert.home_institution_id,
        "leadership_qualified": expert.leadership_qualified,
        "username": expert.user.username if expert.user else "",
    }
    form = _expert_form(request, request.POST or None, initial=initial, editing=expert)
    detail_url = reverse("people:expert_detail", args=[pk])
    return form_submit(
        request,
        form,
        lambda _: expert_update(actor=user, expert=expert, data=_expert_input(form, keep=expert)),
        done=lambda e: (f"已更新专家「{e.name}」", detail_url),
        title=f"修改专家信息：{expert.name}",
        back_url=detail_url,
        subnav=SUBNAV,
    )


@login_required
def expert_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """The one page that shows pay, identity and phone numbers in full, to entitled readers;
    each such view is recorded in the audit history."""
    user = request_user(request)
    detail = expert_detail_for_user(user=user, pk=pk)
    expert_sensitive_view(actor=user, expert=detail.expert, channel="详情页")
    recognitions = list(recognition_list_for_user(user=user, expert_id=pk))
    return render(
        request,
        "people/expert_detail.html",
        {
            "d": detail,
            "expert": detail.expert,
            "history": detail.history,
            "recognitions": recognitions,
            "withdrawable": recognitions_withdrawable(
                user=user, expert=detail.expert, recognitions=recognitions
            ),
            "recognition_form": RecognitionForm(initial={"start": today_local().replace(day=1)}),
            "withdraw_form": RecognitionWithdrawForm(),
        },
    )


@login_required
@require_POST
def recognition_create_view(request: HttpRequest, pk: int) -> HttpResponse:
    """认定表现突出 from the expert page (§六); the service checks the permission and dates."""
    user = request_user(request)
    expert = expert_get_for_user(user=user, pk=pk)
    detail_url = reverse("people:expert_detail", args=[pk])
    return form_submit(
        request,
        RecognitionForm(request.POST),
        lambda data: recognition_create(
            actor=user,
            data=RecognitionInput(
                expert_id=expert.pk, start=data["start"], end=data["end"], reason=data["reason"]
            ),
        ),
        done=lambda _: (f"已认定「{expert.name}」表现突出", detail_url),
        title=f"认定表现突出：{expert.name}",
        back_url=detail_url,
        subnav=SUBNAV,
    )


@login_required
@require_POST
def recognition_withdraw_view(request: HttpRequest, pk: int, recognition_pk: int) -> HttpResponse:
    user = request_user(request)
    recognition = recognition_get_for_user(user=user, pk=recognition_pk)
    if recognition.expert_id != pk:
        raise Http404("未找到该表现突出认定")
    detail_url = reverse("people:expert_detail", args=[pk])
    return form_submit(
        request,
        RecognitionWithdrawForm(request.POST),
        lambda data: recognition_withdraw(
            actor=user, recognition=recognition, reason=data["reason"], on=data["on"]
        ),
        done=lambda _: (f"已撤销「{recognition.expert.name}」的表现突出认定", detail_url),
        title=f"撤销表现突出认定：{recognition.expert.name}",
        back_url=detail_url,
        subnav=SUBNAV,
    )


# ---- teams ----


def _team_url(pk: int) -> str:
    return reverse("people:team_detail", args=[pk])


def _team_filters(request: HttpRequest) -> tuple[TeamFilterForm, TeamFilters]:
    form = TeamFilterForm(request.GET)
    if not form.is_valid():
        return form, TeamFilters()
    return form, TeamFilters(**form.cleaned_data)


@login_required
def team_list(request: HttpRequest) -> HttpResponse:
    user = request_user(request)
    form, filters = _team_filters(request)
    page = Paginator(team_list_for_user(user=user, filters=filters), settings.PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "people/team_list.html",
        {
            "form": form,
            "page": page,
            "rows": team_rows(page.object_list),
            "query": query_without_page(request),
            "can_create": access.can_manage_teams_at_all(user),
        },
    )


@login_required
def team_export(request: HttpRequest) -> HttpResponse:
    _, filters = _team_filters(request)
    rows = team_rows(team_list_for_user(user=request_user(request), filters=filters))
    data = (
        (
            r.team.partnership.helper.name,
            r.team.partnership.recipient.name,
            r.team.batch,
            r.team.captain.name if r.team.captain else "",
            len(r.members),
            r.on_site_today,
            "、".join(m.expert.name for m in r.members),
            len(r.check.must_fix),
            "；".join(f"[{f.grade.label}]{f.message}（依据{f.clause}）" for f in r.check.findings),
        )
        for r in rows
    )
    headers = [
        "帮扶医院",
        "受扶医院",
        "批次",
        "队长",
        "队员数",
        "今日在岗",
        "队员",
        "必须整改（条）",
        "组队提示",
    ]
    return xlsx_response("帮扶队.xlsx", "帮扶队", headers, data)


@login_required
@require_http_methods(["GET", "POST"])
def team_create_view(request: HttpRequest) -> HttpResponse:
    user = request_user(request)
    if not access.can_manage_teams_at_all(user):
        raise PermissionDenied("只有省卫健委或帮扶关系双方可以组建帮扶队")
    form = TeamForm(
        request.POST or None,
        partnerships=team_partnership_choices_for_user(user=user),
        initial={"partnership": request.GET.get("partnership")},
    )
    return form_submit(
        request,
        form,
        lambda data: team_create(
            actor=user, partnership=data["partnership"], batch=data["batch"], note=data["note"]
        ),
        done=lambda team: (f"已组建「{team}」", _team_url(team.pk)),
        title="组建帮扶队",
        intro="每批次3-5人，设队长1名（§三(四)；A1-(1)）。组建后在队伍页面登记队员派驻。",
        back_url=reverse("people:team_list"),
        subnav=SUBNAV,
    )


@login_required
def team_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user = request_user(request)
    detail = team_detail_for_user(user=user, pk=pk)
    team = detail.row.team
    context = {
        "d": detail,
        "team": team,
        "history": detail.history,
        "captain_form": CaptainForm(
            initial={"captain": team.captain_id}, members=team_member_experts(team=team)
        ),
        "link_form": CoverageLinkForm(
            deployments=team_deployments(team=team, resident_only=True),
            departments=department_choices(institution_id=team.partnership.recipient_id),
        ),
    }
    return render(request, "people/team_detail.html", context)


@login_required
@require_POST
def team_captain(request: HttpRequest, pk: int) -> HttpResponse:
    user = request_user(request)
    team = team_get_for_user(user=user, pk=pk)
    return form_submit(
        request,
        CaptainForm(request.POST, members=team_member_experts(team=team)),
        lambda data: team_set_captain(actor=user, team=team, captain=data["captain"]),
        done=lambda _: ("已更新队长", _team_url(pk)),
        title=f"指定队长：{team}",
        back_url=_team_url(pk),
        subnav=SUBNAV,
    )


@login_required
@require_http_methods(["GET", "POST"])
def deployment_create_view(request: HttpRequest, pk: int) -> HttpResponse:
    user = request_user(request)
    team = team_get_for_user(user=user, pk=pk)
    if not access.can_manage_team(user, team.partnership):
        raise PermissionDenied("只有省卫健委或帮扶关系双方可以登记派驻")
    form = DeploymentForm(
        request.POST or None,
        experts=expert_list_for_user(user=user),
        departments=department_choices(institution_id=team.partnership.recipient_id),
    )

    return form_submit(
        request,
        form,
        lambda _: deployment_create(actor=user, team=team, data=form.deployment_input()),
        done=lambda d: (f"已登记「{d.expert.name}」的派驻", _team_url(pk)),
        title=f"登记派驻：{team}",
        intro="常驻满1年可享薪酬补足和到岗生活必需品报销，可挂任副院长（§六）。",
        back_url=_team_url(pk),
        subnav=SUBNAV,
    )


@login_required
@require_POST
def coverage_link_add_view(request: HttpRequest, pk: int) -> HttpResponse:
    user = request_user(request)
    team = team_get_for_user(user=user, pk=pk)
    form = CoverageLinkForm(
        request.POST,
        deployments=team_deployments(team=team, resident_only=True),
        departments=department_choices(institution_id=team.partnership.recipient_id),
    )
    return form_submit(
        request,
        form,
        lambda data: coverage_link_add(
            actor=user, deployment=data["deployment"], department=data["department"]
        ),
        done=lambda _: ("已登记3X联系科室", _team_url(pk)),
        title=f"3X联系科室：{team}",
        back_url=_team_url(pk),
        subnav=SUBNAV,
    )


@login_required
@require_POST
def coverage_link_remove_view(request: HttpRequest, pk: int, link_pk: int) -> HttpResponse:
    user = request_user(request)
    team = team_get_for_user(user=user, pk=pk)
    link = next(
        (c for d in team.deployments.all() for c in d.coverage_links.all() if c.pk == link_pk),
        None,
    )
    if link is None:
        raise Http404("未找到该联系科室")
    coverage_link_remove(actor=user, link=link)
    messages.success(request, "已删除3X联系科室")
    return redirect(_team_url(pk))


@login_required
@require_http_methods(["GET", "POST"])
def mentorship_create_view(request: HttpRequest, pk: int) -> HttpResponse:
    user = request_user(request)
    team = team_get_for_user(user=user, pk=pk)
    if not access.can_manage_team(user, team.partnership):
        raise PermissionDenied("只有省卫健委或帮扶关系双方可以登记师带徒")
    form = MentorshipForm(
        request.POST or None,
        deployments=team_deployments(team=team),
        departments=department_choices(institution_id=team.partnership.recipient_id),
    )
    return form_submit(
        request,
        form,
        lambda data: mentorship_create(
            actor=user,
            deployment=data["deployment"],
            mentee_name=data["mentee_name"],
            mentee_department=data["mentee_department"],
            start=data["start"],
        ),
        done=lambda _: ("已登记师带徒", _team_url(pk)),
        title=f"登记师带徒：{team}",
        intro="师傅须为副主任医师以上职称（A1-(5)）。",
        back_url=_team_url(pk),
        subnav=SUBNAV,
    )


@login_required
@require_http_methods(["GET", "POST"])
def mentorship_outcome(request: HttpRequest, pk: int, mentorship_pk: int) -> HttpResponse:
    user = request_user(request)
    team = team_get_for_user(user=user, pk=pk)
    mentorship = next(
        (m for d in team.deployments.all() for m in d.mentorships.all() if m.pk == mentorship_pk),
        None,
    )
    if mentorship is None:
        raise Http404("未找到该师带徒记录")
    form = MentorshipOutcomeForm(
        request.POST or None, initial={"outcome": mentorship.outcome, "end": mentorship.end}
    )
    return form_submit(
        request,
        form,
        lambda data: mentorship_record_outcome(
            actor=user, mentorship=mentorship, outcome=data["outcome"], end=data["end"]
        ),
        done=lambda _: ("已登记培养成效", _team_url(pk)),
        title=f"培养成效：{mentorship}",
        back_url=_team_url(pk),
        subnav=SUBNAV,
    )


# ---- deployments ----


def _deployment_filters(request: HttpRequest) -> tuple[DeploymentFilterForm, DeploymentFilters]:
    form = DeploymentFilterForm(request.GET)
    if not form.is_valid():
        return form, DeploymentFilters()
    return form, DeploymentFilters(**form.cleaned_data)


@login_required
def deployment_list(request: HttpRequest) -> HttpResponse:
    user = request_user(request)
    form, filters = _deployment_filters(request)
    deployments = deployment_list_for_user(user=user, filters=filters)
    page = Paginator(deployments, settings.PAGE_SIZE).get_page(request.GET.get("page"))
    # 修改 / 登记结束 per row: the permission the services enforce (no query per row).
    manageable = {
        d.pk for d in page.object_list if access.can_manage_team(user, d.team.partnership)
    }
    return render(
        request,
        "people/deployment_list.html",
        {
            "form": form,
            "page": page,
            "query": query_without_page(request),
            "manageable": manageable,
        },
    )


@login_required
def deployment_export(request: HttpRequest) -> FileResponse:
    _, filters = _deployment_filters(request)
    deployments = deployment_list_for_user(user=request_user(request), filters=filters)
    rows = (
        (
            d.expert.name,
            d.expert.home_institution.name,
            d.team.partnership.recipient.name,
            d.team.batch,
            d.get_kind_display(),
            d.department.name if d.department else "",
            d.start.isoformat(),
            d.planned_end.isoformat(),
            d.actual_end.isoformat() if d.actual_end else "",
        )
        for d in deployments.iterator(chunk_size=1000)
    )
    headers = [
        "专家",
        "派出单位",
        "受扶医院",
        "批次",
        "派驻方式",
        "派驻科室",
        "开始日期",
        "计划结束",
        "实际结束",
    ]
    # Streamed (core.excel): a province's deployments are fetched and written 1,000 at a time.
    return xlsx_stream_response("派驻记录.xlsx", "派驻", headers, rows)


@login_required
@require_http_methods(["GET", "POST"])
def deployment_end_view(request: HttpRequest, pk: int) -> HttpResponse:
    user = request_user(request)
    deployment = deployment_get_for_user(user=user, pk=pk)
    if not access.can_manage_team(user, deployment.team.partnership):
        raise PermissionDenied("只有省卫健委或帮扶关系双方可以登记派驻结束")
    form = DeploymentEndForm(request.POST or None, initial={"actual_end": deployment.actual_end})
    team_url = _team_url(deployment.team_id)
    return form_submit(
        request,
        form,
        lambda data: deployment_end(
            actor=user, deployment=deployment, actual_end=data["actual_end"]
        ),
        done=lambda _: (f"已登记「{deployment.expert.name}」的实际结束日期", team_url),
        title=f"登记派驻结束：{deployment}",
        intro="登记实际结束日期后，待遇明细按实际在岗期间计算。",
        confirm="确认登记实际结束日期？此操作将记入审计记录。",
        back_url=team_url,
        subnav=SUBNAV,
    )


@login_required
@require_http_methods(["GET", "POST"])
def deployment_edit(request: HttpRequest, pk: int) -> HttpResponse:
    user = request_user(request)
    deployment = deployment_get_for_user(user=user, pk=pk)
    if not access.can_manage_team(user, deployment.team.partnership):
        raise PermissionDenied("只有省卫健委或帮扶关系双方可以修改派驻")
    form = DeploymentEditForm(
        request.POST or None,
        initial={
            "kind": deployment.kind,
            "start": deployment.start,
            "planned_end": deployment.planned_end,
            "department": deployment.department_id,
            "helper_exception_reason": deployment.helper_exception_reason,
        },
        departments=department_choices(institution_id=deployment.team.partnership.recipient_id),
    )
    team_url = _team_url(deployment.team_id)

    return form_submit(
        request,
        form,
        lambda _: deployment_update(
            actor=user, deployment=deployment, data=form.deployment_input()
        ),
        done=lambda _: (f"已修改「{deployment.expert.name}」的派驻", team_url),
        title=f"修改派驻：{deployment}",
        intro="修改须符合登记时的规则（协议期内、派出单位、驻点时间不重叠）；已核定的待遇不改写，"
        "差额在下一期待遇明细中调整（§六）。",
        confirm="确认修改派驻？此操作将记入审计记录。",
        back_url=team_url,
        subnav=SUBNAV,
    )


@login_required
@require_http_methods(["GET", "POST"])
def appointment_create_view(request: HttpRequest, pk: int) -> HttpResponse:
    user = request_user(request)
    deployment = deployment_get_for_user(user=user, pk=pk)
    if not access.can_pay(user, deployment.team.partnership):
        raise PermissionDenied("只有省卫健委或受扶医院可以登记挂任职")
    expert_url = reverse("people:expert_detail", args=[deployment.expert_id])
    return form_submit(
        request,
        AppointmentForm(request.POST or None),
        lambda data: appointment_create(
            actor=user, deployment=deployment, post=data["post"], start=data["start"]
        ),
        done=lambda _: ("已登记挂任职", expert_url),
        title=f"登记挂任职：{deployment}",
        intro="常驻1年以上、具备任职资格的可任副院长；常驻2年以上的可任院长（§六；A1-(1)）。",
        back_url=expert_url,
        subnav=SUBNAV,
    )


# ---- department services ----


@login_required
def department_services(request: HttpRequest) -> HttpResponse:
    services = department_services_for_user(user=request_user(request))
    return render(request, "people/department_services.html", {"s": services})


def _services_url() -> str:
    return reverse("people:department_services")


@login_required
@require_http_methods(["GET", "POST"])
def title_application_create_view(request: HttpRequest) -> HttpResponse:
    user = request_user(request)
    form = TitleApplicationForm(
        request.POST or None, deployments=title_deployment_choices_for_user(user=user)
    )
    return form_submit(
        request,
        form,
        lambda data: title_application_create(
            actor=user,
            deployment=data["deployment"],
            applied_title=data["applied_title"],
            has_entrustment_letter=data["has_entrustment_letter"],
            submitted_on=data["submitted_on"],
        ),
        done=lambda a: (
            f"已登记职称申报，评审路径：{a.get_route_display()}（{a.valid_scope}）",
            _services_url(),
        ),
        title="登记职称评审申报（§五）",
        intro="受扶县为20个国家乡村振兴重点帮扶县的，按“定向评价定向使用”申报，职称限在该县有效；"
        "其他县按县级要求申报，限在我省县级范围内有效。均须先取得委托评审函。",
        back_url=_services_url(),
        subnav=SUBNAV,
    )


@login_required
@require_http_methods(["GET", "POST"])
def title_application_decide_view(request: HttpRequest, pk: int) -> HttpResponse:
    user = request_user(request)
    application = title_application_get_for_user(user=user, pk=pk)
    return form_submit(
        request,
        TitleDecisionForm(request.POST or None),
        lambda data: title_application_decide(
            actor=user,
            application=application,
            status=data["status"],
            decided_on=data["decided_on"],
        ),
        done=lambda _: ("已登记评审结果", _services_url()),
        title=f"登记评审结果：{application}",
        back_url=_services_url(),
        subnav=SUBNAV,
    )


@login_required
@require_http_methods(["GET", "POST"])
def scitech_create_view(request: HttpRequest) -> HttpResponse:
    user = request_user(request)
    return form_submit(
        request,
        SciTechForm(request.POST or None, teams=team_choices_for_user(user=user)),
        lambda data: scitech_application_create(actor=user, **data),
        done=lambda _: ("已登记科技项目申报", _services_url()),
        title="登记科技项目申报（§五 省科技厅）",
        back_url=_services_url(),
        subnav=SUBNAV,
    )


@login_required
@require_http_methods(["GET", "POST"])
def briefing_create_view(request: HttpRequest) -> HttpResponse:
    user = request_user(request)
    return form_submit(
        request,
        BriefingForm(request.POST or None, teams=team_choices_for_user(user=user)),
        lambda data: insurance_briefing_create(actor=user, **data),
        done=lambda _: ("已登记医保政策培训", _services_url()),
        title="登记医保政策培训（§五 省医保局）",
        back_url=_services_url(),
        subnav=SUBNAV,
    )


@login_required
@require_http_methods(["GET", "POST"])
def letter_create_view(request: HttpRequest) -> HttpResponse:
    user = request_user(request)
    if not access.can_issue_appointment_letters(user):
        raise PermissionDenied("聘书由省卫生健康委发放")
    return form_submit(
        request,
        AppointmentLetterForm(request.POST or None, helpers=helper_choices()),
        lambda data: appointment_letter_create(actor=user, **data),
        done=lambda _: ("已登记指导专家聘书", _services_url()),
        title="发放东西部协作指导专家聘书（§六）",
        back_url=_services_url(),
        subnav=SUBNAV,
    )
