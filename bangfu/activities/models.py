from __future__ import annotations

from datetime import date

from django.conf import settings
from django.db import models
from django.db.models import F, Value
from django.db.models.functions import Coalesce

from bangfu.partnerships.models import Agreement, Partnership
from bangfu.people.models import Expert
from bangfu.registry.models import County, Prefecture

TITLE_MAX_LENGTH = 200
NOTE_MAX_LENGTH = 2000
DEPARTMENT_MAX_LENGTH = 100
EXTERNAL_ID_MAX_LENGTH = 64
KIND_MAX_LENGTH = 40


class RecordedSide(models.TextChoices):
    HELPER = "helper", "帮扶方"
    RECIPIENT = "recipient", "受扶方"


class Activity(models.Model):
    """帮扶活动: what the help did on one day under a partnership (F8; A1 (1)–(21), §二).

    The agreement in force on ``date`` is derived (selectors), not stored. A record made by one
    side is confirmed by the other (§三(三)); only confirmed records count towards progress.
    """

    partnership = models.ForeignKey(
        Partnership, on_delete=models.PROTECT, related_name="activities", verbose_name="帮扶关系"
    )
    date = models.DateField("活动日期")
    kind = models.CharField("活动类型", max_length=KIND_MAX_LENGTH)
    quantities = models.JSONField("数量", default=dict)
    attributes = models.JSONField("属性", default=dict, blank=True)
    department = models.CharField("科室/专科", max_length=DEPARTMENT_MAX_LENGTH, blank=True)
    experts = models.ManyToManyField(
        Expert, blank=True, related_name="activities", verbose_name="参与专家"
    )
    title = models.CharField("标题", max_length=TITLE_MAX_LENGTH, blank=True)
    note = models.TextField("备注", max_length=NOTE_MAX_LENGTH, blank=True)
    external_id = models.CharField("外部编号", max_length=EXTERNAL_ID_MAX_LENGTH, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="填报人",
    )
    recorded_side = models.CharField("填报方", max_length=10, choices=RecordedSide.choices)
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="确认人",
    )
    confirmed_at = models.DateTimeField("确认时间", null=True, blank=True)
    is_demo = models.BooleanField("演示数据", default=False)
    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    class Meta:
        verbose_name = "帮扶活动"
        verbose_name_plural = "帮扶活动"
        ordering = ["-date", "-pk"]
        indexes = [
            models.Index(fields=["partnership", "date"]),
            models.Index(fields=["date"]),
            models.Index(fields=["kind"]),
            # The list's newest-first page walks this instead of sorting the last day's
            # activities (or all of them) in scope by id (bench/README.md, issue #13).
            models.Index(fields=["-date", "-id"], name="activity_newest_first"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["partnership", "external_id"],
                condition=~models.Q(external_id=""),
                name="activity_unique_external_id",
            ),
            models.CheckConstraint(
                condition=models.Q(recorded_side__in=["helper", "recipient"]),
                name="activity_recorded_side_valid",
            ),
            models.CheckConstraint(
                condition=models.Q(confirmed_at__isnull=True)
                | models.Q(confirmed_by__isnull=False),
                name="activity_confirmed_has_confirmer",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.date:%Y-%m-%d} {self.title or self.kind}"

    @property
    def is_confirmed(self) -> bool:
        return self.confirmed_at is not None


class ActivityEvidence(models.Model):
    """佐证材料: a photo or PDF backing an activity, checked by content, not by name."""

    activity = models.ForeignKey(
        Activity, on_delete=models.CASCADE, related_name="evidence", verbose_name="活动"
    )
    file = models.FileField("文件", upload_to="activities/evidence/%Y/")
    original_name = models.CharField("原文件名", max_length=200)
    content_type = models.CharField("文件类型", max_length=50)
    size = models.PositiveIntegerField("大小（字节）")
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="上传人",
    )
    created_at = models.DateTimeField("上传时间", auto_now_add=True)

    class Meta:
        verbose_name = "佐证材料"
        verbose_name_plural = "佐证材料"
        ordering = ["activity", "pk"]

    def __str__(self) -> str:
        return self.original_name


