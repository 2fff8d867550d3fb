"""Matching pages (F7, §三(二)): rounds, a round's proposals with their reasons, and the office's
adjustments (exclude, change a capacity, re-run, accept); the recipients' needs and each
hospital's ranked choices the rounds are built from."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.forms import Form
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.views.decorators.http import require_http_methods

from bangfu.accounts.models import User
from bangfu.accounts.request import request_user
from bangfu.core.excel import xlsx_response
from bangfu.core.forms import form_submit
from bangfu.core.request import query_without_page
from bangfu.core.selectors import audit_list_for_object
from bangfu.matching.forms import (
    AcceptForm,
    BaseNeedsFormSet,
    BasePreferenceFormSet,
    CapacityForm,
    NeedsFilterForm,
    NeedsFormSet,
    PreferenceFormSet,
    RerunForm,
    RoundCreateForm,
    RoundFilterForm,
)
from bangfu.matching.models import MatchingProposal, RoundMethod
from bangfu.matching.selectors import (
    MatchingInputs,
    NeedsFilters,
    RoundDetail,
    RoundFilters,
    can_run_matching,
    matching_candidates_for_user,
    matching_inputs_get_for_user,
    matching_inputs_history,
    matching_proposal_get_for_user,
    matching_proposals_for_round,
    matching_round_detail_for_user,
    matching_round_get_for_user,
    matching_round_list_for_user,
    needs_filter_choices_for_user,
    own_matching_institution_id,
    preference_choices_for,
    recipient_needs_list_for_user,
    recipient_needs_summary,
    specialty_choices,
)
from bangfu.matching.services import (
    match_preference_set,
    matching_proposal_exclude,
    matching_proposals_accept,
    matching_round_rerun,
    matching_round_run,
    recipient_needs_set,
)
from bangfu.registry.models import Institution

FIELD_FOR_ERROR = {
    "recipient_ids": "recipients",
    "helper_ids": "helpers",
    "method": "method",
    "capacity_overrides": "capacity",
    "proposal_ids": "proposal_ids",
}


def _require_runner(user: User) -> None:
    if not can_run_matching(user):
        raise PermissionDenied("只有省卫生健康委和市州卫生健康局可以开展结对匹配")


def _add_errors(form: Form, exc: ValidationError) -> None:
    for field, errors in exc.message_dict.items():
        name = FIELD_FOR_ERROR.get(field)
        form.add_error(name if name in form.fields else None, errors)


def _flash_errors(request: HttpRequest, exc: ValidationError) -> None:
    for errors in exc.message_dict.values():
        for error in errors:
            messages.error(request, error)


def _round_filters(request: HttpRequest, user: User) -> tuple[RoundFilterForm, RoundFilters]:
    form = RoundFilterForm(request.GET)
    if not form.is_valid():
        return form, RoundFilters()
    return form, RoundFilters(
        method=form.cleaned_data["method"],
        created_by_id=user.pk if form.cleaned_data["mine"] else None,
    )


@login_required
def round_list(request: HttpRequest) -> HttpResponse:
    user = request_user(request)
    form, filters = _round_filters(request, user)
    rounds = matching_round_list_for_user(user=user, filters=filters)
    page = Paginator(rounds, settings.PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "form": form,
        "page": page,
        "query": query_without_page(request),
        "can_run": can_run_matching(user),
    }
    return render(request, "matching/round_list.html", context)


@login_required
def round_list_export(request: HttpRequest) -> HttpResponse:
    user = request_user(request)
    _, filters = _round_filters(request, user)
    rows = (
        (
            r.pk,
            r.get_method_display(),
            r.prefecture.name if r.prefecture else "省级",
            str(r.created_by),
            r.created_at.strftime("%Y-%m-%d %H:%M"),
            r.recipient_count,
            r.helper_count,
            r.matched_count,
            r.accepted_count,  # type: ignore[attr-defined]
            r.objective,
            r.previous_id or "",
        )
        for r in matching_round_list_for_user(user=user, filters=filters)
    )
    headers = [
        "轮次",
        "方法",
        "发起单位",
        "发起人",
        "时间",
        "受扶医院数",
        "帮扶医院数",
        "配对数",
        "已接受",
        "总契合度",
        "上一轮",
    ]
    return xlsx_response("结对匹配轮次.xlsx", "匹配轮次", headers, rows)


def _recipient_label(institution: Institution) -> str:
    county = institution.county
    where = f"{county.prefecture.short_name}·{county.short_name}" if county else ""
    return f"{institution.name}（{where}）" if where else institution.name


def _helper_label(institution: Institution) -> str:
    return f"{institution.name}（{institution.place}，名额 {institution.capacity}）"


@login_required
@require_http_methods(["GET", "POST"])
def round_create(request: HttpRequest) -> HttpResponse:
    user = request_user(request)
    _require_runner(user)
    candidates = matching_candidates_for_user(user=user)
    choices = {
        "recipient_choices": [(r.pk, _recipient_label(r)) for r in candidates.recipients],
        "helper_choices": [(h.pk, _helper_label(h)) for h in candidates.helpers],
    }
    if request.method == "POST":
        form = RoundCreateForm(request.POST, **choices)
    else:
        form = RoundCreateForm(
            initial={
                "method": RoundMethod.OPTIMAL,
                "recipients": list(candidates.default_recipient_ids),
                "helpers": list(candidates.default_helper_ids),
            },
            **choices,
        )
    context = {
        "form": form,
        "default_recipient_count": len(candidates.default_recipient_ids),
        "default_helper_count": len(candidates.default_helper_ids),
    }
    return form_submit(
        request,
        form,
        lambda data: matching_round_run(
            actor=user,
            method=data["method"],
            recipient_ids=data["recipients"],
            helper_ids=data["helpers"],
        ),
        done=lambda round_: (
            f"第{round_.pk}轮匹配完成：{round_.matched_count} 对建议结对",
            reverse("matching:round_detail", args=[round_.pk]),
        ),
        errors=lambda exc: _add_errors(form, exc),
        render_page=lambda status: render(
            request, "matching/round_form.html", context, status=status
        ),
    )


@dataclass(frozen=True)
class ProposalRow:
    proposal: MatchingProposal
    partnership_url: str | None


def _partnership_url(partnership_id: int | None) -> str | None:
    """The partnership's page, once the partnerships app provides one."""
    if partnership_id is None:
        return None
    try:
        return reverse("partnerships:partnership_detail", args=[partnership_id])
    except NoReverseMatch:
        return None


