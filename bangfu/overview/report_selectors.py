"""Who may read a kept report: its author; the province office reads every report, and the
scheduled province reports are also read by the province's observers (相关部门)."""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet
from django.http import Http404

from bangfu.accounts.models import Role, User
from bangfu.overview.models import ReportFile


def report_list_for_user(*, user: User) -> QuerySet[ReportFile, Any]:
    reports = ReportFile.objects.select_related("prefecture", "created_by")
    if user.role == Role.PROVINCE:
        return reports
    if user.role == Role.OBSERVER:
        return reports.filter(Q(created_by=user) | Q(scheduled=True, prefecture__isnull=True))
    return reports.filter(created_by=user, scheduled=False)


def report_get_for_user(*, user: User, report_id: int) -> ReportFile:
    report: ReportFile | None = report_list_for_user(user=user).filter(pk=report_id).first()
    if report is None:
        raise Http404("未找到该报告")
    return report
