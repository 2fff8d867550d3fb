"""Pages for statements, budgets and the ledger (F5).

Each view: authenticate → parse → call one selector or service → render. Masking of pay-derived
amounts happens in the selectors (`ExpertStatement.rows`, `BudgetRow.lines`).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from typing import Any
from urllib.parse import quote

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.core.paginator import Paginator
from django.forms.models import model_to_dict
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from bangfu.accounts.models import User
from bangfu.accounts.request import request_user
from bangfu.core.excel import XLSX, xlsx_response, xlsx_stream_response
from bangfu.core.forms import form_submit
from bangfu.core.request import id_from_query, query_without_page
from bangfu.core.uploads import upload_size_checked
from bangfu.core.views import StoredFileLink
from bangfu.incentives.budget_selectors import (
    DEFAULT_ROUND_TRIP_COST,
    budget_for_user,
    budget_lines_for_user,
    budget_rows_for_export,
)
from bangfu.incentives.forms import (
    BudgetForm,
    HealthCheckForm,
    InsuranceForm,
    LedgerFilterForm,
    StatementPeriodForm,
    TourismCardForm,
    TravelClaimForm,
    WorkFundForm,
)
from bangfu.incentives.labels import ITEM_LABELS, ITEM_ORDER
from bangfu.incentives.ledger_selectors import (
    LedgerKind,
    ledger_list_for_user,
    travel_claim_get_for_user,
)
from bangfu.incentives.permissions import (
    deployments_claimable_by_user,
    experts_payable_by_user,
    ledger_row_get_for_writer,
    ledger_writable_ids_for_user,
    recipients_fundable_by_user,
)
from bangfu.incentives.services import (
    health_check_create,
    health_check_delete,
    health_check_update,
    insurance_policy_create,
    insurance_policy_delete,
    insurance_policy_update,
    statement_sensitive_view,
    tourism_card_create,
    tourism_card_delete,
    tourism_card_update,
    travel_claim_create,
    travel_claim_delete,
    travel_claim_update,
    work_fund_delete,
    work_fund_set,
)
from bangfu.incentives.statement_files import (
    statement_filename,
    statement_pdf,
    statement_xlsx,
)
from bangfu.incentives.statement_selectors import (
    ExpertStatement,
    expert_statement_for_user,
    statement_period,
)
from bangfu.policy.domain.money import yuan

# ---- statements ----

SUBNAV = "people/_subnav.html"
"""The people and incentives pages' sub-navigation, above every form page."""


def _statement(request: HttpRequest, expert_pk: int) -> tuple[StatementPeriodForm, ExpertStatement]:
    """Parse the period (default: this calendar year) and read the statement; ValidationError
    (keyed by start/end) when the period is invalid."""
    form = StatementPeriodForm(request.GET)
    if not form.is_valid():
        raise ValidationError({field: list(errors) for field, errors in form.errors.items()})
    period = statement_period(form.cleaned_data["start"], form.cleaned_data["end"])
    user = request_user(request)
    result = expert_statement_for_user(user=user, expert_id=expert_pk, period=period)
    statement_sensitive_view(actor=user, statement=result, channel="待遇明细")
    return form, result


def _period_query(statement: ExpertStatement) -> str:
    return f"start={statement.period.start.isoformat()}&end={statement.period.end.isoformat()}"


@login_required
def statement(request: HttpRequest, expert_pk: int) -> HttpResponse:
    try:
        form, result = _statement(request, expert_pk)
    except ValidationError as exc:
        form = StatementPeriodForm(request.GET)
        if form.is_valid():
            form.add_service_errors(exc)
        return render(request, "incentives/statement.html", {"form": form}, status=400)
    shown = StatementPeriodForm(
        {"start": result.period.start.isoformat(), "end": result.period.end.isoformat()}
    )
    return render(
        request,
        "incentives/statement.html",
        {
            "form": shown,
            "statement": result,
            "period_query": _period_query(result),
            "forecast": result.period.end > timezone.localdate(),
        },
    )


