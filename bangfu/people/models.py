from __future__ import annotations

from datetime import date

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.db.models.functions import Coalesce
from django.db.models.lookups import GreaterThanOrEqual
from django.utils import timezone

from bangfu.partnerships.models import Partnership
from bangfu.people.domain.department_services import title_result_recordable
from bangfu.people.domain.experts import DEPLOYMENT_KIND_LABELS, Degree, DeploymentKind, Title
from bangfu.people.domain.privacy import id_number_display, pay_display, phone_display
from bangfu.people.domain.recognition import in_force_on, last_day_in_force
from bangfu.people.domain.scitech import STATUS_LABELS as SCITECH_STATUS_LABELS
from bangfu.people.domain.scitech import ScitechStatus
from bangfu.people.domain.title_route import TitleRoute
from bangfu.registry.models import Department, Institution, Specialty

TITLE_CHOICES = [(t.value, t.value) for t in Title]
DEGREE_CHOICES = [(d.value, d.value) for d in Degree]
DEPLOYMENT_KIND_CHOICES = [(k.value, DEPLOYMENT_KIND_LABELS[k]) for k in DeploymentKind]
SCITECH_STATUS_CHOICES = [(s.value, SCITECH_STATUS_LABELS[s]) for s in ScitechStatus]
TITLE_ROUTE_CHOICES = [
    (TitleRoute.NEEDS_ENTRUSTMENT_LETTER.value, "须先取得委托评审函"),
    (TitleRoute.DIRECTED.value, "定向评价定向使用"),
    (TitleRoute.COUNTY_LEVEL.value, "按县级要求申报"),
]


class Sex(models.TextChoices):
    MALE = "M", "男"
    FEMALE = "F", "女"


