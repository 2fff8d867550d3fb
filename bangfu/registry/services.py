"""Writes to the registry. Each runs in one transaction and records an audit row."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import ProtectedError

from bangfu.accounts.models import User
from bangfu.core.audit import audit_changes, audit_record, model_snapshot, save_changes_audited
from bangfu.registry.models import (
    County,
    Department,
    Institution,
    InstitutionCategory,
    Prefecture,
    ProgrammeGroup,
    Specialty,
)
from bangfu.registry.registry_files import DATA_DIR, read_registry
from bangfu.registry.scope import scope_for_user
from bangfu.registry.signals import county_changed, institution_changed

PREFECTURE_FIELDS = ("code", "name", "short_name")
# The fields whose change `institution_update` signals (`signals.institution_changed`).
SIGNALLED_FIELDS = ("name", "institution_type", "category", "province", "grade", "county")
COUNTY_FIELDS = (
    "code",
    "name",
    "short_name",
    "prefecture",
    "kind",
    "national_key_county",
    "programme_group",
    "programme_group_basis",
    "programme_group_verified",
)
SPECIALTY_FIELDS = ("code", "name", "provenance")
INSTITUTION_FIELDS = (
    "name",
    "category",
    "institution_type",
    "county",
    "prefecture",
    "province",
    "city",
    "grade",
    "capacity",
    "regions",
    "is_demo",
    "source_note",
)


_Loaded = TypeVar("_Loaded", Prefecture, County, Specialty)


@dataclass(frozen=True)
class LoadSummary:
    created: int
    updated: int
    unchanged: int


def _upsert(
    actor: User | None,
    model: type[_Loaded],
    key: dict[str, object],
    values: dict[str, object],
    fields: tuple[str, ...],
    note: str,
) -> tuple[str, _Loaded, frozenset[str]]:
    """Create or update the row with ``key``; returns the outcome ("created", "updated" or
    "unchanged"), the row and the ``fields`` an update changed."""
    obj = model.objects.filter(**key).first()
    if obj is None:
        obj = model.objects.create(**key, **values)
        audit_record(
            actor=actor, action="create", obj=obj, after=model_snapshot(obj, fields), note=note
        )
        return "created", obj, frozenset()
    before = model_snapshot(obj, fields)
    for name, value in values.items():
        setattr(obj, name, value)
    after = model_snapshot(obj, fields)
    changed = audit_changes(before, after)
    if not changed:
        return "unchanged", obj, frozenset()
    obj.save(update_fields=[model._meta.get_field(f).name for f in changed])
    audit_record(
        actor=actor,
        action="update",
        obj=obj,
        before={k: before[k] for k in changed},
        after=changed,
        note=note,
    )
    return "updated", obj, frozenset(changed)


@transaction.atomic
def registry_load(*, actor: User | None, data_dir: Path = DATA_DIR) -> LoadSummary:
    """Load prefectures, counties and the specialty catalog; idempotent.

    The whole file set is validated before anything is written, and the load runs in one
    transaction, so a bad file changes nothing. A county whose programme group an officer has
    marked as verified keeps its group: the file holds best guesses (§一 names no list of 70).
    """
    data = read_registry(data_dir)
    note = f"载入名录文件 {data_dir.name}"
    outcomes: list[str] = []
    prefectures: dict[str, Prefecture] = {}
    for p in data.prefectures:
        outcome, _, _ = _upsert(
            actor,
            Prefecture,
            {"code": p.code},
            {"name": p.name, "short_name": p.short_name},
            PREFECTURE_FIELDS,
            note,
        )
        outcomes.append(outcome)
    prefectures = {p.code: p for p in Prefecture.objects.all()}
    verified = set(
        County.objects.filter(programme_group_verified=True).values_list("code", flat=True)
    )
    for c in data.counties:
        values: dict[str, object] = {
            "name": c.name,
            "short_name": c.short_name,
            "prefecture": prefectures[c.prefecture_code],
            "kind": c.kind,
            "national_key_county": c.national_key_county,
        }
        if c.code not in verified:
            values |= {
                "programme_group": c.programme_group,
                "programme_group_basis": c.programme_group_basis,
                "programme_group_verified": c.programme_group_verified,
            }
        outcome, county, changed = _upsert(
            actor, County, {"code": c.code}, values, COUNTY_FIELDS, note
        )
        outcomes.append(outcome)
        if changed:
            county_changed.send(sender=County, county=county, changed=changed)
    for s in data.specialties:
        outcome, _, _ = _upsert(
            actor,
            Specialty,
            {"code": s.code},
            {"name": s.name, "provenance": s.provenance},
            SPECIALTY_FIELDS,
            note,
        )
        outcomes.append(outcome)
    return LoadSummary(
        created=outcomes.count("created"),
        updated=outcomes.count("updated"),
        unchanged=outcomes.count("unchanged"),
    )


@transaction.atomic
def county_set_programme_group(
    *, actor: User, county: County, programme_group: str, basis: str, verified: bool
) -> County:
    """Change a county's programme group (70 target / 18 other, §一). Province officers only."""
    if actor.role != "province":
        raise PermissionError("只有省级管理员可以修改项目分组")
    if programme_group not in ProgrammeGroup.values:
        raise ValidationError({"programme_group": "项目分组应为「目标县」或「其他」"})
    if not basis.strip():
        raise ValidationError({"programme_group_basis": "请填写分组依据（文件名、文号或说明）"})
    county = County.objects.select_for_update().get(pk=county.pk)
    before = model_snapshot(county, COUNTY_FIELDS)
    county.programme_group = programme_group
    county.programme_group_basis = basis.strip()
    county.programme_group_verified = verified
    changed = save_changes_audited(actor=actor, obj=county, fields=COUNTY_FIELDS, before=before)
    if changed:
        county_changed.send(sender=County, county=county, changed=frozenset(changed))
    return county


