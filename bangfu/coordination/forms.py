from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError

from bangfu.accounts.models import User
from bangfu.coordination.domain.meetings import MEETING_KIND_LABELS
from bangfu.coordination.selectors import (
    owner_institutions_for_meeting,
    partnerships_for_meeting,
)
from bangfu.coordination.services import DecisionDraft, MeetingDraft
from bangfu.core.forms import DateInput, StyledForm
from bangfu.partnerships.models import Partnership

DECISION_ROWS = 3


def _partnership_label(obj: Partnership) -> str:
    return f"{obj.recipient.name} ← {obj.helper.name}"


def service_errors_on_form(form: forms.Form, exc: ValidationError) -> None:
    """A service's errors at the top of a coordination form, each prefixed with the key it
    names (`information.2：必填`): the keys name rows of the posted lists, not form fields."""
    for field, problems in exc.message_dict.items():
        form.add_error(None, f"{field}：{'；'.join(problems)}")


class MeetingForm(StyledForm):
    """A meeting on one partnership (or, for officers, on their county) with up to three
    decisions; a decision with a responsible institution becomes a follow-up task."""

    kind = forms.ChoiceField(label="类型", choices=list(MEETING_KIND_LABELS.items()))
    partnership: forms.ModelChoiceField[Partnership] = forms.ModelChoiceField(
        label="帮扶关系",
        queryset=Partnership.objects.none(),
        required=False,
        empty_label="（不针对具体帮扶关系）",
    )
    county_code = forms.CharField(
        label="县行政区划代码",
        max_length=6,
        required=False,
        help_text="县级会议填写；针对帮扶关系的会议留空",
    )
    held_on = forms.DateField(label="日期", widget=DateInput())
    title = forms.CharField(label="标题", max_length=200)
    place = forms.CharField(label="地点", max_length=200, required=False)
    attendee_names = forms.CharField(
        label="参会人员", max_length=1000, required=False, help_text="姓名与单位，逗号分隔"
    )
    minutes = forms.CharField(
        label="会议纪要", max_length=20000, required=False, widget=forms.Textarea(attrs={"rows": 4})
    )

    def __init__(self, *args: Any, user: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        partnership_field = self.fields["partnership"]
        assert isinstance(partnership_field, forms.ModelChoiceField)
        partnership_field.queryset = partnerships_for_meeting(user=user)
        partnership_field.label_from_instance = _partnership_label  # type: ignore[method-assign]
        institutions = owner_institutions_for_meeting(user=user)
        for row in range(1, DECISION_ROWS + 1):
            self.fields[f"decision_{row}_text"] = forms.CharField(
                label=f"决定事项 {row}", max_length=1000, required=False
            )
            owner = forms.ModelChoiceField(
                label=f"决定事项 {row} 的责任单位",
                queryset=institutions,
                required=False,
                empty_label="（无需跟进）",
            )
            self.fields[f"decision_{row}_owner"] = owner
            self.fields[f"decision_{row}_due"] = forms.DateField(
                label=f"决定事项 {row} 的完成期限", required=False, widget=DateInput()
            )
        self.style_fields()

    def style_fields(self) -> None:
        for field in self.fields.values():
            css = "form-select" if isinstance(field.widget, forms.Select) else "form-control"
            field.widget.attrs.setdefault("class", css)

    def draft(self) -> MeetingDraft:
        data = self.cleaned_data
        decisions = []
        for row in range(1, DECISION_ROWS + 1):
            text = data.get(f"decision_{row}_text") or ""
            if not text.strip():
                continue
            owner = data.get(f"decision_{row}_owner")
            decisions.append(
                DecisionDraft(
                    text=text,
                    due=data.get(f"decision_{row}_due"),
                    owner_institution_id=owner.pk if owner is not None else None,
                )
            )
        partnership = data.get("partnership")
        return MeetingDraft(
            kind=data["kind"],
            title=data["title"],
            held_on=data["held_on"],
            partnership_id=partnership.pk if partnership is not None else None,
            county_code="" if partnership is not None else (data.get("county_code") or ""),
            place=data.get("place") or "",
            minutes=data.get("minutes") or "",
            attendee_names=data.get("attendee_names") or "",
            decisions=tuple(decisions),
        )


class TaskDoneForm(StyledForm):
    result_note = forms.CharField(label="办理结果", max_length=1000, required=False)
