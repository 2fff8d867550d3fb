from __future__ import annotations

from django.conf import settings
from django.db import models


class AuditEntry(models.Model):
    """One service write: who did what to which object, with before/after (F12)."""

    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name="操作人",
    )
    actor_label = models.CharField("操作人（记录时）", max_length=150, blank=True)
    action = models.CharField("操作", max_length=64)
    object_type = models.CharField("对象类型", max_length=100)
    object_id = models.CharField("对象编号", max_length=64)
    object_repr = models.CharField("对象", max_length=255)
    before = models.JSONField("修改前", null=True, blank=True)
    after = models.JSONField("修改后", null=True, blank=True)
    note = models.CharField("说明", max_length=500, blank=True)
    created_at = models.DateTimeField("时间", auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = "审计记录"
        verbose_name_plural = "审计记录"
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["object_type", "object_id", "-created_at"])]

    def __str__(self) -> str:
        return (
            f"{self.created_at:%Y-%m-%d %H:%M} {self.actor_label} {self.action} {self.object_repr}"
        )


class DerivedRowsStamp(models.Model):
    """What one kind of stored derived rows (`name`: forecasts, progress, standings) was last
    rebuilt in full from: the fingerprint of its input files and rule version
    (`core.derived_rows`), written in the transaction of the rebuild. `refresh_* --if-stale`
    skips the rebuild while it equals the current fingerprint."""

    name = models.CharField("数据", max_length=50, unique=True)
    fingerprint = models.CharField("输入指纹", max_length=64)
    refreshed_at = models.DateTimeField("全部重算时间")

    class Meta:
        verbose_name = "派生数据重算记录"
        verbose_name_plural = "派生数据重算记录"
        ordering = ["name"]

    def __str__(self) -> str:
        return f"{self.name} {self.fingerprint[:12]}"