def _attachment(content: bytes, content_type: str, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(filename)}"
    return response


def _bad_period(exc: ValidationError) -> HttpResponse:
    detail = "；".join(f"{'；'.join(v)}" for v in exc.message_dict.values())
    return HttpResponse(detail, status=400, content_type="text/plain; charset=utf-8")


@login_required
def statement_excel(request: HttpRequest, expert_pk: int) -> HttpResponse:
    try:
        _, result = _statement(request, expert_pk)
    except ValidationError as exc:
        return _bad_period(exc)
    return _attachment(statement_xlsx(result), XLSX, statement_filename(result, "xlsx"))


@login_required
def statement_pdf_view(request: HttpRequest, expert_pk: int) -> HttpResponse:
    try:
        _, result = _statement(request, expert_pk)
    except ValidationError as exc:
        return _bad_period(exc)
    return _attachment(statement_pdf(result), "application/pdf", statement_filename(result, "pdf"))


# ---- budget ----


def _budget_query(request: HttpRequest) -> tuple[BudgetForm, dict[str, Any]]:
    today = timezone.localdate()
    form = BudgetForm(
        request.GET or {"year": today.year, "round_trip_cost": str(DEFAULT_ROUND_TRIP_COST)}
    )
    year, level, cost, q = form.values(today.year)
    return form, {
        "user": request_user(request),
        "year": year,
        "level": level,
        "round_trip_cost": cost,
        "q": q,
    }


def _page_number(raw: str | None) -> int:
    return int(raw) if raw and raw.isascii() and raw.isdigit() and len(raw) < 7 else 1


@login_required
def budget(request: HttpRequest) -> HttpResponse:
    form, params = _budget_query(request)
    report = budget_for_user(**params, page=_page_number(request.GET.get("page")), lines=False)
    return render(
        request,
        "incentives/budget.html",
        {
            "form": form,
            "report": report,
            "items": [(item.value, ITEM_LABELS[item]) for item in ITEM_ORDER],
            "query": request.GET.urlencode(),
            "page_query": query_without_page(request),
        },
    )


@login_required
def budget_lines(request: HttpRequest, hospital_pk: int) -> HttpResponse:
    """One hospital's per-expert lines: a fragment for the page's 明细 (htmx), else a page."""
    _, params = _budget_query(request)
    result = budget_lines_for_user(
        user=params["user"],
        hospital_id=hospital_pk,
        year=params["year"],
        round_trip_cost=params["round_trip_cost"],
    )
    fragment = bool(getattr(request, "htmx", False))
    return render(
        request,
        "incentives/_budget_lines.html" if fragment else "incentives/budget_lines.html",
        {"result": result, "back": f"{reverse('incentives:budget')}?{request.GET.urlencode()}"},
    )


@login_required
def budget_export(request: HttpRequest) -> FileResponse:
    _, params = _budget_query(request)
    report, all_rows = budget_rows_for_export(**params)
    headers = [
        "名称",
        "市州",
        "受扶医院数",
        "派驻人次",
        *(ITEM_LABELS[i] for i in ITEM_ORDER),
        "合计",
        "已核定支付",
    ]

    def rows() -> Iterator[Sequence[object]]:
        for r in all_rows:
            yield (
                r.name,
                r.prefecture,
                r.hospitals,
                r.deployments,
                *r.shown_amounts,
                r.shown_total,
                r.shown_paid,
            )
        yield (
            "合计",
            "",
            "",
            "",
            *report.shown_item_amounts,
            report.shown_total,
            report.shown_paid,
        )
        if report.note:
            yield (report.note,)

    return xlsx_stream_response(f"{report.year}年度激励保障预算.xlsx", "预算", headers, rows())


# ---- ledger ----


