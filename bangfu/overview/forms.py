from __future__ import annotations

from typing import Any

from django import forms

from bangfu.core.forms import StyledForm
from bangfu.overview.domain.report_period import ReportPeriodError, report_period
from bangfu.overview.models import ReportFormat
from bangfu.registry.models import Prefecture


class ReportForm(StyledForm):
    period = forms.CharField(
        label="报告期", max_length=10, help_text="年 2026、季度 2026-Q3 或月份 2026-09"
    )
    prefecture = forms.ChoiceField(label="范围", required=False)
    format = forms.ChoiceField(label="格式", choices=ReportFormat.choices)

    def __init__(self, *args: Any, prefectures: list[Prefecture], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choices = [(p.code, p.name) for p in prefectures]
        if len(prefectures) > 1:
            choices = [("", "全部（权限范围内）"), *choices]
        self.fields["prefecture"].choices = choices  # type: ignore[attr-defined]

    def clean_period(self) -> str:
        value = str(self.cleaned_data["period"])
        try:
            return report_period(value).code
        except ReportPeriodError as exc:
            raise forms.ValidationError(str(exc)) from exc