def _rows(proposals: Iterable[MatchingProposal]) -> list[ProposalRow]:
    return [ProposalRow(p, _partnership_url(p.partnership_id)) for p in proposals]


def _detail_context(
    user: User,
    detail: RoundDetail,
    *,
    capacity_form: CapacityForm | None = None,
    accept_form: AcceptForm | None = None,
) -> dict[str, object]:
    helper_choices = [(h.id, f"{h.name}（本轮名额 {h.capacity}）") for h in detail.helpers]
    can_act = can_run_matching(user) and detail.successor is None
    return {
        "detail": detail,
        "round": detail.round,
        "rows": _rows(detail.proposals),
        "can_act": can_act,
        "capacity_form": capacity_form or CapacityForm(helper_choices=helper_choices),
        "rerun_form": RerunForm(initial={"method": detail.round.method}),
        "accept_form": accept_form,
        "history": audit_list_for_object(obj=detail.round),
    }


@login_required
def round_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user = request_user(request)
    detail = matching_round_detail_for_user(user=user, pk=pk)
    return render(request, "matching/round_detail.html", _detail_context(user, detail))


@login_required
def round_export(request: HttpRequest, pk: int) -> HttpResponse:
    round_ = matching_round_get_for_user(user=request_user(request), pk=pk)
    rows = []
    for p in matching_proposals_for_round(round_=round_):
        parts = {part["name"]: part["value"] for part in p.parts}
        county = p.recipient.county
        rows.append(
            (
                p.recipient.name,
                county.prefecture.name if county else "",
                county.name if county else "",
                p.helper.name,
                p.helper.place,
                p.fit_total,
                parts.get("specialty", ""),
                parts.get("region", ""),
                parts.get("pairing", ""),
                parts.get("capacity", ""),
                p.recipient_rank or "",
                p.helper_rank or "",
                p.get_status_display(),
                p.partnership_id or "",
                p.reason,
                "\n".join(f"{part['label']}：{part['reason']}" for part in p.parts),
            )
        )
    headers = [
        "受扶医院",
        "市州",
        "县",
        "帮扶医院",
        "帮扶医院所在地",
        "契合度",
        "专科契合",
        "区域方向",
        "粤黔结对",
        "帮扶名额",
        "受扶方志愿名次",
        "帮扶方志愿名次",
        "状态",
        "帮扶关系编号",
        "理由",
        "契合度说明",
    ]
    return xlsx_response(f"结对匹配第{round_.pk}轮.xlsx", f"第{round_.pk}轮", headers, rows)


@login_required
@require_http_methods(["POST"])
def proposal_exclude(request: HttpRequest, pk: int, proposal_pk: int) -> HttpResponse:
    user = request_user(request)
    _require_runner(user)
    proposal = matching_proposal_get_for_user(user=user, round_pk=pk, pk=proposal_pk)
    try:
        matching_proposal_exclude(actor=user, proposal=proposal)
    except ValidationError as exc:
        _flash_errors(request, exc)
    else:
        messages.success(
            request, f"已排除「{proposal.helper.name} → {proposal.recipient.name}」，重新匹配后生效"
        )
    return redirect("matching:round_detail", pk=pk)


