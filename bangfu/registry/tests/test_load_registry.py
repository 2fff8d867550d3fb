"""`bangfu load_registry`: good data loads; every kind of bad file is refused and changes nothing."""

from __future__ import annotations

import csv
import shutil
import subprocess
import sys
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.test.utils import CaptureQueriesContext

from bangfu.activities.models import AgreementYearProgress, MeasureYearProgress
from bangfu.activities.progress_store import progress_refresh_all
from bangfu.capability.models import AssistedYear, StandardStanding
from bangfu.capability.standings import standings_refresh_all
from bangfu.core.models import AuditEntry
from bangfu.registry.models import County, Prefecture, Specialty
from bangfu.registry.registry_files import DATA_DIR

pytestmark = pytest.mark.django_db


def test_registry_has_guizhou_facts():
    assert Prefecture.objects.count() == 9
    assert County.objects.count() == 88
    assert County.objects.filter(national_key_county=True).count() == 20
    assert County.objects.filter(programme_group="target").count() == 70
    weining = County.objects.get(code="520526")
    assert weining.name == "威宁彝族回族苗族自治县"
    assert weining.prefecture.code == "520500"
    assert weining.kind == "自治县"
    # The programme groups are best guesses until an officer verifies them.
    assert not County.objects.filter(programme_group_verified=True).exists()


def test_reloading_the_same_files_changes_nothing(capsys):
    before = AuditEntry.objects.count()
    call_command("load_registry")
    assert "新增 0 条，更新 0 条" in capsys.readouterr().out
    assert AuditEntry.objects.count() == before


def test_reload_restores_a_changed_name_and_audits_it():
    County.objects.filter(code="520526").update(short_name="错误简称")
    call_command("load_registry")
    assert County.objects.get(code="520526").short_name == "威宁县"
    entry = AuditEntry.objects.filter(object_type="registry.county", action="update").first()
    assert entry is not None
    assert entry.before == {"short_name": "错误简称"}
    assert entry.after == {"short_name": "威宁县"}


def test_reload_keeps_a_programme_group_an_officer_verified():
    County.objects.filter(code="520102").update(
        programme_group="target", programme_group_verified=True
    )
    call_command("load_registry")
    assert County.objects.get(code="520102").programme_group == "target"


def _copy_data(tmp_path: Path) -> Path:
    target = tmp_path / "data"
    shutil.copytree(DATA_DIR, target)
    return target


def _edit_counties(data_dir: Path, edit) -> None:
    path = data_dir / "counties.csv"
    with path.open(encoding="utf-8") as fh:
        reader = csv.DictReader(fh)
        fields = list(reader.fieldnames or [])
        rows = list(reader)
    rows, fields = edit(rows, fields)
    with path.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=fields)
        writer.writeheader()
        writer.writerows(rows)


def _set(code: str, column: str, value: str):
    def edit(rows, fields):
        for row in rows:
            if row["code"] == code:
                row[column] = value
        return rows, fields

    return edit


def _drop_row(code: str):
    return lambda rows, fields: ([r for r in rows if r["code"] != code], fields)


def _duplicate_row(rows, fields):
    return [*rows, dict(rows[0])], fields


def _drop_column(rows, fields):
    return [{k: v for k, v in r.items() if k != "kind"} for r in rows], [
        f for f in fields if f != "kind"
    ]


BAD_COUNTY_FILES = [
    ("malformed code", _set("520526", "code", "52052X"), "counties.csv 第", "不是贵州县级代码"),
    (
        "code outside its prefecture",
        _set("520526", "code", "520626"),
        "counties.csv 第",
        "与所属市州「520500」不符",
    ),
    ("unknown kind", _set("520526", "kind", "旗"), "「kind」", "类型「旗」"),
    (
        "bad key-county flag",
        _set("520526", "national_key_county", "yes"),
        "「national_key_county」",
        "应为 0 或 1",
    ),
    (
        "unknown programme group",
        _set("520526", "program_group", "maybe"),
        "「program_group」",
        "target 或 other",
    ),
    (
        "unknown prefecture",
        _set("520526", "prefecture_code", "529900"),
        "「prefecture_code」",
        "市州代码「529900」不存在",
    ),
    ("87 units", _drop_row("520526"), "counties.csv", "应有88个县级单位，实际87个"),
    (
        "key counties miscounted",
        _set("520102", "national_key_county", "1"),
        "counties.csv",
        "应有20个国家乡村振兴重点帮扶县，实际21个",
    ),
    ("duplicate code", _duplicate_row, "「code」", "重复"),
    ("missing column", _drop_column, "counties.csv 第1行「kind」", "缺少该列"),
]