class AgreementYearProgress(models.Model):
    """An agreement in force on some day of a calendar year, with the days it was (first..last):
    a row of the province's progress page (ADR 0020). Derived data: rewritten by
    `progress_store.py` whenever an activity or the agreement's terms change."""

    agreement = models.ForeignKey(
        Agreement, on_delete=models.CASCADE, related_name="+", verbose_name="协议"
    )
    year = models.PositiveSmallIntegerField("年度")
    # The agreement's partnership (never changes), for the reader's scope without a join.
    partnership = models.ForeignKey(
        Partnership, on_delete=models.CASCADE, related_name="+", verbose_name="帮扶关系"
    )
    # The recipient's county and that county's prefecture when the rows were written (kept
    # current by `progress_store` on `registry.signals.institution_changed`), so that the
    # summary groups by region without joining partnership → institution → county. PROTECT: a
    # county or prefecture is never deleted while rows point at it (the institutions pointing
    # at it protect it too); SET_NULL would drop rows from the summary silently.
    # The county is indexed: a county's drill-down by a reader not of the whole province
    # filters on it (EXPLAIN ANALYZE at ×50: 8 → 2 ms). Nothing filters on the prefecture (the
    # GROUP BY hash-joins the prefectures' small table), so it has no index (write cost).
    county = models.ForeignKey(
        County, on_delete=models.PROTECT, null=True, related_name="+", verbose_name="县"
    )
    prefecture = models.ForeignKey(
        Prefecture,
        on_delete=models.PROTECT,
        null=True,
        related_name="+",
        db_index=False,
        verbose_name="市州",
    )
    first = models.DateField("年度内起始日")
    last = models.DateField("年度内截止日")
    # `domain.progress.first_behind_day` of its measures: behind on some measure from that day.
    behind_from = models.DateField("滞后起始日", null=True, blank=True)

    class Meta:
        verbose_name = "协议年度进度"
        verbose_name_plural = "协议年度进度"
        constraints = [
            models.UniqueConstraint(
                fields=["agreement", "year"], name="agreement_year_progress_one_per_year"
            )
        ]
        indexes = [models.Index(fields=["year", "partnership"])]

    def __str__(self) -> str:
        return f"协议#{self.agreement_id} {self.year}年度进度"


class MeasureYearProgress(models.Model):
    """One chosen measure of an agreement-year without a day (`domain.progress.MeasureYear`):
    its status on a day is `domain.progress.status_on` (in SQL: `selectors.status_sql`)."""

    agreement_year = models.ForeignKey(
        AgreementYearProgress,
        on_delete=models.CASCADE,
        related_name="measures",
        verbose_name="协议年度进度",
    )
    # The agreement-year's year and partnership, so that the province's GROUP BY reads only
    # the year's measure rows in the reader's scope (without joining every year's rows).
    year = models.PositiveSmallIntegerField("年度")
    partnership = models.ForeignKey(
        Partnership, on_delete=models.CASCADE, related_name="+", verbose_name="帮扶关系"
    )
    # The agreement-year's region (the summary's GROUP BY reads only this table). Indexes: as
    # on the agreement-year (a county's drill-down at ×50: 36 → 11 ms with it).
    county = models.ForeignKey(
        County, on_delete=models.PROTECT, null=True, related_name="+", verbose_name="县"
    )
    prefecture = models.ForeignKey(
        Prefecture,
        on_delete=models.PROTECT,
        null=True,
        related_name="+",
        db_index=False,
        verbose_name="市州",
    )
    code = models.CharField("措施", max_length=8)
    target = models.IntegerField("目标值", null=True, blank=True)
    achieved = models.IntegerField("已完成")
    unconfirmed = models.IntegerField("待确认")
    met = models.BooleanField("已达成")
    any_record = models.BooleanField("有已确认记录")
    behind_from = models.DateField("滞后起始日", null=True, blank=True)

    class Meta:
        verbose_name = "措施年度进度"
        verbose_name_plural = "措施年度进度"
        constraints = [
            models.UniqueConstraint(
                fields=["agreement_year", "code"], name="measure_year_progress_one_per_code"
            )
        ]
        indexes = [models.Index(fields=["year", "partnership"])]

    def __str__(self) -> str:
        return f"{self.code} {self.achieved}/{self.target}"