def _institution_validate(inst: Institution) -> None:
    errors: dict[str, str] = {}
    if not inst.name.strip():
        errors["name"] = "请填写机构名称"
    elif Institution.objects.exclude(pk=inst.pk).filter(name=inst.name.strip()).exists():
        errors["name"] = f"机构「{inst.name}」已存在"
    if inst.category == InstitutionCategory.RECIPIENT and inst.county_id is None:
        errors["county"] = "受扶医院必须选择所在县"
    if inst.category == InstitutionCategory.HELPER:
        if not inst.province.strip() or inst.province.strip() == "贵州省":
            errors["province"] = "帮扶医院应为省外医院，请填写所在省份"
    elif inst.province != "贵州省":
        errors["province"] = "受扶医院和龙头医院应在贵州省"
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def institution_create(*, actor: User | None, **fields: object) -> Institution:
    specialties = fields.pop("strong_specialties", None)
    inst = Institution(**fields)
    if inst.county_id is not None and inst.prefecture_id is None:
        inst.prefecture_id = County.objects.values_list("prefecture_id", flat=True).get(
            pk=inst.county_id
        )
    _institution_validate(inst)
    inst.name = inst.name.strip()
    inst.save()
    if specialties is not None:
        inst.strong_specialties.set(specialties)  # type: ignore[arg-type]
    audit_record(
        actor=actor, action="create", obj=inst, after=model_snapshot(inst, INSTITUTION_FIELDS)
    )
    return inst


@transaction.atomic
def institution_update(*, actor: User, institution: Institution, **fields: object) -> Institution:
    inst = Institution.objects.select_for_update().get(pk=institution.pk)
    before = model_snapshot(inst, INSTITUTION_FIELDS)
    for name, value in fields.items():
        setattr(inst, name, value)
    _institution_validate(inst)
    save_changes_audited(actor=actor, obj=inst, fields=INSTITUTION_FIELDS, before=before)
    after = model_snapshot(inst, INSTITUTION_FIELDS)
    changed = frozenset(f for f in SIGNALLED_FIELDS if after[f] != before[f])
    if changed:
        institution_changed.send(sender=Institution, institution=inst, changed=changed)
    return inst


