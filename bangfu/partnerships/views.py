"""Pages of partnerships and agreements (F2, F3; issue #3): list, detail with the cycle actions,
the partnership form, coverage and gaps, county plans.

Views authenticate, parse a form, call one selector or service and render. Reads go through the
scoped selectors (out of scope → 404); writes through the services (bad input → the form again
with each message next to its field, status 400; not allowed → 403).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date
from pathlib import PurePath
from urllib.parse import quote, urlencode

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.cache import patch_vary_headers
from django.views.decorators.http import require_http_methods

from bangfu.accounts.models import User
from bangfu.accounts.request import request_user
from bangfu.core.excel import xlsx_stream_response
from bangfu.core.forms import form_submit
from bangfu.core.models import AuditEntry
from bangfu.core.request import id_from_query, query_without_page
from bangfu.core.selectors import audit_list_for_object
from bangfu.core.uploads import upload_size_checked
from bangfu.documents.domain.agreement import AgreementDocumentError, agreement_filename
from bangfu.documents.render import (
    AgreementRenderError,
    render_agreement_docx,
    render_agreement_pdf,
)
from bangfu.partnerships.coverage_report import (
    CoverageList,
    coverage_lists_for_user,
    coverage_report_for_user,
)
from bangfu.partnerships.documents import agreement_document_for
from bangfu.partnerships.domain.actions import ActionDecision, AgreementAction
from bangfu.partnerships.domain.lifecycle import (
    AgreementStatus,
    RenewalPrefill,
    renewal_prefill,
)
from bangfu.partnerships.forms import (
    FILING_LEVEL_LABELS,
    CountyPlanForm,
    CoverageDateForm,
    FilingForm,
    FirstAgreementForm,
    PartnershipFilterForm,
    PartnershipForm,
    RenewForm,
    SigningForm,
    TerminateForm,
    term_default_text,
)
from bangfu.partnerships.models import Agreement, CountyPlan
from bangfu.partnerships.selectors import (
    NOT_PERMITTED,
    AgreementRow,
    PartnershipRow,
    PartnershipRows,
    actions_for_user,
    agreement_get_for_user,
    agreement_measures,
    can_manage_partnerships,
    county_plan_get_for_user,
    county_plan_list_for_user,
    first_agreement_for_user,
    partnership_get_for_user,
    partnership_list_for_user,
    partnerships_pending_for_recipient,
    today_local,
)
from bangfu.partnerships.services import (
    AgreementInput,
    agreement_create,
    agreement_record_filing,
    agreement_record_signing,
    agreement_renew,
    agreement_terminate,
    county_plan_save,
    partnership_create,
)
from bangfu.policy.domain.policy import Policy
from bangfu.policy.loader import load_policy

DOCUMENT_CONTENT_TYPES = {
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "pdf": "application/pdf",
}
NO_AGREEMENT_LABEL = "待签协议"


def _mode_names(policy: Policy, codes: Iterable[str]) -> list[str]:
    names = {m.code: m.name for m in policy.modes}
    return [names.get(code, code) for code in codes]


# ---- list ----


@dataclass(frozen=True)
class ListItem:
    row: PartnershipRow
    modes: str

    @property
    def current(self) -> AgreementRow | None:
        return self.row.current


def _list_rows(request: HttpRequest, user: User) -> tuple[PartnershipFilterForm, PartnershipRows]:
    form = PartnershipFilterForm(request.GET, user=user, policy=load_policy())
    return form, partnership_list_for_user(user=user, filters=form.filters())


@login_required
def partnership_list(request: HttpRequest) -> HttpResponse:
    user = request_user(request)
    policy = load_policy()
    form, rows = _list_rows(request, user)
    page = Paginator(rows, settings.PAGE_SIZE).get_page(request.GET.get("page"))
    items = [
        ListItem(row, "、".join(_mode_names(policy, row.partnership.modes)))
        for row in page.object_list
    ]
    context = {
        "form": form,
        "page": page,
        "items": items,
        "query": query_without_page(request),
        "can_manage": can_manage_partnerships(user),
        "expiring_days": policy.cycle.expiring_window_days,
        "no_agreement_label": NO_AGREEMENT_LABEL,
    }
    template = (
        "partnerships/_partnership_table.html"
        if request.htmx  # type: ignore[attr-defined]
        else "partnerships/partnership_list.html"
    )
    return render(request, template, context)


@login_required
def partnership_export(request: HttpRequest) -> FileResponse:
    user = request_user(request)
    policy = load_policy()
    _, rows = _list_rows(request, user)
    headers = [
        "受扶医院",
        "县",
        "市州",
        "帮扶医院",
        "帮扶医院省份",
        "帮扶方式",
        "当前周期",
        "开始日期",
        "结束日期",
        "签订日期",
        "状态",
        "距期满天数",
        "周期数",
    ]

    def line(row: PartnershipRow) -> list[object]:
        p = row.partnership
        county = p.recipient.county
        current = row.current
        a = current.agreement if current else None
        return [
            p.recipient.name,
            county.name if county else "",
            county.prefecture.name if county else "",
            p.helper.name,
            p.helper.province,
            "、".join(_mode_names(policy, p.modes)),
            a.cycle_number if a else "",
            a.start if a else "",
            a.end if a else "",
            a.signed_on if a and a.signed_on else "",
            current.status.status.label if current else NO_AGREEMENT_LABEL,
            current.status.days_until_end
            if current and current.status.days_until_end is not None
            else "",
            len(row.cycles),
        ]

    # Streamed: rows are built 500 at a time and written straight to the workbook file.
    return xlsx_stream_response(
        "帮扶关系.xlsx", "帮扶关系", headers, (line(r) for r in rows.in_chunks())
    )


# ---- detail and the actions on a cycle ----


@dataclass(frozen=True)
class MeasureView:
    code: str
    number: int
    kind: str
    title: str
    text: str
    targets: list[tuple[str, str]]


@dataclass(frozen=True)
class OverrideView:
    label: str
    clause: str
    default: str
    value: str


@dataclass
class CycleView:
    row: AgreementRow
    measures: list[MeasureView]
    overrides: list[OverrideView]
    filings: list[tuple[str, date | None]]
    history: QuerySet[AuditEntry]
    previous_cycle: int | None
    # The user's decision for each action (`selectors.actions_for_user`): a button is shown
    # exactly when its action is allowed there, the rule the services enforce.
    actions: dict[AgreementAction, ActionDecision]
    prefill: RenewalPrefill | None
    forms: dict[str, forms.Form] = field(default_factory=dict)
    # The action whose submitted form is shown again with its errors, even if no longer offered.
    open_action: str = ""

    @property
    def agreement(self) -> Agreement:
        return self.row.agreement

    @property
    def status(self) -> AgreementStatus:
        return self.row.status.status

    @property
    def can_renew(self) -> bool:
        return self.actions[AgreementAction.RENEW].allowed

    @property
    def can_terminate(self) -> bool:
        return self.actions[AgreementAction.TERMINATE].allowed

    @property
    def can_sign(self) -> bool:
        return self.actions[AgreementAction.SIGN].allowed

    @property
    def can_file(self) -> bool:
        return self.actions[AgreementAction.FILE].allowed

    @property
    def refused(self) -> list[tuple[str, str]]:
        """Actions the agreement does not allow today, with why (for users who may write)."""
        return [
            (action.label, decision.reason)
            for action, decision in self.actions.items()
            if not decision.allowed and decision is not NOT_PERMITTED
        ]


def _measure_views(agreement: Agreement, policy: Policy) -> list[MeasureView]:
    views = []
    for stored in agreement_measures(agreement):
        measure = policy.measure(stored.code)
        targets = []
        for target in measure.targets:
            if target.key in stored.targets:
                unit = "" if target.unit == "文本" else target.unit
                targets.append((target.label, f"{stored.targets[target.key]}{unit}"))
        views.append(
            MeasureView(
                code=measure.code,
                number=measure.number,
                kind=measure.kind.label,
                title=measure.title,
                text=measure.text,
                targets=targets,
            )
        )
    return views


def _override_views(agreement: Agreement, policy: Policy) -> list[OverrideView]:
    views = []
    for key, value in sorted(agreement.guarantee_overrides.items()):
        term = policy.guarantee_term(key)
        shown = ("是" if value else "否") if isinstance(value, bool) else f"{value}{term.unit}"
        views.append(OverrideView(term.label, term.clause, term_default_text(term), shown))
    return views


def _cycle_views(row: PartnershipRow, user: User) -> list[CycleView]:
    numbers = {c.agreement.pk: c.agreement.cycle_number for c in row.cycles}
    views = []
    for cycle in row.cycles:
        a = cycle.agreement
        policy = load_policy(a.policy_id)
        actions = actions_for_user(user, cycle.actions)
        prefill = (
            renewal_prefill(cycle.facts, policy.cycle.years)
            if actions[AgreementAction.RENEW].allowed
            else None
        )
        view = CycleView(
            row=cycle,
            measures=_measure_views(a, policy),
            overrides=_override_views(a, policy),
            filings=[
                (FILING_LEVEL_LABELS["province"], a.filed_province_on),
                (FILING_LEVEL_LABELS["prefecture"], a.filed_prefecture_on),
                (FILING_LEVEL_LABELS["county"], a.filed_county_on),
            ],
            history=audit_list_for_object(obj=a),
            previous_cycle=numbers.get(a.previous_id) if a.previous_id else None,
            actions=actions,
            prefill=prefill,
        )
        view.forms = {
            "renew": RenewForm(
                initial={"start": prefill.start, "end": prefill.end} if prefill else None,
                auto_id=f"renew-{a.pk}-%s",
            ),
            "terminate": TerminateForm(
                initial={"on": today_local()}, auto_id=f"terminate-{a.pk}-%s"
            ),
            "sign": SigningForm(
                initial={"signed_on": a.signed_on or today_local()}, auto_id=f"sign-{a.pk}-%s"
            ),
            "file": FilingForm(initial={"filed_on": today_local()}, auto_id=f"file-{a.pk}-%s"),
        }
        views.append(view)
    return views


def _render_detail(
    request: HttpRequest,
    pk: int,
    *,
    bound: tuple[int, str, forms.Form] | None = None,
    status: int = 200,
) -> HttpResponse:
    user = request_user(request)
    row = partnership_get_for_user(user=user, pk=pk)
    policy = load_policy()
    cycles = _cycle_views(row, user)
    if bound is not None:
        agreement_id, action, form = bound
        for cycle in cycles:
            if cycle.agreement.pk == agreement_id:
                form.auto_id = f"{action}-{agreement_id}-%s"
                cycle.forms[action] = form
                cycle.open_action = action
    context = {
        "row": row,
        "partnership": row.partnership,
        "modes": _mode_names(policy, row.partnership.modes),
        "cycles": cycles,
        "history": audit_list_for_object(obj=row.partnership),
        "no_agreement_label": NO_AGREEMENT_LABEL,
        "first_agreement": first_agreement_for_user(user, row),
    }
    return render(request, "partnerships/partnership_detail.html", context, status=status)


def _detail_url(pk: int) -> str:
    return reverse("partnerships:partnership_detail", args=[pk])


def _detail_with(
    request: HttpRequest, pk: int, agreement_id: int, action: str, form: forms.Form
) -> Callable[[int], HttpResponse]:
    """The partnership page again, with `form` bound in place of `action`'s form of the
    agreement `agreement_id` (and that action opened): an agreement form's re-render."""
    return lambda status: _render_detail(
        request, pk, bound=(agreement_id, action, form), status=status
    )


