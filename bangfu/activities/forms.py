"""Forms of the activity pages: list filters, the record form (one column, usable on a phone),
evidence and Excel upload. Forms parse; the services decide."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django import forms
from django.db.models import QuerySet

from bangfu.accounts.models import User
from bangfu.activities.models import (
    DEPARTMENT_MAX_LENGTH,
    EXTERNAL_ID_MAX_LENGTH,
    NOTE_MAX_LENGTH,
    TITLE_MAX_LENGTH,
)
from bangfu.activities.selectors import ActivityFilters, today_local
from bangfu.activities.services import ActivityInput
from bangfu.core.forms import DateInput, StyledForm
from bangfu.partnerships.models import Partnership
from bangfu.policy.domain.activities import ActivityCatalogue
from bangfu.registry.models import County
from bangfu.registry.scope import scope_for_user

if TYPE_CHECKING:
    PartnershipChoiceField = forms.ModelChoiceField[Partnership]
else:
    PartnershipChoiceField = forms.ModelChoiceField

QUANTITY_MAX = 100_000


class PartnershipChoice(PartnershipChoiceField):
    def label_from_instance(self, obj: Partnership) -> str:
        return f"{obj.pk}：{obj.helper.name} → {obj.recipient.name}"


class ActivityFilterForm(StyledForm):
    county = forms.ChoiceField(label="县", required=False)
    partnership = forms.IntegerField(label="帮扶关系编号", required=False, min_value=1)
    kind = forms.ChoiceField(label="活动类型", required=False)
    month = forms.RegexField(
        label="月份",
        regex=r"^\d{4}-\d{2}$",
        required=False,
        widget=forms.TextInput(attrs={"type": "month", "placeholder": "YYYY-MM"}),
        error_messages={"invalid": "月份格式应为 YYYY-MM"},
    )
    confirmed = forms.ChoiceField(
        label="确认状态",
        required=False,
        choices=[("", "全部"), ("yes", "已确认"), ("no", "待确认")],
    )

    def __init__(
        self, *args: object, user: User, catalogue: ActivityCatalogue, **kwargs: object
    ) -> None:
        super().__init__(*args, **kwargs)
        counties = scope_for_user(user).counties(County.objects.all()).order_by("code")
        self.fields["county"].choices = [("", "全部县")] + [  # type: ignore[attr-defined]
            (c.code, c.name) for c in counties.only("code", "name")
        ]
        self.fields["kind"].choices = [("", "全部类型")] + [  # type: ignore[attr-defined]
            (k.code, k.name) for k in catalogue.kinds
        ]

    def filters(self) -> ActivityFilters:
        if not self.is_valid():
            return ActivityFilters()
        data = self.cleaned_data
        confirmed = {"yes": True, "no": False}.get(data.get("confirmed") or "")
        return ActivityFilters(
            county=data.get("county") or "",
            partnership=data.get("partnership"),
            kind=data.get("kind") or "",
            month=data.get("month") or "",
            confirmed=confirmed,
        )


class ActivityForm(StyledForm):
    """One activity; fields in one column (the template stacks them on a phone)."""

    partnership = PartnershipChoice(label="帮扶关系", queryset=Partnership.objects.none())
    date = forms.DateField(label="活动日期", widget=DateInput())
    kind = forms.ChoiceField(label="活动类型")
    main_quantity = forms.IntegerField(
        label="数量",
        min_value=1,
        max_value=QUANTITY_MAX,
        help_text="该活动类型的主数量，如查房次数",
    )
    people = forms.IntegerField(
        label="受益人次",
        min_value=0,
        max_value=QUANTITY_MAX,
        required=False,
        help_text="有受益人次的活动类型填写",
    )
    department = forms.CharField(
        label="科室/专科", max_length=DEPARTMENT_MAX_LENGTH, required=False
    )
    title = forms.CharField(label="标题", max_length=TITLE_MAX_LENGTH, required=False)
    note = forms.CharField(
        label="备注",
        max_length=NOTE_MAX_LENGTH,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    attribute_centre = forms.CharField(label="中心（中心建设）", max_length=100, required=False)
    attribute_stage = forms.CharField(label="阶段（中心建设）", max_length=100, required=False)
    attribute_specialty = forms.CharField(label="专科（专科建设）", max_length=100, required=False)
    attribute_level = forms.CharField(
        label="达到的水平（专科建设）", max_length=100, required=False
    )
    attribute_technique = forms.CharField(
        label="技术/项目名称（新技术新项目）", max_length=100, required=False
    )
    attribute_first_case_date = forms.CharField(
        label="首例日期（新技术新项目）", max_length=100, required=False
    )
    attribute_milestone = forms.CharField(
        label="里程碑（工作室/工作站/学科共建）", max_length=100, required=False
    )
    external_id = forms.CharField(
        label="外部编号", max_length=EXTERNAL_ID_MAX_LENGTH, required=False
    )
    evidence = forms.FileField(
        label="佐证材料（照片或 PDF，可选）",
        required=False,
        widget=forms.ClearableFileInput(attrs={"accept": "image/jpeg,image/png,application/pdf"}),
    )

    def __init__(
        self,
        *args: object,
        partnerships: QuerySet[Partnership],
        catalogue: ActivityCatalogue,
        **kwargs: object,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.catalogue = catalogue
        self.fields["partnership"].queryset = partnerships  # type: ignore[attr-defined]
        self.fields["kind"].choices = [("", "请选择")] + [  # type: ignore[attr-defined]
            (k.code, k.name) for k in catalogue.kinds
        ]
        self.fields["date"].initial = today_local()
        for key, attribute_choices in self._attribute_choices().items():
            field = self.fields[f"attribute_{key}"]
            field.widget.attrs["list"] = f"choices-{key}"
            field.help_text = "可选：" + "、".join(attribute_choices)

    def _attribute_choices(self) -> dict[str, list[str]]:
        choices: dict[str, list[str]] = {}
        for kind in self.catalogue.kinds:
            for attribute in kind.attributes:
                known = choices.setdefault(attribute.key, [])
                known.extend(c for c in attribute.choices if c not in known)
        return {k: v for k, v in choices.items() if v}

    def activity_input(self) -> ActivityInput:
        data = self.cleaned_data
        kind = self.catalogue.kind(data["kind"])
        quantities: dict[str, object] = {}
        if kind is not None:
            quantities[kind.main_quantity.name] = data["main_quantity"]
            people = kind.people_quantity
            if people is not None and not people.main and data.get("people") is not None:
                quantities[people.name] = data["people"]
        attributes = {
            name.removeprefix("attribute_"): value
            for name, value in data.items()
            if name.startswith("attribute_") and value
        }
        return ActivityInput(
            date=data["date"],
            kind=data["kind"],
            quantities=quantities,
            attributes=attributes,
            department=data.get("department") or "",
            title=data.get("title") or "",
            note=data.get("note") or "",
            external_id=data.get("external_id") or "",
        )


class EvidenceForm(StyledForm):
    file = forms.FileField(
        label="佐证材料（照片或 PDF）",
        widget=forms.ClearableFileInput(attrs={"accept": "image/jpeg,image/png,application/pdf"}),
    )


class ImportForm(StyledForm):
    file = forms.FileField(
        label="活动 Excel 文件（.xlsx）",
        widget=forms.ClearableFileInput(
            attrs={
                "accept": ".xlsx,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
            }
        ),
    )


class YearForm(StyledForm):
    year = forms.IntegerField(label="年度", min_value=2000, max_value=2100, required=False)