def _ledger_table(kind: str, objects: Iterable[Any]) -> tuple[list[str], list[tuple[object, ...]]]:
    if kind == LedgerKind.TRAVEL:
        return ["专家", "受扶医院", "乘车日期", "金额（元）", "票据", "备注"], [
            (
                c.deployment.expert.name,
                c.deployment.team.partnership.recipient.name,
                c.date.isoformat(),
                yuan(c.amount),
                "有" if c.receipt else "无",
                c.note,
            )
            for c in objects
        ]
    if kind == LedgerKind.INSURANCE:
        return ["专家", "保险公司", "保单号", "保额（元）", "起期", "止期"], [
            (
                p.expert.name,
                p.insurer,
                p.policy_number,
                yuan(p.coverage),
                p.start.isoformat(),
                p.end.isoformat(),
            )
            for p in objects
        ]
    if kind == LedgerKind.HEALTH:
        return ["专家", "体检日期", "体检机构"], [
            (h.expert.name, h.checked_on.isoformat(), h.provider) for h in objects
        ]
    if kind == LedgerKind.TOURISM:
        return ["专家", "证号", "办理日期", "有效期至", "电子证"], [
            (
                c.expert.name,
                c.card_number,
                c.issued_on.isoformat(),
                c.expires_on.isoformat() if c.expires_on else "",
                "是" if c.electronic else "否",
            )
            for c in objects
        ]
    return ["受扶医院", "年度", "安排金额（元）", "用途说明"], [
        (f.recipient.name, f.year, yuan(f.amount), f.note) for f in objects
    ]


def _ledger_filters(request: HttpRequest) -> tuple[LedgerFilterForm, str, str]:
    form = LedgerFilterForm(request.GET)
    if not form.is_valid():
        return form, LedgerKind.TRAVEL, ""
    return form, form.cleaned_data["kind"] or LedgerKind.TRAVEL, form.cleaned_data["q"]


# The edit and delete pages of each ledger, by kind.
LEDGER_ROW_URLS = {
    LedgerKind.TRAVEL: ("incentives:travel_claim_update", "incentives:travel_claim_delete"),
    LedgerKind.INSURANCE: ("incentives:insurance_update", "incentives:insurance_delete"),
    LedgerKind.HEALTH: ("incentives:health_check_update", "incentives:health_check_delete"),
    LedgerKind.TOURISM: ("incentives:tourism_card_update", "incentives:tourism_card_delete"),
    LedgerKind.WORK_FUND: ("incentives:work_fund_update", "incentives:work_fund_delete"),
}


def _row_actions(kind: str, pk: int, writable: set[int]) -> tuple[str, str] | None:
    if pk not in writable:
        return None
    edit, delete = LEDGER_ROW_URLS[kind]
    return reverse(edit, args=[pk]), reverse(delete, args=[pk])


@login_required
def ledger(request: HttpRequest) -> HttpResponse:
    form, kind, q = _ledger_filters(request)
    user = request_user(request)
    objects = ledger_list_for_user(user=user, kind=kind, q=q)
    page = Paginator(objects, settings.PAGE_SIZE).get_page(request.GET.get("page"))
    headers, rows = _ledger_table(kind, page.object_list)
    writable = ledger_writable_ids_for_user(user=user, kind=kind, rows=page.object_list)
    return render(
        request,
        "incentives/ledger.html",
        {
            "form": form,
            "kind": kind,
            "kinds": LedgerKind.CHOICES,
            "q": q,
            "page": page,
            "headers": headers,
            "rows": [
                (obj, cells, _row_actions(kind, obj.pk, writable))
                for obj, cells in zip(page.object_list, rows, strict=True)
            ],
            "any_writable": bool(writable),
            "can_create": _ledger_can_create(user, kind),
            "query": query_without_page(request),
        },
    )


def _ledger_can_create(user: User, kind: str) -> bool:
    """Whether the kind's 登记 button is offered: the user has at least one row the service
    would accept, from the same scoped choices as the form (an observer has none)."""
    if kind == LedgerKind.TRAVEL:
        return deployments_claimable_by_user(user=user).exists()
    if kind == LedgerKind.WORK_FUND:
        return recipients_fundable_by_user(user=user).exists()
    return experts_payable_by_user(user=user).exists()