@login_required
def partnership_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _render_detail(request, pk)


@login_required
@require_http_methods(["POST"])
def agreement_renew_view(request: HttpRequest, pk: int) -> HttpResponse:
    user = request_user(request)
    previous = agreement_get_for_user(user=user, pk=pk)
    form = RenewForm(request.POST)
    return form_submit(
        request,
        form,
        lambda data: agreement_renew(
            actor=user,
            previous=previous,
            data=AgreementInput(start=data["start"], end=data["end"], signed_on=data["signed_on"]),
        ),
        done=lambda agreement: (
            f"已续签第{agreement.cycle_number}周期协议"
            f"（{agreement.start:%Y-%m-%d}至{agreement.end:%Y-%m-%d}）",
            _detail_url(previous.partnership_id),
        ),
        render_page=_detail_with(request, previous.partnership_id, pk, "renew", form),
    )


@login_required
@require_http_methods(["POST"])
def agreement_terminate_view(request: HttpRequest, pk: int) -> HttpResponse:
    user = request_user(request)
    agreement = agreement_get_for_user(user=user, pk=pk)
    form = TerminateForm(request.POST)
    return form_submit(
        request,
        form,
        lambda data: agreement_terminate(
            actor=user, agreement=agreement, on=data["on"], reason=data["reason"]
        ),
        done=lambda _: (
            f"已终止第{agreement.cycle_number}周期协议",
            _detail_url(agreement.partnership_id),
        ),
        render_page=_detail_with(request, agreement.partnership_id, pk, "terminate", form),
    )


