"""Writes to capability values: enter a hospital-year (page, API), confirm it, import Excel.

All-or-nothing: every value is checked against its indicator (``domain.standard.parse_values``)
before anything is written; any problem raises ``ValidationError`` keyed by indicator code with
Chinese messages naming the indicator, and nothing changes. Acting outside one's role raises
``PermissionDenied``. Each save writes one audit row.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from bangfu.accounts.models import Role, User
from bangfu.capability.domain.standard import (
    IndicatorValue as Value,
)
from bangfu.capability.domain.standard import (
    parse_value,
    parse_values,
    value_to_json,
)
from bangfu.capability.models import (
    EVIDENCE_MAX_LENGTH,
    REVIEW_MAX_LENGTH,
    CountyPlanVersion,
    CountyPlanYear,
    IndicatorValue,
)
from bangfu.capability.selectors import (
    can_confirm_values,
    can_edit_county_plan,
    can_enter_values,
    capability_catalogue,
    year_choices,
)
from bangfu.capability.standings import standings_refresh
from bangfu.core.audit import audit_record, model_snapshot
from bangfu.core.spreadsheet_import import ImportRowError, cell_text, sheet_import
from bangfu.core.text import forbidden_characters_message
from bangfu.partnerships.models import CountyPlan
from bangfu.registry.models import Institution, InstitutionCategory
from bangfu.registry.scope import scope_for_user

IMPORT_HEADERS = ("医院名称", "年度", "指标编码", "数值", "佐证说明")


def _year_check(year: int) -> None:
    if year not in year_choices():
        raise ValidationError(
            {"year": f"年度应在 {min(year_choices())}–{max(year_choices())} 之间"}
        )


def _write(
    *,
    actor: User | None,
    institution: Institution,
    year: int,
    values: Mapping[str, Value | None],
    evidence: Mapping[str, str],
) -> dict[str, int]:
    """Upsert the parsed values (None deletes); a changed value loses its confirmation."""
    catalogue = capability_catalogue()
    now = timezone.now()
    existing = {
        r.code: r for r in IndicatorValue.objects.filter(institution=institution, year=year)
    }
    before = {code: r.value for code, r in existing.items()}
    counts = {"created": 0, "updated": 0, "deleted": 0, "unchanged": 0}
    for code, value in sorted(values.items()):
        row = existing.get(code)
        note = evidence.get(code, row.evidence if row else "")
        if value is None:
            if row is not None:
                row.delete()
                counts["deleted"] += 1
            continue
        stored = value_to_json(value)
        if row is None:
            IndicatorValue.objects.create(
                institution=institution,
                year=year,
                code=code,
                value=stored,
                evidence=note,
                catalogue_version=catalogue.version,
                entered_by=actor,
                entered_at=now,
            )
            counts["created"] += 1
        elif row.value != stored or row.evidence != note:
            row.value, row.evidence = stored, note
            row.catalogue_version = catalogue.version
            row.entered_by, row.entered_at = actor, now
            row.confirmed_by, row.confirmed_at = None, None
            row.save(
                update_fields=[
                    "value",
                    "evidence",
                    "catalogue_version",
                    "entered_by",
                    "entered_at",
                    "confirmed_by",
                    "confirmed_at",
                ]
            )
            counts["updated"] += 1
        else:
            counts["unchanged"] += 1
    after = {
        code: r.value
        for code, r in (
            (r.code, r) for r in IndicatorValue.objects.filter(institution=institution, year=year)
        )
    }
    # The stored standard result of the hospital-year follows, in this transaction (ADR 0021).
    standings_refresh([institution.pk], year)
    audit_record(
        actor=actor,
        action="capability_values_save",
        obj=institution,
        before={"year": year, "values": before},
        after={"year": year, "values": after},
        note=f"{year} 年能力指标：新增 {counts['created']}，修改 {counts['updated']}，删除 {counts['deleted']}",
    )
    return counts


def _evidence_problems(evidence: Mapping[str, str]) -> dict[str, str]:
    problems = {}
    for code, text in evidence.items():
        if len(text) > EVIDENCE_MAX_LENGTH:
            problems[code] = f"指标 {code} 的佐证说明不能超过 {EVIDENCE_MAX_LENGTH} 字"
        elif (message := forbidden_characters_message(text)) is not None:
            problems[code] = f"指标 {code} 的佐证说明：{message}"
    return problems


@transaction.atomic
def capability_values_save(
    *,
    actor: User,
    institution: Institution,
    year: int,
    values: Mapping[str, object],
    evidence: Mapping[str, str] | None = None,
) -> dict[str, int]:
    """The hospital's own users enter its values for ``year`` (``values``: code → raw value;
    None or "" removes one). Every value is checked first; any problem → nothing written."""
    if not can_enter_values(actor, institution):
        raise PermissionDenied("只有本院用户可以填报本院的能力指标")
    _year_check(year)
    parsed, problems = parse_values(capability_catalogue(), values)
    evidence = {k: v.strip() for k, v in (evidence or {}).items()}
    problems.update(_evidence_problems(evidence))
    if problems:
        raise ValidationError({code: [message] for code, message in problems.items()})
    return _write(actor=actor, institution=institution, year=year, values=parsed, evidence=evidence)


@transaction.atomic
def capability_values_confirm(
    *, actor: User, institution: Institution, year: int, when_none: str = "refuse"
) -> int:
    """The county confirms the hospital's values for ``year``; returns how many were confirmed.
    With ``when_none="skip"`` a year with nothing pending confirms nothing instead of refusing
    (the county's approval of the year's self-assessment confirms whatever is pending, §七)."""
    if not can_confirm_values(actor, institution):
        raise PermissionDenied("只有本县卫生健康部门可以确认能力指标")
    pending = IndicatorValue.objects.filter(
        institution=institution, year=year, confirmed_at__isnull=True
    )
    codes = sorted(pending.values_list("code", flat=True))
    if not codes:
        if when_none == "skip":
            return 0
        raise ValidationError({"year": "没有待确认的指标值"})
    pending.update(confirmed_by=actor, confirmed_at=timezone.now())
    audit_record(
        actor=actor,
        action="capability_values_confirm",
        obj=institution,
        after={"year": year, "codes": codes},
        note=f"确认 {year} 年能力指标 {len(codes)} 项",
    )
    return len(codes)


# ---- Excel import ----


@dataclass
class CapabilityImportResult:
    rows: int = 0
    counts: dict[str, int] = field(default_factory=dict)
    errors: list[ImportRowError] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors


def _importable(actor: User | None) -> dict[str, Institution]:
    """Hospitals the actor may import for, by name: its own hospital; None = the province."""
    hospitals = Institution.objects.filter(category=InstitutionCategory.RECIPIENT)
    if actor is not None:
        scope = scope_for_user(actor)
        if scope.role != Role.RECIPIENT or scope.institution_id is None:
            return {}
        hospitals = hospitals.filter(pk=scope.institution_id)
    return {h.name: h for h in hospitals}


class _CapabilitySheet:
    """The capability importer's rules for `core.spreadsheet_import.sheet_import`: one value per
    row, checked against its indicator; kept grouped by hospital-year, written with `_write`."""

    headers = IMPORT_HEADERS

    def __init__(self, *, actor: User | None) -> None:
        self.actor = actor
        self.catalogue = capability_catalogue()
        self.hospitals = _importable(actor)
        self.years = year_choices()
        self.rows = 0
        self.groups: dict[tuple[int, int], tuple[dict[str, Value | None], dict[str, str]]] = {}
        self.counts: dict[str, int] = {}
        self._seen: dict[tuple[int, int, str], int] = {}

    def check_row(self, number: int, cells: Sequence[object]) -> list[ImportRowError]:
        self.rows += 1
        name, year_text, code, _, note = (cell_text(c) for c in cells)
        errors: list[ImportRowError] = []

        def error(column: str, message: str) -> None:
            errors.append(ImportRowError(number, column, message))

        hospital = self.hospitals.get(name)
        if hospital is None:
            error("医院名称", "未找到该受扶医院，或无权为其导入" if name else "必填")
        year = int(year_text) if year_text.isdigit() else None
        if year is None or year not in self.years:
            error("年度", f"应为 {self.years[0]}–{self.years[-1]} 之间的年份")
        indicator = self.catalogue.indicator(code)
        if indicator is None or not indicator.entered:
            error(
                "指标编码",
                f"指标 {code or '（空）'} 不在可填报的指标目录（{self.catalogue.version}）中",
            )
        else:
            value, problem = parse_value(indicator, cells[3])
            if problem is not None:
                error("数值", f"指标 {code}「{indicator.name}」：{problem}")
            elif hospital is not None and year is not None:
                key = (hospital.pk, year, code)
                if key in self._seen:
                    error("指标编码", f"与第{self._seen[key]}行重复")
                    return errors
                self._seen[key] = number
                values, notes = self.groups.setdefault((hospital.pk, year), ({}, {}))
                values[code] = value
                if note:
                    notes[code] = note
        if len(note) > EVIDENCE_MAX_LENGTH:
            error("佐证说明", f"不能超过 {EVIDENCE_MAX_LENGTH} 字")
        elif (message := forbidden_characters_message(note)) is not None:
            error("佐证说明", message)
        return errors

    def check_all(self) -> list[ImportRowError]:
        return []

    def write(self) -> None:
        by_pk = {h.pk: h for h in self.hospitals.values()}
        for (pk, year), (values, notes) in sorted(self.groups.items()):
            counts = _write(
                actor=self.actor, institution=by_pk[pk], year=year, values=values, evidence=notes
            )
            for name, n in counts.items():
                self.counts[name] = self.counts.get(name, 0) + n


def capability_import_file(
    *, actor: User | None, path: str, dry_run: bool = False
) -> CapabilityImportResult:
    """Import the sheet at ``path`` (headers ``IMPORT_HEADERS``, one value per row) all or
    nothing (``core.spreadsheet_import.sheet_import``). Every row is checked first; any error →
    nothing is written and every error is returned (row, column header, Chinese reason).
    ``actor`` None imports as the province (any recipient hospital)."""
    sheet = _CapabilitySheet(actor=actor)
    errors = sheet_import(path=path, importer=sheet, dry_run=dry_run)
    return CapabilityImportResult(rows=sheet.rows, counts=sheet.counts, errors=errors)


# ---- county plans: yearly targets, review notes and kept versions (§七) ----


def _plan_snapshot(plan: CountyPlan) -> dict[str, object]:
    return {
        "cycle_start": plan.cycle_start.isoformat(),
        "cycle_end": plan.cycle_end.isoformat(),
        "goals": plan.goals,
        "centres": list(plan.centres),
        "measure_codes": list(plan.measure_codes),
        "specialties": sorted(s.code for s in plan.specialties.all()),
        "agreements": sorted(a.pk for a in plan.agreements.all()),
        "years": {
            str(y.year): {
                "measure_targets": y.measure_targets,
                "indicator_targets": y.indicator_targets,
                "review_note": y.review_note,
            }
            for y in CountyPlanYear.objects.filter(plan=plan).order_by("year")
        },
    }


@transaction.atomic
def county_plan_version_keep(
    *, plan: CountyPlan, actor: User | None, note: str = ""
) -> CountyPlanVersion:
    """Keep the plan as it is now, before a save changes it (the plan "adjusted over time"
    keeps its history, §七). Versions are numbered 1, 2, … per plan."""
    last = CountyPlanVersion.objects.filter(plan=plan).order_by("-number").first()
    version = CountyPlanVersion.objects.create(
        plan=plan,
        number=(last.number if last else 0) + 1,
        snapshot=_plan_snapshot(plan),
        note=note[:200],
        saved_by=actor,
    )
    audit_record(
        actor=actor, action="county_plan_version_keep", obj=plan, note=f"保留第 {version.number} 版"
    )
    return version


def county_plan_version_keep_on_change(
    sender: object, *, plan: CountyPlan, actor: User | None, **kwargs: object
) -> None:
    """Receiver of partnerships' `county_plan_changing` (connected in `CapabilityConfig.ready`):
    the plan's goals, centres or measures are about to change, so keep the plan as it is."""
    county_plan_version_keep(plan=plan, actor=actor, note="方案调整")


