from __future__ import annotations

from typing import Any

from django import forms

from bangfu.core.forms import StyledForm
from bangfu.registry.extensions import county_filter_choices
from bangfu.registry.models import Institution, InstitutionCategory, ProgrammeGroup
from bangfu.registry.services import INSTITUTION_GRADES


class CountyFilterForm(StyledForm):
    q = forms.CharField(
        label="搜索", required=False, widget=forms.TextInput(attrs={"placeholder": "名称或代码"})
    )
    prefecture = forms.CharField(label="市州", required=False)
    programme_group = forms.ChoiceField(
        label="项目分组", required=False, choices=[("", "全部"), *ProgrammeGroup.choices]
    )
    key = forms.ChoiceField(
        label="重点帮扶县", required=False, choices=[("", "全部"), ("1", "是"), ("0", "否")]
    )
    coverage = forms.ChoiceField(label="覆盖情况", required=False, choices=[])

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # The values the apps above the registry offer (`registry.extensions`).
        self.fields["coverage"].choices = [("", "全部覆盖情况"), *county_filter_choices()]  # type: ignore[attr-defined]

    def key_flag(self) -> bool | None:
        value = self.cleaned_data.get("key") if self.is_valid() else ""
        return {"1": True, "0": False}.get(value or "")


class ProgrammeGroupForm(StyledForm):
    programme_group = forms.ChoiceField(label="项目分组", choices=ProgrammeGroup.choices)
    programme_group_basis = forms.CharField(
        label="分组依据", max_length=300, help_text="填写省级文件名称、文号或其他依据"
    )
    programme_group_verified = forms.BooleanField(label="已核实（依据为正式文件）", required=False)


class InstitutionFilterForm(StyledForm):
    q = forms.CharField(
        label="搜索",
        required=False,
        widget=forms.TextInput(attrs={"placeholder": "机构名称或城市"}),
    )
    category = forms.ChoiceField(
        label="类别", required=False, choices=[("", "全部"), *InstitutionCategory.choices]
    )
    county = forms.CharField(label="县代码", required=False)
    prefecture = forms.CharField(label="市州", required=False)


class InstitutionProfileForm(StyledForm):
    """Grade and departments of an institution, corrected by the province office."""

    grade = forms.ChoiceField(label="等级", required=False, choices=INSTITUTION_GRADES)
    add_departments = forms.CharField(
        label="新增科室",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="每行一个科室名称；与诊疗科目同名的科室自动关联该科目",
    )
    remove_department_ids = forms.MultipleChoiceField(
        label="删除科室（仅限未被派驻、3X联系或带教记录使用的科室）",
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args: Any, institution: Institution, **kwargs: Any) -> None:
        kwargs.setdefault("initial", {"grade": institution.grade})
        super().__init__(*args, **kwargs)
        self.fields["remove_department_ids"].choices = [  # type: ignore[attr-defined]
            (str(d.pk), d.name) for d in institution.departments.all()
        ]
        if institution.grade not in {value for value, _ in INSTITUTION_GRADES}:
            self.fields["grade"].choices = [  # type: ignore[attr-defined]
                (institution.grade, institution.grade),
                *INSTITUTION_GRADES,
            ]

    def department_names(self) -> list[str]:
        return (self.cleaned_data.get("add_departments") or "").splitlines()

    def department_ids(self) -> list[int]:
        return [int(pk) for pk in self.cleaned_data.get("remove_department_ids") or []]