@login_required
def ledger_export(request: HttpRequest) -> HttpResponse:
    _, kind, q = _ledger_filters(request)
    objects = ledger_list_for_user(user=request_user(request), kind=kind, q=q)
    headers, rows = _ledger_table(kind, objects)
    label = dict(LedgerKind.CHOICES)[kind]
    return xlsx_response(f"{label}台账.xlsx", label, headers, rows)


@login_required
def travel_claim_receipt(request: HttpRequest, pk: int) -> FileResponse:
    claim = travel_claim_get_for_user(user=request_user(request), pk=pk)
    if not claim.receipt:
        raise Http404("该记录没有票据")
    name = (claim.receipt.name or "receipt").rsplit("/", 1)[-1]
    return FileResponse(claim.receipt.open("rb"), as_attachment=True, filename=name)


def _ledger_url(kind: str) -> str:
    return f"{reverse('incentives:ledger')}?kind={kind}"


def _expert_initial(request: HttpRequest) -> dict[str, object]:
    expert = id_from_query(request.GET.get("expert"))
    return {"expert": expert} if expert is not None else {}


@login_required
@require_http_methods(["GET", "POST"])
@upload_size_checked({"receipt": "票据"})
def travel_claim_create_view(request: HttpRequest) -> HttpResponse:
    user = request_user(request)
    deployments = deployments_claimable_by_user(
        user=user, expert_id=id_from_query(request.GET.get("expert"))
    )
    form = TravelClaimForm(request.POST or None, request.FILES or None, deployments=deployments)
    return form_submit(
        request,
        form,
        lambda data: travel_claim_create(actor=user, **data),
        done=lambda _: ("已登记交通费", _ledger_url(LedgerKind.TRAVEL)),
        title="登记往返交通费",
        intro="每月可据实报销1次往返两地交通费（§六；A2-四(三)4）；是否报销在待遇明细中按规则判定。",
        back_url=_ledger_url(LedgerKind.TRAVEL),
        multipart=True,
        subnav=SUBNAV,
    )


@login_required
@require_http_methods(["GET", "POST"])
def insurance_create_view(request: HttpRequest) -> HttpResponse:
    user = request_user(request)
    form = InsuranceForm(
        request.POST or None,
        initial=_expert_initial(request),
        experts=experts_payable_by_user(user=user),
    )
    return form_submit(
        request,
        form,
        lambda data: insurance_policy_create(actor=user, **data),
        done=lambda _: ("已登记意外伤害保险", _ledger_url(LedgerKind.INSURANCE)),
        title="登记人身意外伤害保险",
        intro="为每名帮扶人员办理不低于100万元保额的人身意外伤害保险（§六；A2-四(三)3）。",
        back_url=_ledger_url(LedgerKind.INSURANCE),
        subnav=SUBNAV,
    )


@login_required
@require_http_methods(["GET", "POST"])
def health_check_create_view(request: HttpRequest) -> HttpResponse:
    user = request_user(request)
    form = HealthCheckForm(
        request.POST or None,
        initial=_expert_initial(request),
        experts=experts_payable_by_user(user=user),
    )
    return form_submit(
        request,
        form,
        lambda data: health_check_create(actor=user, **data),
        done=lambda _: ("已登记健康体检", _ledger_url(LedgerKind.HEALTH)),
        title="登记健康体检",
        intro="鼓励每年组织帮扶干部开展1次健康体检（§六；A2-四(三)3）。",
        back_url=_ledger_url(LedgerKind.HEALTH),
        subnav=SUBNAV,
    )


@login_required
@require_http_methods(["GET", "POST"])
def tourism_card_create_view(request: HttpRequest) -> HttpResponse:
    user = request_user(request)
    form = TourismCardForm(
        request.POST or None,
        initial=_expert_initial(request),
        experts=experts_payable_by_user(user=user),
    )
    return form_submit(
        request,
        form,
        lambda data: tourism_card_create(actor=user, **data),
        done=lambda _: ("已登记旅游优惠证", _ledger_url(LedgerKind.TOURISM)),
        title="登记援黔专家旅游优惠证",
        intro="为来黔协作专家和驻点专家办理援黔专家旅游优惠证（§五；A2-四(三)7）。",
        back_url=_ledger_url(LedgerKind.TOURISM),
        subnav=SUBNAV,
    )


