"""Yearly capability indicator values of recipient hospitals (§一, §七) and the county plans'
yearly targets, reviews and kept versions (一县一方案, §七, §三(三))."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from bangfu.partnerships.models import CountyPlan
from bangfu.registry.models import Institution

CODE_MAX_LENGTH = 12
EVIDENCE_MAX_LENGTH = 500
REVIEW_MAX_LENGTH = 4000


class IndicatorValue(models.Model):
    """One hospital's value of one catalogue indicator for one year. ``value`` holds a number
    as a decimal string, true/false for 是/否, or the text of a choice; decoded by the catalogue.
    Entering or changing a value clears its confirmation; the county confirms the year."""

    institution = models.ForeignKey(
        Institution,
        on_delete=models.PROTECT,
        related_name="capability_values",
        verbose_name="受扶医院",
    )
    year = models.PositiveSmallIntegerField("年度")
    code = models.CharField("指标编码", max_length=CODE_MAX_LENGTH)
    value = models.JSONField("数值")
    evidence = models.CharField("佐证说明", max_length=EVIDENCE_MAX_LENGTH, blank=True)
    catalogue_version = models.CharField("指标目录版本", max_length=40)
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="填报人",
    )
    entered_at = models.DateTimeField("填报时间")
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="确认人",
    )
    confirmed_at = models.DateTimeField("确认时间", null=True, blank=True)

    class Meta:
        verbose_name = "能力指标值"
        verbose_name_plural = "能力指标值"
        ordering = ["institution_id", "year", "code"]
        constraints = [
            models.UniqueConstraint(
                fields=["institution", "year", "code"], name="capability_value_unique"
            ),
        ]
        indexes = [models.Index(fields=["year", "institution"])]

    def __str__(self) -> str:
        return f"{self.institution_id} {self.year} {self.code}"


class StandardStanding(models.Model):
    """Whether a hospital met the recommended standard in a year (§一), as ``standard_result``
    judged its stored values with the catalogue ``catalogue_version`` and the hospital's type
    ``institution_type`` (ADR 0021). Derived: written only by ``capability.standings`` (the
    services that change values, and ``manage.py refresh_standings``). A hospital-year without
    values has no row."""

    institution = models.ForeignKey(
        Institution,
        on_delete=models.CASCADE,
        related_name="standard_standings",
        verbose_name="受扶医院",
    )
    year = models.PositiveSmallIntegerField("年度")
    meets = models.BooleanField("达到推荐标准")
    shortfall = models.PositiveSmallIntegerField("还差指标数")
    entered = models.PositiveSmallIntegerField("已填指标数")
    core_total = models.PositiveSmallIntegerField("核心指标数")
    core_met = models.PositiveSmallIntegerField("核心指标达标数")
    others_total = models.PositiveSmallIntegerField("其他指标数")
    others_met = models.PositiveSmallIntegerField("其他指标达标数")
    others_needed = models.PositiveSmallIntegerField("其他指标须达标数")
    catalogue_version = models.CharField("指标目录版本", max_length=40)
    institution_type = models.CharField("判定时的机构类型", max_length=16)

    class Meta:
        verbose_name = "年度能力达标结果"
        verbose_name_plural = "年度能力达标结果"
        ordering = ["institution_id", "year"]
        constraints = [
            models.UniqueConstraint(
                fields=["institution", "year"], name="capability_standing_unique"
            ),
        ]
        indexes = [models.Index(fields=["year", "meets"])]

    def __str__(self) -> str:
        return f"{self.institution_id} {self.year} {'达标' if self.meets else '未达标'}"


class AssistedYear(models.Model):
    """A recipient hospital assisted in a year (§一): on some day of the year a governing
    agreement of one of its partnerships counts toward the goal (``assisted.assisted_q``).
    Derived: written only by ``capability.assisted`` (on an agreement's or an institution's
    change, and ``manage.py refresh_standings``). A row exists exactly when the rule holds
    (ADR 0021)."""

    institution = models.ForeignKey(
        Institution,
        on_delete=models.CASCADE,
        related_name="assisted_years",
        verbose_name="受扶医院",
    )
    year = models.PositiveSmallIntegerField("年度")

    class Meta:
        verbose_name = "年度受扶医院"
        verbose_name_plural = "年度受扶医院"
        ordering = ["institution_id", "year"]
        constraints = [
            models.UniqueConstraint(
                fields=["institution", "year"], name="capability_assisted_unique"
            ),
        ]
        indexes = [models.Index(fields=["year", "institution"])]

    def __str__(self) -> str:
        return f"{self.institution_id} {self.year}"


class CountyPlanYear(models.Model):
    """A county plan's targets for one year (by measure: a yearly count; by indicator: the value
    to reach) and that year's review note."""

    plan = models.ForeignKey(
        CountyPlan, on_delete=models.CASCADE, related_name="years", verbose_name="一县一方案"
    )
    year = models.PositiveSmallIntegerField("年度")
    measure_targets = models.JSONField("措施年度目标", default=dict, blank=True)
    indicator_targets = models.JSONField("指标年度目标", default=dict, blank=True)
    review_note = models.TextField("年度回顾", max_length=REVIEW_MAX_LENGTH, blank=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="修改人",
    )
    updated_at = models.DateTimeField("修改时间", auto_now=True)

    class Meta:
        verbose_name = "一县一方案年度目标"
        verbose_name_plural = "一县一方案年度目标"
        ordering = ["plan_id", "year"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "year"], name="county_plan_year_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.plan_id} {self.year}"


class CountyPlanVersion(models.Model):
    """The plan as it was before a save (the plan "adjusted over time" keeps its history, §七)."""

    plan = models.ForeignKey(
        CountyPlan, on_delete=models.CASCADE, related_name="versions", verbose_name="一县一方案"
    )
    number = models.PositiveIntegerField("版本号")
    snapshot = models.JSONField("方案内容")
    note = models.CharField("调整说明", max_length=200, blank=True)
    saved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="调整人",
    )
    saved_at = models.DateTimeField("保存时间", auto_now_add=True)

    class Meta:
        verbose_name = "一县一方案历史版本"
        verbose_name_plural = "一县一方案历史版本"
        ordering = ["plan_id", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "number"], name="county_plan_version_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.plan_id} v{self.number}"
