from __future__ import annotations

from django.conf import settings
from django.db import models

from bangfu.assessments.domain.review import (
    DECISION_LABELS,
    LEVEL_CODES,
    LEVEL_LABELS,
    STATUS_LABELS,
    Status,
)
from bangfu.partnerships.models import Agreement

NARRATIVE_MAX_LENGTH = 5000
COMMENT_MAX_LENGTH = 2000
ATTACHMENT_NAME_MAX_LENGTH = 200

STATUS_CHOICES = [(s.value, label) for s, label in STATUS_LABELS.items()]
LEVEL_CHOICES = [(LEVEL_CODES[level], label) for level, label in LEVEL_LABELS.items()]
DECISION_CHOICES = list(DECISION_LABELS.items())


class Assessment(models.Model):
    """年度自查自评: one agreement's self-check for one calendar year (§七, issue #12)."""

    agreement = models.ForeignKey(
        Agreement, on_delete=models.PROTECT, related_name="assessments", verbose_name="协议"
    )
    year = models.PositiveSmallIntegerField("年度")
    status = models.CharField(
        "状态", max_length=20, choices=STATUS_CHOICES, default=Status.DRAFT.value
    )
    due_on = models.DateField("报送截止日期", null=True, blank=True)
    ratings = models.JSONField("各措施自评", default=dict, blank=True)
    results_text = models.TextField("工作成效", max_length=NARRATIVE_MAX_LENGTH, blank=True)
    problems_text = models.TextField("存在问题", max_length=NARRATIVE_MAX_LENGTH, blank=True)
    next_steps_text = models.TextField("下一步打算", max_length=NARRATIVE_MAX_LENGTH, blank=True)
    helper_comments = models.TextField("帮扶医院意见", max_length=NARRATIVE_MAX_LENGTH, blank=True)
    submitted_at = models.DateTimeField("最近提交时间", null=True, blank=True)
    is_demo = models.BooleanField("演示数据", default=False)
    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    class Meta:
        verbose_name = "年度自查自评"
        verbose_name_plural = "年度自查自评"
        ordering = ["-year", "agreement__partnership__recipient__county__code", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["agreement", "year"], name="assessment_unique_agreement_year"
            ),
            models.CheckConstraint(
                condition=models.Q(status__in=[s.value for s in Status]),
                name="assessment_status_known",
            ),
        ]
        indexes = [models.Index(fields=["year", "status"])]

    def __str__(self) -> str:
        return f"{self.year}年度自查自评 #{self.pk}"

    @property
    def status_enum(self) -> Status:
        return Status(self.status)


class Approval(models.Model):
    """One step of the review chain: who, at which level, decided what, when, with what comment."""

    assessment = models.ForeignKey(
        Assessment, on_delete=models.CASCADE, related_name="approvals", verbose_name="自查自评"
    )
    level = models.CharField("层级", max_length=12, choices=LEVEL_CHOICES)
    decision = models.CharField("决定", max_length=12, choices=DECISION_CHOICES)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        related_name="+",
        verbose_name="办理人",
    )
    at = models.DateTimeField("时间")
    comment = models.TextField("意见", max_length=COMMENT_MAX_LENGTH, blank=True)

    class Meta:
        verbose_name = "审核记录"
        verbose_name_plural = "审核记录"
        ordering = ["assessment", "at", "pk"]

    def __str__(self) -> str:
        return f"{self.assessment_id} {self.level} {self.decision}"


class AssessmentAttachment(models.Model):
    """A supporting file of the self-assessment (content checked by core.uploads)."""

    assessment = models.ForeignKey(
        Assessment, on_delete=models.CASCADE, related_name="attachments", verbose_name="自查自评"
    )
    file = models.FileField("附件", upload_to="assessments/%Y/")
    name = models.CharField("文件名", max_length=ATTACHMENT_NAME_MAX_LENGTH)
    content_type = models.CharField("文件类型", max_length=40)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        related_name="+",
        verbose_name="上传人",
    )
    uploaded_at = models.DateTimeField("上传时间", auto_now_add=True)

    class Meta:
        verbose_name = "自查自评附件"
        verbose_name_plural = "自查自评附件"
        ordering = ["assessment", "pk"]

    def __str__(self) -> str:
        return self.name
