"""The incentives ledger (F5, §六; A2-四(三)): what was claimed, bought and arranged.

Statements are not stored: they are computed from these rows and the deployments by the pure
rules in `bangfu.incentives.domain`. The budget's yearly forecasts are stored (ADR 0018), computed
by the same rules and rewritten by the services that change their inputs (`forecasts.py`).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models

from bangfu.people.models import Deployment, Expert
from bangfu.registry.models import Institution


class TravelClaim(models.Model):
    """往返交通费报销: one round trip home ↔ recipient county (§六; A2-四(三)4)."""

    deployment = models.ForeignKey(
        Deployment, on_delete=models.PROTECT, related_name="travel_claims", verbose_name="派驻"
    )
    date = models.DateField("乘车日期")
    amount = models.DecimalField("金额（元）", max_digits=10, decimal_places=2)
    receipt = models.FileField("票据", upload_to="incentives/receipts/%Y/", blank=True)
    note = models.CharField("备注", max_length=200, blank=True)
    created_at = models.DateTimeField("创建时间", auto_now_add=True)

    class Meta:
        verbose_name = "交通费报销"
        verbose_name_plural = "交通费报销"
        ordering = ["-date", "-pk"]
        indexes = [
            models.Index(fields=["deployment", "date"]),
            # The ledger's newest-first page walks this instead of sorting every claim in scope
            # (bench/README.md: 277 → 72 ms at ×10 on PostgreSQL).
            models.Index(fields=["-date", "-id"], name="travelclaim_newest_first"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(amount__gte=0), name="travel_claim_amount_not_negative"
            ),
            # The same trip claimed twice (same deployment, date and amount) is a duplicate.
            models.UniqueConstraint(
                fields=["deployment", "date", "amount"], name="travel_claim_unique_trip"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.deployment.expert.name} {self.date:%Y-%m-%d} 交通费"


class InsurancePolicy(models.Model):
    """人身意外伤害保险: at least 1,000,000 yuan of cover per expert (§六; A2-四(三)3)."""

    expert = models.ForeignKey(
        Expert, on_delete=models.PROTECT, related_name="insurance_policies", verbose_name="专家"
    )
    insurer = models.CharField("保险公司", max_length=100)
    policy_number = models.CharField("保单号", max_length=60)
    coverage = models.DecimalField("保额（元）", max_digits=14, decimal_places=2)
    start = models.DateField("保险起期")
    end = models.DateField("保险止期")
    created_at = models.DateTimeField("创建时间", auto_now_add=True)

    class Meta:
        verbose_name = "意外伤害保险"
        verbose_name_plural = "意外伤害保险"
        ordering = ["-start", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(end__gte=models.F("start")), name="insurance_end_after_start"
            ),
            models.CheckConstraint(
                condition=models.Q(coverage__gt=0), name="insurance_coverage_positive"
            ),
            models.UniqueConstraint(
                fields=["insurer", "policy_number"], name="insurance_unique_policy"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.expert.name} {self.insurer} {self.policy_number}"


class HealthCheck(models.Model):
    """年度健康体检 (§六; A2-四(三)3)."""

    expert = models.ForeignKey(
        Expert, on_delete=models.PROTECT, related_name="health_checks", verbose_name="专家"
    )
    checked_on = models.DateField("体检日期")
    provider = models.CharField("体检机构", max_length=100, blank=True)
    created_at = models.DateTimeField("创建时间", auto_now_add=True)

    class Meta:
        verbose_name = "健康体检"
        verbose_name_plural = "健康体检"
        ordering = ["-checked_on", "-pk"]

    def __str__(self) -> str:
        return f"{self.expert.name} {self.checked_on:%Y-%m-%d} 体检"


class TourismCard(models.Model):
    """援黔专家旅游优惠证 (§五; §六; A2-四(三)7)."""

    expert = models.ForeignKey(
        Expert, on_delete=models.PROTECT, related_name="tourism_cards", verbose_name="专家"
    )
    card_number = models.CharField("证号", max_length=50, unique=True)
    issued_on = models.DateField("办理日期")
    expires_on = models.DateField("有效期至", null=True, blank=True)
    electronic = models.BooleanField("电子旅游优惠证", default=False)
    created_at = models.DateTimeField("创建时间", auto_now_add=True)

    class Meta:
        verbose_name = "旅游优惠证"
        verbose_name_plural = "旅游优惠证"
        ordering = ["-issued_on", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(expires_on__isnull=True)
                | models.Q(expires_on__gte=models.F("issued_on")),
                name="tourism_card_expires_after_issue",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.expert.name} 旅游优惠证 {self.card_number}"


class WorkFund(models.Model):
    """受扶医院年度工作经费 arranged for the experts' living support (§六; A2-四(三)5)."""

    recipient = models.ForeignKey(
        Institution, on_delete=models.PROTECT, related_name="work_funds", verbose_name="受扶医院"
    )
    year = models.PositiveSmallIntegerField("年度")
    amount = models.DecimalField("安排金额（元）", max_digits=12, decimal_places=2)
    note = models.CharField("用途说明", max_length=300, blank=True)
    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    class Meta:
        verbose_name = "工作经费"
        verbose_name_plural = "工作经费"
        ordering = ["-year", "recipient"]
        constraints = [
            models.UniqueConstraint(fields=["recipient", "year"], name="work_fund_unique_year"),
            models.CheckConstraint(
                condition=models.Q(amount__gte=0), name="work_fund_amount_not_negative"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.recipient.name} {self.year}年工作经费"


class Payment(models.Model):
    """A statement approved by the recipient hospital that pays it: a frozen payment record
    (§六; A2-四(三)). Its lines and total never change afterwards: a later change to the expert,
    a deployment or an agreement shows as an adjustment line on the statement of a later period,
    which is frozen in turn when that statement is approved."""

    expert = models.ForeignKey(
        Expert, on_delete=models.PROTECT, related_name="payments", verbose_name="专家"
    )
    recipient = models.ForeignKey(
        Institution, on_delete=models.PROTECT, related_name="payments", verbose_name="受扶医院"
    )
    period_start = models.DateField("结算开始日期")
    period_end = models.DateField("结算结束日期")
    lines = models.JSONField(
        "明细",
        default=list,
        help_text="每行：item, item_label, deployment_id, deployment_label, days, amount（元，"
        "字符串）, clause, reason；调整行另有 adjusts（被调整的支付记录编号）",
    )
    total = models.DecimalField("合计（元）", max_digits=14, decimal_places=2)
    policy_version = models.CharField("政策版本", max_length=60)
    basis = models.CharField("依据", max_length=200)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="approved_payments",
        verbose_name="核定人",
    )
    approved_at = models.DateTimeField("核定时间")

    class Meta:
        verbose_name = "待遇支付记录"
        verbose_name_plural = "待遇支付记录"
        ordering = ["-period_start", "-pk"]
        indexes = [models.Index(fields=["recipient", "period_start"])]
        constraints = [
            models.UniqueConstraint(
                fields=["expert", "recipient", "period_start"], name="payment_unique_period"
            ),
            models.CheckConstraint(
                condition=models.Q(period_end__gte=models.F("period_start")),
                name="payment_end_after_start",
            ),
        ]

    def __str__(self) -> str:
        return (
            f"{self.expert.name} {self.period_start:%Y-%m-%d}至{self.period_end:%Y-%m-%d} "
            f"待遇支付（{self.recipient.name}）"
        )


