from __future__ import annotations

from django.conf import settings
from django.db import models

from bangfu.partnerships.models import Partnership
from bangfu.registry.models import Institution, Prefecture, Specialty


class RecipientNeed(models.Model):
    """受扶地所需 (§三(一)): one specialty a recipient hospital needs help with — out-referrals of
    the last 3 years (A1-(3) 近3年外转率排名靠前的疾病谱), a weak specialty, a capability gap."""

    institution = models.ForeignKey(
        Institution,
        on_delete=models.CASCADE,
        related_name="matching_needs",
        verbose_name="受扶医院",
    )
    specialty = models.ForeignKey(
        Specialty, on_delete=models.PROTECT, related_name="+", verbose_name="专科"
    )
    referrals_3y = models.PositiveIntegerField("近3年外转人次", default=0)
    disease = models.CharField("主要外转病种", max_length=100, blank=True)
    weak = models.BooleanField("薄弱专科", default=False)
    gap = models.BooleanField("能力短板", default=False)
    is_demo = models.BooleanField("演示数据", default=False)
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    class Meta:
        verbose_name = "受扶医院需求"
        verbose_name_plural = "受扶医院需求"
        ordering = ["institution", "specialty"]
        constraints = [
            models.UniqueConstraint(
                fields=["institution", "specialty"], name="recipient_need_unique_specialty"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.institution.name} {self.specialty.name}"


class MatchPreference(models.Model):
    """A hospital's own ranked choices of the other side (§三(二) 自主选择、主动对接): a recipient
    ranks helpers, a helper ranks recipients. Hospitals without one are ranked by fit."""

    institution = models.OneToOneField(
        Institution,
        on_delete=models.CASCADE,
        related_name="matching_preference",
        verbose_name="医疗机构",
    )
    ranked_ids = models.JSONField("志愿（机构编号，按先后）", default=list)
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    class Meta:
        verbose_name = "结对志愿"
        verbose_name_plural = "结对志愿"

    def __str__(self) -> str:
        return f"{self.institution.name}的结对志愿"


class RoundMethod(models.TextChoices):
    STABLE = "stable", "稳定匹配（自主选择、主动对接）"
    OPTIMAL = "optimal", "最大契合度（合理匹配）"


class MatchingRound(models.Model):
    """One run of the matching (§三(二)) with its inputs and outputs, kept as they were.

    `parameters` are the officer's choices, `instance` the solver input (the `manage.py match`
    JSON, plus the needs and profiles it was built from), `result` the reasons and the unmatched
    recipients with why. The proposed pairs are `proposals`. A re-run links to `previous`.
    """

    method = models.CharField("匹配方法", max_length=8, choices=RoundMethod.choices)
    prefecture = models.ForeignKey(
        Prefecture,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="发起市州（空为省级）",
    )
    previous = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="reruns",
        verbose_name="上一轮",
    )
    parameters = models.JSONField("匹配参数")
    instance = models.JSONField("匹配输入")
    result = models.JSONField("匹配结果")
    recipient_count = models.PositiveIntegerField("受扶医院数")
    helper_count = models.PositiveIntegerField("帮扶医院数")
    matched_count = models.PositiveIntegerField("配对数")
    objective = models.DecimalField("总契合度", max_digits=14, decimal_places=2)
    solve_seconds = models.FloatField("求解耗时（秒）")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name="发起人",
    )
    created_at = models.DateTimeField("创建时间", auto_now_add=True)

    class Meta:
        verbose_name = "匹配轮次"
        verbose_name_plural = "匹配轮次"
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["prefecture", "-created_at"])]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(method__in=["stable", "optimal"]), name="matching_round_method"
            ),
        ]

    def __str__(self) -> str:
        return f"结对匹配第{self.pk}轮"


class ProposalStatus(models.TextChoices):
    PROPOSED = "proposed", "待定"
    ACCEPTED = "accepted", "已接受"
    EXCLUDED = "excluded", "已排除"


class MatchingProposal(models.Model):
    """A pair proposed by a round, with its fit explained part by part; accepting it creates a
    draft partnership (a partnership awaiting its first agreement)."""

    round = models.ForeignKey(
        MatchingRound, on_delete=models.CASCADE, related_name="proposals", verbose_name="轮次"
    )
    recipient = models.ForeignKey(
        Institution, on_delete=models.PROTECT, related_name="+", verbose_name="受扶医院"
    )
    helper = models.ForeignKey(
        Institution, on_delete=models.PROTECT, related_name="+", verbose_name="帮扶医院"
    )
    fit_total = models.DecimalField("契合度", max_digits=7, decimal_places=2)
    parts = models.JSONField("契合度构成")
    reason = models.CharField("理由", max_length=500)
    recipient_rank = models.PositiveSmallIntegerField("受扶方志愿名次", null=True, blank=True)
    helper_rank = models.PositiveSmallIntegerField("帮扶方志愿名次", null=True, blank=True)
    modes = models.JSONField("建议帮扶方式", default=list)
    status = models.CharField(
        "状态", max_length=10, choices=ProposalStatus.choices, default=ProposalStatus.PROPOSED
    )
    partnership = models.ForeignKey(
        Partnership,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="生成的帮扶关系",
    )
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    class Meta:
        verbose_name = "匹配建议"
        verbose_name_plural = "匹配建议"
        ordering = ["round", "-fit_total", "recipient_id"]
        constraints = [
            models.UniqueConstraint(
                fields=["round", "recipient"], name="matching_proposal_one_per_recipient"
            ),
            models.CheckConstraint(
                condition=models.Q(status__in=["proposed", "accepted", "excluded"]),
                name="matching_proposal_status",
            ),
        ]

    def __str__(self) -> str:
        return f"第{self.round_id}轮：{self.helper.name} → {self.recipient.name}"
