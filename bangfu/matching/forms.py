from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django import forms

from bangfu.core.forms import StyledForm
from bangfu.matching.models import RoundMethod

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
