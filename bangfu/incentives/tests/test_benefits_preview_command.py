"""`manage.py benefits_preview`: the contract the product owner checks the rules with."""

import copy
import json
import os
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.core.management import CommandError, call_command

PROJECT_ROOT = Path(__file__).resolve().parents[3]

CASE: dict[str, Any] = {
    "expert": {
        "title": "正高",
        "degree": "博士",
        "prior_year_pay": "120000",
        "outstanding": True,
        "leadership_qualified": True,
    },
    "deployment": {"kind": "resident", "start": "2025-03-01", "planned_end": "2027-02-27"},
    "period": {"start": "2025-01-01", "end": "2025-06-30"},
    "travel_claims": [
        {"date": "2025-03-10", "amount": "850.50"},
        {"date": "2025-03-05", "amount": "900"},
        {"date": "2025-02-01", "amount": "100"},
    ],
    "recipient_county_code": "520526",
    "entrustment_letter": True,
}


def run(case: dict[str, Any], tmp_path: Path) -> Any:
    path = tmp_path / "case.json"
    path.write_text(json.dumps(case, ensure_ascii=False), encoding="utf-8")
    out = StringIO()
    call_command("benefits_preview", "--input", str(path), stdout=out)
    return json.loads(out.getvalue())


def test_preview_prints_lines_total_rejections_appointment_and_title_route(tmp_path):
    result = run(CASE, tmp_path)
    assert [(line["item"], line["amount"], line["clause"]) for line in result["lines"]] == [
        # d = 1 Mar..30 Jun = 122: 0.5 × 120000 × 122/365 = 20054.794… → 20054.79
        ("salary_top_up", "20054.79", "§六；A2-四(三)2"),
        # 正高, outstanding, Mar..Jun = 4 months × 1000
        ("monthly_subsidy", "4000.00", "§六；A2-四(三)6"),
        # Start 2025-03-01 lies in the period.
        ("settling_in", "2000.00", "§六；A2-四(三)5"),
        # March: the earliest claim (5 March, 900) is reimbursed.
        ("travel", "900.00", "§六；A2-四(三)4"),
    ]
    # 20054.79 + 4000 + 2000 + 900
    assert result["total"] == "26954.79"
    assert [(r["date"], r["amount"]) for r in result["rejected_claims"]] == [
        ("2025-03-10", "850.50"),  # second claim of March
        ("2025-02-01", "100.00"),  # before the deployment starts
    ]
    assert all(r["reason"] for r in result["rejected_claims"])
    # Planned end 2027-02-27 covers one year but not two (needs 2027-02-28).
    assert result["appointment"]["vice_president"] is True
    assert result["appointment"]["president"] is False
    assert len(result["appointment"]["reasons"]) == 2
    assert result["title_route"] == {
        "route": "directed",
        "valid_scope": "仅限威宁彝族回族苗族自治县有效",
    }
    assert set(result) == {"lines", "total", "rejected_claims", "appointment", "title_route"}
    assert all(set(line) == {"item", "amount", "clause", "reason"} for line in result["lines"])


def test_top_up_line_is_kept_at_zero_when_home_pay_exceeds_one_and_a_half_times(tmp_path):
    case = copy.deepcopy(CASE)
    case["home_pay_in_period"] = "90000"  # > 1.5 × 120000 × 122/365 = 60164.38
    case["travel_claims"] = []
    result = run(case, tmp_path)
    assert result["lines"][0]["item"] == "salary_top_up"
    assert result["lines"][0]["amount"] == "0.00"
    assert result["total"] == "6000.00"  # 0 + 4000 + 2000


def test_non_key_county_gets_county_level_route_and_missing_letter_needs_one(tmp_path):
    case = copy.deepcopy(CASE)
    case["recipient_county_code"] = "520102"  # 南明区, not a national key county
    assert run(case, tmp_path)["title_route"]["route"] == "county_level"
    case["entrustment_letter"] = False
    assert run(case, tmp_path)["title_route"]["route"] == "needs_entrustment_letter"


def test_remote_deployment_gets_no_benefit_lines_and_all_claims_rejected(tmp_path):
    case = copy.deepcopy(CASE)
    case["deployment"]["kind"] = "remote"
    result = run(case, tmp_path)
    assert result["lines"] == []
    assert result["total"] == "0.00"
    assert len(result["rejected_claims"]) == 3
    assert result["appointment"] == {
        "vice_president": False,
        "president": False,
        "reasons": result["appointment"]["reasons"],
    }


def test_preview_reads_the_case_from_stdin_with_a_dash():
    out = StringIO()
    stdin = StringIO(json.dumps(CASE, ensure_ascii=False))
    call_command("benefits_preview", "--input", "-", stdin=stdin, stdout=out)
    assert json.loads(out.getvalue())["total"] == "26954.79"


def drop(path: str):
    def change(case: dict[str, Any]) -> None:
        *parents, last = path.split(".")
        target: dict[str, Any] = case
        for key in parents:
            target = target[key]
        del target[last]

    return change


def put(path: str, value: object):
    def change(case: dict[str, Any]) -> None:
        *parents, last = path.split(".")
        target: dict[str, Any] = case
        for key in parents:
            target = target[key]
        target[last] = value

    return change