@login_required
@require_http_methods(["POST"])
@upload_size_checked({"scan": "扫描件"})
def agreement_sign_view(request: HttpRequest, pk: int) -> HttpResponse:
    user = request_user(request)
    agreement = agreement_get_for_user(user=user, pk=pk)
    form = SigningForm(request.POST, request.FILES)
    return form_submit(
        request,
        form,
        lambda data: agreement_record_signing(
            actor=user, agreement=agreement, signed_on=data["signed_on"], scan=data["scan"]
        ),
        done=lambda _: (
            f"已登记第{agreement.cycle_number}周期协议的签订信息",
            _detail_url(agreement.partnership_id),
        ),
        render_page=_detail_with(request, agreement.partnership_id, pk, "sign", form),
    )


@login_required
@require_http_methods(["POST"])
def agreement_file_view(request: HttpRequest, pk: int) -> HttpResponse:
    user = request_user(request)
    agreement = agreement_get_for_user(user=user, pk=pk)
    form = FilingForm(request.POST)
    return form_submit(
        request,
        form,
        lambda data: agreement_record_filing(
            actor=user, agreement=agreement, level=data["level"], filed_on=data["filed_on"]
        ),
        done=lambda _: (
            f"已登记报{FILING_LEVEL_LABELS[form.cleaned_data['level']]}备案",
            _detail_url(agreement.partnership_id),
        ),
        render_page=_detail_with(request, agreement.partnership_id, pk, "file", form),
    )


