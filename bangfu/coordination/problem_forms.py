from __future__ import annotations

from typing import Any

from django import forms

from bangfu.accounts.models import User
from bangfu.coordination.domain.problems import CATEGORY_LABELS, STATUS_LABELS
from bangfu.coordination.selectors import partnerships_for_meeting
from bangfu.core.forms import StyledForm
from bangfu.partnerships.models import Partnership


def _partnership_label(obj: Partnership) -> str:
    return f"{obj.recipient.name} ← {obj.helper.name}"


class ProblemForm(StyledForm):
    category = forms.ChoiceField(label="类别", choices=list(CATEGORY_LABELS.items()))
    partnership: forms.ModelChoiceField[Partnership] = forms.ModelChoiceField(
        label="涉及的帮扶关系",
        queryset=Partnership.objects.none(),
        required=False,
        empty_label="（县卫健局可不选：涉及本县）",
    )
    title = forms.CharField(label="标题", max_length=200)
    description = forms.CharField(
        label="问题描述", max_length=5000, widget=forms.Textarea(attrs={"rows": 5})
    )

    def __init__(self, *args: Any, user: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["partnership"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = partnerships_for_meeting(user=user)
        field.label_from_instance = _partnership_label  # type: ignore[method-assign]


class ReplyForm(StyledForm):
    text = forms.CharField(label="答复", max_length=5000, widget=forms.Textarea(attrs={"rows": 3}))
    status = forms.ChoiceField(label="状态", choices=list(STATUS_LABELS.items()))
    reason = forms.CharField(label="理由（不予受理时必填）", max_length=1000, required=False)

    def __init__(self, *args: Any, current: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["status"].initial = current
