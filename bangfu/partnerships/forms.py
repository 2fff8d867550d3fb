"""Forms of the partnership pages: list filters, the partnership form, cycle actions, county plans.

Forms parse and present; the rules live in `domain/` and `services.py`. The field names of
`PartnershipForm` are the service's error keys (`helper`, `start`, `measures`,
`measures.M01.team_size`, `guarantee_terms.top_up_multiplier` …), so every message of a
`ValidationError` is shown next to the field it names (`bangfu.core.forms.add_service_errors`).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django import forms
from django.db.models import QuerySet

from bangfu.accounts.models import User
from bangfu.core.forms import DateInput, StyledForm
from bangfu.core.uploads import SCAN_KINDS, CheckedFileField
from bangfu.partnerships.domain.lifecycle import AgreementStatus, cycle_default_end
from bangfu.partnerships.selectors import (
    PartnershipFilters,
    agreement_list_for_user,
    agreement_rows,
)
from bangfu.partnerships.services import FILING_LEVELS, AgreementInput
from bangfu.policy.domain.dates import programme_date_in_range
from bangfu.policy.domain.policy import (
    GuaranteeTerm,
    Measure,
    MeasureKind,
    Policy,
    TargetKind,
    TermKind,
)
from bangfu.registry.models import County, Institution, InstitutionCategory, Specialty
from bangfu.registry.selectors import (
    InstitutionFilters,
    county_list_for_user,
    institution_list_for_user,
    prefecture_list_for_user,
)

# A1-(2): the five emergency centres (五大中心) a county plan may commit to build.
FIVE_CENTRES: tuple[str, ...] = (
    "胸痛中心",
    "卒中中心",
    "创伤中心",
    "危重孕产妇救治中心",
    "危重儿童和新生儿救治中心",
)
FILING_LEVEL_LABELS: dict[str, str] = {
    "province": "省卫生健康委",
    "prefecture": "市州卫生健康局",
    "county": "县卫生健康局",
}
assert set(FILING_LEVEL_LABELS) == set(FILING_LEVELS)

# django-stubs makes the model choice fields generic; at run time they are plain classes.
if TYPE_CHECKING:
    InstitutionChoiceField = forms.ModelChoiceField[Institution]
    InstitutionsChoiceField = forms.ModelMultipleChoiceField[Institution]
    CountyModelChoiceField = forms.ModelChoiceField[County]
    SpecialtiesChoiceField = forms.ModelMultipleChoiceField[Specialty]
else:
    InstitutionChoiceField = forms.ModelChoiceField
    InstitutionsChoiceField = forms.ModelMultipleChoiceField
    CountyModelChoiceField = forms.ModelChoiceField
    SpecialtiesChoiceField = forms.ModelMultipleChoiceField


def _check_boxes(form: forms.Form) -> None:
    """Bootstrap classes for checkbox groups (StyledForm styles them as text inputs)."""
    for field in form.fields.values():
        if isinstance(field.widget, forms.CheckboxSelectMultiple):
            field.widget.attrs["class"] = "form-check-input"


# ---- list filters ----


class PartnershipFilterForm(StyledForm):
    q = forms.CharField(
        label="搜索",
        required=False,
        widget=forms.TextInput(attrs={"placeholder": "帮扶医院或受扶医院名称"}),
    )
    prefecture = forms.ChoiceField(label="市州", required=False)
    county = forms.ChoiceField(label="县", required=False)
    helper_province = forms.ChoiceField(label="帮扶医院省份", required=False)
    mode = forms.ChoiceField(label="帮扶方式", required=False)
    status = forms.ChoiceField(
        label="状态",
        required=False,
        choices=[("", "全部状态"), *((s.value, s.label) for s in AgreementStatus)],
    )
    expiring_within_days = forms.IntegerField(
        label="N天内到期",
        required=False,
        min_value=0,
        max_value=3650,
        widget=forms.NumberInput(attrs={"placeholder": "N天内到期"}),
    )

    def __init__(self, data: Mapping[str, Any] | None, *, user: User, policy: Policy) -> None:
        super().__init__(data)
        self.fields["prefecture"].choices = [  # type: ignore[attr-defined]
            ("", "全部市州"),
            *((p.code, p.name) for p in prefecture_list_for_user(user=user).only("code", "name")),
        ]
        self.fields["county"].choices = [  # type: ignore[attr-defined]
            ("", "全部县"),
            *((c.code, c.name) for c in county_list_for_user(user=user)),
        ]
        helpers = institution_list_for_user(
            user=user, filters=InstitutionFilters(category=InstitutionCategory.HELPER)
        )
        provinces = sorted(set(helpers.order_by().values_list("province", flat=True)) - {""})
        self.fields["helper_province"].choices = [  # type: ignore[attr-defined]
            ("", "全部省份"),
            *((p, p) for p in provinces),
        ]
        self.fields["mode"].choices = [  # type: ignore[attr-defined]
            ("", "全部方式"),
            *((m.code, m.name) for m in policy.modes),
        ]

    def filters(self) -> PartnershipFilters:
        """The filters of the valid fields; an invalid field filters nothing (and shows why)."""
        self.is_valid()
        data = self.cleaned_data
        return PartnershipFilters(
            prefecture=data.get("prefecture") or "",
            county=data.get("county") or "",
            helper_province=data.get("helper_province") or "",
            mode=data.get("mode") or "",
            status=data.get("status") or "",
            expiring_within_days=data.get("expiring_within_days"),
            q=(data.get("q") or "").strip(),
        )


class CoverageDateForm(StyledForm):
    on = forms.DateField(label="查看日期", required=False, widget=DateInput())

    def day(self, today: date) -> date:
        if self.is_valid() and self.cleaned_data["on"] is not None:
            day: date = self.cleaned_data["on"]
            return day
        return today


# ---- the partnership with its first agreement ----


class HelperChoiceField(InstitutionChoiceField):
    def label_from_instance(self, obj: Institution) -> str:
        return f"{obj.name}（{obj.province} {obj.grade or '等级未填'}）"


class RecipientChoiceField(InstitutionChoiceField):
    def label_from_instance(self, obj: Institution) -> str:
        return f"{obj.county.name if obj.county else ''} · {obj.name}"


class InstitutionMultipleField(InstitutionsChoiceField):
    def label_from_instance(self, obj: Institution) -> str:
        return obj.name


@dataclass(frozen=True)
class MeasureBlock:
    """One of the 21 measures on the form: its checkbox state and its target fields."""

    measure: Measure
    checked: bool
    targets: list[forms.BoundField]


@dataclass(frozen=True)
class MeasureGroup:
    label: str
    measures: list[MeasureBlock]


@dataclass(frozen=True)
class TermBlock:
    term: GuaranteeTerm
    field: forms.BoundField
    default: str


def measure_field_name(code: str, key: str) -> str:
    return f"measures.{code}.{key}"


def term_field_name(key: str) -> str:
    return f"guarantee_terms.{key}"


def term_default_text(term: GuaranteeTerm) -> str:
    if isinstance(term.value, bool):
        return "是" if term.value else "否"
    return f"{term.value:f}{term.unit}"


class PartnershipForm(StyledForm):
    """A partnership (§三(一)–(三)) and its first three-party agreement (A2) in one form."""

    helper = HelperChoiceField(
        label="帮扶医院（甲方）",
        queryset=Institution.objects.none(),
        error_messages={
            "required": "请选择帮扶医院（甲方）",
            "invalid_choice": "该帮扶医院不在可选范围内",
        },
    )
    recipient = RecipientChoiceField(
        label="受扶医院（乙方）",
        queryset=Institution.objects.none(),
        error_messages={
            "required": "请选择受扶医院（乙方）",
            "invalid_choice": "该受扶医院不在您的管辖范围内",
        },
    )
    modes = forms.MultipleChoiceField(
        label="帮扶方式（§二，可多选）", required=False, widget=forms.CheckboxSelectMultiple
    )
    leading_institutions = InstitutionMultipleField(
        label="参与的市州龙头医院（§三(三)）",
        required=False,
        queryset=Institution.objects.none(),
        widget=forms.CheckboxSelectMultiple,
    )
    helper_liaison = forms.CharField(label="甲方联络员（A1-(15)）", max_length=100, required=False)
    recipient_liaison = forms.CharField(
        label="乙方联络员（A1-(15)）", max_length=100, required=False
    )
    party_c = forms.CharField(
        label="丙方",
        max_length=100,
        required=False,
        help_text="留空则为受扶医院所在县（市、特区）人民政府",
    )
    start = forms.DateField(label="协议开始日期", required=False, widget=DateInput())
    end = forms.DateField(label="协议结束日期", required=False, widget=DateInput())
    signed_on = forms.DateField(
        label="签订日期",
        required=False,
        widget=DateInput(),
        help_text="三方签字盖章后填写；未签订的协议为草稿，不生效（附件2 五(一)）",
    )
    measures = forms.MultipleChoiceField(
        label="帮扶措施（附件1）", required=False, widget=forms.CheckboxSelectMultiple
    )
    other_matters = forms.CharField(
        label="其他约定事宜（附件2 五(四)）",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    helper_exception = forms.BooleanField(
        label="帮扶医院不是省外三甲医院，按例外情况登记", required=False
    )
    helper_exception_reason = forms.CharField(label="例外原因", max_length=500, required=False)

    def __init__(
        self,
        data: Mapping[str, Any] | None = None,
        *,
        user: User,
        policy: Policy,
        today: date,
    ) -> None:
        super().__init__(data, initial={"start": today})
        self.policy = policy
        self.fields["helper"].queryset = institution_list_for_user(  # type: ignore[attr-defined]
            user=user, filters=InstitutionFilters(category=InstitutionCategory.HELPER)
        ).order_by("province", "name")
        self.fields["recipient"].queryset = institution_list_for_user(  # type: ignore[attr-defined]
            user=user, filters=InstitutionFilters(category=InstitutionCategory.RECIPIENT)
        )
        self.fields["leading_institutions"].queryset = institution_list_for_user(  # type: ignore[attr-defined]
            user=user, filters=InstitutionFilters(category=InstitutionCategory.LEADING)
        )
        self.fields["modes"].choices = [(m.code, m.name) for m in policy.modes]  # type: ignore[attr-defined]
        self.fields["measures"].choices = [  # type: ignore[attr-defined]
            (m.code, f"（{m.number}）{m.title}") for m in policy.measures
        ]
        for measure in policy.measures:
            for target in measure.targets:
                unit = target.unit if target.kind is TargetKind.NUMBER else ""
                widget: forms.Widget
                if target.choices:
                    widget = forms.Select(choices=[(c, c) for c in target.choices])
                elif target.kind is TargetKind.TEXT:
                    widget = forms.Textarea(attrs={"rows": 2})
                else:
                    widget = forms.TextInput(attrs={"inputmode": "decimal"})
                self.fields[measure_field_name(measure.code, target.key)] = forms.CharField(
                    label=f"{target.label}{f'（{unit}）' if unit else ''}",
                    required=False,
                    initial=str(target.default),
                    widget=widget,
                    help_text=_target_bounds(target.minimum, target.maximum, target.choices),
                )
        for term in policy.guarantee_terms:
            name = term_field_name(term.key)
            if term.kind is TermKind.FLAG:
                self.fields[name] = forms.BooleanField(
                    label=term.label, required=False, initial=term.value
                )
            else:
                self.fields[name] = forms.CharField(
                    label=f"{term.label}（{term.unit}）",
                    required=False,
                    initial=f"{term.value:f}",
                    widget=forms.TextInput(attrs={"inputmode": "decimal"}),
                    help_text=_target_bounds(term.minimum, term.maximum, ()),
                )
        # StyledForm has styled the fields declared on the class; style the generated ones too.
        for field in self.fields.values():
            if not field.widget.attrs.get("class"):
                if isinstance(field.widget, forms.CheckboxInput):
                    field.widget.attrs["class"] = "form-check-input"
                elif isinstance(field.widget, forms.Select):
                    field.widget.attrs["class"] = "form-select"
                else:
                    field.widget.attrs["class"] = "form-control"
        _check_boxes(self)

    # -- presentation --

    def default_end(self) -> date | None:
        """The end §七 gives the start currently on the form (start + 3 years − 1 day)."""
        raw = self["start"].value()
        if isinstance(raw, date):
            start: date | None = raw
        else:
            try:
                start = date.fromisoformat(str(raw)) if raw else None
            except ValueError:
                start = None
        if start is None or not programme_date_in_range(start):
            return None  # an implausible start has no end (9999-12-31 + 3 years overflows)
        return cycle_default_end(start, self.policy.cycle.years)

    def selected_measures(self) -> set[str]:
        value = self["measures"].value() or []
        return {str(v) for v in value}

    def measure_groups(self) -> list[MeasureGroup]:
        selected = self.selected_measures()
        groups = []
        for kind in (MeasureKind.PREFERRED, MeasureKind.OPTIONAL):
            blocks = [
                MeasureBlock(
                    measure=m,
                    checked=m.code in selected,
                    targets=[self[measure_field_name(m.code, t.key)] for t in m.targets],
                )
                for m in self.policy.measures
                if m.kind is kind
            ]
            groups.append(MeasureGroup(label=kind.label, measures=blocks))
        return groups

    def term_blocks(self) -> list[TermBlock]:
        return [
            TermBlock(term=t, field=self[term_field_name(t.key)], default=term_default_text(t))
            for t in self.policy.guarantee_terms
        ]

    def party_fields(self) -> list[forms.BoundField]:
        names = ("helper", "recipient", "helper_liaison", "recipient_liaison", "party_c")
        return [self[n] for n in names]

    # -- parsing --

    def agreement_input(self) -> AgreementInput:
        """The agreement as the service takes it: chosen measures with their non-empty targets,
        guarantee terms as entered (the service keeps only those differing from the policy)."""
        data = self.cleaned_data
        measures: dict[str, dict[str, str]] = {}
        for code in data.get("measures") or []:
            measure = next((m for m in self.policy.measures if m.code == code), None)
            if measure is None:
                continue
            measures[code] = {
                t.key: value.strip()
                for t in measure.targets
                if (value := data.get(measure_field_name(code, t.key)) or "").strip()
            }
        overrides: dict[str, str | bool] = {}
        for term in self.policy.guarantee_terms:
            value = data.get(term_field_name(term.key))
            if term.kind is TermKind.FLAG:
                overrides[term.key] = bool(value)
            elif value is not None and str(value).strip():
                overrides[term.key] = str(value).strip()
        return AgreementInput(
            start=data.get("start"),
            end=data.get("end"),
            signed_on=data.get("signed_on"),
            measures=measures,
            guarantee_overrides=overrides,
            other_matters=data.get("other_matters") or "",
            helper_exception=bool(data.get("helper_exception")),
            helper_exception_reason=data.get("helper_exception_reason") or "",
            party_c=data.get("party_c") or "",
        )


class FirstAgreementForm(PartnershipForm):
    """The first agreement of an existing partnership (登记首期协议, e.g. an accepted matching
    pair, §三(二)): the agreement part of `PartnershipForm`, the parties being fixed."""

    PARTNERSHIP_ONLY = (
        "helper",
        "recipient",
        "modes",
        "leading_institutions",
        "helper_liaison",
        "recipient_liaison",
    )

    def __init__(
        self, data: Mapping[str, Any] | None = None, *, user: User, policy: Policy, today: date
    ) -> None:
        super().__init__(data, user=user, policy=policy, today=today)
        for name in self.PARTNERSHIP_ONLY:
            del self.fields[name]

    def party_fields(self) -> list[forms.BoundField]:
        return [self["party_c"]]


def _target_bounds(
    minimum: Decimal | None, maximum: Decimal | None, choices: tuple[str, ...]
) -> str:
    if choices:
        return "可选：" + "、".join(choices)
    if minimum is not None and minimum == maximum:
        return f"应为 {minimum:f}"
    if minimum is not None and maximum is not None:
        return f"范围 {minimum:f}–{maximum:f}"
    if minimum is not None:
        return f"不低于 {minimum:f}"
    if maximum is not None:
        return f"不高于 {maximum:f}"
    return ""


# ---- actions on one cycle ----


class RenewForm(StyledForm):
    start = forms.DateField(
        label="下一周期开始日期",
        widget=DateInput(),
        error_messages={"required": "请填写下一周期开始日期"},
    )
    end = forms.DateField(label="下一周期结束日期", required=False, widget=DateInput())
    signed_on = forms.DateField(
        label="签订日期（已签订时填写）", required=False, widget=DateInput()
    )


class TerminateForm(StyledForm):
    on = forms.DateField(
        label="终止日期（自该日起不再执行）",
        widget=DateInput(),
        error_messages={"required": "请填写终止日期"},
    )
    reason = forms.CharField(label="终止原因", max_length=500, required=False)


class SigningForm(StyledForm):
    signed_on = forms.DateField(
        label="签订日期", widget=DateInput(), error_messages={"required": "请填写签订日期"}
    )
    scan = CheckedFileField(
        label="签字盖章扫描件（PDF、JPG 或 PNG）",
        required=False,
        kinds=SCAN_KINDS,
        upload_label="扫描件",
        help_text="重新上传将替换原扫描件。",
    )


class FilingForm(StyledForm):
    level = forms.ChoiceField(label="备案单位", choices=list(FILING_LEVEL_LABELS.items()))
    filed_on = forms.DateField(
        label="备案日期", widget=DateInput(), error_messages={"required": "请填写备案日期"}
    )


# ---- county plans ----


class CountyChoiceField(CountyModelChoiceField):
    def label_from_instance(self, obj: County) -> str:
        return f"{obj.prefecture.short_name} · {obj.name}"


class SpecialtyMultipleField(SpecialtiesChoiceField):
    def label_from_instance(self, obj: Specialty) -> str:
        return obj.name


class CountyPlanForm(StyledForm):
    """一县一方案 (§七): the county, the cycle and its goals; county and cycle are fixed on edit."""

    county = CountyChoiceField(
        label="县（市、区、特区）",
        queryset=County.objects.none(),
        error_messages={"required": "请选择县", "invalid_choice": "该县不在您的管辖范围内"},
    )
    cycle_start = forms.DateField(
        label="周期开始日期",
        widget=DateInput(),
        help_text="周期为3年（§七），结束日期自动计算",
        error_messages={"required": "请填写周期开始日期"},
    )
    goals = forms.CharField(
        label="帮扶目标", required=False, widget=forms.Textarea(attrs={"rows": 4})
    )
    specialties = SpecialtyMultipleField(
        label="重点提升专科",
        required=False,
        queryset=Specialty.objects.none(),
        widget=forms.SelectMultiple(attrs={"size": 8}),
    )
    centres = forms.MultipleChoiceField(
        label="建设的急诊急救中心（A1-(2) 五大中心）",
        required=False,
        choices=[(c, c) for c in FIVE_CENTRES],
        widget=forms.CheckboxSelectMultiple,
    )
    measure_codes = forms.MultipleChoiceField(
        label="选用的帮扶措施（附件1）", required=False, widget=forms.CheckboxSelectMultiple
    )
    agreements = forms.MultipleChoiceField(
        label="服务该方案的协议（本县受扶医院的协议）",
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(
        self,
        data: Mapping[str, Any] | None = None,
        *,
        user: User,
        policy: Policy,
        initial: Mapping[str, Any] | None = None,
        fixed_county: bool = False,
    ) -> None:
        super().__init__(data, initial=initial)
        counties: QuerySet[County] = county_list_for_user(user=user)
        self.fields["county"].queryset = counties  # type: ignore[attr-defined]
        self.fields["specialties"].queryset = Specialty.objects.order_by("code")  # type: ignore[attr-defined]
        self.fields["measure_codes"].choices = [  # type: ignore[attr-defined]
            (m.code, f"（{m.number}）{m.title}") for m in policy.measures
        ]
        grouped: dict[str, list[tuple[str, str]]] = {}
        for row in agreement_rows(agreement_list_for_user(user=user)):
            a = row.agreement
            recipient = a.partnership.recipient
            county_name = recipient.county.name if recipient.county else "其他"
            grouped.setdefault(county_name, []).append(
                (
                    str(a.pk),
                    f"{recipient.name} ← {a.partnership.helper.name}"
                    f"（第{a.cycle_number}周期 {a.start:%Y-%m-%d}至{a.end:%Y-%m-%d}，"
                    f"{row.status.status.label}）",
                )
            )
        self.fields["agreements"].choices = sorted(grouped.items())  # type: ignore[attr-defined]
        if fixed_county:
            self.fields["county"].disabled = True
            self.fields["cycle_start"].disabled = True
        _check_boxes(self)

    def agreement_ids(self) -> list[int]:
        return [int(v) for v in self.cleaned_data.get("agreements") or []]