@login_required
def agreement_download(request: HttpRequest, pk: int, fmt: str) -> HttpResponse:
    """The three-party agreement (A2) as Word or PDF, filled in from the stored agreement."""
    agreement = agreement_get_for_user(user=request_user(request), pk=pk)
    if fmt not in DOCUMENT_CONTENT_TYPES:
        raise Http404("只能下载 docx 或 pdf 格式")
    try:
        document = agreement_document_for(agreement)
        content = (
            render_agreement_docx(document) if fmt == "docx" else render_agreement_pdf(document)
        )
        filename = agreement_filename(document, fmt)
    except (AgreementRenderError, AgreementDocumentError) as error:
        messages.error(request, f"无法生成协议文件：{error}")
        return redirect("partnerships:partnership_detail", pk=agreement.partnership_id)
    response = HttpResponse(content, content_type=DOCUMENT_CONTENT_TYPES[fmt])
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(filename)}"
    return response


@login_required
def agreement_scan(request: HttpRequest, pk: int) -> FileResponse:
    """The signed, sealed scan, to whoever may read the agreement (never a public media URL)."""
    agreement = agreement_get_for_user(user=request_user(request), pk=pk)
    if not agreement.signed_scan:
        raise Http404("该协议尚未上传扫描件")
    return FileResponse(
        agreement.signed_scan.open("rb"), filename=PurePath(agreement.signed_scan.name or "").name
    )


@login_required
@require_http_methods(["GET", "POST"])
def agreement_first_create_view(request: HttpRequest, pk: int) -> HttpResponse:
    """登记首期协议: the first agreement of a partnership that has none (e.g. a matching pair)."""
    user = request_user(request)
    row = partnership_get_for_user(user=user, pk=pk)
    decision = first_agreement_for_user(user, row)
    if not can_manage_partnerships(user):
        raise PermissionDenied(decision.reason)
    if not decision.allowed:
        messages.error(request, decision.reason)
        return redirect("partnerships:partnership_detail", pk=pk)
    policy = load_policy()
    form = FirstAgreementForm(
        request.POST if request.method == "POST" else None,
        user=user,
        policy=policy,
        today=today_local(),
    )
    context = {"form": form, "policy": policy, "partnership": row.partnership}
    return form_submit(
        request,
        form,
        lambda _: agreement_create(
            actor=user, partnership=row.partnership, data=form.agreement_input()
        ),
        done=lambda agreement: (
            f"已登记首期协议（{agreement.start:%Y-%m-%d}至{agreement.end:%Y-%m-%d}）",
            _detail_url(pk),
        ),
        render_page=lambda status: render(
            request, "partnerships/partnership_form.html", context, status=status
        ),
    )


# ---- create ----


