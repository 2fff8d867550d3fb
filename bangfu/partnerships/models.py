from __future__ import annotations

from django.db import models

from bangfu.registry.models import County, Institution, Prefecture, Specialty

# The order of every list of partnerships (the recipient's county code, the recipient's name, the
# helper's name), read from the partnership's stored sort key (ADR 0024) so that a page's first
# rows come from the index `partnership_sort_key`, not from sorting every row in scope. The id
# only breaks ties (none: names are unique, and so is the pair).
PARTNERSHIP_ORDER = ("sort_county_code", "sort_recipient_name", "sort_helper_name", "id")


class Partnership(models.Model):
    """帮扶关系: one helper assisting one recipient under one or more modes (F2, §二, §三)."""

    helper = models.ForeignKey(
        Institution,
        on_delete=models.PROTECT,
        related_name="partnerships_as_helper",
        verbose_name="帮扶医院（甲方）",
    )
    recipient = models.ForeignKey(
        Institution,
        on_delete=models.PROTECT,
        related_name="partnerships_as_recipient",
        verbose_name="受扶医院（乙方）",
    )
    modes = models.JSONField("帮扶方式", default=list)
    leading_institutions = models.ManyToManyField(
        Institution,
        blank=True,
        related_name="partnerships_as_leading",
        verbose_name="参与的市州龙头医院（§三(三)）",
    )
    helper_liaison = models.CharField("甲方联络员（A1-(15)）", max_length=100, blank=True)
    recipient_liaison = models.CharField("乙方联络员（A1-(15)）", max_length=100, blank=True)
    is_demo = models.BooleanField("演示数据", default=False)
    # The sort key: copies of the recipient's county code and name and the helper's name, written
    # only by `services.partnership_sort_keys_write` (at creation, and when registry signals a
    # party's rename or move; ADR 0024). The county code is NULL when the recipient has none (a
    # partnership the admin made with a non-recipient), as the join it replaces was: each database
    # then places it where the old order did.
    sort_county_code = models.CharField(  # noqa: DJ001
        "排序：受扶医院所在县代码", max_length=6, null=True, editable=False
    )
    sort_recipient_name = models.CharField(
        "排序：受扶医院名称", max_length=100, default="", editable=False
    )
    sort_helper_name = models.CharField(
        "排序：帮扶医院名称", max_length=100, default="", editable=False
    )
    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    class Meta:
        verbose_name = "帮扶关系"
        verbose_name_plural = "帮扶关系"
        ordering = list(PARTNERSHIP_ORDER)
        indexes = [models.Index(fields=list(PARTNERSHIP_ORDER), name="partnership_sort_key")]
        constraints = [
            models.UniqueConstraint(fields=["helper", "recipient"], name="partnership_unique_pair"),
            models.CheckConstraint(
                condition=~models.Q(helper=models.F("recipient")),
                name="partnership_distinct_parties",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.helper.name} → {self.recipient.name}"


class Agreement(models.Model):
    """帮扶协议: one 3-year cycle of a partnership, a three-party agreement (A2, §七)."""

    partnership = models.ForeignKey(
        Partnership, on_delete=models.PROTECT, related_name="agreements", verbose_name="帮扶关系"
    )
    cycle_number = models.PositiveSmallIntegerField("周期序号", default=1)
    previous = models.OneToOneField(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="next_cycle",
        verbose_name="上一周期",
    )
    party_c = models.CharField("丙方（县人民政府）", max_length=100)
    start = models.DateField("开始日期")
    end = models.DateField("结束日期")
    signed_on = models.DateField("签订日期", null=True, blank=True)
    signed_scan = models.FileField("签字盖章扫描件", upload_to="agreements/scans/%Y/", blank=True)
    terminated_on = models.DateField("终止日期", null=True, blank=True)
    termination_reason = models.CharField("终止原因", max_length=500, blank=True)
    helper_exception = models.BooleanField("帮扶医院资格例外", default=False)
    helper_exception_reason = models.CharField("例外原因", max_length=500, blank=True)
    guarantee_overrides = models.JSONField(
        "保障条款（与政策默认值不同的部分）", default=dict, blank=True
    )
    other_matters = models.TextField("其他约定事宜", blank=True)
    filed_province_on = models.DateField("报省卫健委备案日期", null=True, blank=True)
    filed_prefecture_on = models.DateField("报市州卫健局备案日期", null=True, blank=True)
    filed_county_on = models.DateField("报县卫健局备案日期", null=True, blank=True)
    policy_id = models.CharField("适用政策", max_length=40, default="guizhou_2025")
    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    class Meta:
        verbose_name = "帮扶协议"
        verbose_name_plural = "帮扶协议"
        ordering = ["partnership", "cycle_number"]
        # signed_on: whether a day is on or after every signature in scope (the stored gaps'
        # condition, `selectors.gaps_for_user`) is one range scan of it.
        indexes = [
            models.Index(fields=["end"]),
            models.Index(fields=["start"]),
            models.Index(fields=["signed_on"]),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["partnership", "cycle_number"], name="agreement_unique_cycle"
            ),
            models.CheckConstraint(
                condition=models.Q(end__gt=models.F("start")), name="agreement_end_after_start"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.partnership}（第{self.cycle_number}周期 {self.start:%Y-%m-%d}—{self.end:%Y-%m-%d}）"


class AgreementMeasure(models.Model):
    """A measure of Annex 1 chosen for an agreement, with its targets (A1, A2-二)."""

    agreement = models.ForeignKey(
        Agreement, on_delete=models.CASCADE, related_name="measures", verbose_name="协议"
    )
    code = models.CharField("措施编号", max_length=4)
    targets = models.JSONField("目标", default=dict)

    class Meta:
        verbose_name = "协议措施"
        verbose_name_plural = "协议措施"
        ordering = ["agreement", "code"]
        constraints = [
            models.UniqueConstraint(fields=["agreement", "code"], name="agreement_measure_unique")
        ]

    def __str__(self) -> str:
        return f"{self.agreement_id} {self.code}"


class CountyPlan(models.Model):
    """一县一方案: a county's goals for one cycle, linked to the agreements that serve it (§七)."""

    county = models.ForeignKey(
        County, on_delete=models.PROTECT, related_name="plans", verbose_name="县"
    )
    cycle_start = models.DateField("周期开始")
    cycle_end = models.DateField("周期结束")
    goals = models.TextField("帮扶目标")
    specialties = models.ManyToManyField(
        Specialty, blank=True, related_name="+", verbose_name="重点提升专科"
    )
    centres = models.JSONField("建设的中心", default=list, blank=True)
    measure_codes = models.JSONField("选用的措施", default=list, blank=True)
    agreements = models.ManyToManyField(
        Agreement, blank=True, related_name="county_plans", verbose_name="服务该方案的协议"
    )
    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    class Meta:
        verbose_name = "一县一方案"
        verbose_name_plural = "一县一方案"
        ordering = ["county__code", "-cycle_start"]
        constraints = [
            models.UniqueConstraint(
                fields=["county", "cycle_start"], name="county_plan_unique_cycle"
            ),
            models.CheckConstraint(
                condition=models.Q(cycle_end__gt=models.F("cycle_start")),
                name="county_plan_end_after_start",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.county.name} {self.cycle_start:%Y}—{self.cycle_end:%Y} 一县一方案"


class PartnershipGap(models.Model):
    """A 断档 of a partnership as `domain.lifecycle.find_gaps` finds it on any day on or after
    the latest signature of its agreements (ADR 0023): an inner gap between two signed cycles
    (``before`` and ``last_day`` set), or the trailing gap after the last covered day (both
    null: it runs through the day read, and exists on the days from ``first_day``). Derived
    data: rewritten by `gap_store.py` when an agreement or the recipient's county changes."""

    partnership = models.ForeignKey(
        Partnership, on_delete=models.CASCADE, related_name="+", verbose_name="帮扶关系"
    )
    after = models.ForeignKey(
        Agreement, on_delete=models.CASCADE, related_name="+", verbose_name="断档前的协议"
    )
    before = models.ForeignKey(
        Agreement,
        on_delete=models.CASCADE,
        null=True,
        related_name="+",
        verbose_name="断档后的协议",
    )
    first_day = models.DateField("断档首日")
    last_day = models.DateField("断档末日", null=True)
    county = models.ForeignKey(
        County, on_delete=models.PROTECT, null=True, related_name="+", verbose_name="受扶医院所在县"
    )

    class Meta:
        verbose_name = "帮扶断档（派生）"
        verbose_name_plural = "帮扶断档（派生）"
        ordering = ["first_day", "after"]
        # `find_gaps`'s order, unique (no two gaps follow one agreement from one day): the
        # lists page the province's rows by its index.
        constraints = [
            models.UniqueConstraint(fields=["first_day", "after"], name="partnership_gap_order")
        ]

    def __str__(self) -> str:
        return f"{self.partnership_id} {self.first_day:%Y-%m-%d}—{self.last_day or ''}"


class AgreementSpan(models.Model):
    """The days an agreement is in force (`domain.lifecycle.in_force_span`: from its start, or
    its signature when later, through its end or the day before its termination), with what the
    coverage reads need of it (ADR 0022). Derived data: one row per agreement with at least one
    day in force, rewritten by `coverage_store.py` whenever the agreement, its helper's province
    or grade, or its recipient's county changes."""

    agreement = models.OneToOneField(
        Agreement,
        on_delete=models.CASCADE,
        primary_key=True,
        related_name="+",
        verbose_name="协议",
    )
    # The agreement's partnership (never changes): the readers' scope without a join.
    partnership = models.ForeignKey(
        Partnership, on_delete=models.CASCADE, related_name="+", verbose_name="帮扶关系"
    )
    # The recipient's county and that county's prefecture when the row was written. PROTECT: a
    # county is never deleted while rows point at it (as the stored progress, ADR 0020).
    county = models.ForeignKey(
        County, on_delete=models.PROTECT, null=True, related_name="+", verbose_name="县"
    )
    prefecture = models.ForeignKey(
        Prefecture, on_delete=models.PROTECT, null=True, related_name="+", verbose_name="市州"
    )
    # The helper counts toward §一 (`domain.coverage.agreement_counts_for_coverage` on a day in
    # force: its province and grade, and the policy's helper eligibility).
    counts = models.BooleanField("计入覆盖")
    first_day = models.DateField("执行起始日")
    last_day = models.DateField("执行截止日")
    start = models.DateField("开始日期")  # the governing order (latest start first)
    end = models.DateField("结束日期")  # the expiring window

    class Meta:
        verbose_name = "协议执行期"
        verbose_name_plural = "协议执行期"
        constraints = [
            models.CheckConstraint(
                condition=models.Q(first_day__lte=models.F("last_day")),
                name="agreement_span_not_empty",
            )
        ]
        indexes = [
            models.Index(fields=["partnership", "first_day"]),
            models.Index(fields=["end"], name="agreement_span_end"),
        ]

    def __str__(self) -> str:
        return f"协议#{self.agreement_id} {self.first_day:%Y-%m-%d}—{self.last_day:%Y-%m-%d}"


class CountyCoverageSpan(models.Model):
    """A maximal run of days on which a county has an agreement in force that counts toward §一:
    the union of its counting `AgreementSpan` rows, adjacent days merged (ADR 0022). The
    province's covered counties on a day are the rows containing it: ≈ 88 × few rows, whatever
    the number of agreements. Derived data, rewritten by `coverage_store.py` with the spans."""

    county = models.ForeignKey(
        County, on_delete=models.PROTECT, related_name="+", verbose_name="县"
    )
    first_day = models.DateField("起始日")
    last_day = models.DateField("截止日")

    class Meta:
        verbose_name = "县覆盖期"
        verbose_name_plural = "县覆盖期"
        constraints = [
            models.UniqueConstraint(
                fields=["county", "first_day"], name="county_coverage_span_unique"
            ),
            models.CheckConstraint(
                condition=models.Q(first_day__lte=models.F("last_day")),
                name="county_coverage_span_not_empty",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.county_id} {self.first_day:%Y-%m-%d}—{self.last_day:%Y-%m-%d}"
