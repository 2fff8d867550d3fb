"""Pages for experts, teams, deployments and department services (F4, F6).

Each view: authenticate → parse → call one selector or service → render. Sensitive fields are
shown through `Expert.pay_display` / `id_number_display` only.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST

from bangfu.accounts.models import Role
from bangfu.core.excel import xlsx_response
from bangfu.core.request import request_user
from bangfu.people import access
from bangfu.people.forms import (
    AppointmentForm,
    AppointmentLetterForm,
    BriefingForm,
    CaptainForm,
    CoverageLinkForm,
    DeploymentEndForm,
    DeploymentFilterForm,
    DeploymentForm,
    ExpertFilterForm,
    ExpertForm,
    MentorshipForm,
    MentorshipOutcomeForm,
    OutstandingForm,
    SciTechForm,
    ServiceForm,
    TeamFilterForm,
    TeamForm,
    TitleApplicationForm,
    TitleDecisionForm,
)
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
)
from bangfu.people.services import (
    DeploymentInput,
    ExpertInput,
    appointment_create,
    appointment_letter_create,
    coverage_link_add,
    coverage_link_remove,
    deployment_create,
    deployment_end,
    expert_create,
    expert_set_outstanding,
    expert_update,
    insurance_briefing_create,
    mentorship_create,
    mentorship_record_outcome,
    scitech_application_create,
    team_create,
    team_set_captain,
    title_application_create,
    title_application_decide,
)

FORM_TEMPLATE = "people/form_page.html"


def form_page(
    request: HttpRequest,
    form: ServiceForm,
    *,
    title: str,
    back_url: str,
    submit: str = "保存",
    confirm: str = "",
    intro: str = "",
    multipart: bool = False,
    status: int = 200,
) -> HttpResponse:
    """The one template every create/edit form of people and incentives renders into."""
    context = {
        "form": form,
        "title": title,
        "back_url": back_url,
        "submit": submit,
        "confirm": confirm,
        "intro": intro,
        "multipart": multipart,
    }
    return render(request, FORM_TEMPLATE, context, status=status)


def _query_without_page(request: HttpRequest) -> str:
    query = request.GET.copy()
    query.pop("page", None)
    return query.urlencode()


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
            "query": _query_without_page(request),
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
            e.pay_display,
            e.id_number_display,
            e.phone,
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


def _expert_form(request: HttpRequest, data: Any = None, initial: Any = None) -> ExpertForm:
    user = request_user(request)
    if initial is None and user.role == Role.HELPER:
        initial = {"home_institution": user.institution_id}  # a helper registers its own staff
    return ExpertForm(
        data,
        initial=initial,
        specialties=specialty_choices(),
        home_institutions=home_institution_choices_for_user(user=user),
        can_link_account=user.role == Role.PROVINCE,
    )


def _expert_input(form: ExpertForm) -> ExpertInput:
    data = form.cleaned_data
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
    if request.method == "POST" and form.is_valid():
        try:
            expert = expert_create(actor=user, data=_expert_input(form))
        except ValidationError as exc:
            form.add_service_errors(exc)
        else:
            messages.success(request, f"已登记专家「{expert.name}」")
            return redirect("people:expert_detail", pk=expert.pk)
    return form_page(
        request,
        form,
        title="登记帮扶专家",
        back_url=reverse("people:expert_list"),
        status=400 if request.method == "POST" else 200,
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
        "prior_year_pay": expert.prior_year_pay,
        "leadership_qualified": expert.leadership_qualified,
        "phone": expert.phone,
        "id_number": expert.id_number,
        "username": expert.user.username if expert.user else "",
    }
    form = _expert_form(request, request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            expert_update(actor=user, expert=expert, data=_expert_input(form))
        except ValidationError as exc:
            form.add_service_errors(exc)
        else:
            messages.success(request, f"已更新专家「{expert.name}」")
            return redirect("people:expert_detail", pk=expert.pk)
    return form_page(
        request,
        form,
        title=f"修改专家信息：{expert.name}",
        back_url=reverse("people:expert_detail", args=[pk]),
        status=400 if request.method == "POST" else 200,
    )


@login_required
def expert_detail(request: HttpRequest, pk: int) -> HttpResponse:
    detail = expert_detail_for_user(user=request_user(request), pk=pk)
    return render(
        request,
        "people/expert_detail.html",
        {
            "d": detail,
            "expert": detail.expert,
            "history": detail.history,
            "outstanding_form": OutstandingForm(initial={"outstanding": detail.expert.outstanding}),
        },
    )


@login_required
@require_POST
def expert_outstanding(request: HttpRequest, pk: int) -> HttpResponse:
    user = request_user(request)
    expert = expert_get_for_user(user=user, pk=pk)
    form = OutstandingForm(request.POST)
    if form.is_valid():
        try:
            expert_set_outstanding(
                actor=user,
                expert=expert,
                outstanding=form.cleaned_data["outstanding"],
                reason=form.cleaned_data["reason"],
            )
        except ValidationError as exc:
            form.add_service_errors(exc)
        else:
            messages.success(request, f"已更新「{expert.name}」的表现突出认定")
            return redirect("people:expert_detail", pk=pk)
    return form_page(
        request,
        form,
        title=f"表现突出认定：{expert.name}",
        back_url=reverse("people:expert_detail", args=[pk]),
        status=400,
    )


# ---- teams ----


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
            "query": _query_without_page(request),
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
            "；".join(f"{f.message}（依据{f.clause}）" for f in r.check.findings),
        )
        for r in rows
    )
    headers = ["帮扶医院", "受扶医院", "批次", "队长", "队员数", "今日在岗", "队员", "组队提示"]
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
    if request.method == "POST" and form.is_valid():
        try:
            team = team_create(
                actor=user,
                partnership=form.cleaned_data["partnership"],
                batch=form.cleaned_data["batch"],
                note=form.cleaned_data["note"],
            )
        except ValidationError as exc:
            form.add_service_errors(exc)
        else:
            messages.success(request, f"已组建「{team}」")
            return redirect("people:team_detail", pk=team.pk)
    return form_page(
        request,
        form,
        title="组建帮扶队",
        intro="每批次3-5人，设队长1名（§三(四)；A1-(1)）。组建后在队伍页面登记队员派驻。",
        back_url=reverse("people:team_list"),
        status=400 if request.method == "POST" else 200,
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
    form = CaptainForm(request.POST, members=team_member_experts(team=team))
    if form.is_valid():
        try:
            team_set_captain(actor=user, team=team, captain=form.cleaned_data["captain"])
        except ValidationError as exc:
            form.add_service_errors(exc)
        else:
            messages.success(request, "已更新队长")
            return redirect("people:team_detail", pk=pk)
    return form_page(
        request,
        form,
        title=f"指定队长：{team}",
        back_url=reverse("people:team_detail", args=[pk]),
        status=400,
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
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            deployment = deployment_create(
                actor=user,
                team=team,
                data=DeploymentInput(
                    expert_id=data["expert"].pk,
                    kind=data["kind"],
                    start=data["start"],
                    planned_end=data["planned_end"],
                    department_id=data["department"].pk if data["department"] else None,
                ),
            )
        except ValidationError as exc:
            form.add_service_errors(exc)
        else:
            messages.success(request, f"已登记「{deployment.expert.name}」的派驻")
            return redirect("people:team_detail", pk=pk)
    return form_page(
        request,
        form,
        title=f"登记派驻：{team}",
        intro="常驻满1年可享薪酬补足和到岗生活必需品报销，可挂任副院长（§六）。",
        back_url=reverse("people:team_detail", args=[pk]),
        status=400 if request.method == "POST" else 200,
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
    if form.is_valid():
        try:
            coverage_link_add(
                actor=user,
                deployment=form.cleaned_data["deployment"],
                department=form.cleaned_data["department"],
            )
        except ValidationError as exc:
            form.add_service_errors(exc)
        else:
            messages.success(request, "已登记3X联系科室")
            return redirect("people:team_detail", pk=pk)
    return form_page(
        request,
        form,
        title=f"3X联系科室：{team}",
        back_url=reverse("people:team_detail", args=[pk]),
        status=400,
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
    return redirect("people:team_detail", pk=pk)


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
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            mentorship_create(
                actor=user,
                deployment=data["deployment"],
                mentee_name=data["mentee_name"],
                mentee_department=data["mentee_department"],
                start=data["start"],
            )
        except ValidationError as exc:
            form.add_service_errors(exc)
        else:
            messages.success(request, "已登记师带徒")
            return redirect("people:team_detail", pk=pk)
    return form_page(
        request,
        form,
        title=f"登记师带徒：{team}",
        intro="师傅须为副主任医师以上职称（A1-(5)）。",
        back_url=reverse("people:team_detail", args=[pk]),
        status=400 if request.method == "POST" else 200,
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
    if request.method == "POST" and form.is_valid():
        try:
            mentorship_record_outcome(
                actor=user,
                mentorship=mentorship,
                outcome=form.cleaned_data["outcome"],
                end=form.cleaned_data["end"],
            )
        except ValidationError as exc:
            form.add_service_errors(exc)
        else:
            messages.success(request, "已登记培养成效")
            return redirect("people:team_detail", pk=pk)
    return form_page(
        request,
        form,
        title=f"培养成效：{mentorship}",
        back_url=reverse("people:team_detail", args=[pk]),
        status=400 if request.method == "POST" else 200,
    )


# ---- deployments ----


def _deployment_filters(request: HttpRequest) -> tuple[DeploymentFilterForm, DeploymentFilters]:
    form = DeploymentFilterForm(request.GET)
    if not form.is_valid():
        return form, DeploymentFilters()
    return form, DeploymentFilters(**form.cleaned_data)


@login_required
def deployment_list(request: HttpRequest) -> HttpResponse:
    form, filters = _deployment_filters(request)
    deployments = deployment_list_for_user(user=request_user(request), filters=filters)
    page = Paginator(deployments, settings.PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "people/deployment_list.html",
        {"form": form, "page": page, "query": _query_without_page(request)},
    )


@login_required
def deployment_export(request: HttpRequest) -> HttpResponse:
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
        for d in deployments
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
    return xlsx_response("派驻记录.xlsx", "派驻", headers, rows)


@login_required
@require_http_methods(["GET", "POST"])
def deployment_end_view(request: HttpRequest, pk: int) -> HttpResponse:
    user = request_user(request)
    deployment = deployment_get_for_user(user=user, pk=pk)
    if not access.can_manage_team(user, deployment.team.partnership):
        raise PermissionDenied("只有省卫健委或帮扶关系双方可以登记派驻结束")
    form = DeploymentEndForm(request.POST or None, initial={"actual_end": deployment.actual_end})
    if request.method == "POST" and form.is_valid():
        try:
            deployment_end(
                actor=user, deployment=deployment, actual_end=form.cleaned_data["actual_end"]
            )
        except ValidationError as exc:
            form.add_service_errors(exc)
        else:
            messages.success(request, f"已登记「{deployment.expert.name}」的实际结束日期")
            return redirect("people:team_detail", pk=deployment.team_id)
    return form_page(
        request,
        form,
        title=f"登记派驻结束：{deployment}",
        intro="登记实际结束日期后，待遇明细按实际在岗期间计算。",
        confirm="确认登记实际结束日期？此操作将记入审计记录。",
        back_url=reverse("people:team_detail", args=[deployment.team_id]),
        status=400 if request.method == "POST" else 200,
    )


@login_required
@require_http_methods(["GET", "POST"])
def appointment_create_view(request: HttpRequest, pk: int) -> HttpResponse:
    user = request_user(request)
    deployment = deployment_get_for_user(user=user, pk=pk)
    if not access.can_pay(user, deployment.team.partnership):
        raise PermissionDenied("只有省卫健委或受扶医院可以登记挂任职")
    form = AppointmentForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            appointment_create(
                actor=user,
                deployment=deployment,
                post=form.cleaned_data["post"],
                start=form.cleaned_data["start"],
            )
        except ValidationError as exc:
            form.add_service_errors(exc)
        else:
            messages.success(request, "已登记挂任职")
            return redirect("people:expert_detail", pk=deployment.expert_id)
    return form_page(
        request,
        form,
        title=f"登记挂任职：{deployment}",
        intro="常驻1年以上、具备任职资格的可任副院长；常驻2年以上的可任院长（§六；A1-(1)）。",
        back_url=reverse("people:expert_detail", args=[deployment.expert_id]),
        status=400 if request.method == "POST" else 200,
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
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            application = title_application_create(
                actor=user,
                deployment=data["deployment"],
                applied_title=data["applied_title"],
                has_entrustment_letter=data["has_entrustment_letter"],
                submitted_on=data["submitted_on"],
            )
        except ValidationError as exc:
            form.add_service_errors(exc)
        else:
            messages.success(
                request,
                f"已登记职称申报，评审路径：{application.get_route_display()}（{application.valid_scope}）",
            )
            return redirect("people:department_services")
    return form_page(
        request,
        form,
        title="登记职称评审申报（§五）",
        intro="受扶县为20个国家乡村振兴重点帮扶县的，按“定向评价定向使用”申报，职称限在该县有效；"
        "其他县按县级要求申报，限在我省县级范围内有效。均须先取得委托评审函。",
        back_url=_services_url(),
        status=400 if request.method == "POST" else 200,
    )


@login_required
@require_http_methods(["GET", "POST"])
def title_application_decide_view(request: HttpRequest, pk: int) -> HttpResponse:
    user = request_user(request)
    application = title_application_get_for_user(user=user, pk=pk)
    form = TitleDecisionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            title_application_decide(
                actor=user,
                application=application,
                status=form.cleaned_data["status"],
                decided_on=form.cleaned_data["decided_on"],
            )
        except ValidationError as exc:
            form.add_service_errors(exc)
        else:
            messages.success(request, "已登记评审结果")
            return redirect("people:department_services")
    return form_page(
        request,
        form,
        title=f"登记评审结果：{application}",
        back_url=_services_url(),
        status=400 if request.method == "POST" else 200,
    )


@login_required
@require_http_methods(["GET", "POST"])
def scitech_create_view(request: HttpRequest) -> HttpResponse:
    user = request_user(request)
    form = SciTechForm(request.POST or None, teams=team_choices_for_user(user=user))
    if request.method == "POST" and form.is_valid():
        try:
            scitech_application_create(actor=user, **form.cleaned_data)
        except ValidationError as exc:
            form.add_service_errors(exc)
        else:
            messages.success(request, "已登记科技项目申报")
            return redirect("people:department_services")
    return form_page(
        request,
        form,
        title="登记科技项目申报（§五 省科技厅）",
        back_url=_services_url(),
        status=400 if request.method == "POST" else 200,
    )


@login_required
@require_http_methods(["GET", "POST"])
def briefing_create_view(request: HttpRequest) -> HttpResponse:
    user = request_user(request)
    form = BriefingForm(request.POST or None, teams=team_choices_for_user(user=user))
    if request.method == "POST" and form.is_valid():
        try:
            insurance_briefing_create(actor=user, **form.cleaned_data)
        except ValidationError as exc:
            form.add_service_errors(exc)
        else:
            messages.success(request, "已登记医保政策培训")
            return redirect("people:department_services")
    return form_page(
        request,
        form,
        title="登记医保政策培训（§五 省医保局）",
        back_url=_services_url(),
        status=400 if request.method == "POST" else 200,
    )


@login_required
@require_http_methods(["GET", "POST"])
def letter_create_view(request: HttpRequest) -> HttpResponse:
    user = request_user(request)
    if not access.can_issue_appointment_letters(user):
        raise PermissionDenied("聘书由省卫生健康委发放")
    form = AppointmentLetterForm(request.POST or None, helpers=helper_choices())
    if request.method == "POST" and form.is_valid():
        try:
            appointment_letter_create(actor=user, **form.cleaned_data)
        except ValidationError as exc:
            form.add_service_errors(exc)
        else:
            messages.success(request, "已登记指导专家聘书")
            return redirect("people:department_services")
    return form_page(
        request,
        form,
        title="发放东西部协作指导专家聘书（§六）",
        back_url=_services_url(),
        status=400 if request.method == "POST" else 200,
    )
