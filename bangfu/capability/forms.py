"""The hospital-year form: one field per indicator that applies to the hospital, built from the
catalogue (phone-friendly: one labelled field per line), plus an evidence note per indicator."""

from __future__ import annotations

from django import forms

from bangfu.capability.domain.catalogue import EntryType, Indicator
from bangfu.capability.domain.standard import IndicatorValue as Value
from bangfu.capability.domain.standard import value_display
from bangfu.capability.models import EVIDENCE_MAX_LENGTH
from bangfu.capability.spreadsheets import how_to_fill

EVIDENCE_PREFIX = "evidence_"


def _field(indicator: Indicator) -> forms.Field:
    label = f"{indicator.code} {indicator.name}（{indicator.unit}）"
    help_text = how_to_fill(indicator) + (
        f"；目标 {indicator.target.describe()}" if indicator.target else "；仅记录"
    )
    if indicator.entry is EntryType.BOOLEAN:
        return forms.ChoiceField(
            label=label,
            required=False,
            choices=[("", "—"), ("是", "是"), ("否", "否")],
            help_text=help_text,
        )
    if indicator.entry is EntryType.CHOICE:
        return forms.ChoiceField(
            label=label,
            required=False,
            choices=[("", "—"), *((c, c) for c in indicator.choices)],
            help_text=help_text,
        )
    widget = (
        forms.TextInput(attrs={"inputmode": "decimal"})
        if indicator.entry is EntryType.NUMBER
        else None
    )
    return forms.CharField(
        label=label, required=False, max_length=500, widget=widget, help_text=help_text
    )


class HospitalYearForm(forms.Form):
    def __init__(
        self,
        *args: object,
        indicators: tuple[Indicator, ...],
        values: dict[str, Value],
        evidence: dict[str, str],
        **kwargs: object,
    ) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.indicators = indicators
        for indicator in indicators:
            self.fields[indicator.code] = _field(indicator)
            self.fields[indicator.code].initial = value_display(values.get(indicator.code))
            self.fields[EVIDENCE_PREFIX + indicator.code] = forms.CharField(
                label="佐证说明", required=False, max_length=EVIDENCE_MAX_LENGTH
            )
            self.fields[EVIDENCE_PREFIX + indicator.code].initial = evidence.get(indicator.code, "")

    def rows(self) -> list[tuple[Indicator, forms.BoundField, forms.BoundField]]:
        return [(i, self[i.code], self[EVIDENCE_PREFIX + i.code]) for i in self.indicators]

    def entered(self) -> tuple[dict[str, object], dict[str, str]]:
        values = {i.code: self.cleaned_data.get(i.code) or None for i in self.indicators}
        evidence = {
            i.code: self.cleaned_data.get(EVIDENCE_PREFIX + i.code, "") for i in self.indicators
        }
        return values, evidence


class ImportForm(forms.Form):
    file = forms.FileField(label="Excel 文件（.xlsx）")

    def clean_file(self) -> object:
        upload = self.cleaned_data["file"]
        if upload.size > 5 * 1024 * 1024:
            raise forms.ValidationError("文件不能超过 5 MB")
        return upload


class YearForm(forms.Form):
    year = forms.TypedChoiceField(label="年度", coerce=int)

    def __init__(self, *args: object, years: list[int], **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        field = self.fields["year"]
        assert isinstance(field, forms.TypedChoiceField)
        field.choices = [(y, f"{y} 年") for y in reversed(years)]
        field.widget.attrs["class"] = "form-select"
