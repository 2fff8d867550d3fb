"""`manage.py match`: the CLI contract (JSON in, JSON out, Chinese errors, no database)."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

REPO = Path(__file__).resolve().parents[3]

INSTANCE = {
    "recipients": [
        {"id": "r2", "prefs": ["h1", 7]},
        {"id": 1, "prefs": ["h1"]},
        {"id": "r3", "prefs": []},
    ],
    "helpers": [
        {"id": "h1", "capacity": 1, "prefs": [1, "r2"]},
        {"id": 7, "capacity": 2, "prefs": ["r2"]},
    ],
}


def run_match(data: object, method: str, tmp_path: Path) -> dict:
    source = tmp_path / "instance.json"
    source.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    out = io.StringIO()
    call_command("match", input=str(source), method=method, stdout=out)
    return json.loads(out.getvalue())


def test_stable_prints_the_contract_json(tmp_path):
    output = run_match(INSTANCE, "stable", tmp_path)
    # L = 2. 1→h1: (2-0)+(2-0) = 4. r2→7: r2 ranks 7 second (1), 7 ranks r2 first: 1+2 = 3.
    assert output == {
        "method": "stable",
        "assignments": [
            {"recipient": 1, "helper": "h1", "weight": 4},
            {"recipient": "r2", "helper": 7, "weight": 3},
        ],
        "unmatched": ["r3"],
        "objective": 7,
        "stats": {"solve_seconds": output["stats"]["solve_seconds"]},
    }
    assert isinstance(output["stats"]["solve_seconds"], float)


def test_optimal_with_weights_maximises_listed_pairs_and_prints_decimals(tmp_path):
    data = dict(INSTANCE, weights=[["r3", 7, 2.25], [1, "h1", 1], ["r2", "h1", 1.5]])
    output = run_match(data, "optimal", tmp_path)
    assert output["assignments"] == [
        {"recipient": "r2", "helper": "h1", "weight": 1.5},
        {"recipient": "r3", "helper": 7, "weight": 2.25},
    ]
    assert output["unmatched"] == [1]
    assert output["objective"] == 3.75


def test_input_dash_reads_standard_input():
    out = io.StringIO()
    call_command(
        "match", input="-", method="optimal", stdin=io.StringIO(json.dumps(INSTANCE)), stdout=out
    )
    assert json.loads(out.getvalue())["objective"] == 7


@pytest.mark.parametrize(
    ("text", "message"),
    [
        pytest.param(
            json.dumps({"recipients": [{"id": "r1", "prefs": ["h9"]}], "helpers": []}),
            'recipients[0].prefs[0]: 未知的帮扶医院 id "h9"',
            id="unknown_id_in_prefs",
        ),
        pytest.param(
            json.dumps({"recipients": [], "helpers": [{"id": "h", "capacity": -2, "prefs": []}]}),
            "helpers[0].capacity: 容量不能为负数",
            id="negative_capacity",
        ),
        pytest.param(
            json.dumps(
                {"recipients": [{"id": 1, "prefs": []}, {"id": 1, "prefs": []}], "helpers": []}
            ),
            "recipients[1].id: 重复的受扶医院 id 1",
            id="duplicate_id",
        ),
        pytest.param(
            json.dumps(dict(INSTANCE, weights=[["r2", "h9", 1]])),
            'weights[0][1]: 未知的帮扶医院 id "h9"',
            id="weights_naming_unknown_id",
        ),
        pytest.param(
            json.dumps(dict(INSTANCE, weights=[["r2", "h1", "high"]])),
            "weights[0][2]: 权重必须是数字",
            id="non_numeric_weight",
        ),
        pytest.param(
            '{"recipients": [], "helpers": [], "weights": [["r", "h", NaN]]}',
            "--input: JSON 中不允许 NaN",
            id="nan_weight",
        ),
        pytest.param(json.dumps({"recipients": []}), "helpers: 缺少必填字段", id="missing_key"),
        pytest.param('{"recipients": [', "--input: JSON 格式错误（第 1 行", id="malformed_json"),
    ],
)
def test_bad_input_raises_command_error_naming_the_problem(tmp_path, text, message):
    source = tmp_path / "bad.json"
    source.write_text(text, encoding="utf-8")
    with pytest.raises(CommandError) as caught:
        call_command("match", input=str(source), method="optimal", stdout=io.StringIO())
    assert message in str(caught.value)


def test_missing_input_file_is_a_command_error(tmp_path):
    with pytest.raises(CommandError, match="--input: 无法读取文件"):
        call_command("match", input=str(tmp_path / "nope.json"), method="stable")


def test_unknown_method_is_a_command_error(tmp_path):
    with pytest.raises(CommandError):
        call_command("match", input="-", method="greedy")


def _env() -> dict[str, str]:
    return {**os.environ, "DJANGO_DEBUG": "1", "PYTHONIOENCODING": "utf-8"}


def test_bad_input_exits_non_zero_with_the_message_on_stderr(tmp_path):
    source = tmp_path / "bad.json"
    source.write_text(
        json.dumps({"recipients": [{"id": "r1", "prefs": ["h9"]}], "helpers": []}),
        encoding="utf-8",
    )
    completed = subprocess.run(
        [sys.executable, "manage.py", "match", "--input", str(source), "--method", "stable"],
        cwd=REPO,
        env=_env(),
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert completed.returncode != 0
    assert 'recipients[0].prefs[0]: 未知的帮扶医院 id "h9"' in completed.stderr
    assert completed.stdout == ""


def test_stable_from_stdin_exits_zero_without_loading_ortools():
    # Run in a fresh interpreter: call the command the way manage.py does and report
    # whether the optimal solver's library was imported.
    script = (
        "import os, sys, django;"
        "os.environ.setdefault('DJANGO_SETTINGS_MODULE', 'bangfu.settings');"
        "django.setup();"
        "from django.core.management import call_command;"
        "call_command('match', '--input', '-', '--method', 'stable');"
        "sys.stderr.write('ortools loaded: %s' % ('ortools' in sys.modules))"
    )
    completed = subprocess.run(
        [sys.executable, "-c", script],
        cwd=REPO,
        env=_env(),
        input=json.dumps(INSTANCE),
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert completed.returncode == 0, completed.stderr
    assert json.loads(completed.stdout)["objective"] == 7
    assert "ortools loaded: False" in completed.stderr
