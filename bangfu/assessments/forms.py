from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django import forms

from bangfu.assessments.domain.review import RATING_LABELS
from bangfu.assessments.models import COMMENT_MAX_LENGTH, NARRATIVE_MAX_LENGTH
from bangfu.assessments.selectors import MeasureRow
from bangfu.core.forms import StyledForm
from bangfu.core.schema_types import YEAR_MAX, YEAR_MIN
from bangfu.core.uploads import SCAN_KINDS, CheckedFileField

RATING_CHOICES = [("", "— 请选择 —"), *((r.value, label) for r, label in RATING_LABELS.items())]


class RecipientForm(StyledForm):
    """The hospital's part: a rating per chosen measure and the narrative (成效、问题、下一步)."""

    results_text = forms.CharField(
        label="工作成效",
        required=False,
        max_length=NARRATIVE_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    problems_text = forms.CharField(
        label="存在问题",
        required=False,
        max_length=NARRATIVE_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    next_steps_text = forms.CharField(
        label="下一步打算",
        required=False,
        max_length=NARRATIVE_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args: Any, measures: Sequence[MeasureRow], **kwargs: Any) -> None:
        self.measure_codes = [m.code for m in measures]
        super().__init__(*args, **kwargs)
        for measure in measures:
            self.fields[f"rating_{measure.code}"] = forms.ChoiceField(
                label=f"{measure.code} {measure.title} 自评", choices=RATING_CHOICES, required=False
            )
            self.fields[f"rating_{measure.code}"].widget.attrs["class"] = (
                "form-select form-select-sm"
            )

    def ratings(self) -> dict[str, str]:
        return {
            code: self.cleaned_data[f"rating_{code}"]
            for code in self.measure_codes
            if self.cleaned_data.get(f"rating_{code}")
        }

    def narrative_fields(self) -> list[forms.BoundField]:
        return [self["results_text"], self["problems_text"], self["next_steps_text"]]


class HelperForm(StyledForm):
    helper_comments = forms.CharField(
        label="帮扶医院意见",
        required=False,
        max_length=NARRATIVE_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 4}),
    )


class ActionForm(StyledForm):
    comment = forms.CharField(
        label="意见 / 原因",
        required=False,
        max_length=COMMENT_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class AttachmentForm(StyledForm):
    file = CheckedFileField(label="附件（PDF、JPG 或 PNG）", kinds=SCAN_KINDS, upload_label="附件")


class YearForm(StyledForm):
    year = forms.IntegerField(label="年度", min_value=YEAR_MIN, max_value=YEAR_MAX)


class OpenYearForm(StyledForm):
    year = forms.IntegerField(label="年度", min_value=YEAR_MIN, max_value=YEAR_MAX)
    due_on = forms.DateField(
        label="报送截止日期", required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