@login_required
@require_http_methods(["GET", "POST"])
def work_fund_set_view(request: HttpRequest) -> HttpResponse:
    user = request_user(request)
    form = WorkFundForm(
        request.POST or None,
        initial={"year": timezone.localdate().year},
        recipients=recipients_fundable_by_user(user=user),
    )
    return form_submit(
        request,
        form,
        lambda data: work_fund_set(actor=user, **data),
        done=lambda _: ("已登记工作经费", _ledger_url(LedgerKind.WORK_FUND)),
        title="登记受扶医院年度工作经费",
        intro="受扶医院可每年按照20万元标准统筹安排工作经费（§六；A2-四(三)5）。同一年度再次登记即为更正。",
        back_url=_ledger_url(LedgerKind.WORK_FUND),
        subnav=SUBNAV,
    )


# ---- correcting and removing ledger rows ----

CORRECTION_NOTE = "修改将记入审计记录。"


@login_required
@require_http_methods(["GET", "POST"])
@upload_size_checked({"receipt": "票据"})
def travel_claim_update_view(request: HttpRequest, pk: int) -> HttpResponse:
    user = request_user(request)
    claim = ledger_row_get_for_writer(user=user, kind=LedgerKind.TRAVEL, pk=pk)
    initial = model_to_dict(claim, fields=list(TravelClaimForm.base_fields))
    if claim.receipt:  # linked through the scoped view: uploads have no public /media/ URL
        initial["receipt"] = StoredFileLink(
            claim.receipt.name or "", reverse("incentives:travel_claim_receipt", args=[claim.pk])
        )
    form = TravelClaimForm(
        request.POST or None,
        request.FILES or None,
        initial=initial,
        deployments=deployments_claimable_by_user(user=user),
    )

    def save(data: dict[str, Any]) -> None:
        receipt = data["receipt"]  # a new file, False to clear it, else the current one
        travel_claim_update(
            actor=user,
            claim=claim,
            deployment=data["deployment"],
            date=data["date"],
            amount=data["amount"],
            receipt=receipt if isinstance(receipt, UploadedFile) else None,
            remove_receipt=receipt is False,
            note=data["note"],
        )

    return form_submit(
        request,
        form,
        save,
        done=lambda _: ("已修改交通费记录", _ledger_url(LedgerKind.TRAVEL)),
        title=f"修改交通费记录：{claim}",
        intro=CORRECTION_NOTE,
        back_url=_ledger_url(LedgerKind.TRAVEL),
        multipart=True,
        subnav=SUBNAV,
    )


@login_required
@require_http_methods(["GET", "POST"])
def insurance_update_view(request: HttpRequest, pk: int) -> HttpResponse:
    user = request_user(request)
    policy = ledger_row_get_for_writer(user=user, kind=LedgerKind.INSURANCE, pk=pk)
    form = InsuranceForm(
        request.POST or None,
        initial=model_to_dict(policy, fields=list(InsuranceForm.base_fields)),
        experts=experts_payable_by_user(user=user),
    )
    return form_submit(
        request,
        form,
        lambda data: insurance_policy_update(actor=user, policy=policy, **data),
        done=lambda _: ("已修改意外伤害保险", _ledger_url(LedgerKind.INSURANCE)),
        title=f"修改意外伤害保险：{policy}",
        intro="保额不低于100万元（§六；A2-四(三)3）。" + CORRECTION_NOTE,
        back_url=_ledger_url(LedgerKind.INSURANCE),
        subnav=SUBNAV,
    )