MEASURE_TARGET_MAX = 10_000


@transaction.atomic
def county_plan_year_save(
    *,
    actor: User,
    plan: CountyPlan,
    year: int,
    measure_targets: Mapping[str, object],
    indicator_targets: Mapping[str, object],
    review_note: str = "",
) -> CountyPlanYear:
    """Set a county plan's targets for ``year`` (by measure: a yearly count for a measure the plan
    chose; by indicator: a value of that indicator) and the year's review note. The plan as it
    was is kept as a version first. Every problem is reported at once; nothing is written."""
    if not can_edit_county_plan(actor, plan):
        raise PermissionDenied("只有本县及上级卫生健康部门可以调整一县一方案")
    errors: dict[str, list[str]] = {}
    if not plan.cycle_start.year <= year <= plan.cycle_end.year:
        errors["year"] = [f"年度应在方案周期 {plan.cycle_start.year}–{plan.cycle_end.year} 内"]
    measures: dict[str, int] = {}
    for code, raw in sorted(measure_targets.items()):
        if raw is None or raw == "":
            continue
        if code not in plan.measure_codes:
            errors[f"measure_{code}"] = [f"措施 {code} 不是本方案选用的措施"]
            continue
        text = str(raw).strip()
        if not text.isdigit() or not 0 < int(text) <= MEASURE_TARGET_MAX:
            errors[f"measure_{code}"] = [
                f"措施 {code} 的年度目标应为 1–{MEASURE_TARGET_MAX} 的整数"
            ]
            continue
        measures[code] = int(text)
    catalogue = capability_catalogue()
    parsed, problems = parse_values(
        catalogue, {k: v for k, v in indicator_targets.items() if v is not None and v != ""}
    )
    for code, problem in problems.items():
        errors[f"indicator_{code}"] = [problem]
    note = review_note.strip()
    if (refused := forbidden_characters_message(note)) is not None:
        errors["review_note"] = [refused]
    elif len(note) > REVIEW_MAX_LENGTH:
        errors["review_note"] = [f"年度回顾不能超过 {REVIEW_MAX_LENGTH} 字"]
    if errors:
        raise ValidationError(errors)
    county_plan_version_keep(plan=plan, actor=actor, note=f"调整 {year} 年目标")
    row, _ = CountyPlanYear.objects.get_or_create(plan=plan, year=year)
    before = model_snapshot(row, ("measure_targets", "indicator_targets", "review_note"))
    row.measure_targets = measures
    row.indicator_targets = {
        code: value_to_json(value) for code, value in parsed.items() if value is not None
    }
    row.review_note = note
    row.updated_by = actor
    row.save(
        update_fields=[
            "measure_targets",
            "indicator_targets",
            "review_note",
            "updated_by",
            "updated_at",
        ]
    )
    audit_record(
        actor=actor,
        action="county_plan_year_save",
        obj=plan,
        before=before,
        after=model_snapshot(row, ("measure_targets", "indicator_targets", "review_note")),
        note=f"{year} 年目标",
    )
    return row
