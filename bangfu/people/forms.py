"""Forms of the people pages. Choice fields take their querysets from scoped selectors, so a
posted id outside the user's scope is refused by the form itself."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from django import forms
from django.db.models import QuerySet

from bangfu.core.forms import (
    SMALL_INTEGER_MAX,
    ChoiceLabelField,
    DateInput,
    ServiceForm,
    StyledForm,
)
from bangfu.partnerships.models import Partnership
from bangfu.people.models import (
    DEGREE_CHOICES,
    DEPLOYMENT_KIND_CHOICES,
    TITLE_CHOICES,
    ApplicationStatus,
    AppointmentPost,
    Deployment,
    Expert,
    Sex,
    Team,
)
from bangfu.people.services import DeploymentInput
from bangfu.registry.models import Department, Institution, Specialty


class DepartmentChoiceField(forms.ModelChoiceField):  # type: ignore[type-arg]
    """Departments of one hospital: labelled by their name alone."""

    def label_from_instance(self, obj: Any) -> str:
        return str(obj.name)


# ---- filters ----


class ExpertFilterForm(StyledForm):
    q = forms.CharField(
        label="搜索",
        required=False,
        widget=forms.TextInput(attrs={"placeholder": "姓名或派出单位"}),
    )
    title = forms.ChoiceField(
        label="职称", required=False, choices=[("", "全部职称"), *TITLE_CHOICES]
    )
    kind = forms.ChoiceField(
        label="派驻方式", required=False, choices=[("", "全部方式"), *DEPLOYMENT_KIND_CHOICES]
    )
    recipient = forms.IntegerField(label="受扶医院编号", required=False, min_value=1)
    home_institution = forms.IntegerField(label="派出单位编号", required=False, min_value=1)


class TeamFilterForm(StyledForm):
    q = forms.CharField(
        label="搜索",
        required=False,
        widget=forms.TextInput(attrs={"placeholder": "帮扶医院或受扶医院"}),
    )
    prefecture = forms.CharField(label="市州代码", required=False)


class DeploymentFilterForm(StyledForm):
    q = forms.CharField(
        label="搜索", required=False, widget=forms.TextInput(attrs={"placeholder": "专家姓名"})
    )
    kind = forms.ChoiceField(
        label="派驻方式", required=False, choices=[("", "全部方式"), *DEPLOYMENT_KIND_CHOICES]
    )
    on_site_on = forms.DateField(label="在岗日期", required=False, widget=DateInput())


# ---- experts ----


class ExpertForm(ServiceForm):
    name = forms.CharField(label="姓名", max_length=50)
    sex = forms.ChoiceField(label="性别", choices=Sex.choices)
    title = forms.ChoiceField(label="职称级别", choices=TITLE_CHOICES)
    job_title = forms.CharField(
        label="专业技术职务", max_length=20, required=False, help_text="如 主任医师、副主任医师"
    )
    degree = forms.ChoiceField(label="学历学位", choices=DEGREE_CHOICES)
    specialty = forms.ModelChoiceField(
        label="专业（诊疗科目）", queryset=Specialty.objects.none(), required=False
    )
    home_institution = forms.ModelChoiceField(label="派出单位", queryset=Institution.objects.none())
    prior_year_pay = forms.DecimalField(
        label="派驻前一年度薪酬（元，含绩效）",
        min_value=0,
        max_digits=12,
        decimal_places=2,
        help_text="敏感信息：仅专家本人、其服务的受扶医院和省卫健委可见",
    )
    leadership_qualified = forms.BooleanField(
        label="具备公立医院领导人员任职资格和条件", required=False
    )
    phone = forms.CharField(label="联系电话", max_length=30, required=False)
    id_number = forms.CharField(
        label="身份证号", max_length=18, required=False, help_text="敏感信息，保存后对他人脱敏显示"
    )
    username = forms.CharField(
        label="关联登录账号（用户名）",
        max_length=150,
        required=False,
        help_text="角色为“帮扶专家”的账号，关联后专家可查看本人待遇明细",
    )

    SENSITIVE_FIELDS = ("prior_year_pay", "id_number", "phone")

    def __init__(
        self,
        *args: Any,
        specialties: QuerySet[Specialty],
        home_institutions: QuerySet[Institution],
        can_link_account: bool,
        current_masks: dict[str, str] | None = None,
        **kwargs: Any,
    ) -> None:
        """`current_masks` (editing an expert): the masked current value of each sensitive
        field. The form never carries a stored pay, identity or phone number back to the
        browser; an empty field keeps the stored value, a typed one replaces it (ADR 0004)."""
        super().__init__(*args, **kwargs)
        self.fields["specialty"].queryset = specialties  # type: ignore[attr-defined]
        self.fields["home_institution"].queryset = home_institutions  # type: ignore[attr-defined]
        if not can_link_account:
            del self.fields["username"]
        if current_masks is not None:
            for name in self.SENSITIVE_FIELDS:
                field = self.fields[name]
                field.required = False
                field.initial = None
                shown = current_masks.get(name) or "未填写"
                field.help_text = (
                    f"敏感信息，不显示原值（当前：{shown}）。如需修改请输入新值，留空则保持不变。"
                )
                field.widget.attrs["placeholder"] = "留空则保持不变"
                field.widget.attrs["autocomplete"] = "off"


class RecognitionForm(ServiceForm):
    """认定表现突出 (§六): dated, from this month on."""

    start = forms.DateField(label="认定起始日期", widget=DateInput(), help_text="不早于本月1日")
    end = forms.DateField(
        label="认定截止日期", widget=DateInput(), required=False, help_text="不填表示长期有效"
    )
    reason = forms.CharField(label="认定依据", max_length=500)


class RecognitionWithdrawForm(ServiceForm):
    on = forms.DateField(
        label="撤销生效日期",
        widget=DateInput(),
        required=False,
        help_text="不填为今天；该日前的月份不受影响",
    )
    reason = forms.CharField(label="撤销原因", max_length=500)


# ---- teams and deployments ----


class TeamForm(ServiceForm):
    partnership = forms.ModelChoiceField(label="帮扶关系", queryset=Partnership.objects.none())
    batch = forms.IntegerField(label="批次", min_value=1, max_value=SMALL_INTEGER_MAX, initial=1)
    note = forms.CharField(label="备注", max_length=300, required=False)

    def __init__(self, *args: Any, partnerships: QuerySet[Partnership], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["partnership"].queryset = partnerships  # type: ignore[attr-defined]


class CaptainForm(ServiceForm):
    captain = ChoiceLabelField(label="队长", queryset=Expert.objects.none(), required=False)

    def __init__(self, *args: Any, members: QuerySet[Expert], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["captain"].queryset = members  # type: ignore[attr-defined]


class DeploymentEditForm(ServiceForm):
    """A deployment's kind, dates, department and exception reason (the expert stays)."""

    kind = forms.ChoiceField(label="派驻方式", choices=DEPLOYMENT_KIND_CHOICES)
    start = forms.DateField(label="开始日期", widget=DateInput())
    planned_end = forms.DateField(label="计划结束日期", widget=DateInput())
    department = DepartmentChoiceField(
        label="派驻科室", queryset=Department.objects.none(), required=False
    )
    helper_exception_reason = forms.CharField(
        label="例外派驻原因",
        required=False,
        max_length=500,
        help_text="专家不是该队帮扶医院的人员时必填（§三(四)）",
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args: Any, departments: QuerySet[Department], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["department"].queryset = departments  # type: ignore[attr-defined]

    def deployment_input(self) -> DeploymentInput:
        """The service input from the cleaned data; no expert, since an edit keeps it."""
        data = self.cleaned_data
        return DeploymentInput(
            expert_id=None,
            kind=data["kind"],
            start=data["start"],
            planned_end=data["planned_end"],
            department_id=data["department"].pk if data["department"] else None,
            helper_exception_reason=data["helper_exception_reason"],
        )


class DeploymentForm(DeploymentEditForm):
    expert = ChoiceLabelField(label="专家", queryset=Expert.objects.none())
    field_order = ["expert"]

    def __init__(
        self,
        *args: Any,
        experts: QuerySet[Expert],
        departments: QuerySet[Department],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, departments=departments, **kwargs)
        self.fields["expert"].queryset = experts  # type: ignore[attr-defined]

    def deployment_input(self) -> DeploymentInput:
        return replace(super().deployment_input(), expert_id=self.cleaned_data["expert"].pk)


class DeploymentEndForm(ServiceForm):
    actual_end = forms.DateField(label="实际结束日期", widget=DateInput())


class AppointmentForm(ServiceForm):
    post = forms.ChoiceField(label="职务", choices=AppointmentPost.choices)
    start = forms.DateField(label="任职日期", widget=DateInput())


class CoverageLinkForm(ServiceForm):
    deployment = ChoiceLabelField(label="常驻队员", queryset=Deployment.objects.none())
    department = DepartmentChoiceField(label="联系科室", queryset=Department.objects.none())

    def __init__(
        self,
        *args: Any,
        deployments: QuerySet[Deployment],
        departments: QuerySet[Department],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["deployment"].queryset = deployments  # type: ignore[attr-defined]
        self.fields["department"].queryset = departments  # type: ignore[attr-defined]


class MentorshipForm(ServiceForm):
    deployment = ChoiceLabelField(label="师傅", queryset=Deployment.objects.none())
    mentee_name = forms.CharField(label="徒弟姓名", max_length=50)
    mentee_department = DepartmentChoiceField(
        label="徒弟科室", queryset=Department.objects.none(), required=False
    )
    start = forms.DateField(label="结对日期", widget=DateInput())

    def __init__(
        self,
        *args: Any,
        deployments: QuerySet[Deployment],
        departments: QuerySet[Department],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["deployment"].queryset = deployments  # type: ignore[attr-defined]
        self.fields["mentee_department"].queryset = departments  # type: ignore[attr-defined]


class MentorshipOutcomeForm(ServiceForm):
    outcome = forms.CharField(label="培养成效", widget=forms.Textarea(attrs={"rows": 4}))
    end = forms.DateField(label="结业日期", required=False, widget=DateInput())


# ---- department services ----


class TitleApplicationForm(ServiceForm):
    deployment = ChoiceLabelField(label="专家及派驻", queryset=Deployment.objects.none())
    applied_title = forms.CharField(label="申报职称", max_length=30, help_text="如 主任医师")
    has_entrustment_letter = forms.BooleanField(
        label="已取得派出单位所在省份人社部门的委托评审函（§五）", required=False
    )
    submitted_on = forms.DateField(label="申报日期", widget=DateInput())

    def __init__(self, *args: Any, deployments: QuerySet[Deployment], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["deployment"].queryset = deployments  # type: ignore[attr-defined]


class TitleDecisionForm(ServiceForm):
    status = forms.ChoiceField(
        label="评审结果",
        choices=[(ApplicationStatus.APPROVED, "已通过"), (ApplicationStatus.REJECTED, "未通过")],
    )
    decided_on = forms.DateField(label="结果日期", widget=DateInput())


class TeamChoiceField(forms.ModelChoiceField):  # type: ignore[type-arg]
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.partnership.helper.name} → {obj.partnership.recipient.name} 第{obj.batch}批"


class SciTechForm(ServiceForm):
    team = TeamChoiceField(label="帮扶队", queryset=Team.objects.none())
    project_title = forms.CharField(label="项目名称", max_length=200)
    programme = forms.CharField(label="计划类别", max_length=100, initial="省级科技计划项目")
    submitted_on = forms.DateField(label="申报日期", widget=DateInput())

    def __init__(self, *args: Any, teams: QuerySet[Team], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["team"].queryset = teams  # type: ignore[attr-defined]


class BriefingForm(ServiceForm):
    team = TeamChoiceField(label="帮扶队", queryset=Team.objects.none())
    held_on = forms.DateField(label="培训日期", widget=DateInput())
    topic = forms.CharField(label="培训内容", max_length=200)
    attendees = forms.IntegerField(
        label="参加人数", min_value=0, max_value=SMALL_INTEGER_MAX, initial=0
    )

    def __init__(self, *args: Any, teams: QuerySet[Team], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["team"].queryset = teams  # type: ignore[attr-defined]


class AppointmentLetterForm(ServiceForm):
    helper = forms.ModelChoiceField(label="帮扶医院", queryset=Institution.objects.none())
    head_name = forms.CharField(label="主要负责人姓名", max_length=50)
    position = forms.CharField(label="职务", max_length=50, initial="院长")
    letter_number = forms.CharField(label="聘书编号", max_length=50)
    issued_on = forms.DateField(label="发放日期", widget=DateInput())

    def __init__(self, *args: Any, helpers: QuerySet[Institution], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["helper"].queryset = helpers  # type: ignore[attr-defined]
