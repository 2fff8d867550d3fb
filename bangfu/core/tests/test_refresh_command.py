"""The three commands that rebuild stored derived rows share `YearRefreshCommand`: the same
`--year` check and the same one-line report."""

from __future__ import annotations

import re
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

COMMANDS = ["refresh_forecasts", "refresh_progress", "refresh_standings"]


@pytest.mark.parametrize("command", COMMANDS)
@pytest.mark.parametrize("year", ["1999", "2101"])
def test_a_year_outside_the_programme_window_is_refused_naming_the_option(command, year):
    with pytest.raises(CommandError, match="--year 应在 2000 至 2100 之间"):
        call_command(command, "--year", year, stdout=StringIO())


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("command", "what"),
    [
        ("refresh_forecasts", r"预算预测：派驻年度预测 \d+ 行，受扶医院年度预测 \d+ 行。"),
        ("refresh_progress", r"目标进度：协议年度进度 \d+ 行。"),
        ("refresh_standings", r"能力达标结果：\d+ 行。"),
    ],
)
def test_the_report_names_the_year_or_every_year(command, what):
    out = StringIO()
    call_command(command, "--year", "2026", stdout=out)
    assert re.fullmatch(f"已重算2026年度{what}", out.getvalue().strip())
    out = StringIO()
    call_command(command, stdout=out)
    assert re.fullmatch(f"已重算全部年度{what}", out.getvalue().strip())
