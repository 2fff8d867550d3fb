"""The three commands that rebuild stored derived rows share `YearRefreshCommand`: the same
`--year` check, the same one-line report and the same `--if-stale` (a full rebuild stamps its
rows with the inputs' fingerprint; `--if-stale` rebuilds only when it changed)."""

from __future__ import annotations

import importlib
import re
from dataclasses import dataclass
from io import StringIO

import pytest
from django.apps import apps
from django.core.management import CommandError, call_command

from bangfu.core.derived_rows import inputs_fingerprint
from bangfu.core.models import DerivedRowsStamp

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
        ("refresh_standings", r"能力达标结果：\d+ 行，年度受扶医院 \d+ 行。"),
    ],
)
def test_the_report_names_the_year_or_every_year(command, what):
    out = StringIO()
    call_command(command, "--year", "2026", stdout=out)
    assert re.fullmatch(f"已重算2026年度{what}", out.getvalue().strip())
    out = StringIO()
    call_command(command, stdout=out)
    assert re.fullmatch(f"已重算全部年度{what}", out.getvalue().strip())


# ---- --if-stale: rebuild only when the inputs' fingerprint changed (core.derived_rows) ----


@dataclass(frozen=True)
class Kind:
    command: str
    label: str
    module: str  # where RULE_VERSION, STAMP, the fingerprint and the input file live
    fingerprint: str
    input_file: str  # the name of the input-file function in `module`
    models: tuple[str, ...]  # the stored rows, children first

    def rows(self) -> int:
        return sum(apps.get_model(m).objects.count() for m in self.models)

    def corrupt(self) -> None:
        for model in self.models:
            apps.get_model(model).objects.all().delete()

    def current_fingerprint(self) -> str:
        return str(getattr(importlib.import_module(self.module), self.fingerprint)())

    def stamp(self) -> DerivedRowsStamp | None:
        return DerivedRowsStamp.objects.filter(
            name=importlib.import_module(self.module).STAMP
        ).first()


KINDS = [
    Kind(
        "refresh_forecasts",
        "预算预测",
        "bangfu.incentives.forecasts",
        "forecasts_fingerprint",
        "policy_file",
        ("incentives.DeploymentForecast", "incentives.HospitalForecast"),
    ),
    Kind(
        "refresh_progress",
        "目标进度",
        "bangfu.activities.progress_store",
        "progress_fingerprint",
        "policy_file",
        (
            "activities.MeasureYearProgress",
            "activities.AgreementYearProgress",
            "activities.MeasureYearCount",
            "activities.AgreementYearCount",
        ),
    ),
    Kind(
        "refresh_standings",
        "能力达标结果",
        "bangfu.capability.standings",
        "standings_fingerprint",
        "catalogue_file",
        ("capability.StandardStanding", "capability.AssistedYear"),
    ),
    # the policy's helper eligibility decides which hospitals are assisted (the assisted years)
    Kind(
        "refresh_standings",
        "能力达标结果",
        "bangfu.capability.standings",
        "standings_fingerprint",
        "policy_file",
        ("capability.StandardStanding", "capability.AssistedYear"),
    ),
]


def _kind_id(kind: Kind) -> str:
    return f"{kind.command}-{kind.input_file}"


def _run(command: str, *args: str) -> str:
    out = StringIO()
    call_command(command, *args, stdout=out)
    return out.getvalue()


@pytest.mark.parametrize("command", COMMANDS)
def test_if_stale_with_a_year_is_refused(command):
    with pytest.raises(
        CommandError, match="--if-stale 只用于全部年度的重算，不能与 --year 同时使用"
    ):
        call_command(command, "--if-stale", "--year", "2026", stdout=StringIO())


@pytest.mark.django_db
@pytest.mark.parametrize("kind", KINDS, ids=_kind_id)
def test_if_stale_rebuilds_only_when_the_fingerprint_changed(kind, monkeypatch):
    DerivedRowsStamp.objects.all().delete()  # a fresh table: the first deploy

    out = _run(kind.command, "--if-stale")
    assert f"{kind.label}需要重算：尚无全部重算记录。" in out
    assert "已重算全部年度" in out
    rows = kind.rows()
    assert rows > 0
    stamp = kind.stamp()
    assert stamp is not None and stamp.fingerprint == kind.current_fingerprint()

    kind.corrupt()  # a skipped run leaves them so
    out = _run(kind.command, "--if-stale")
    assert re.fullmatch(
        rf"{kind.label}已是最新（输入自 \d{{4}}-\d\d-\d\d \d\d:\d\d 全部重算后未变），未重算。",
        out.strip(),
    )
    assert kind.rows() == 0
    unchanged = kind.stamp()
    assert unchanged is not None
    assert (unchanged.fingerprint, unchanged.refreshed_at) == (
        stamp.fingerprint,
        stamp.refreshed_at,
    )

    module = importlib.import_module(kind.module)
    monkeypatch.setattr(module, "RULE_VERSION", module.RULE_VERSION + 1)
    assert kind.current_fingerprint() != stamp.fingerprint
    out = _run(kind.command, "--if-stale")
    assert f"{kind.label}需要重算：输入已变化。" in out
    assert kind.rows() == rows
    new_stamp = kind.stamp()
    assert new_stamp is not None and new_stamp.fingerprint == kind.current_fingerprint()


@pytest.mark.django_db
@pytest.mark.parametrize("kind", KINDS, ids=_kind_id)
def test_an_edited_input_file_makes_the_rows_stale(kind, monkeypatch, tmp_path):
    _run(kind.command)
    rows = kind.rows()
    kind.corrupt()
    assert "未重算" in _run(kind.command, "--if-stale")
    module = importlib.import_module(kind.module)
    original = getattr(module, kind.input_file)()
    edited = tmp_path / original.name
    edited.write_bytes(original.read_bytes() + b"\n# edited\n")
    monkeypatch.setattr(module, kind.input_file, lambda: edited)
    assert "输入已变化" in _run(kind.command, "--if-stale")
    assert kind.rows() == rows


@pytest.mark.django_db
@pytest.mark.parametrize("kind", KINDS, ids=_kind_id)
def test_a_plain_run_always_rebuilds_and_a_year_run_stamps_nothing(kind):
    _run(kind.command)
    rows = kind.rows()
    stamp = kind.stamp()
    assert stamp is not None
    kind.corrupt()
    _run(kind.command)  # the stamp is current, and still it rebuilds
    assert kind.rows() == rows

    DerivedRowsStamp.objects.all().delete()
    _run(kind.command, "--year", "2026")
    assert kind.stamp() is None  # one year is not every row


def test_the_fingerprint_follows_the_rule_version_and_the_file_bytes(tmp_path):
    first, second = tmp_path / "a.toml", tmp_path / "b.toml"
    first.write_text("x = 1\n")
    second.write_text("x = 1\n")
    assert inputs_fingerprint(1, first) == inputs_fingerprint(1, second)
    assert inputs_fingerprint(1, first) != inputs_fingerprint(2, first)
    second.write_text("x = 2\n")
    assert inputs_fingerprint(1, first) != inputs_fingerprint(1, second)