@login_required
@require_http_methods(["POST"])
def round_capacity(request: HttpRequest, pk: int) -> HttpResponse:
    user = request_user(request)
    _require_runner(user)
    detail = matching_round_detail_for_user(user=user, pk=pk)
    form = CapacityForm(request.POST, helper_choices=[(h.id, h.name) for h in detail.helpers])
    return form_submit(
        request,
        form,
        lambda data: matching_round_rerun(
            actor=user, round_=detail.round, capacity_changes={data["helper"]: data["capacity"]}
        ),
        done=lambda new_round: (
            f"已调整名额并重新匹配为第{new_round.pk}轮",
            reverse("matching:round_detail", args=[new_round.pk]),
        ),
        errors=lambda exc: _add_errors(form, exc),
        render_page=lambda status: render(
            request,
            "matching/round_detail.html",
            _detail_context(user, detail, capacity_form=form),
            status=status,
        ),
    )


@login_required
@require_http_methods(["POST"])
def round_rerun(request: HttpRequest, pk: int) -> HttpResponse:
    user = request_user(request)
    _require_runner(user)
    round_ = matching_round_get_for_user(user=user, pk=pk)
    form = RerunForm(request.POST)
    method = form.cleaned_data["method"] if form.is_valid() else None
    try:
        new_round = matching_round_rerun(actor=user, round_=round_, method=method)
    except ValidationError as exc:
        _flash_errors(request, exc)
        return redirect("matching:round_detail", pk=pk)
    messages.success(request, f"已重新匹配为第{new_round.pk}轮")
    return redirect("matching:round_detail", pk=new_round.pk)


@login_required
@require_http_methods(["POST"])
def round_accept(request: HttpRequest, pk: int) -> HttpResponse:
    user = request_user(request)
    _require_runner(user)
    detail = matching_round_detail_for_user(user=user, pk=pk)
    form = AcceptForm(request.POST, proposal_choices=[(p.pk, str(p.pk)) for p in detail.proposals])
    return form_submit(
        request,
        form,
        lambda data: matching_proposals_accept(
            actor=user, round_=detail.round, proposal_ids=data["proposal_ids"]
        ),
        done=lambda partnerships: (
            f"已接受 {len(partnerships)} 对结对，生成待签协议的帮扶关系："
            + "、".join(f"{p.helper.name} → {p.recipient.name}" for p in partnerships),
            reverse("matching:round_detail", args=[pk]),
        ),
        errors=lambda exc: _add_errors(form, exc),
        render_page=lambda status: render(
            request,
            "matching/round_detail.html",
            _detail_context(user, detail, accept_form=form),
            status=status,
        ),
    )


# ---- needs and ranked choices (受扶地所需, §三(一); 自主选择, §三(二)) ----


def _needs_filters(request: HttpRequest, user: User) -> tuple[NeedsFilterForm, NeedsFilters]:
    prefectures, counties = needs_filter_choices_for_user(user=user)
    form = NeedsFilterForm(request.GET, prefecture_choices=prefectures, county_choices=counties)
    if not form.is_valid():
        return form, NeedsFilters()
    return form, NeedsFilters(**form.cleaned_data)


@login_required
def needs_list(request: HttpRequest) -> HttpResponse:
    user = request_user(request)
    form, filters = _needs_filters(request, user)
    recipients = recipient_needs_list_for_user(user=user, filters=filters)
    page = Paginator(recipients, settings.PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "form": form,
        "page": page,
        "rows": [recipient_needs_summary(r) for r in page.object_list],
        "query": query_without_page(request),
        "own_institution_id": own_matching_institution_id(user),
    }
    return render(request, "matching/needs_list.html", context)


@login_required
def needs_list_export(request: HttpRequest) -> HttpResponse:
    user = request_user(request)
    _, filters = _needs_filters(request, user)
    rows = []
    for institution in recipient_needs_list_for_user(user=user, filters=filters):
        summary = recipient_needs_summary(institution)
        county = institution.county
        rows.append(
            (
                institution.name,
                county.prefecture.name if county else "",
                county.name if county else "",
                "、".join(summary.weak_specialties),
                "、".join(
                    f"{r.disease}（{r.specialty}，{r.count} 人次）" for r in summary.referrals
                ),
                summary.referral_total,
                "、".join(summary.capability_gaps),
                summary.preference_count,
                summary.updated_at.strftime("%Y-%m-%d %H:%M") if summary.updated_at else "",
            )
        )
    headers = [
        "受扶医院",
        "市州",
        "县",
        "薄弱专科",
        "近3年外转病种（人次）",
        "外转人次合计",
        "能力短板",
        "已填志愿数",
        "更新时间",
    ]
    return xlsx_response("受扶医院需求.xlsx", "受扶医院需求", headers, rows)


