"""`manage.py match`: pair hospitals without a helper (§三(二)) from a JSON instance."""

from __future__ import annotations

import argparse
import json
import sys
import time
from decimal import Decimal
from pathlib import Path
from typing import IO, Any

from django.core.management.base import (
    BaseCommand,
    CommandError,
    CommandParser,
    DjangoHelpFormatter,
)

from bangfu.matching.domain import (
    MatchingInputError,
    MatchResult,
    parse_instance,
    solve_optimal,
    solve_stable,
)

HELP = """\
为尚未建立帮扶关系的县级医院匹配省外三甲帮扶医院（§三(二)“自主选择、主动对接、合理匹配”）。
不访问数据库。结果以 JSON 输出到标准输出；输入有误时以非零状态退出并指出出错字段。

输入（--input 文件，“-” 表示标准输入），JSON 对象：
  {"recipients": [{"id": 受扶医院 id, "prefs": [帮扶医院 id，按志愿先后]}],
   "helpers":    [{"id": 帮扶医院 id, "capacity": 名额(≥0 的整数), "prefs": [受扶医院 id，按志愿先后]}],
   "weights":    [[受扶医院 id, 帮扶医院 id, 权重], ...]}      （weights 可省略或为 null）
  id 为字符串或整数，输出中保持原样；两方 id 各自独立。其他字段忽略。
  权重为数字，最多 6 位小数。

--method stable（自主选择、主动对接）：
  只有双方互相列入志愿的配对才可接受；受扶医院按志愿依次申请、帮扶医院在名额内保留最中意者
  （延迟接受算法），得到受扶医院最优的稳定匹配。weights 不影响结果，只用于报告每对的权重：
  给定的权重，未给定的配对按 0；没有 weights 时为下述志愿契合度。

--method optimal（合理匹配）：使总权重最大（每家受扶医院至多一家，帮扶医院不超名额）。
  有 weights 时：可接受的配对恰为 weights 列出的配对（不要求出现在 prefs 中），按其权重求最大和；
  没有 weights 时：可接受的配对为双方互列的配对，权重为志愿契合度
      (L − 受扶方名次) + (L − 帮扶方名次)，
  名次从 0 起算（第一志愿为 0），L 为本实例中最长志愿表的长度。
  权重 ≤ 0 的配对不会被选中；可以有受扶医院不匹配（最大权重，而非最多配对）。
  求解：权重乘以 10^6 化为整数（精确），用 OR-Tools 最小费用流精确求解。
  并列时优先 id 较小的受扶医院、其次 id 较小的帮扶医院（按 id 排序后的配对序号加微小奖励，
  不改变最优总权重）；同一输入无论顺序如何，结果相同。

输出：
  {"method", "assignments": [{"recipient", "helper", "weight"}]（按受扶医院 id 排序，整数 id 在前）,
   "unmatched": [未匹配的受扶医院 id，已排序], "objective": 总权重, "stats": {"solve_seconds"}}
  权重为整数时输出整数，否则输出小数。
"""


class _HelpFormatter(DjangoHelpFormatter, argparse.RawDescriptionHelpFormatter):
    """Django's argument order, with the description's line breaks kept."""


class _NonFiniteNumberError(ValueError):
    pass


class Command(BaseCommand):
    help = HELP
    requires_system_checks: list[str] = []
    stealth_options = ("stdin",)

    def create_parser(self, prog_name: str, subcommand: str, **kwargs: Any) -> CommandParser:
        kwargs.setdefault("formatter_class", _HelpFormatter)
        return super().create_parser(prog_name, subcommand, **kwargs)

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--input", required=True, help="实例 JSON 文件路径；“-” 表示从标准输入读取"
        )
        parser.add_argument(
            "--method",
            required=True,
            choices=["stable", "optimal"],
            help="stable：稳定匹配（自主选择、主动对接）；optimal：总权重最大（合理匹配）",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        stdin: IO[str] = options.get("stdin") or sys.stdin
        data = _decode(_read(options["input"], stdin))
        try:
            instance = parse_instance(data)
        except MatchingInputError as error:
            raise CommandError(str(error)) from error
        method = options["method"]
        try:
            if method == "optimal":
                from bangfu.matching.domain.optimal import preload_solver

                preload_solver()  # the import is start-up cost, not solve time
                started = time.perf_counter()
                result = solve_optimal(instance)
            else:
                started = time.perf_counter()
                result = solve_stable(instance)
            solve_seconds = time.perf_counter() - started
        except MatchingInputError as error:
            raise CommandError(str(error)) from error
        self.stdout.write(json.dumps(_payload(result, solve_seconds), ensure_ascii=False))


def _read(source: str, stdin: IO[str]) -> str:
    if source == "-":
        return stdin.read()
    try:
        return Path(source).read_text(encoding="utf-8-sig")
    except OSError as error:
        raise CommandError(f"--input: 无法读取文件 {source}（{error.strerror}）") from error
    except UnicodeDecodeError as error:
        raise CommandError(f"--input: 文件 {source} 不是 UTF-8 编码") from error


def _reject_constant(name: str) -> object:
    raise _NonFiniteNumberError(name)


def _decode(text: str) -> object:
    try:
        return json.loads(text, parse_float=Decimal, parse_constant=_reject_constant)
    except json.JSONDecodeError as error:
        raise CommandError(
            f"--input: JSON 格式错误（第 {error.lineno} 行第 {error.colno} 列）：{error.msg}"
        ) from error
    except _NonFiniteNumberError as error:
        raise CommandError(f"--input: JSON 中不允许 {error}，权重必须是有限的数字") from error


def _number(value: Decimal) -> int | float:
    """A JSON number: an integer when the value is integral, else a float."""
    if value == value.to_integral_value():
        return int(value)
    return float(value)


def _payload(result: MatchResult, solve_seconds: float) -> dict[str, object]:
    return {
        "method": result.method.value,
        "assignments": [
            {"recipient": a.recipient, "helper": a.helper, "weight": _number(a.weight)}
            for a in result.assignments
        ],
        "unmatched": list(result.unmatched),
        "objective": _number(result.objective),
        "stats": {"solve_seconds": round(solve_seconds, 6)},
    }