@login_required
@require_http_methods(["GET", "POST"])
def partnership_create_view(request: HttpRequest) -> HttpResponse:
    user = request_user(request)
    if not can_manage_partnerships(user):
        raise PermissionDenied("只有省、市州、县卫生健康部门可以登记帮扶关系")
    policy = load_policy()
    form = PartnershipForm(
        request.POST if request.method == "POST" else None,
        user=user,
        policy=policy,
        today=today_local(),
    )
    return form_submit(
        request,
        form,
        lambda data: partnership_create(
            actor=user,
            helper=data["helper"],
            recipient=data["recipient"],
            modes=list(data["modes"]),
            agreement=form.agreement_input(),
            leading_institutions=list(data["leading_institutions"]),
            helper_liaison=data["helper_liaison"],
            recipient_liaison=data["recipient_liaison"],
        ),
        done=lambda partnership: (
            f"已登记帮扶关系「{partnership}」及首期协议",
            _detail_url(partnership.pk),
        ),
        render_page=lambda status: render(
            request,
            "partnerships/partnership_form.html",
            {"form": form, "policy": policy, "pending": _pending(request, user)},
            status=status,
        ),
    )


def _pending(request: HttpRequest, user: User) -> list[PartnershipRow]:
    recipient_id = id_from_query(request.POST.get("recipient") or request.GET.get("recipient"))
    if recipient_id is None:
        return []
    return partnerships_pending_for_recipient(user=user, recipient_id=recipient_id)


@login_required
def partnership_pending_for_recipient(request: HttpRequest) -> HttpResponse:
    """The warning shown on the create form when the chosen recipient already has a partnership
    waiting for its agreement (htmx fragment, on choosing a recipient)."""
    user = request_user(request)
    return render(
        request,
        "partnerships/_pending_partnerships.html",
        {"pending": _pending(request, user), "no_agreement_label": NO_AGREEMENT_LABEL},
    )


# ---- coverage and gaps ----


@login_required
def coverage(request: HttpRequest) -> HttpResponse:
    user = request_user(request)
    policy = load_policy()
    today = today_local()
    form = CoverageDateForm(request.GET if "on" in request.GET else None, initial={"on": today})
    report = coverage_report_for_user(user=user, day=form.day(today))
    context = {
        "form": form,
        "report": report,
        "cycle": policy.cycle,
        "query": query_without_page(request),
        # The sections' lists are fetched for the day shown, even past midnight.
        "list_query": urlencode({"on": report.day.isoformat()}),
    }
    return render(request, "partnerships/coverage.html", context)


# Rows a page of one of the coverage page's lists shows.
COVERAGE_LIST_PAGE_SIZE = 20


@login_required
def coverage_list(request: HttpRequest) -> HttpResponse:
    """One page of one of the coverage page's lists (`?list=expiring|gaps|lapsed|never_paired`,
    `page`, `on` as the page reads it): the section itself for the page (htmx), else a page of
    its own. Only that list is read: its count and the rows of the page."""
    raw = request.GET.get("list", "")
    if raw not in CoverageList._value2member_map_:
        raise Http404("没有这个列表（应为即将到期、帮扶断档、无协议在执行或从未结对）")
    which = CoverageList(raw)
    today = today_local()
    form = CoverageDateForm(request.GET if "on" in request.GET else None, initial={"on": today})
    day = form.day(today)
    rows = coverage_lists_for_user(user=request_user(request), day=day).rows(which)
    page = Paginator(rows, COVERAGE_LIST_PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "list": which.value,
        "page": page,
        "day": day,
        "expiring_window_days": load_policy().cycle.expiring_window_days,
        "list_url": f"{reverse('partnerships:coverage_list')}?"
        + urlencode({"list": which.value, "on": day.isoformat()}),
        "back": f"{reverse('partnerships:coverage')}?{urlencode({'on': day.isoformat()})}",
    }
    fragment = bool(getattr(request, "htmx", False))
    template = "partnerships/_coverage_list.html" if fragment else "partnerships/coverage_list.html"
    response = render(request, template, context)
    # One URL, two answers (the section or a page): a cache must tell them apart.
    patch_vary_headers(response, ("HX-Request",))
    return response