@transaction.atomic
def institution_add_departments(
    *, actor: User | None, institution: Institution, specialty_codes: list[str]
) -> int:
    """Register departments named after catalog specialties; existing names are kept. One audit row."""
    specialties = {s.code: s for s in Specialty.objects.filter(code__in=specialty_codes)}
    unknown = sorted(set(specialty_codes) - set(specialties))
    if unknown:
        raise ValidationError({"specialty_codes": f"未知的诊疗科目代码：{'、'.join(unknown)}"})
    existing = set(institution.departments.values_list("name", flat=True))
    new = [
        Department(
            institution=institution, specialty=specialties[code], name=specialties[code].name
        )
        for code in specialty_codes
        if specialties[code].name not in existing
    ]
    Department.objects.bulk_create(new)
    if new:
        audit_record(
            actor=actor,
            action="add_departments",
            obj=institution,
            after={"departments": [d.name for d in new]},
        )
    return len(new)


# Hospital grades as the registry records them (医院等级); "" is 未填. The helper rule of §一
# (省外三甲) reads "三甲" (policy [helper_eligibility]).
INSTITUTION_GRADES: tuple[tuple[str, str], ...] = (
    ("", "未填"),
    ("三甲", "三级甲等（三甲）"),
    ("三乙", "三级乙等（三乙）"),
    ("三级", "三级（未定等）"),
    ("二甲", "二级甲等（二甲）"),
    ("二乙", "二级乙等（二乙）"),
    ("二级", "二级（未定等）"),
    ("一级", "一级"),
)


@transaction.atomic
def institution_edit_profile(
    *,
    actor: User,
    institution: Institution,
    grade: str | None = None,
    add_departments: Iterable[str] = (),
    remove_department_ids: Iterable[int] = (),
) -> Institution:
    """The province office corrects an institution's grade and its departments (科室), e.g. a
    helper whose grade is 未填 and so cannot be checked against §一 (省外三甲). One audit row
    with what changed; nothing is written when any part is refused. Departments in use (a
    deployment, a 3X link or a mentorship names them) cannot be removed."""
    if not scope_for_user(actor).can_edit_registry:
        raise PermissionDenied("只有省卫生健康委可以修改医疗机构的等级和科室")
    inst = Institution.objects.select_for_update().get(pk=institution.pk)
    errors: dict[str, list[str]] = {}
    known_grades = {value for value, _ in INSTITUTION_GRADES}
    if grade is not None and grade.strip() not in known_grades:
        errors.setdefault("grade", []).append(
            "等级应为：" + "、".join(label for _, label in INSTITUTION_GRADES)
        )
    existing = {d.pk: d for d in inst.departments.all()}
    names: list[str] = []
    for raw in add_departments:
        name = raw.strip()
        if not name or name in names:
            continue
        if len(name) > 50:
            errors.setdefault("add_departments", []).append(f"科室名称「{name[:20]}…」过长")
        elif name in {d.name for d in existing.values()}:
            errors.setdefault("add_departments", []).append(f"科室「{name}」已存在")
        else:
            names.append(name)
    removing = []
    for pk in dict.fromkeys(remove_department_ids):
        department = existing.get(pk)
        if department is None:
            errors.setdefault("remove_department_ids", []).append(f"编号为 {pk} 的科室不属于本机构")
        else:
            removing.append(department)
    if errors:
        raise ValidationError(errors)
    before: dict[str, object] = {}
    after: dict[str, object] = {}
    if grade is not None and grade.strip() != inst.grade:
        before["grade"], after["grade"] = inst.grade, grade.strip()
        inst.grade = grade.strip()
        inst.save(update_fields=["grade", "updated_at"])
    if removing:
        try:
            with transaction.atomic():
                for department in removing:
                    department.delete()
        except ProtectedError as exc:
            raise ValidationError(
                {"remove_department_ids": "科室已被派驻、3X联系或带教记录使用，不能删除"}
            ) from exc
        before["departments_removed"] = sorted(d.name for d in removing)
    if names:
        specialties = {s.name: s for s in Specialty.objects.filter(name__in=names)}
        Department.objects.bulk_create(
            Department(institution=inst, name=name, specialty=specialties.get(name))
            for name in names
        )
        after["departments_added"] = names
    if before or after:
        audit_record(actor=actor, action="update", obj=inst, before=before or None, after=after)
    if "grade" in after:  # as `institution_update` tells it (a helper's grade decides §一)
        institution_changed.send(sender=Institution, institution=inst, changed=frozenset({"grade"}))
    return inst