@pytest.mark.parametrize(
    ("case", "edit", "where", "message"), BAD_COUNTY_FILES, ids=[c[0] for c in BAD_COUNTY_FILES]
)
def test_bad_county_file_is_refused_and_changes_nothing(tmp_path, case, edit, where, message):
    data_dir = _copy_data(tmp_path)
    _edit_counties(data_dir, edit)
    County.objects.filter(code="520526").update(short_name="待恢复")
    audit_before = AuditEntry.objects.count()
    with pytest.raises(CommandError) as exc:
        call_command("load_registry", data_dir=data_dir)
    text = str(exc.value)
    assert "未做任何修改" in text
    assert where in text
    assert message in text
    assert County.objects.get(code="520526").short_name == "待恢复"
    assert AuditEntry.objects.count() == audit_before


def test_bad_prefecture_file_names_the_row(tmp_path):
    data_dir = _copy_data(tmp_path)
    path = data_dir / "prefectures.csv"
    path.write_text(
        path.read_text(encoding="utf-8").replace("520500,毕节市", "520599,毕节市"), encoding="utf-8"
    )
    with pytest.raises(
        CommandError, match=r"prefectures.csv 第6行「code」：代码「520599」不是贵州市州代码"
    ):
        call_command("load_registry", data_dir=data_dir)


def test_file_that_is_not_utf8_is_refused(tmp_path):
    data_dir = _copy_data(tmp_path)
    (data_dir / "counties.csv").write_bytes("code,name\n520102,南明区\n".encode("gbk"))
    with pytest.raises(CommandError, match="counties.csv：文件不是 UTF-8 编码"):
        call_command("load_registry", data_dir=data_dir)


def test_row_with_extra_cells_is_refused(tmp_path):
    data_dir = _copy_data(tmp_path)
    path = data_dir / "specialties.csv"
    path.write_text(path.read_text(encoding="utf-8") + "99,新科,x,多余\n", encoding="utf-8")
    with pytest.raises(CommandError, match="specialties.csv 第.+行：列数与表头不一致"):
        call_command("load_registry", data_dir=data_dir)
    assert not Specialty.objects.filter(code="99").exists()


def test_missing_file_is_refused(tmp_path):
    data_dir = _copy_data(tmp_path)
    (data_dir / "specialties.csv").unlink()
    with pytest.raises(CommandError, match="specialties.csv：文件不存在"):
        call_command("load_registry", data_dir=data_dir)


def test_missing_directory_is_a_clear_cli_error(tmp_path):
    result = subprocess.run(
        [sys.executable, "manage.py", "load_registry", "--data-dir", str(tmp_path / "nope")],
        capture_output=True,
        text=True,
        env={"DJANGO_DEBUG": "1", "PATH": "/usr/bin:/bin", "DATABASE_URL": "sqlite:///:memory:"},
        check=False,
    )
    assert result.returncode != 0
    assert "--data-dir：目录" in result.stderr


# ---- a load that changes a county keeps the stored derived rows current (issue #13) ----


def _derived_rows() -> dict[str, set[tuple[object, ...]]]:
    """Every stored derived row that reads the registry, with the keys it carries: the
    progress rows' region (ADR 0020), the assisted years and the standings (ADR 0021)."""
    return {
        "agreement years": set(
            AgreementYearProgress.objects.values_list(
                "agreement_id", "year", "county_id", "prefecture_id", "first", "last"
            )
        ),
        "measure years": set(
            MeasureYearProgress.objects.values_list(
                "partnership_id", "year", "code", "county_id", "prefecture_id", "met"
            )
        ),
        "assisted years": set(AssistedYear.objects.values_list("institution_id", "year")),
        "standings": set(
            StandardStanding.objects.values_list("institution_id", "year", "meets", "shortfall")
        ),
    }


def test_a_county_moved_by_a_load_leaves_the_rows_of_a_fresh_full_refresh():
    county = County.objects.get(pk=AgreementYearProgress.objects.values("county_id")[:1])
    official = county.prefecture
    # An older list had put the county in another prefecture, and the rows followed it.
    County.objects.filter(pk=county.pk).update(
        prefecture=Prefecture.objects.exclude(pk=official.pk).order_by("code")[0]
    )
    progress_refresh_all()
    assert not AgreementYearProgress.objects.filter(county=county, prefecture=official).exists()

    call_command("load_registry", stdout=StringIO())  # the official list moves it back
    assert County.objects.get(pk=county.pk).prefecture == official
    loaded = _derived_rows()
    assert AgreementYearProgress.objects.filter(county=county, prefecture=official).exists()
    assert MeasureYearProgress.objects.filter(county=county, prefecture=official).exists()
    progress_refresh_all()
    standings_refresh_all()
    assert loaded == _derived_rows()


def test_a_load_that_changes_nothing_writes_no_derived_row():
    derived = tuple(
        m._meta.db_table
        for m in (AgreementYearProgress, MeasureYearProgress, AssistedYear, StandardStanding)
    )
    with CaptureQueriesContext(connection) as queries:
        call_command("load_registry", stdout=StringIO())
    writes = [
        q["sql"]
        for q in queries
        if q["sql"].lstrip().upper().startswith(("INSERT", "UPDATE", "DELETE"))
    ]
    assert writes == []
    assert not [q for q in queries if any(table in q["sql"] for table in derived)]