class DeploymentForecast(models.Model):
    """What one deployment is forecast to cost its recipient hospital in one calendar year
    (`domain.budget.deployment_year`; ADR 0018). Derived data: rewritten by `forecasts.py`
    whenever the deployment, its expert, its partnership's agreements or the policy change."""

    deployment = models.ForeignKey(
        Deployment, on_delete=models.CASCADE, related_name="forecasts", verbose_name="派驻"
    )
    year = models.PositiveSmallIntegerField("年度")
    recipient = models.ForeignKey(
        Institution, on_delete=models.CASCADE, related_name="+", verbose_name="受扶医院"
    )
    expert = models.ForeignKey(Expert, on_delete=models.CASCADE, related_name="+")
    salary_top_up = models.DecimalField("薪酬补足（元）", max_digits=14, decimal_places=2)
    monthly_subsidy = models.DecimalField("每月补贴（元）", max_digits=14, decimal_places=2)
    settling_in = models.DecimalField("生活必需品（元）", max_digits=14, decimal_places=2)
    round_trips = models.PositiveIntegerField("预计往返次数")

    class Meta:
        verbose_name = "派驻年度预测"
        verbose_name_plural = "派驻年度预测"
        constraints = [
            models.UniqueConstraint(
                fields=["deployment", "year"], name="deployment_forecast_one_per_year"
            )
        ]
        indexes = [models.Index(fields=["recipient", "year"])]

    def __str__(self) -> str:
        return f"派驻#{self.deployment_id} {self.year}年度预测"


class HospitalForecast(models.Model):
    """A recipient hospital in one year's budget (a signed agreement or a deployment in the
    year), with its work fund and the sums of its deployments' forecasts (ADR 0018): the rows
    and totals of the budget page, summed in SQL. Rewritten with its deployments' forecasts."""

    recipient = models.ForeignKey(
        Institution, on_delete=models.CASCADE, related_name="+", verbose_name="受扶医院"
    )
    year = models.PositiveSmallIntegerField("年度")
    deployments = models.PositiveIntegerField("派驻人次")
    salary_top_up = models.DecimalField("薪酬补足（元）", max_digits=14, decimal_places=2)
    monthly_subsidy = models.DecimalField("每月补贴（元）", max_digits=14, decimal_places=2)
    settling_in = models.DecimalField("生活必需品（元）", max_digits=14, decimal_places=2)
    round_trips = models.PositiveIntegerField("预计往返次数")
    work_fund = models.DecimalField("工作经费（元）", max_digits=14, decimal_places=2)
    pay_people = models.PositiveIntegerField("薪酬补足人数")
    """Experts whose salary top-up here this year is above zero (small cells, ADR 0004)."""

    class Meta:
        verbose_name = "受扶医院年度预测"
        verbose_name_plural = "受扶医院年度预测"
        constraints = [
            models.UniqueConstraint(
                fields=["recipient", "year"], name="hospital_forecast_one_per_year"
            )
        ]
        indexes = [models.Index(fields=["year", "recipient"])]

    def __str__(self) -> str:
        return f"{self.recipient_id} {self.year}年度预测"
