from __future__ import annotations

from django import forms

from bangfu.core.forms import StyledForm
from bangfu.registry.models import InstitutionCategory, ProgrammeGroup


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