def put_claim_amount(case: dict[str, Any]) -> None:
    case["travel_claims"][1]["amount"] = "-5"


# (kind of bad input, change to the valid case, field the message must name)
BAD_INPUTS = [
    ("unknown title", put("expert.title", "教授"), "expert.title"),
    ("unknown degree", put("expert.degree", "博士后"), "expert.degree"),
    ("unknown kind", put("deployment.kind", "permanent"), "deployment.kind"),
    ("period across two years", put("period.end", "2026-01-31"), "period.end"),
    ("period end before start", put("period.end", "2024-12-31"), "period.end"),
    ("deployment end before start", put("deployment.planned_end", "2025-02-28"), "deployment.planned_end"),
    ("impossible date", put("period.start", "2025-02-30"), "period.start"),
    ("badly written date", put("deployment.start", "2025/03/01"), "deployment.start"),
    ("negative pay", put("expert.prior_year_pay", "-1"), "expert.prior_year_pay"),
    ("negative home pay", put("home_pay_in_period", "-0.01"), "home_pay_in_period"),
    ("negative claim", put_claim_amount, "travel_claims[1].amount"),
    ("money not a number", put("expert.prior_year_pay", "十二万"), "expert.prior_year_pay"),
    ("unknown county", put("recipient_county_code", "999999"), "recipient_county_code"),
    ("missing nested field", drop("expert.title"), "expert.title"),
    ("missing top-level field", drop("entrustment_letter"), "entrustment_letter"),
    ("flag not a boolean", put("expert.outstanding", "yes"), "expert.outstanding"),
    ("misspelt field", put("home_pay", "100"), "home_pay"),
]  # fmt: skip


def bad_case_text(change) -> str:
    case = copy.deepcopy(CASE)
    change(case)
    return json.dumps(case, ensure_ascii=False)


@pytest.mark.parametrize(("kind", "change", "field"), BAD_INPUTS, ids=[b[0] for b in BAD_INPUTS])
def test_bad_input_raises_command_error_naming_the_field(kind, change, field, tmp_path):
    path = tmp_path / "case.json"
    path.write_text(bad_case_text(change), encoding="utf-8")
    with pytest.raises(CommandError) as raised:
        call_command("benefits_preview", "--input", str(path), stdout=StringIO())
    assert str(raised.value).startswith(f"{field}：")


def test_invalid_json_is_refused_naming_the_input():
    with pytest.raises(CommandError, match=r"^input：不是有效的 JSON"):
        call_command("benefits_preview", "--input", "-", stdin=StringIO("{"), stdout=StringIO())


def test_missing_input_file_is_refused_naming_the_option(tmp_path):
    with pytest.raises(CommandError, match=r"^--input：找不到文件"):
        call_command("benefits_preview", "--input", str(tmp_path / "nope.json"))


# --- through a real process: exit codes, stderr, stdin, no database -------------------


def manage(args: list[str], stdin_text: str | None = None) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ)
    env["DJANGO_DEBUG"] = "1"
    # A database path that cannot exist: any database access would fail the run.
    env["DATABASE_URL"] = "sqlite:////nonexistent-bangfu-dir/never-migrated.sqlite3"
    return subprocess.run(
        [sys.executable, str(PROJECT_ROOT / "manage.py"), "benefits_preview", *args],
        input=stdin_text,
        capture_output=True,
        text=True,
        encoding="utf-8",
        env=env,
        cwd=PROJECT_ROOT,
        timeout=60,
        check=False,
    )


@pytest.fixture(scope="module")
def bad_input_runs() -> dict[str, subprocess.CompletedProcess[str]]:
    """All bad-input processes, two at a time (the machine has two shared cores)."""
    jobs = {kind: bad_case_text(change) for kind, change, _ in BAD_INPUTS}
    jobs["invalid json"] = "{"
    with ThreadPoolExecutor(max_workers=2) as pool:
        futures = {kind: pool.submit(manage, ["--input", "-"], text) for kind, text in jobs.items()}
        return {kind: future.result() for kind, future in futures.items()}


def test_process_prints_utf8_json_from_stdin_and_exits_zero_without_a_database():
    done = manage(["--input", "-"], json.dumps(CASE, ensure_ascii=False))
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout)
    assert result["total"] == "26954.79"
    assert "威宁彝族回族苗族自治县" in done.stdout  # ensure_ascii=False
    assert done.stdout.startswith('{\n  "lines"')  # indent 2


@pytest.mark.parametrize(
    ("kind", "field"),
    [(kind, field) for kind, _, field in BAD_INPUTS] + [("invalid json", "input")],
)
def test_process_exits_non_zero_with_a_chinese_message_naming_the_field(
    bad_input_runs, kind, field
):
    done = bad_input_runs[kind]
    assert done.returncode != 0
    assert done.stdout == ""
    assert f"CommandError: {field}：" in done.stderr


def test_process_exits_non_zero_for_a_missing_file(tmp_path):
    done = manage(["--input", str(tmp_path / "missing.json")])
    assert done.returncode != 0
    assert "--input：找不到文件" in done.stderr