class Expert(models.Model):
    """帮扶专家 sent by a helper hospital (F4).

    `prior_year_pay`, `id_number` and `phone` are sensitive (ADR 0004): pages, exports and the
    API show them through `pay_display` / `id_number_display` / `phone_display`, which mask them
    unless `expert_sensitive_view` has recorded a full view of this instance — it does so only on
    the detail page and API detail, for readers whose scoped selector annotated
    `sensitive_visible=True` (the expert, the recipient served, the province).
    """

    name = models.CharField("姓名", max_length=50)
    sex = models.CharField("性别", max_length=1, choices=Sex.choices)
    title = models.CharField("职称级别", max_length=4, choices=TITLE_CHOICES)
    job_title = models.CharField(
        "专业技术职务", max_length=20, blank=True, help_text="如 主任医师、副主任医师"
    )
    degree = models.CharField("学历学位", max_length=4, choices=DEGREE_CHOICES)
    specialty = models.ForeignKey(
        Specialty,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="专业（诊疗科目）",
    )
    home_institution = models.ForeignKey(
        Institution, on_delete=models.PROTECT, related_name="experts", verbose_name="派出单位"
    )
    prior_year_pay = models.DecimalField(
        "派驻前一年度薪酬（元，含绩效）", max_digits=12, decimal_places=2
    )
    leadership_qualified = models.BooleanField("具备公立医院领导人员任职资格和条件", default=False)
    phone = models.CharField("联系电话", max_length=30, blank=True)
    id_number = models.CharField("身份证号", max_length=18, blank=True)
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="expert_profile",
        verbose_name="登录账号",
    )
    is_demo = models.BooleanField("演示数据", default=False)
    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    class Meta:
        verbose_name = "帮扶专家"
        verbose_name_plural = "帮扶专家"
        ordering = ["name", "pk"]
        indexes = [
            models.Index(fields=["home_institution", "name"]),
            # The list's first page walks this instead of sorting every expert in scope by name
            # (bench/README.md, issue #13).
            models.Index(fields=["name", "id"], name="expert_by_name"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(prior_year_pay__gte=0), name="expert_pay_not_negative"
            ),
            models.UniqueConstraint(
                fields=["id_number"],
                condition=~models.Q(id_number=""),
                name="expert_unique_id_number",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def choice_label(self) -> str:
        """How a form's choice list names the expert (`core.forms.ChoiceLabelField`); reads
        `home_institution` (select it)."""
        return f"{self.name}（{self.title}，{self.home_institution.name}）"

    @property
    def outstanding(self) -> bool:
        """表现突出 today: a `Recognition` in force on today's date (§六). Reads the prefetched
        `recognitions` when the selector fetched them."""
        today = timezone.localdate()
        return any(r.in_force_on(today) for r in self.recognitions.all())

    @property
    def sensitive_is_visible(self) -> bool:
        """Set by the scoped selectors; an instance loaded any other way stays masked."""
        return bool(getattr(self, "sensitive_visible", False))

    @property
    def sensitive_is_shown(self) -> bool:
        """Set by `expert_sensitive_view` once the full view is audited; lists never set it."""
        return self.sensitive_is_visible and bool(getattr(self, "sensitive_shown", False))

    @property
    def pay_display(self) -> str:
        return pay_display(self.prior_year_pay, self.sensitive_is_shown)

    @property
    def id_number_display(self) -> str:
        return id_number_display(self.id_number, self.sensitive_is_shown)

    @property
    def phone_display(self) -> str:
        return phone_display(self.phone, self.sensitive_is_shown)


class Team(models.Model):
    """帮扶队: one batch of 3–5 experts on a partnership, with one captain (§三(四); A1-(1))."""

    partnership = models.ForeignKey(
        Partnership, on_delete=models.PROTECT, related_name="teams", verbose_name="帮扶关系"
    )
    batch = models.PositiveSmallIntegerField("批次", default=1)
    captain = models.ForeignKey(
        Expert,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="队长",
    )
    note = models.CharField("备注", max_length=300, blank=True)
    is_demo = models.BooleanField("演示数据", default=False)
    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    class Meta:
        verbose_name = "帮扶队"
        verbose_name_plural = "帮扶队"
        ordering = ["partnership", "batch"]
        constraints = [
            models.UniqueConstraint(fields=["partnership", "batch"], name="team_unique_batch"),
            models.CheckConstraint(condition=models.Q(batch__gte=1), name="team_batch_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.partnership.recipient.name} 第{self.batch}批帮扶队"


# `Deployment.effective_end` in SQL: the actual end once recorded, else the planned end.
DEPLOYMENT_LAST_DAY = Coalesce("actual_end", "planned_end")


def deployments_with_days_in(first: date, last: date) -> Q:
    """Deployments with a day in `first`…`last` (one day: on site that day): started on or
    before `last`, and not ended before `first`. The one statement of the rule, for every
    query that asks it; the index `deployment_days` serves it."""
    return Q(start__lte=last) & Q(GreaterThanOrEqual(DEPLOYMENT_LAST_DAY, first))


class Deployment(models.Model):
    """派驻: an expert serving on a team, with its kind and dates (F4; §六)."""

    expert = models.ForeignKey(
        Expert, on_delete=models.PROTECT, related_name="deployments", verbose_name="专家"
    )
    team = models.ForeignKey(
        Team, on_delete=models.PROTECT, related_name="deployments", verbose_name="帮扶队"
    )
    kind = models.CharField("派驻方式", max_length=12, choices=DEPLOYMENT_KIND_CHOICES)
    department = models.ForeignKey(
        Department,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="派驻科室",
    )
    start = models.DateField("开始日期")
    planned_end = models.DateField("计划结束日期")
    actual_end = models.DateField("实际结束日期", null=True, blank=True)
    helper_exception_reason = models.CharField(
        "例外派驻原因",
        max_length=500,
        blank=True,
        help_text="专家不属于该队帮扶医院时必填（§三(四)：帮扶队由帮扶医院选派本院专家组成）",
    )
    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    class Meta:
        verbose_name = "派驻"
        verbose_name_plural = "派驻"
        ordering = ["-start", "pk"]
        indexes = [
            models.Index(fields=["start", "planned_end"]),
            # The list's newest-first page, in its exact order (issue #13).
            models.Index(fields=["-start", "id"], name="deployment_newest_first"),
            # `deployments_with_days_in`: the deployments on site on a day are a range of it
            # (the home page's count at ×50: 9.5 → 3.9 ms, issue #13).
            models.Index(DEPLOYMENT_LAST_DAY, "start", name="deployment_days"),
        ]
        constraints = [
            models.UniqueConstraint(fields=["expert", "team"], name="deployment_unique_member"),
            models.CheckConstraint(
                condition=models.Q(planned_end__gte=models.F("start")),
                name="deployment_planned_end_after_start",
            ),
            models.CheckConstraint(
                condition=models.Q(actual_end__isnull=True)
                | models.Q(actual_end__gte=models.F("start")),
                name="deployment_actual_end_after_start",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.expert.name}（{self.get_kind_display()} {self.start:%Y-%m-%d}起）"

    @property
    def choice_label(self) -> str:
        """How a form's choice list names the stay (`core.forms.ChoiceLabelField`)."""
        return (
            f"{self.expert.name}：{self.get_kind_display()} "
            f"{self.start:%Y-%m-%d}至{self.effective_end:%Y-%m-%d}"
        )

    @property
    def effective_end(self) -> date:
        """The actual end once recorded, else the planned end: statements use what happened."""
        return self.actual_end or self.planned_end


class Recognition(models.Model):
    """表现突出认定: a dated recognition of an expert (optionally for one deployment), the gate of
    the monthly subsidy (§六). Rules in `people.domain.recognition`; written only by
    `recognition_create` / `recognition_withdraw`. Replaces the former `Expert.outstanding`
    flag (migrated into recognitions by migration 0004, then removed)."""

    expert = models.ForeignKey(
        Expert, on_delete=models.PROTECT, related_name="recognitions", verbose_name="专家"
    )
    deployment = models.ForeignKey(
        Deployment,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="recognitions",
        verbose_name="派驻（可选）",
    )
    start = models.DateField("认定起始日期")
    end = models.DateField("认定截止日期", null=True, blank=True, help_text="不填表示长期有效")
    reason = models.CharField("认定依据", max_length=500)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="认定人",
        help_text="为空表示由原“表现突出”标记迁移而来",
    )
    decided_at = models.DateTimeField("认定时间", default=timezone.now)
    withdrawn_from = models.DateField("撤销生效日期", null=True, blank=True)
    withdrawn_at = models.DateTimeField("撤销时间", null=True, blank=True)
    withdrawn_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="撤销人",
    )
    withdrawal_reason = models.CharField("撤销原因", max_length=500, blank=True)

    class Meta:
        verbose_name = "表现突出认定"
        verbose_name_plural = "表现突出认定"
        ordering = ["-start", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(end__isnull=True) | models.Q(end__gte=models.F("start")),
                name="recognition_end_after_start",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.expert.name} 表现突出（{self.start:%Y-%m-%d}起）"

    @property
    def last_day(self) -> date | None:
        """The last day in force (None = open-ended), withdrawal included."""
        return last_day_in_force(self.end, self.withdrawn_from)

    @property
    def has_days(self) -> bool:
        return self.last_day is None or self.last_day >= self.start

    def in_force_on(self, day: date) -> bool:
        return in_force_on(self.start, self.end, self.withdrawn_from, day)

    @property
    def status_label(self) -> str:
        if self.withdrawn_from is not None:
            return f"已撤销（{self.withdrawn_from:%Y-%m-%d}起）"
        today = timezone.localdate()
        if self.start > today:
            return "待生效"
        if self.end is not None and self.end < today:
            return "已到期"
        return "有效"


class AppointmentPost(models.TextChoices):
    VICE_PRESIDENT = "vice_president", "受扶医院副院长"
    PRESIDENT = "president", "受扶医院院长"


class Appointment(models.Model):
    """挂任职: a resident expert appointed vice-president or president (§六; A1-(1))."""

    deployment = models.ForeignKey(
        Deployment, on_delete=models.PROTECT, related_name="appointments", verbose_name="派驻"
    )
    post = models.CharField("职务", max_length=16, choices=AppointmentPost.choices)
    start = models.DateField("任职日期")
    end = models.DateField("免职日期", null=True, blank=True)
    created_at = models.DateTimeField("创建时间", auto_now_add=True)

    class Meta:
        verbose_name = "挂任职"
        verbose_name_plural = "挂任职"
        ordering = ["-start", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(end__isnull=True) | models.Q(end__gte=models.F("start")),
                name="appointment_end_after_start",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.deployment.expert.name} {self.get_post_display()}"


class CoverageLink(models.Model):
    """3X 机制: a resident member links a recipient department without a resident expert (A1-(15))."""

    deployment = models.ForeignKey(
        Deployment, on_delete=models.CASCADE, related_name="coverage_links", verbose_name="派驻"
    )
    department = models.ForeignKey(
        Department, on_delete=models.PROTECT, related_name="+", verbose_name="联系科室"
    )
    created_at = models.DateTimeField("创建时间", auto_now_add=True)

    class Meta:
        verbose_name = "3X联系科室"
        verbose_name_plural = "3X联系科室"
        ordering = ["deployment", "department__name"]
        constraints = [
            models.UniqueConstraint(
                fields=["deployment", "department"], name="coverage_link_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.deployment.expert.name} → {self.department.name}"


class Mentorship(models.Model):
    """师带徒: a mentor (副主任医师 or above) and a mentee at the recipient (A1-(5))."""

    deployment = models.ForeignKey(
        Deployment, on_delete=models.PROTECT, related_name="mentorships", verbose_name="师傅的派驻"
    )
    mentee_name = models.CharField("徒弟姓名", max_length=50)
    mentee_department = models.ForeignKey(
        Department,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="徒弟科室",
    )
    start = models.DateField("结对日期")
    end = models.DateField("结业日期", null=True, blank=True)
    outcome = models.TextField("培养成效", blank=True)
    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    class Meta:
        verbose_name = "师带徒"
        verbose_name_plural = "师带徒"
        ordering = ["-start", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(end__isnull=True) | models.Q(end__gte=models.F("start")),
                name="mentorship_end_after_start",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.deployment.expert.name} 带 {self.mentee_name}"


# ---- department services (§五) ----


class ApplicationStatus(models.TextChoices):
    SUBMITTED = "submitted", "已申报"
    APPROVED = "approved", "已通过"
    REJECTED = "rejected", "未通过"


class TitleEvaluationApplication(models.Model):
    """职称申报: an expert in a county hospital applies for a title; the route follows §五."""

    deployment = models.ForeignKey(
        Deployment,
        on_delete=models.PROTECT,
        related_name="title_applications",
        verbose_name="派驻（决定受扶县）",
    )
    applied_title = models.CharField("申报职称", max_length=30)
    has_entrustment_letter = models.BooleanField("已取得委托评审函", default=False)
    route = models.CharField("评审路径", max_length=30, choices=TITLE_ROUTE_CHOICES)
    valid_scope = models.CharField("职称有效范围", max_length=100)
    reasons = models.TextField("路径依据")
    status = models.CharField(
        "状态",
        max_length=12,
        choices=ApplicationStatus.choices,
        default=ApplicationStatus.SUBMITTED,
    )
    submitted_on = models.DateField("申报日期")
    decided_on = models.DateField("评审结果日期", null=True, blank=True)
    created_at = models.DateTimeField("创建时间", auto_now_add=True)

    class Meta:
        verbose_name = "职称评审申报"
        verbose_name_plural = "职称评审申报"
        ordering = ["-submitted_on", "-pk"]
        constraints = [
            # A deployment has at most one application waiting for its result.
            models.UniqueConstraint(
                fields=["deployment"],
                condition=models.Q(status=ApplicationStatus.SUBMITTED),
                name="title_application_one_open_per_deployment",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.deployment.expert.name} 申报{self.applied_title}"

    @property
    def result_recordable(self) -> bool:
        """The result may still be recorded (`title_result_recordable`, the service's rule)."""
        return title_result_recordable(self.status) is None


class SciTechApplication(models.Model):
    """省级科技计划项目申报 by an expert team (§五)."""

    team = models.ForeignKey(
        Team, on_delete=models.PROTECT, related_name="scitech_applications", verbose_name="帮扶队"
    )
    project_title = models.CharField("项目名称", max_length=200)
    programme = models.CharField("计划类别", max_length=100, default="省级科技计划项目")
    submitted_on = models.DateField("申报日期")
    # Moved only by `scitech_application_set_status` (rules in people.domain.scitech).
    status = models.CharField(
        "状态",
        max_length=12,
        choices=SCITECH_STATUS_CHOICES,
        default=ScitechStatus.SUBMITTED.value,
    )
    decided_on = models.DateField("立项结果日期", null=True, blank=True)
    decision_note = models.CharField("状态说明", max_length=500, blank=True)
    created_at = models.DateTimeField("创建时间", auto_now_add=True)

    class Meta:
        verbose_name = "科技项目申报"
        verbose_name_plural = "科技项目申报"
        ordering = ["-submitted_on", "-pk"]

    def __str__(self) -> str:
        return self.project_title


class InsuranceBriefing(models.Model):
    """医保政策培训: the recipient's insurance office briefs a team on Guizhou's rules (§五)."""

    team = models.ForeignKey(
        Team, on_delete=models.PROTECT, related_name="insurance_briefings", verbose_name="帮扶队"
    )
    held_on = models.DateField("培训日期")
    topic = models.CharField("培训内容", max_length=200)
    attendees = models.PositiveSmallIntegerField("参加人数", default=0)
    created_at = models.DateTimeField("创建时间", auto_now_add=True)

    class Meta:
        verbose_name = "医保政策培训"
        verbose_name_plural = "医保政策培训"
        ordering = ["-held_on", "-pk"]

    def __str__(self) -> str:
        return f"{self.held_on:%Y-%m-%d} {self.topic}"


class AppointmentLetter(models.Model):
    """东西部协作指导专家聘书 for a helper hospital's head, issued by the province (§六)."""

    helper = models.ForeignKey(
        Institution,
        on_delete=models.PROTECT,
        related_name="appointment_letters",
        verbose_name="帮扶医院",
    )
    head_name = models.CharField("主要负责人姓名", max_length=50)
    position = models.CharField("职务", max_length=50, default="院长")
    letter_number = models.CharField("聘书编号", max_length=50, unique=True)
    issued_on = models.DateField("发放日期")
    created_at = models.DateTimeField("创建时间", auto_now_add=True)

    class Meta:
        verbose_name = "指导专家聘书"
        verbose_name_plural = "指导专家聘书"
        ordering = ["-issued_on", "-pk"]

    def __str__(self) -> str:
        return f"{self.helper.name} {self.head_name} 聘书"