# ---- the stored rows counted (ADR 0020, "Counts") ----

NO_DAY = date(1, 1, 1)
"""Stands for "no day" (``behind_from`` NULL) in the counts' unique keys only: NULLs are
distinct in a unique index, and the upsert of `progress_store` needs one row per key."""


def _key(name: str) -> Coalesce:
    """A nullable key column in a unique index (`progress_store` names the same expressions in
    its ON CONFLICT)."""
    if name == "behind_from":
        return Coalesce(F(name), Value(NO_DAY))
    return Coalesce(F(name), Value(0))


class YearRegionCount(models.Model):
    """A count of stored progress rows of a year in a region (the recipient's county and its
    prefecture); the subclasses add the rest of their key and the count `n`."""

    year = models.PositiveSmallIntegerField("年度")
    county = models.ForeignKey(
        County,
        on_delete=models.PROTECT,
        null=True,
        related_name="+",
        db_index=False,
        verbose_name="县",
    )
    prefecture = models.ForeignKey(
        Prefecture,
        on_delete=models.PROTECT,
        null=True,
        related_name="+",
        db_index=False,
        verbose_name="市州",
    )

    class Meta:
        abstract = True


class AgreementYearCount(YearRegionCount):
    """How many stored agreement-years of a year share a region (the recipient's county and its
    prefecture) and a first day behind: the province's agreement counts and the goals panel's
    read a few hundred of these instead of every agreement-year. Derived from
    `AgreementYearProgress` and adjusted by `progress_store.py` in the same transaction."""

    behind_from = models.DateField("滞后起始日", null=True, blank=True)
    n = models.IntegerField("协议年度数")

    KEY = ("year", "county", "prefecture", "behind_from")

    class Meta:
        verbose_name = "协议年度进度计数"
        verbose_name_plural = "协议年度进度计数"
        constraints = [
            # Its first column, year, is also the reads' filter.
            models.UniqueConstraint(
                F("year"),
                _key("county"),
                _key("prefecture"),
                _key("behind_from"),
                name="agreement_year_count_one_per_key",
            )
        ]

    def __str__(self) -> str:
        return f"{self.year}年 县#{self.county_id} {self.behind_from}: {self.n}"


class MeasureYearCount(YearRegionCount):
    """How many stored measure-years of a year share a region, a measure and what decides their
    status on a day (met, any_record, behind_from: `selectors.status_sql` reads these as on
    `MeasureYearProgress`): the province's 滞后 / 无记录 cells read these. Derived from
    `MeasureYearProgress` and adjusted by `progress_store.py` in the same transaction."""

    code = models.CharField("措施", max_length=8)
    met = models.BooleanField("已达成")
    any_record = models.BooleanField("有已确认记录")
    behind_from = models.DateField("滞后起始日", null=True, blank=True)
    n = models.IntegerField("措施年度数")

    KEY = ("year", "county", "prefecture", "code", "met", "any_record", "behind_from")

    class Meta:
        verbose_name = "措施年度进度计数"
        verbose_name_plural = "措施年度进度计数"
        constraints = [
            models.UniqueConstraint(
                F("year"),
                _key("county"),
                _key("prefecture"),
                F("code"),
                F("met"),
                F("any_record"),
                _key("behind_from"),
                name="measure_year_count_one_per_key",
            )
        ]

    def __str__(self) -> str:
        return f"{self.year}年 县#{self.county_id} {self.code}: {self.n}"