@login_required
@require_http_methods(["GET", "POST"])
def health_check_update_view(request: HttpRequest, pk: int) -> HttpResponse:
    user = request_user(request)
    check = ledger_row_get_for_writer(user=user, kind=LedgerKind.HEALTH, pk=pk)
    form = HealthCheckForm(
        request.POST or None,
        initial=model_to_dict(check, fields=list(HealthCheckForm.base_fields)),
        experts=experts_payable_by_user(user=user),
    )
    return form_submit(
        request,
        form,
        lambda data: health_check_update(actor=user, check=check, **data),
        done=lambda _: ("已修改健康体检", _ledger_url(LedgerKind.HEALTH)),
        title=f"修改健康体检：{check}",
        intro=CORRECTION_NOTE,
        back_url=_ledger_url(LedgerKind.HEALTH),
        subnav=SUBNAV,
    )


@login_required
@require_http_methods(["GET", "POST"])
def tourism_card_update_view(request: HttpRequest, pk: int) -> HttpResponse:
    user = request_user(request)
    card = ledger_row_get_for_writer(user=user, kind=LedgerKind.TOURISM, pk=pk)
    form = TourismCardForm(
        request.POST or None,
        initial=model_to_dict(card, fields=list(TourismCardForm.base_fields)),
        experts=experts_payable_by_user(user=user),
    )
    return form_submit(
        request,
        form,
        lambda data: tourism_card_update(actor=user, card=card, **data),
        done=lambda _: ("已修改旅游优惠证", _ledger_url(LedgerKind.TOURISM)),
        title=f"修改旅游优惠证：{card}",
        intro=CORRECTION_NOTE,
        back_url=_ledger_url(LedgerKind.TOURISM),
        subnav=SUBNAV,
    )


@login_required
@require_http_methods(["GET", "POST"])
def work_fund_update_view(request: HttpRequest, pk: int) -> HttpResponse:
    user = request_user(request)
    fund = ledger_row_get_for_writer(user=user, kind=LedgerKind.WORK_FUND, pk=pk)
    form = WorkFundForm(
        request.POST or None,
        initial=model_to_dict(fund, fields=list(WorkFundForm.base_fields)),
        recipients=recipients_fundable_by_user(user=user),
        correcting=True,
    )
    return form_submit(
        request,
        form,
        lambda data: work_fund_set(
            actor=user,
            recipient=fund.recipient,
            year=fund.year,
            amount=data["amount"],
            note=data["note"],
        ),
        done=lambda _: ("已修改工作经费", _ledger_url(LedgerKind.WORK_FUND)),
        title=f"修改工作经费：{fund}",
        intro="每年不超过20万元（§六；A2-四(三)5）。" + CORRECTION_NOTE,
        back_url=_ledger_url(LedgerKind.WORK_FUND),
        subnav=SUBNAV,
    )


def _ledger_row_delete(kind: str, actor: User, row: Any) -> None:
    if kind == LedgerKind.TRAVEL:
        travel_claim_delete(actor=actor, claim=row)
    elif kind == LedgerKind.INSURANCE:
        insurance_policy_delete(actor=actor, policy=row)
    elif kind == LedgerKind.HEALTH:
        health_check_delete(actor=actor, check=row)
    elif kind == LedgerKind.TOURISM:
        tourism_card_delete(actor=actor, card=row)
    else:
        work_fund_delete(actor=actor, fund=row)


@login_required
@require_http_methods(["GET", "POST"])
def ledger_row_delete_view(request: HttpRequest, kind: str, pk: int) -> HttpResponse:
    """GET asks for confirmation and changes nothing; POST deletes."""
    user = request_user(request)
    row = ledger_row_get_for_writer(user=user, kind=kind, pk=pk)
    label = dict(LedgerKind.CHOICES)[kind]
    if request.method == "POST":
        _ledger_row_delete(kind, user, row)
        messages.success(request, f"已删除{label}记录：{row}")
        return redirect(_ledger_url(kind))
    headers, cells = _ledger_table(kind, [row])
    return render(
        request,
        "incentives/ledger_confirm_delete.html",
        {
            "label": label,
            "row": row,
            "summary": list(zip(headers, cells[0], strict=True)),
            "back_url": _ledger_url(kind),
        },
    )