@login_required
def coverage_export(request: HttpRequest) -> FileResponse:
    user = request_user(request)
    report = coverage_report_for_user(
        user=user, day=CoverageDateForm(request.GET).day(today_local())
    )
    headers = ["类别", "市州", "县", "医院或帮扶关系", "起始日期", "截止日期", "天数", "说明"]
    rows: list[list[object]] = []
    for county in report.uncovered:
        rows.append(
            [
                "未覆盖的目标县",
                county.prefecture.name,
                county.name,
                "",
                "",
                "",
                "",
                f"{report.day:%Y-%m-%d} 无省外三甲医院帮扶协议在执行（§一）",
            ]
        )
    for g in report.gaps:
        gap_county = g.partnership.recipient.county
        rows.append(
            [
                "帮扶断档",
                gap_county.prefecture.name if gap_county else "",
                gap_county.name if gap_county else "",
                str(g.partnership),
                g.gap.first_day,
                g.gap.last_day,
                g.gap.days,
                "；".join(g.gap.reasons),
            ]
        )
    for u in [*report.lapsed, *report.never_paired]:
        recipient_county = u.recipient.county
        rows.append(
            [
                "无协议在执行",
                report.prefecture_names.get(recipient_county.prefecture_id, "")
                if recipient_county
                else "",
                recipient_county.name if recipient_county else "",
                u.recipient.name,
                "",
                u.item.next_start or "",
                u.item.days_since_last_end
                if u.item.days_since_last_end is not None
                else "从未结对",
                "；".join(u.item.reasons),
            ]
        )
    return xlsx_stream_response(f"覆盖与断档_{report.day:%Y%m%d}.xlsx", "覆盖与断档", headers, rows)


# ---- county plans (一县一方案) ----


@login_required
def county_plan_list(request: HttpRequest) -> HttpResponse:
    user = request_user(request)
    plans = county_plan_list_for_user(user=user)
    page = Paginator(plans, settings.PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "partnerships/county_plan_list.html",
        {
            "page": page,
            "query": query_without_page(request),
            "can_manage": can_manage_partnerships(user),
        },
    )


@login_required
def county_plan_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user = request_user(request)
    plan = county_plan_get_for_user(user=user, pk=pk)
    policy = load_policy()
    context = {
        "plan": plan,
        "measures": [policy.measure(code) for code in plan.measure_codes],
        "can_manage": can_manage_partnerships(user),
        "history": audit_list_for_object(obj=plan),
    }
    return render(request, "partnerships/county_plan_detail.html", context)


def _county_plan_form_page(
    request: HttpRequest, *, form: CountyPlanForm, plan: CountyPlan | None, status: int = 200
) -> HttpResponse:
    return render(
        request, "partnerships/county_plan_form.html", {"form": form, "plan": plan}, status=status
    )


def _county_plan_submit(
    request: HttpRequest, user: User, form: CountyPlanForm, plan: CountyPlan | None
) -> HttpResponse:
    return form_submit(
        request,
        form,
        lambda data: county_plan_save(
            actor=user,
            county=data["county"],
            cycle_start=data["cycle_start"],
            goals=data["goals"],
            specialty_ids=[s.pk for s in data["specialties"]],
            centres=data["centres"],
            measure_codes=data["measure_codes"],
            agreement_ids=form.agreement_ids(),
        ),
        done=lambda saved: (
            f"已保存「{saved}」",
            reverse("partnerships:county_plan_detail", args=[saved.pk]),
        ),
        render_page=lambda status: _county_plan_form_page(
            request, form=form, plan=plan, status=status
        ),
    )


@login_required
@require_http_methods(["GET", "POST"])
def county_plan_create(request: HttpRequest) -> HttpResponse:
    user = request_user(request)
    if not can_manage_partnerships(user):
        raise PermissionDenied("只有县及上级卫生健康部门可以编制一县一方案")
    policy = load_policy()
    if request.method == "POST":
        form = CountyPlanForm(request.POST, user=user, policy=policy)
        return _county_plan_submit(request, user, form, None)
    initial = {"county": user.county_id} if user.county_id else None
    form = CountyPlanForm(user=user, policy=policy, initial=initial)
    return _county_plan_form_page(request, form=form, plan=None)


@login_required
@require_http_methods(["GET", "POST"])
def county_plan_edit(request: HttpRequest, pk: int) -> HttpResponse:
    user = request_user(request)
    plan = county_plan_get_for_user(user=user, pk=pk)
    if not can_manage_partnerships(user):
        raise PermissionDenied("只有县及上级卫生健康部门可以修改一县一方案")
    initial = {
        "county": plan.county,
        "cycle_start": plan.cycle_start,
        "goals": plan.goals,
        "specialties": list(plan.specialties.all()),
        "centres": plan.centres,
        "measure_codes": plan.measure_codes,
        "agreements": [str(a.pk) for a in plan.agreements.all()],
    }
    policy = load_policy()
    if request.method == "POST":
        form = CountyPlanForm(
            request.POST, user=user, policy=policy, initial=initial, fixed_county=True
        )
        return _county_plan_submit(request, user, form, plan)
    form = CountyPlanForm(user=user, policy=policy, initial=initial, fixed_county=True)
    return _county_plan_form_page(request, form=form, plan=plan)
