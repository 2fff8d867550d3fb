"""`manage.py benefits_preview --input CASE.json`: one expert's benefits as JSON (§五, §六).

Reads the case (a file, or `-` for stdin), the policy file and the registry's
county list; touches no database, so it works before `migrate`.
"""

from __future__ import annotations

import json
import sys
from argparse import ArgumentParser
from pathlib import Path
from typing import Any, TextIO

from django.core.management.base import BaseCommand, CommandError

from bangfu.incentives.domain.preview import BenefitsPreview, benefits_preview
from bangfu.incentives.domain.rates import incentive_rates_from_terms
from bangfu.incentives.management.preview_case import (
    CaseError,
    parse_case_json,
    read_registry_counties,
)
from bangfu.policy.domain.money import yuan
from bangfu.policy.loader import PolicyError, load_policy


class Command(BaseCommand):
    help = "按 JSON 案例预览帮扶专家的待遇明细、挂职资格和职称评审路径（输出 JSON）。"
    requires_system_checks: list[str] = []
    requires_migrations_checks = False
    # `stdin` lets tests feed `--input -` through call_command.
    stealth_options = ("stdin",)

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument(
            "--input",
            required=True,
            help="案例 JSON 文件路径；“-”表示从标准输入读取",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        text = self._read_input(options["input"], options.get("stdin") or sys.stdin)
        try:
            policy = load_policy()
            rates = incentive_rates_from_terms(policy.incentives)
            case = parse_case_json(text)
            counties = read_registry_counties()
        except (CaseError, PolicyError) as error:
            raise CommandError(str(error)) from None
        county = counties.get(case.recipient_county_code)
        if county is None:
            raise CommandError(
                f"recipient_county_code：未知县级行政区划代码 {case.recipient_county_code!r}"
                "（应为贵州省88个县级单位之一，如 520526）"
            )
        preview = benefits_preview(
            case.expert,
            case.deployment,
            case.period,
            rates,
            county,
            case.entrustment_letter,
            case.home_pay_in_period,
            case.travel_claims,
        )
        reconfigure = getattr(self.stdout, "reconfigure", None)
        if callable(reconfigure):
            reconfigure(encoding="utf-8")
        self.stdout.write(json.dumps(preview_document(preview), ensure_ascii=False, indent=2))

    def _read_input(self, source: str, stdin: TextIO) -> str:
        if source == "-":
            return stdin.read()
        path = Path(source)
        try:
            return path.read_text(encoding="utf-8-sig")
        except FileNotFoundError:
            raise CommandError(f"--input：找不到文件 {source}") from None
        except IsADirectoryError:
            raise CommandError(f"--input：{source} 是目录，不是文件") from None
        except UnicodeDecodeError:
            raise CommandError(f"--input：文件 {source} 不是 UTF-8 编码") from None
        except OSError as error:
            raise CommandError(f"--input：无法读取文件 {source}（{error.strerror}）") from None


def preview_document(preview: BenefitsPreview) -> dict[str, object]:
    """The JSON shape of the CLI contract; money as two-place decimal strings."""
    statement = preview.statement
    return {
        "lines": [
            {
                "item": line.item.value,
                "amount": yuan(line.amount),
                "clause": line.clause,
                "reason": line.reason,
            }
            for line in statement.lines
        ],
        "total": yuan(statement.total),
        "rejected_claims": [
            {
                "date": rejected.claim.date.isoformat(),
                "amount": yuan(rejected.claim.amount),
                "reason": rejected.reason,
            }
            for rejected in statement.rejected_claims
        ],
        "appointment": {
            "vice_president": preview.appointment.vice_president,
            "president": preview.appointment.president,
            "reasons": list(preview.appointment.reasons),
        },
        "title_route": {
            "route": preview.title_route.route.value,
            "valid_scope": preview.title_route.valid_scope,
        },
    }
