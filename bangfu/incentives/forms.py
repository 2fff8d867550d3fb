"""Forms of the statement, budget and ledger pages; choices come from scoped selectors."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms
from django.db.models import QuerySet

from bangfu.core.forms import ChoiceLabelField, DateInput, ServiceForm, StyledForm
from bangfu.core.schema_types import SEARCH_MAX_LENGTH
from bangfu.core.uploads import RECEIPT_KINDS, CheckedFileField
from bangfu.incentives.budget_selectors import DEFAULT_ROUND_TRIP_COST, BudgetLevel
from bangfu.incentives.ledger_selectors import LedgerKind
from bangfu.people.models import Deployment, Expert
from bangfu.registry.models import Institution


class StatementPeriodForm(ServiceForm):
    start = forms.DateField(label="开始日期", required=False, widget=DateInput())
    end = forms.DateField(label="结束日期", required=False, widget=DateInput())


class BudgetForm(StyledForm):
    year = forms.IntegerField(label="年度", min_value=2000, max_value=2100)
    level = forms.ChoiceField(label="汇总层级", choices=BudgetLevel.CHOICES, required=False)
    round_trip_cost = forms.DecimalField(
        label="预计每次往返交通费（元）",
        min_value=0,
        max_digits=10,
        decimal_places=2,
        required=False,
        help_text=f"用于预测交通费，默认 {DEFAULT_ROUND_TRIP_COST} 元；实际按票据据实报销（§六）",
    )

    q = forms.CharField(
        label="受扶医院",
        required=False,
        max_length=SEARCH_MAX_LENGTH,
        widget=forms.TextInput(attrs={"placeholder": "医院名称"}),
    )

    def values(self, default_year: int) -> tuple[int, str, Decimal, str]:
        if not self.is_valid():
            return default_year, BudgetLevel.HOSPITAL, DEFAULT_ROUND_TRIP_COST, ""
        data = self.cleaned_data
        cost = data["round_trip_cost"]
        return (
            data["year"],
            data["level"] or BudgetLevel.HOSPITAL,
            DEFAULT_ROUND_TRIP_COST if cost is None else cost,
            data["q"].strip(),
        )


class LedgerFilterForm(StyledForm):
    kind = forms.ChoiceField(label="台账", choices=LedgerKind.CHOICES, required=False)
    q = forms.CharField(
        label="搜索",
        required=False,
        widget=forms.TextInput(attrs={"placeholder": "专家或医院名称"}),
    )


class TravelClaimForm(ServiceForm):
    deployment = ChoiceLabelField(label="专家及派驻", queryset=Deployment.objects.none())
    date = forms.DateField(label="乘车日期", widget=DateInput())
    amount = forms.DecimalField(label="金额（元）", min_value=0, max_digits=10, decimal_places=2)
    receipt = CheckedFileField(
        label="票据（PDF/JPG/PNG）", required=False, kinds=RECEIPT_KINDS, upload_label="票据"
    )
    note = forms.CharField(label="备注", max_length=200, required=False)

    def __init__(self, *args: Any, deployments: QuerySet[Deployment], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["deployment"].queryset = deployments  # type: ignore[attr-defined]


class _ExpertLedgerForm(ServiceForm):
    expert = ChoiceLabelField(label="专家", queryset=Expert.objects.none())

    def __init__(self, *args: Any, experts: QuerySet[Expert], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["expert"].queryset = experts  # type: ignore[attr-defined]


class InsuranceForm(_ExpertLedgerForm):
    insurer = forms.CharField(label="保险公司", max_length=100)
    policy_number = forms.CharField(label="保单号", max_length=60)
    coverage = forms.DecimalField(
        label="保额（元）", min_value=0, max_digits=14, decimal_places=2, initial=1000000
    )
    start = forms.DateField(label="保险起期", widget=DateInput())
    end = forms.DateField(label="保险止期", widget=DateInput())


class HealthCheckForm(_ExpertLedgerForm):
    checked_on = forms.DateField(label="体检日期", widget=DateInput())
    provider = forms.CharField(label="体检机构", max_length=100, required=False)


class TourismCardForm(_ExpertLedgerForm):
    card_number = forms.CharField(label="证号", max_length=50)
    issued_on = forms.DateField(label="办理日期", widget=DateInput())
    expires_on = forms.DateField(label="有效期至", required=False, widget=DateInput())
    electronic = forms.BooleanField(label="电子旅游优惠证", required=False)


class WorkFundForm(ServiceForm):
    recipient = forms.ModelChoiceField(label="受扶医院", queryset=Institution.objects.none())
    year = forms.IntegerField(label="年度", min_value=2000, max_value=2100)
    amount = forms.DecimalField(
        label="安排金额（元）", min_value=0, max_digits=12, decimal_places=2, initial=200000
    )
    note = forms.CharField(label="用途说明", max_length=300, required=False)

    def __init__(
        self,
        *args: Any,
        recipients: QuerySet[Institution],
        correcting: bool = False,
        **kwargs: Any,
    ) -> None:
        """`correcting`: the hospital and year of a recorded fund are shown but not changed (a
        fund of another year is recorded, not moved)."""
        super().__init__(*args, **kwargs)
        self.fields["recipient"].queryset = recipients  # type: ignore[attr-defined]
        self.fields["recipient"].disabled = correcting
        self.fields["year"].disabled = correcting
