"""Excel import of activities (F8): all-or-nothing validation, every error reported, idempotent
re-import, scope, the template, and the management commands."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from openpyxl import load_workbook

from bangfu.activities.models import Activity
from bangfu.activities.services import IMPORT_HEADERS, activity_import_file
from bangfu.activities.spreadsheets import activity_template_bytes
from bangfu.activities.tests.sheets import write_sheet
from bangfu.core.models import AuditEntry
from bangfu.policy import load_policy


def _state():
    return (
        Activity.objects.count(),
        AuditEntry.objects.count(),
        sorted(Activity.objects.values_list("pk", "quantities", "title")),
    )


def _good_rows(weining, recent):
    return [
        (weining.pk, recent, "教学查房", 2, 30, "心内科教学查房", "", "IMP-1"),
        (weining.pk, recent.isoformat(), "rules", 4, None, "制度", "备注", "IMP-2"),
        (weining.pk, recent, "义诊", 120, 120, "乡镇义诊", None, None),
    ]


def test_valid_file_imports_in_one_go_and_reimport_changes_nothing(
    tmp_path, county_officer, weining, recent
):
    path = write_sheet(tmp_path / "a.xlsx", _good_rows(weining, recent)[:2])
    result = activity_import_file(actor=county_officer, path=path)
    assert result.ok and result.counts() == {"created": 2, "updated": 0, "unchanged": 0}
    round_ = Activity.objects.get(partnership=weining, external_id="IMP-1")
    assert round_.kind == "teaching_round"
    assert round_.quantities == {"sessions": 2, "patients": 30}
    assert round_.recorded_side == "recipient" and round_.recorded_by == county_officer
    assert AuditEntry.objects.filter(action="activity_import", object_id=str(weining.pk)).exists()
    before = _state()
    again = activity_import_file(actor=county_officer, path=path)
    assert again.counts() == {"created": 0, "updated": 0, "unchanged": 2}
    assert _state() == before


def test_changed_rows_with_a_known_external_id_are_updated(
    tmp_path, county_officer, weining, recent
):
    rows = _good_rows(weining, recent)[:2]
    activity_import_file(actor=county_officer, path=write_sheet(tmp_path / "a.xlsx", rows))
    rows[0] = (weining.pk, recent, "教学查房", 3, 30, "心内科教学查房", "", "IMP-1")
    result = activity_import_file(actor=county_officer, path=write_sheet(tmp_path / "b.xlsx", rows))
    assert result.counts() == {"created": 0, "updated": 1, "unchanged": 1}
    assert Activity.objects.get(external_id="IMP-1", partnership=weining).quantities == {
        "sessions": 3,
        "patients": 30,
    }


def test_dry_run_counts_without_writing(tmp_path, county_officer, weining, recent):
    before = _state()
    path = write_sheet(tmp_path / "a.xlsx", _good_rows(weining, recent))
    result = activity_import_file(actor=county_officer, path=path, dry_run=True)
    assert result.ok and result.created == 3
    assert _state() == before


def test_any_error_writes_nothing_and_every_error_is_listed(
    tmp_path, county_officer, weining, other_partnership, recent
):
    future = recent + timedelta(days=60)
    rows = [
        *_good_rows(weining, recent),
        (weining.pk, future, "rules", 1, None, "", "", ""),  # row 5: future date
        (weining.pk, recent, "品茶", 1, None, "", "", ""),  # row 6: unknown kind
        (weining.pk, recent, "rules", "三", None, "", "", ""),  # row 7: not a number
        (other_partnership.pk, recent, "rules", 1, None, "", "", ""),  # row 8: out of scope
        (weining.pk, recent, "rules", 0, 5, "", "", "IMP-1"),  # row 9: 0, people, dup id
        (weining.pk, "", "rules", 1, None, "x" * 201, "", ""),  # row 10: no date, long title
    ]
    before = _state()
    result = activity_import_file(
        actor=county_officer, path=write_sheet(tmp_path / "bad.xlsx", rows)
    )
    assert not result.ok
    found = {(e.row, e.column) for e in result.errors}
    assert found >= {
        (5, "日期"),
        (6, "活动类型"),
        (7, "数量"),
        (8, "帮扶关系编号"),
        (9, "数量"),
        (9, "受益人次"),
        (9, "外部编号"),
        (10, "日期"),
        (10, "标题"),
    }
    assert all(e.row not in (2, 3, 4) for e in result.errors)
    messages = {(e.row, e.column): e.message for e in result.errors}
    assert "不能晚于今天" in messages[(5, "日期")]
    assert "无权导入" in messages[(8, "帮扶关系编号")]
    assert "与第2行重复" in messages[(9, "外部编号")]
    assert _state() == before


def test_wrong_headers_are_refused(tmp_path, county_officer, weining, recent):
    headers = list(IMPORT_HEADERS)
    headers[3] = "数目"
    path = write_sheet(tmp_path / "h.xlsx", _good_rows(weining, recent), headers=headers)
    result = activity_import_file(actor=county_officer, path=path)
    assert [(e.row, e.column) for e in result.errors] == [(1, "表头")]


def test_a_file_that_is_not_a_workbook_is_refused(tmp_path, county_officer):
    path = tmp_path / "x.xlsx"
    path.write_bytes(b"not a zip")
    result = activity_import_file(actor=county_officer, path=str(path))
    assert not result.ok and result.errors[0].column == "文件"


def test_expert_imports_only_into_their_own_partnerships_on_the_helper_side(
    tmp_path, expert_user, weining, other_partnership, recent
):
    ok = activity_import_file(
        actor=expert_user,
        path=write_sheet(tmp_path / "a.xlsx", [(weining.pk, recent, "rules", 1, None, "", "", "")]),
    )
    assert ok.created == 1
    assert Activity.objects.filter(partnership=weining).latest("pk").recorded_side == "helper"
    refused = activity_import_file(
        actor=expert_user,
        path=write_sheet(
            tmp_path / "b.xlsx", [(other_partnership.pk, recent, "rules", 1, None, "", "", "")]
        ),
    )
    assert [e.column for e in refused.errors] == ["帮扶关系编号"]


def test_confirmed_records_are_not_changed_by_a_reimport(
    tmp_path, county_officer, helper_user, weining, recent
):
    from bangfu.activities.services import activity_confirm

    rows = [(weining.pk, recent, "rules", 2, None, "", "", "C-1")]
    activity_import_file(actor=county_officer, path=write_sheet(tmp_path / "a.xlsx", rows))
    activity_confirm(
        actor=helper_user, activity=Activity.objects.get(partnership=weining, external_id="C-1")
    )
    rows = [(weining.pk, recent, "rules", 5, None, "", "", "C-1")]
    result = activity_import_file(actor=county_officer, path=write_sheet(tmp_path / "b.xlsx", rows))
    assert [(e.row, e.column) for e in result.errors] == [(2, "外部编号")]
    assert Activity.objects.get(external_id="C-1").quantities == {"documents": 2}


def test_progress_is_reported(tmp_path, county_officer, weining, recent):
    calls = []
    rows = [(weining.pk, recent, "rules", 1, None, "", "", "") for _ in range(5)]
    activity_import_file(
        actor=county_officer,
        path=write_sheet(tmp_path / "a.xlsx", rows),
        progress=lambda done, total: calls.append((done, total)),
    )
    assert calls and calls[-1][0] == 5


def test_template_has_the_exact_headers_a_dropdown_and_instructions(tmp_path):
    path = tmp_path / "t.xlsx"
    path.write_bytes(activity_template_bytes(load_policy().activity_catalogue))
    workbook = load_workbook(path)
    data = workbook.worksheets[0]
    assert tuple(c.value for c in data[1]) == IMPORT_HEADERS
    validations = data.data_validations.dataValidation
    dropdown = next(v for v in validations if v.type == "list")
    assert "C2" in str(dropdown.sqref)
    assert "活动类型" in dropdown.formula1
    assert workbook["活动类型"]["A2"].value == "教学查房"
    assert "填写说明" in workbook.sheetnames


def test_commands_write_the_template_and_import_with_json_last_line(
    tmp_path, capsys, weining, recent
):
    template = tmp_path / "template.xlsx"
    call_command("activity_template", "--output", str(template))
    assert load_workbook(template).worksheets[0]["A1"].value == "帮扶关系编号"
    path = write_sheet(
        tmp_path / "a.xlsx", [(weining.pk, recent, "rules", 1, None, "", "", "CMD-1")]
    )
    call_command("import_activities", "--file", path, "--user", "demo_county", "--dry-run")
    assert json.loads(capsys.readouterr().out.strip().splitlines()[-1]) == {
        "created": 1,
        "updated": 0,
        "unchanged": 0,
    }
    assert not Activity.objects.filter(external_id="CMD-1").exists()
    call_command("import_activities", "--file", path)
    assert json.loads(capsys.readouterr().out.strip().splitlines()[-1])["created"] == 1
    bad = write_sheet(tmp_path / "b.xlsx", [(weining.pk, recent, "品茶", 1, None, "", "", "")])
    with pytest.raises(CommandError):
        call_command("import_activities", "--file", bad)
    assert "第2行「活动类型」" in capsys.readouterr().out
