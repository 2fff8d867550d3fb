"""Meetings and visits (会商、督导、调研、联席会议、现场检查) with their agenda, outcomes and
follow-up tasks (F11; 附件2 四(一)(二); §七). A task's status is computed (`domain.meetings`)."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from bangfu.accounts.models import Department
from bangfu.coordination.domain.meetings import (
    MEETING_KIND_LABELS,
    MEETING_LEVEL_LABELS,
    OUTCOME_KIND_LABELS,
)
from bangfu.coordination.domain.problems import CATEGORY_LABELS, STATUS_LABELS


class Meeting(models.Model):
    kind = models.CharField("类型", max_length=20, choices=list(MEETING_KIND_LABELS.items()))
    level = models.CharField("层级", max_length=12, choices=list(MEETING_LEVEL_LABELS.items()))
    partnership = models.ForeignKey(
        "partnerships.Partnership",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="meetings",
        verbose_name="帮扶关系",
    )
    county = models.ForeignKey(
        "registry.County",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="县（市、区）",
    )
    prefecture = models.ForeignKey(
        "registry.Prefecture",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="市州",
    )
    title = models.CharField("标题", max_length=200)
    held_on = models.DateField("日期")
    place = models.CharField("地点", max_length=200, blank=True)
    attendees = models.ManyToManyField(
        settings.AUTH_USER_MODEL, blank=True, related_name="+", verbose_name="参会人员（账号）"
    )
    attendee_names = models.CharField("其他参会人员", max_length=1000, blank=True)
    minutes = models.TextField("会议纪要", blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name="登记人",
    )
    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    class Meta:
        verbose_name = "会商与督导"
        verbose_name_plural = "会商与督导"
        ordering = ["-held_on", "-pk"]
        indexes = [models.Index(fields=["held_on"])]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(level="partnership") | models.Q(partnership__isnull=False),
                name="meeting_partnership_level_has_partnership",
            ),
            models.CheckConstraint(
                condition=~models.Q(level="county") | models.Q(county__isnull=False),
                name="meeting_county_level_has_county",
            ),
            models.CheckConstraint(
                condition=~models.Q(level="prefecture") | models.Q(prefecture__isnull=False),
                name="meeting_prefecture_level_has_prefecture",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.held_on:%Y-%m-%d} {self.title}"


class AgendaItem(models.Model):
    meeting = models.ForeignKey(
        Meeting, on_delete=models.CASCADE, related_name="agenda_items", verbose_name="会议"
    )
    position = models.PositiveSmallIntegerField("序号", default=1)
    title = models.CharField("议题", max_length=200)

    class Meta:
        verbose_name = "议题"
        verbose_name_plural = "议题"
        ordering = ["meeting", "position", "pk"]

    def __str__(self) -> str:
        return self.title


class Outcome(models.Model):
    agenda_item = models.ForeignKey(
        AgendaItem, on_delete=models.CASCADE, related_name="outcomes", verbose_name="议题"
    )
    kind = models.CharField("结果类型", max_length=12, choices=list(OUTCOME_KIND_LABELS.items()))
    text = models.CharField("内容", max_length=1000)

    class Meta:
        verbose_name = "议题结果"
        verbose_name_plural = "议题结果"
        ordering = ["agenda_item", "pk"]

    def __str__(self) -> str:
        return self.text[:50]


class FollowUpTask(models.Model):
    """A decision's follow-up: owned by an institution or by one user, due on a day."""

    meeting = models.ForeignKey(
        Meeting, on_delete=models.CASCADE, related_name="tasks", verbose_name="会议"
    )
    outcome = models.OneToOneField(
        Outcome,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="task",
        verbose_name="来源决定",
    )
    text = models.CharField("任务", max_length=1000)
    owner_institution = models.ForeignKey(
        "registry.Institution",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="责任单位",
    )
    owner_user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="责任人",
    )
    due = models.DateField("完成期限")
    done_on = models.DateField("完成日期", null=True, blank=True)
    done_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="办结人",
    )
    result_note = models.CharField("办理结果", max_length=1000, blank=True)
    created_at = models.DateTimeField("创建时间", auto_now_add=True)

    class Meta:
        verbose_name = "跟进任务"
        verbose_name_plural = "跟进任务"
        ordering = ["due", "pk"]
        indexes = [models.Index(fields=["due"])]
        constraints = [
            models.CheckConstraint(
                condition=(
                    models.Q(owner_institution__isnull=False, owner_user__isnull=True)
                    | models.Q(owner_institution__isnull=True, owner_user__isnull=False)
                ),
                name="task_has_one_owner",
            ),
        ]

    def __str__(self) -> str:
        return self.text[:50]


class MeetingAttachment(models.Model):
    """A file kept with a meeting (signed minutes, sign-in sheet, photos): PDF, JPEG or PNG,
    its content checked (`core.uploads`), served only through the scoped view."""

    meeting = models.ForeignKey(
        Meeting, on_delete=models.CASCADE, related_name="attachments", verbose_name="会议"
    )
    file = models.FileField("文件", upload_to="meetings/%Y/")
    name = models.CharField("文件名", max_length=200)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name="上传人"
    )
    created_at = models.DateTimeField("上传时间", auto_now_add=True)

    class Meta:
        verbose_name = "会议附件"
        verbose_name_plural = "会议附件"
        ordering = ["meeting", "pk"]

    def __str__(self) -> str:
        return self.name


class Problem(models.Model):
    """A problem raised for a department to solve (§五), about a partnership or a county."""

    raised_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name="提出人"
    )
    raised_by_institution = models.ForeignKey(
        "registry.Institution",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="提出单位",
    )
    partnership = models.ForeignKey(
        "partnerships.Partnership",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="problems",
        verbose_name="帮扶关系",
    )
    county = models.ForeignKey(
        "registry.County", on_delete=models.PROTECT, related_name="+", verbose_name="县（市、区）"
    )
    category = models.CharField("类别", max_length=30, choices=list(CATEGORY_LABELS.items()))
    department = models.CharField("承办部门", max_length=20, choices=Department.choices)
    title = models.CharField("标题", max_length=200)
    description = models.TextField("问题描述")
    status = models.CharField(
        "状态", max_length=12, choices=list(STATUS_LABELS.items()), default="submitted"
    )
    status_reason = models.CharField("理由", max_length=1000, blank=True)
    created_at = models.DateTimeField("提出时间", auto_now_add=True)
    closed_at = models.DateTimeField("办结时间", null=True, blank=True)

    class Meta:
        verbose_name = "问题"
        verbose_name_plural = "问题"
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["department", "status"])]

    def __str__(self) -> str:
        return self.title


class ProblemReply(models.Model):
    problem = models.ForeignKey(
        Problem, on_delete=models.CASCADE, related_name="replies", verbose_name="问题"
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name="答复人"
    )
    text = models.TextField("答复")
    status_after = models.CharField(
        "答复后状态", max_length=12, choices=list(STATUS_LABELS.items())
    )
    created_at = models.DateTimeField("答复时间", auto_now_add=True)

    class Meta:
        verbose_name = "问题答复"
        verbose_name_plural = "问题答复"
        ordering = ["problem", "created_at", "pk"]

    def __str__(self) -> str:
        return self.text[:50]
