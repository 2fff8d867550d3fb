from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django import forms

from bangfu.core.forms import SMALL_INTEGER_MAX, StyledForm
from bangfu.matching.models import RoundMethod
from bangfu.matching.services import NeedInput

Choices = Sequence[tuple[int, str]]


class RoundFilterForm(StyledForm):
    method = forms.ChoiceField(
        label="匹配方法", required=False, choices=[("", "全部方法"), *RoundMethod.choices]
    )
    mine = forms.BooleanField(label="只看我发起的", required=False)


class RoundCreateForm(StyledForm):
    method = forms.ChoiceField(
        label="匹配方法",
        choices=RoundMethod.choices,
        initial=RoundMethod.OPTIMAL,
        help_text="稳定匹配：按双方志愿延迟接受，结果无人愿意互相改投；最大契合度：使全部配对的契合度之和最大。",
    )
    recipients = forms.TypedMultipleChoiceField(
        label="受扶医院",
        coerce=int,
        widget=forms.SelectMultiple(attrs={"size": 14}),
        help_text="默认选中：70个目标县中今天没有有效协议、也不在结对过程中的医院（§三(二)）。按住 Ctrl 可多选。",
        error_messages={"required": "请至少选择一家受扶医院"},
    )
    helpers = forms.TypedMultipleChoiceField(
        label="帮扶医院",
        coerce=int,
        widget=forms.SelectMultiple(attrs={"size": 10}),
        help_text="默认选中：还有可承接名额的省外帮扶医院。",
        error_messages={"required": "请至少选择一家帮扶医院"},
    )

    def __init__(
        self,
        *args: Any,
        recipient_choices: Choices = (),
        helper_choices: Choices = (),
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["recipients"].choices = list(recipient_choices)  # type: ignore[attr-defined]
        self.fields["helpers"].choices = list(helper_choices)  # type: ignore[attr-defined]


class CapacityForm(StyledForm):
    helper = forms.TypedChoiceField(label="帮扶医院", coerce=int)
    capacity = forms.IntegerField(
        label="本轮名额",
        max_value=SMALL_INTEGER_MAX,
        help_text="调整后立即重新匹配，生成新的一轮。",
        error_messages={"invalid": "名额应为整数", "required": "请填写名额"},
    )

    def __init__(self, *args: Any, helper_choices: Choices = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["helper"].choices = list(helper_choices)  # type: ignore[attr-defined]


class RerunForm(StyledForm):
    method = forms.ChoiceField(label="匹配方法", choices=RoundMethod.choices)


class AcceptForm(forms.Form):
    proposal_ids = forms.TypedMultipleChoiceField(
        coerce=int,
        error_messages={
            "required": "请至少选择一对配对",
            "invalid_choice": "编号为 %(value)s 的配对不属于本轮",
        },
    )

    def __init__(self, *args: Any, proposal_choices: Choices = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["proposal_ids"].choices = list(proposal_choices)  # type: ignore[attr-defined]


# ---- needs and ranked choices ----

StrChoices = Sequence[tuple[str, str]]


class NeedsFilterForm(StyledForm):
    q = forms.CharField(
        label="搜索", required=False, widget=forms.TextInput(attrs={"placeholder": "医院名称"})
    )
    prefecture = forms.ChoiceField(label="市州", required=False)
    county = forms.ChoiceField(label="县（市、区）", required=False)

    def __init__(
        self,
        *args: Any,
        prefecture_choices: StrChoices = (),
        county_choices: StrChoices = (),
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["prefecture"].choices = [("", "全部市州"), *prefecture_choices]  # type: ignore[attr-defined]
        self.fields["county"].choices = [("", "全部县"), *county_choices]  # type: ignore[attr-defined]


class NeedRowForm(StyledForm):
    """One need as entered. Only parsing happens here: `recipient_needs_set` decides what is
    valid, so the page and the API refuse the same things with the same words."""

    specialty = forms.CharField(label="专科", required=False, widget=forms.Select)
    disease = forms.CharField(label="主要外转病种", required=False)
    referrals_3y = forms.IntegerField(
        label="近3年外转人次",
        required=False,
        error_messages={"invalid": "外转人次应为整数"},
    )
    weak = forms.BooleanField(label="薄弱专科", required=False)
    gap = forms.BooleanField(label="能力短板", required=False)

    def __init__(self, *args: Any, specialty_choices: StrChoices = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["specialty"].widget.choices = [("", "——请选择——"), *specialty_choices]
        self.fields["referrals_3y"].widget.attrs["min"] = 0

    def clean(self) -> dict[str, Any] | None:
        data = super().clean() or {}
        filled = data.get("disease") or data.get("referrals_3y") or data.get("weak")
        if not data.get("specialty") and (filled or data.get("gap")):
            self.add_error("specialty", "请选择专科")
        return data


class BaseNeedsFormSet(forms.BaseFormSet):  # type: ignore[type-arg]
    def entered(self) -> list[tuple[NeedRowForm, NeedInput]]:
        """The rows to save, in page order, each with the form it came from (blank and
        deleted rows left out). Call after `is_valid()`."""
        rows = []
        for form in self.forms:
            data = form.cleaned_data
            if not data or data.get("DELETE") or not data.get("specialty"):
                continue
            need = NeedInput(
                specialty_code=data["specialty"],
                referrals_3y=data.get("referrals_3y") or 0,
                disease=data.get("disease", ""),
                weak=bool(data.get("weak")),
                gap=bool(data.get("gap")),
            )
            rows.append((form, need))
        return rows


NeedsFormSet = forms.formset_factory(
    NeedRowForm, formset=BaseNeedsFormSet, extra=3, can_delete=True, max_num=100
)


class PreferenceRowForm(StyledForm):
    """One ranked choice. The choices offered are the other side's hospitals; whether an id is
    acceptable is left to `match_preference_set`."""

    institution = forms.IntegerField(
        label="志愿",
        required=False,
        widget=forms.Select,
        error_messages={"invalid": "志愿应为医疗机构编号"},
    )

    def __init__(self, *args: Any, institution_choices: Choices = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["institution"].widget.choices = [("", "——不填——"), *institution_choices]


class BasePreferenceFormSet(forms.BaseFormSet):  # type: ignore[type-arg]
    def entered(self) -> list[tuple[PreferenceRowForm, int]]:
        """The ranked ids in page order (blank rows left out), each with its form."""
        return [
            (form, form.cleaned_data["institution"])
            for form in self.forms
            if form.cleaned_data and form.cleaned_data.get("institution") is not None
        ]


PreferenceFormSet = forms.formset_factory(
    PreferenceRowForm, formset=BasePreferenceFormSet, extra=3, max_num=100
)
