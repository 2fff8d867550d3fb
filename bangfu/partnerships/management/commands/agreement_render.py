from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from bangfu.documents.render import render_agreement_docx, render_agreement_pdf
from bangfu.partnerships.documents import agreement_document_for
from bangfu.partnerships.models import Agreement


class Command(BaseCommand):
    help = "生成帮扶协作框架协议（附件2）的 Word 或 PDF 文件"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--agreement", required=True, help="协议编号（数字）")
        parser.add_argument("--format", required=True, help="docx 或 pdf")
        parser.add_argument("--output", required=True, type=Path, help="输出文件路径")

    def handle(self, *args: Any, **options: Any) -> None:
        fmt = options["format"].lower()
        if fmt not in ("docx", "pdf"):
            raise CommandError(f"--format：应为 docx 或 pdf，收到「{options['format']}」")
        try:
            pk = int(options["agreement"])
        except ValueError as exc:
            raise CommandError(
                f"--agreement：协议编号应为数字，收到「{options['agreement']}」"
            ) from exc
        output: Path = options["output"]
        if not output.parent.exists():
            raise CommandError(f"--output：目录「{output.parent}」不存在")
        agreement = (
            Agreement.objects.select_related("partnership__helper", "partnership__recipient")
            .prefetch_related("measures")
            .filter(pk=pk)
            .first()
        )
        if agreement is None:
            raise CommandError(f"--agreement：未找到编号为 {pk} 的协议")
        document = agreement_document_for(agreement)
        content = (
            render_agreement_docx(document) if fmt == "docx" else render_agreement_pdf(document)
        )
        output.write_bytes(content)
        self.stdout.write(f"已生成 {output}（{len(content)} 字节）")
