from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from bangfu.registry.registry_files import DATA_DIR, RegistryFileError
from bangfu.registry.services import registry_load


class Command(BaseCommand):
    help = "载入贵州省市州、县级单位和诊疗科目名录（可重复执行；文件有误时不做任何修改）"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--data-dir", type=Path, default=DATA_DIR, help="名录文件所在目录")

    def handle(self, *args: Any, **options: Any) -> None:
        data_dir: Path = options["data_dir"]
        if not data_dir.is_dir():
            raise CommandError(f"--data-dir：目录「{data_dir}」不存在")
        try:
            summary = registry_load(actor=None, data_dir=data_dir)
        except RegistryFileError as exc:
            raise CommandError(
                "名录文件有误，未做任何修改：\n" + "\n".join(str(e) for e in exc.errors)
            ) from exc
        self.stdout.write(
            f"名录载入完成：新增 {summary.created} 条，更新 {summary.updated} 条，未变 {summary.unchanged} 条"
        )
