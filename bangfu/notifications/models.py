"""A user's inbox (F11): one row per notification and recipient, read or not, e-mailed or not.

A reminder carries the `milestone` it was sent for (e.g. `expiring_30`), and the database keeps
it to one row per kind, object, milestone and recipient, so a daily `send_reminders` that runs
twice (or is re-run for the same date) creates nothing new."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from bangfu.notifications.domain.kinds import KIND_LABELS

KIND_CHOICES = list(KIND_LABELS.items())


class Notification(models.Model):
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="notifications",
        verbose_name="接收人",
    )
    kind = models.CharField("类型", max_length=30, choices=KIND_CHOICES)
    title = models.CharField("标题", max_length=200)
    body = models.TextField("内容", blank=True)
    link = models.CharField("链接", max_length=300, blank=True)
    object_type = models.CharField("对象类型", max_length=60, blank=True)
    object_id = models.CharField("对象编号", max_length=40, blank=True)
    object_label = models.CharField("对象", max_length=200, blank=True)
    milestone = models.CharField("提醒节点", max_length=40, blank=True)
    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    read_at = models.DateTimeField("阅读时间", null=True, blank=True)
    emailed_at = models.DateTimeField("邮件发送时间", null=True, blank=True)
    email_attempts = models.PositiveSmallIntegerField("邮件尝试次数", default=0)
    email_error = models.CharField("邮件错误", max_length=500, blank=True)

    class Meta:
        verbose_name = "通知"
        verbose_name_plural = "通知"
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["recipient", "read_at"], name="notification_inbox")]
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "object_type", "object_id", "milestone", "recipient"],
                condition=~models.Q(milestone=""),
                name="notification_reminder_once",
            )
        ]

    def __str__(self) -> str:
        return self.title


class EmailPreference(models.Model):
    """A user's choice for one kind: also by e-mail or not (no row: the kind's default)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="email_preferences",
        verbose_name="用户",
    )
    kind = models.CharField("类型", max_length=30, choices=KIND_CHOICES)
    by_email = models.BooleanField("邮件通知", default=True)

    class Meta:
        verbose_name = "邮件通知设置"
        verbose_name_plural = "邮件通知设置"
        constraints = [
            models.UniqueConstraint(fields=["user", "kind"], name="email_preference_once")
        ]

    def __str__(self) -> str:
        return f"{self.user} {self.kind}"
