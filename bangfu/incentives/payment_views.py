"""Pages: approving a statement, a frozen payment, and its export for finance (§六; A2-四(三))."""

from __future__ import annotations

from collections.abc import Sequence
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from bangfu.accounts.request import request_user
from bangfu.core.excel import xlsx_response
from bangfu.incentives.forms import StatementPeriodForm
from bangfu.incentives.payment_selectors import (
    payment_get_for_user,
    payment_reveals_pay,
    payment_view,
)
from bangfu.incentives.payment_services import statement_approve
from bangfu.incentives.statement_selectors import statement_period
from bangfu.people.selectors import expert_get_for_user
from bangfu.people.services import expert_sensitive_view

EXPORT_HEADERS = (
    "项目",
    "派驻",
    "天数",
    "金额（元）",
    "依据条款",
    "计算说明",
    "所调整的支付记录",
)


def _errors_text(exc: ValidationError) -> str:
    return "；".join(message for messages_ in exc.message_dict.values() for message in messages_)


def period_text(form: StatementPeriodForm, name: str) -> str:
    value = form.cleaned_data.get(name)
    return value.isoformat() if value else ""


@login_required
@require_POST
def statement_approve_view(request: HttpRequest, expert_pk: int) -> HttpResponse:
    """The statement page's 核定 button: freeze the period shown as a payment."""
    user = request_user(request)
    expert = expert_get_for_user(user=user, pk=expert_pk)
    form = StatementPeriodForm(request.POST)
    back = reverse("incentives:statement", args=[expert.pk])
    if not form.is_valid():
        messages.error(request, "结算期间无效，未核定")
        return redirect(back)
    try:
        period = statement_period(form.cleaned_data["start"], form.cleaned_data["end"])
        payment = statement_approve(actor=user, expert=expert, period=period)
    except ValidationError as exc:
        messages.error(request, f"未核定：{_errors_text(exc)}")
        query = urlencode({"start": period_text(form, "start"), "end": period_text(form, "end")})
        return redirect(f"{back}?{query}")
    messages.success(request, "已核定，生成支付记录；此后明细和合计不再改变")
    return redirect("incentives:payment_detail", pk=payment.pk)


@login_required
def payment_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user = request_user(request)
    view = payment_view(user, payment_get_for_user(user=user, pk=pk))
    return render(request, "incentives/payment_detail.html", {"view": view})


@login_required
def payment_export(request: HttpRequest, pk: int) -> HttpResponse:
    """One payment for finance, as frozen. The ID number is masked as in every export; amounts
    that give pay away are shown only to the entitled (the paying hospital, the province, the
    expert), and such an export is recorded like a view of the pay (ADR 0004)."""
    user = request_user(request)
    payment = payment_get_for_user(user=user, pk=pk)
    view = payment_view(user, payment)
    if view.amounts_visible and payment_reveals_pay(payment):
        expert_sensitive_view(
            actor=user,
            expert=expert_get_for_user(user=user, pk=payment.expert_id),
            channel="支付记录导出",
            shown="薪酬补足（可推算薪酬）",
        )
    rows: list[Sequence[object]] = [
        (
            line.item_label,
            line.deployment_label,
            line.days if line.days is not None else "",
            line.amount if line.amount is not None else line.amount_text,
            line.clause,
            line.reason,
            f"#{line.adjusts}" if line.adjusts else "",
        )
        for line in view.lines
    ]
    rows.append(("合计", "", "", view.total if view.total is not None else view.total_text))
    rows.append(())
    rows.append(("支付记录", f"#{payment.pk}"))
    rows.append(("专家", payment.expert.name))
    rows.append(("身份证号", payment.expert.id_number_display))
    rows.append(("受扶医院", payment.recipient.name))
    rows.append(("结算期间", f"{payment.period_start:%Y-%m-%d}至{payment.period_end:%Y-%m-%d}"))
    rows.append(("政策版本", payment.policy_version))
    rows.append(("依据", payment.basis))
    rows.append(("核定人", payment.approved_by.get_full_name() or payment.approved_by.username))
    rows.append(("核定时间", f"{timezone.localtime(payment.approved_at):%Y-%m-%d %H:%M}"))
    filename = (
        f"待遇支付记录_{payment.pk}_{payment.expert.name}_"
        f"{payment.period_start:%Y%m%d}-{payment.period_end:%Y%m%d}.xlsx"
    )
    return xlsx_response(filename, "支付记录", EXPORT_HEADERS, rows)
