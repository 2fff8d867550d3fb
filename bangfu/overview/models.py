"""Reports kept for the file: generated on request (a user's job) or on schedule (monthly)."""

from __future__ import annotations

from django.conf import settings
from django.db import models


class ReportFormat(models.TextChoices):
    DOCX = "docx", "Word (.docx)"
    PDF = "pdf", "PDF"


class ReportFile(models.Model):
    period = models.CharField("报告期", max_length=10)
    prefecture = models.ForeignKey(
        "registry.Prefecture",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="市州",
    )
    format = models.CharField("格式", max_length=4, choices=ReportFormat.choices)
    file = models.FileField("文件", upload_to="reports/%Y/")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="生成人",
    )
    scheduled = models.BooleanField("定时生成", default=False)
    created_at = models.DateTimeField("生成时间", auto_now_add=True)

    class Meta:
        verbose_name = "工作报告"
        verbose_name_plural = "工作报告"
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["period", "format"],
                condition=models.Q(scheduled=True, prefecture__isnull=True),
                name="one_scheduled_province_report_per_period_and_format",
            )
        ]

    def __str__(self) -> str:
        scope = self.prefecture.name if self.prefecture else "全省"
        return f"{scope} {self.period} 工作报告（{self.get_format_display()}）"

    @property
    def filename(self) -> str:
        scope = self.prefecture.name if self.prefecture else "贵州省"
        return f"{scope}帮扶工作报告_{self.period}.{self.format}"