ROW_ERROR_KEY = re.compile(r"^(?:needs|ranked_ids)\[(\d+)\](?:\.(\w+))?$")


def _attach_row_errors(
    rows: Sequence[tuple[Form, object]], exc: ValidationError, row_field: str
) -> list[str]:
    """Put the service's `needs[i].field` / `ranked_ids[i]` errors on the row they name; the
    rest are returned for the top of the form."""
    rest: list[str] = []
    for key, errors in exc.message_dict.items():
        match = ROW_ERROR_KEY.match(key)
        if match is None or int(match[1]) >= len(rows):
            rest.extend(errors)
            continue
        form = rows[int(match[1])][0]
        field = match[2] or row_field
        form.add_error(field if field in form.fields else None, errors)
    return rest


def _needs_formset(inputs: MatchingInputs, data: QueryDict | None = None) -> BaseNeedsFormSet:
    initial = [
        {
            "specialty": n.specialty.code,
            "disease": n.disease,
            "referrals_3y": n.referrals_3y,
            "weak": n.weak,
            "gap": n.gap,
        }
        for n in inputs.needs
    ]
    kwargs = {"specialty_choices": specialty_choices()}
    formset = NeedsFormSet(data, initial=initial, prefix="needs", form_kwargs=kwargs)
    assert isinstance(formset, BaseNeedsFormSet)
    return formset


def _preference_formset(
    inputs: MatchingInputs, data: QueryDict | None = None
) -> BasePreferenceFormSet:
    label = _helper_label if inputs.is_recipient else _recipient_label
    choices = [(i.pk, label(i)) for i in preference_choices_for(institution=inputs.institution)]
    formset = PreferenceFormSet(
        data,
        initial=[{"institution": r.id} for r in inputs.ranked],
        prefix="ranked",
        form_kwargs={"institution_choices": choices},
    )
    assert isinstance(formset, BasePreferenceFormSet)
    return formset


def _inputs_page(
    request: HttpRequest,
    user: User,
    inputs: MatchingInputs,
    *,
    needs_formset: BaseNeedsFormSet | None = None,
    preference_formset: BasePreferenceFormSet | None = None,
    needs_errors: Sequence[str] = (),
    preference_errors: Sequence[str] = (),
    status: int = 200,
) -> HttpResponse:
    context = {
        "inputs": inputs,
        "institution": inputs.institution,
        "needs_formset": needs_formset
        or (_needs_formset(inputs) if inputs.can_edit_needs else None),
        "preference_formset": preference_formset
        or (_preference_formset(inputs) if inputs.can_edit_preferences else None),
        "needs_errors": needs_errors,
        "preference_errors": preference_errors,
        "history": matching_inputs_history(inputs=inputs),
        "is_own": own_matching_institution_id(user) == inputs.institution.pk,
    }
    return render(request, "matching/needs_detail.html", context, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def needs_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """A hospital's needs and ranked choices; POST replaces the needs."""
    user = request_user(request)
    inputs = matching_inputs_get_for_user(user=user, pk=pk)
    if request.method == "GET":
        return _inputs_page(request, user, inputs)
    if not inputs.can_edit_needs:
        raise PermissionDenied("您无权修改该医疗机构的需求")
    formset = _needs_formset(inputs, request.POST)
    errors: list[str] = []
    if formset.is_valid():
        rows = formset.entered()
        try:
            recipient_needs_set(
                actor=user, institution=inputs.institution, needs=[need for _, need in rows]
            )
        except ValidationError as exc:
            errors = _attach_row_errors(rows, exc, "specialty")
        else:
            messages.success(
                request, f"已保存「{inputs.institution.name}」的需求（{len(rows)} 项）"
            )
            return redirect("matching:needs_detail", pk=pk)
    return _inputs_page(
        request, user, inputs, needs_formset=formset, needs_errors=errors, status=400
    )


@login_required
@require_http_methods(["POST"])
def preferences_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """Replace a hospital's ranked choices of the other side."""
    user = request_user(request)
    inputs = matching_inputs_get_for_user(user=user, pk=pk)
    if not inputs.can_edit_preferences:
        raise PermissionDenied("您无权修改该医疗机构的结对志愿")
    formset = _preference_formset(inputs, request.POST)
    errors: list[str] = []
    if formset.is_valid():
        rows = formset.entered()
        try:
            match_preference_set(
                actor=user,
                institution=inputs.institution,
                ranked_ids=[choice for _, choice in rows],
            )
        except ValidationError as exc:
            errors = _attach_row_errors(rows, exc, "institution")
        else:
            messages.success(
                request, f"已保存「{inputs.institution.name}」的结对志愿（{len(rows)} 个）"
            )
            return redirect("matching:needs_detail", pk=pk)
    return _inputs_page(
        request, user, inputs, preference_formset=formset, preference_errors=errors, status=400
    )
