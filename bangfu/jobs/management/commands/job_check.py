"""`bangfu job_check [--wait SECONDS]`: enqueue a tiny job and wait for a worker to finish it —
the operations check that a worker consumes the configured task backend (settings.TASKS)."""

from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from bangfu.accounts.models import Role, User
from bangfu.jobs.models import JobRun, JobStatus
from bangfu.jobs.services import job_start
from bangfu.jobs.tasks import echo_job


class Command(BaseCommand):
    help = "Enqueue a check job and wait until a worker has run it."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--wait", type=float, default=30.0, help="seconds to wait (default 30)")
        parser.add_argument("--user", default="", help="owner username (default: a province user)")

    def handle(self, *args: Any, **options: Any) -> None:
        wait = options["wait"]
        if not 0 < wait <= 3600:
            raise CommandError("--wait 须在 0 到 3600 秒之间")
        users = User.objects.filter(is_active=True)
        owner = (
            users.filter(username=options["user"]).first()
            if options["user"]
            else users.filter(role=Role.PROVINCE).order_by("pk").first()
        )
        if owner is None:
            raise CommandError("找不到任务提交人：请用 --user 指定一个有效账号")
        job = job_start(
            actor=owner,
            kind="check",
            title="后台任务自检",
            task=echo_job,
            params={"echo": "ok", "steps": 2},
        )
        deadline = time.monotonic() + wait
        while time.monotonic() < deadline:
            job = JobRun.objects.get(pk=job.pk)
            if job.is_finished:
                break
            time.sleep(0.2)
        if job.status != JobStatus.SUCCEEDED:
            raise CommandError(
                f"任务 {job.pk} 未在 {wait:g} 秒内完成（状态：{job.get_status_display()}）"
            )
        self.stdout.write(f"ok: job {job.pk} finished by the worker")
