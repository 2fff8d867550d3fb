"""Writes to activities: record, change, delete, confirm, attach evidence, import from Excel (F8).

Load → decide in the domain (``domain.records``) → persist → audit, in one transaction. Bad
input raises ``django.core.exceptions.ValidationError`` keyed by field with Chinese messages and
writes nothing; acting outside one's side raises ``PermissionDenied``.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import connection, transaction
from django.utils import timezone

from bangfu.accounts.models import User
from bangfu.activities.domain.records import (
    ActivityDraft,
    Period,
    Problem,
    Side,
    activity_problems,
)
from bangfu.activities.models import (
    EXTERNAL_ID_MAX_LENGTH,
    NOTE_MAX_LENGTH,
    TITLE_MAX_LENGTH,
    Activity,
    ActivityEvidence,
)
from bangfu.activities.progress_store import progress_refresh_partnerships
from bangfu.activities.selectors import (
    activity_catalogue,
    activity_change_problem,
    activity_confirm_problem,
    signed_periods,
    today_local,
    user_side,
    writable_partnerships_for_user,
)
from bangfu.core.audit import audit_record, model_snapshot, save_changes_audited
from bangfu.core.spreadsheet_import import ImportRowError, cell_text, sheet_import
from bangfu.core.text import forbidden_characters_message
from bangfu.core.uploads import SCAN_KINDS, FileKind, upload_checked, upload_kind
from bangfu.core.validation import raise_if_any
from bangfu.partnerships.models import Partnership
from bangfu.people.models import Expert
from bangfu.policy.domain.activities import ActivityCatalogue, ActivityKind

ACTIVITY_FIELDS = (
    "partnership",
    "date",
    "kind",
    "quantities",
    "attributes",
    "department",
    "title",
    "note",
    "external_id",
    "recorded_side",
)
# Photos and PDFs, checked by content and size in bangfu.core.uploads (as scans and receipts).
EVIDENCE_CONTENT_TYPES = {
    FileKind.PDF: "application/pdf",
    FileKind.JPEG: "image/jpeg",
    FileKind.PNG: "image/png",
}


@dataclass(frozen=True)
class ActivityInput:
    date: dt.date | None
    kind: str
    quantities: Mapping[str, object]
    attributes: Mapping[str, str] = field(default_factory=dict)
    department: str = ""
    title: str = ""
    note: str = ""
    external_id: str = ""


def _text_problems(data: ActivityInput) -> list[Problem]:
    problems = []
    limits = (
        ("title", data.title, TITLE_MAX_LENGTH, "标题"),
        ("note", data.note, NOTE_MAX_LENGTH, "备注"),
        ("department", data.department, 100, "科室/专科"),
        ("external_id", data.external_id, EXTERNAL_ID_MAX_LENGTH, "外部编号"),
    )
    for name, value, limit, label in limits:
        if len(value) > limit:
            problems.append(Problem(name, f"{label}不能超过 {limit} 个字"))
        message = forbidden_characters_message(value)
        if message:
            problems.append(Problem(name, f"{label}{message}"))
    for value in data.attributes.values():
        message = forbidden_characters_message(value)
        if message:
            problems.append(Problem("attributes", message))
    return problems


def _validated(partnership: Partnership, data: ActivityInput, *, exclude_pk: int | None) -> None:
    draft = ActivityDraft(
        kind=data.kind,
        day=data.date,
        quantities=data.quantities,
        attributes=data.attributes,
    )
    problems = activity_problems(
        draft,
        activity_catalogue(),
        today=today_local(),
        signed_periods=signed_periods(partnership.agreements.all()),
    )
    problems.extend(_text_problems(data))
    external_id = data.external_id.strip()
    if external_id:
        clash = Activity.objects.filter(partnership=partnership, external_id=external_id)
        if exclude_pk is not None:
            clash = clash.exclude(pk=exclude_pk)
        if clash.exists():
            problems.append(Problem("external_id", f"外部编号“{external_id}”在该帮扶关系中已存在"))
    raise_if_any(problems)


def _clean_quantities(data: ActivityInput) -> dict[str, int]:
    return {name: int(str(value)) for name, value in sorted(data.quantities.items())}


def _clean_attributes(data: ActivityInput) -> dict[str, str]:
    return {k: v.strip() for k, v in sorted(data.attributes.items()) if v.strip()}


def _experts_check(partnership: Partnership, experts: Sequence[Expert]) -> None:
    """Experts named on an activity serve on one of the partnership's teams."""
    allowed = set(
        Expert.objects.filter(deployments__team__partnership=partnership).values_list(
            "pk", flat=True
        )
    )
    strangers = [e.name for e in experts if e.pk not in allowed]
    if strangers:
        raise ValidationError(
            {"experts": f"以下专家不在该帮扶关系的帮扶队中：{'、'.join(strangers)}"}
        )


@transaction.atomic
def activity_create(
    *,
    actor: User,
    partnership: Partnership,
    data: ActivityInput,
    experts: Sequence[Expert] = (),
    is_demo: bool = False,
) -> Activity:
    """Record an activity on ``partnership`` for the side the actor acts for (helper or recipient)."""
    partnership = (
        Partnership.objects.select_related("recipient")
        .prefetch_related("agreements")
        .get(pk=partnership.pk)
    )
    side = user_side(actor, partnership)
    if side is None:
        raise PermissionDenied("只有帮扶关系的双方可以填报活动")
    _validated(partnership, data, exclude_pk=None)
    assert data.date is not None  # checked by _validated
    if experts:
        _experts_check(partnership, experts)
    activity = Activity.objects.create(
        partnership=partnership,
        date=data.date,
        kind=data.kind,
        quantities=_clean_quantities(data),
        attributes=_clean_attributes(data),
        department=data.department.strip(),
        title=data.title.strip(),
        note=data.note.strip(),
        external_id=data.external_id.strip(),
        recorded_by=actor,
        recorded_side=side.value,
        is_demo=is_demo,
    )
    if experts:
        activity.experts.set(experts)
    audit_record(
        actor=actor, action="create", obj=activity, after=model_snapshot(activity, ACTIVITY_FIELDS)
    )
    progress_refresh_partnerships([activity.partnership_id])
    return activity


def _locked(activity: Activity) -> Activity:
    return (
        Activity.objects.select_for_update(of=("self",))
        .select_related("partnership__recipient")
        .get(pk=activity.pk)
    )


@transaction.atomic
def activity_update(*, actor: User, activity: Activity, data: ActivityInput) -> Activity:
    """Change an unconfirmed activity; only the side that recorded it may."""
    activity = _locked(activity)
    problem = activity_change_problem(actor, activity)
    if problem:
        raise PermissionDenied(problem)
    _validated(activity.partnership, data, exclude_pk=activity.pk)
    assert data.date is not None  # checked by _validated
    before = model_snapshot(activity, ACTIVITY_FIELDS)
    activity.date = data.date
    activity.kind = data.kind
    activity.quantities = _clean_quantities(data)
    activity.attributes = _clean_attributes(data)
    activity.department = data.department.strip()
    activity.title = data.title.strip()
    activity.note = data.note.strip()
    activity.external_id = data.external_id.strip()
    save_changes_audited(actor=actor, obj=activity, fields=ACTIVITY_FIELDS, before=before)
    progress_refresh_partnerships([activity.partnership_id])
    return activity


@transaction.atomic
def activity_delete(*, actor: User, activity: Activity) -> None:
    activity = _locked(activity)
    problem = activity_change_problem(actor, activity)
    if problem:
        raise PermissionDenied(problem)
    audit_record(
        actor=actor, action="delete", obj=activity, before=model_snapshot(activity, ACTIVITY_FIELDS)
    )
    partnership_id = activity.partnership_id
    activity.delete()
    progress_refresh_partnerships([partnership_id])


@transaction.atomic
def activity_confirm(*, actor: User, activity: Activity) -> Activity:
    """The other side confirms the record (§三(三)); from then on it counts towards progress."""
    activity = _locked(activity)
    problem = activity_confirm_problem(actor, activity)
    if problem:
        raise PermissionDenied(problem)
    activity.confirmed_by = actor
    activity.confirmed_at = timezone.now()
    activity.save(update_fields=["confirmed_by", "confirmed_at", "updated_at"])
    audit_record(
        actor=actor,
        action="confirm",
        obj=activity,
        after={"confirmed_by": actor.pk, "confirmed_at": activity.confirmed_at},
    )
    progress_refresh_partnerships([activity.partnership_id])
    return activity


@transaction.atomic
def activity_evidence_add(
    *, actor: User, activity: Activity, upload: UploadedFile[bytes]
) -> ActivityEvidence:
    """Attach a photo or PDF; either side of the partnership may (the content decides the type)."""
    activity = _locked(activity)
    if user_side(actor, activity.partnership) is None:
        raise PermissionDenied("只有帮扶关系的双方可以上传佐证材料")
    stored = upload_checked(upload, field="file", label="佐证材料", kinds=SCAN_KINDS)
    kind = upload_kind(upload, SCAN_KINDS)
    assert kind is not None  # accepted by upload_checked
    mime = EVIDENCE_CONTENT_TYPES[kind]
    name = (upload.name or "evidence").rsplit("/", 1)[-1][:200]
    evidence = ActivityEvidence(
        activity=activity,
        original_name=name,
        content_type=mime,
        size=upload.size or 0,
        uploaded_by=actor,
    )
    evidence.file.save(stored, upload, save=False)
    evidence.save()
    audit_record(
        actor=actor,
        action="evidence_add",
        obj=activity,
        after={"file": evidence.file.name, "original_name": name, "content_type": mime},
    )
    return evidence


# ---- Excel import ----

IMPORT_HEADERS = (
    "帮扶关系编号",
    "日期",
    "活动类型",
    "数量",
    "受益人次",
    "标题",
    "备注",
    "外部编号",
)
IMPORT_BATCH = 2000
PROGRESS_EVERY = 2000
_FIELD_HEADERS = {
    "date": "日期",
    "kind": "活动类型",
    "quantities": "数量",
    "attributes": "活动类型",
    "title": "标题",
    "note": "备注",
    "department": "标题",
    "external_id": "外部编号",
}


@dataclass
class ActivityImportResult:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    rows: int = 0
    errors: list[ImportRowError] = field(default_factory=list)
    dry_run: bool = False

    @property
    def ok(self) -> bool:
        return not self.errors

    def counts(self) -> dict[str, int]:
        return {"created": self.created, "updated": self.updated, "unchanged": self.unchanged}


@dataclass(frozen=True)
class _ImportTarget:
    side: Side
    periods: tuple[Period, ...]


@dataclass(frozen=True)
class _Row:
    number: int
    partnership_id: int
    day: dt.date
    kind: str
    quantities: dict[str, int]
    title: str
    note: str
    external_id: str


def _import_targets(actor: User | None) -> dict[int, _ImportTarget]:
    """Partnerships the actor writes into, each with its side and signed periods. ``actor`` None
    is the system acting as the province (recipient side, every partnership)."""
    if actor is None:
        partnerships = Partnership.objects.select_related("recipient").order_by("pk")
    else:
        partnerships = writable_partnerships_for_user(actor)
    targets = {}
    for partnership in partnerships.prefetch_related("agreements"):
        side = Side.RECIPIENT if actor is None else user_side(actor, partnership)
        if side is None:
            continue
        targets[partnership.pk] = _ImportTarget(
            side, tuple(signed_periods(partnership.agreements.all()))
        )
    return targets


def _cell_int(value: object) -> int | str | None:
    """A whole number from a cell; None when blank; a Chinese reason when not a whole number."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, bool):
        return "应为整数"
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        return int(value) if value.is_integer() else "应为整数"
    if isinstance(value, str):
        text = value.strip()
        if text.lstrip("-").isdigit():
            return int(text)
    return "应为整数"


def _cell_date(value: object) -> dt.date | str:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str) and value.strip():
        try:
            return dt.date.fromisoformat(value.strip())
        except ValueError:
            return "应为日期（如 2025-03-01）"
    if value is None or (isinstance(value, str) and not value.strip()):
        return "必填"
    return "应为日期（如 2025-03-01）"


class _ActivitySheet:
    """The activity importer's rules for `core.spreadsheet_import.sheet_import`: checks one data
    row at a time and keeps the valid ones (small tuples); then matches them with the activities
    already imported under the same 外部编号 and writes the creates and updates."""

    headers = IMPORT_HEADERS

    def __init__(
        self,
        *,
        actor: User | None,
        catalogue: ActivityCatalogue,
        targets: Mapping[int, _ImportTarget],
        today: dt.date,
        path: str,
    ) -> None:
        self.actor = actor
        self.catalogue = catalogue
        self.targets = targets
        self.today = today
        self.path = path
        self.rows: list[_Row] = []
        self.creates: list[Activity] = []
        self.updates: list[Activity] = []
        self.unchanged = 0
        self._external_ids: dict[tuple[int, str], int] = {}

    def check_row(self, number: int, cells: Sequence[object]) -> list[ImportRowError]:
        raw_partnership, raw_date, raw_kind, raw_main, raw_people, raw_title, raw_note, raw_ext = (
            cells
        )
        errors: list[ImportRowError] = []

        def error(column: str, message: str) -> None:
            errors.append(ImportRowError(number, column, message))

        partnership_id = _cell_int(raw_partnership)
        target = None
        if partnership_id is None:
            error("帮扶关系编号", "必填")
        elif isinstance(partnership_id, str):
            error("帮扶关系编号", partnership_id)
        else:
            target = self.targets.get(partnership_id)
            if target is None:
                error("帮扶关系编号", f"帮扶关系 {partnership_id} 不存在或无权导入")
        day = _cell_date(raw_date)
        if isinstance(day, str):
            error("日期", day)
        kind = self.catalogue.kind_by_code_or_name(cell_text(raw_kind))
        if kind is None:
            shown = cell_text(raw_kind)
            error("活动类型", f"未知的活动类型“{shown}”" if shown else "必填")
        main = _cell_int(raw_main)
        people = _cell_int(raw_people)
        if isinstance(main, str):
            error("数量", main)
        if isinstance(people, str):
            error("受益人次", people)
        title = cell_text(raw_title)
        note = cell_text(raw_note)
        external_id = cell_text(raw_ext)
        for column, text, limit in (
            ("标题", title, TITLE_MAX_LENGTH),
            ("备注", note, NOTE_MAX_LENGTH),
            ("外部编号", external_id, EXTERNAL_ID_MAX_LENGTH),
        ):
            if len(text) > limit:
                error(column, f"不能超过 {limit} 个字")
            message = forbidden_characters_message(text)
            if message:
                error(column, message)
        quantities: dict[str, int] = {}
        if kind is not None and not isinstance(main, str) and not isinstance(people, str):
            people_quantity = kind.people_quantity
            if main is not None:
                quantities[kind.main_quantity.name] = main
            if people is not None and people_quantity is None:
                if people != 0:
                    error("受益人次", f"“{kind.name}”不填受益人次")
            elif people is not None and people_quantity is not None:
                if people_quantity.main:
                    if main is not None and people != main:
                        error("受益人次", f"“{kind.name}”的受益人次即数量，两者应相同")
                else:
                    quantities[people_quantity.name] = people
        if kind is not None and target is not None and not isinstance(day, str):
            draft = ActivityDraft(kind=kind.code, day=day, quantities=quantities, attributes={})
            for problem in activity_problems(
                draft, self.catalogue, today=self.today, signed_periods=target.periods
            ):
                column = _FIELD_HEADERS.get(problem.field, "数量")
                if problem.field == "quantities" and _about_people(kind, problem.message):
                    column = "受益人次"
                error(column, problem.message)
        if external_id and isinstance(partnership_id, int):
            key = (partnership_id, external_id)
            if key in self._external_ids:
                error("外部编号", f"与第{self._external_ids[key]}行重复")
            else:
                self._external_ids[key] = number
        if errors:
            return errors
        assert isinstance(partnership_id, int) and isinstance(day, dt.date) and kind is not None
        self.rows.append(
            _Row(number, partnership_id, day, kind.code, quantities, title, note, external_id)
        )
        return []

    def check_all(self) -> list[ImportRowError]:
        """Rows with an 外部编号 already imported for that partnership update it when they
        differ (only while unconfirmed — a confirmed one that differs is an error) or leave it
        unchanged; the rest are created."""
        errors: list[ImportRowError] = []
        existing = _existing_by_external_id(self.rows)
        for row in self.rows:
            key = (row.partnership_id, row.external_id)
            current = existing.get(key) if row.external_id else None
            if current is None:
                self.creates.append(
                    Activity(
                        partnership_id=row.partnership_id,
                        date=row.day,
                        kind=row.kind,
                        quantities=row.quantities,
                        title=row.title,
                        note=row.note,
                        external_id=row.external_id,
                        recorded_by=self.actor,
                        recorded_side=self.targets[row.partnership_id].side.value,
                    )
                )
                continue
            merged = {
                k: v
                for k, v in current.quantities.items()
                if k not in _main_and_people(row, self.catalogue) or current.kind != row.kind
            }
            if current.kind != row.kind:
                merged = {}
            merged.update(row.quantities)
            changed = (
                current.date != row.day
                or current.kind != row.kind
                or current.quantities != merged
                or current.title != row.title
                or current.note != row.note
            )
            if not changed:
                self.unchanged += 1
                continue
            if current.is_confirmed:
                errors.append(
                    ImportRowError(
                        row.number, "外部编号", "该外部编号的活动已确认，不能通过导入修改"
                    )
                )
                continue
            current.date = row.day
            current.kind = row.kind
            current.quantities = merged
            current.title = row.title
            current.note = row.note
            self.updates.append(current)
        return errors

    def write(self) -> None:
        _import_write(self.actor, self.creates, self.updates, self.path)


def _about_people(kind: ActivityKind, message: str) -> bool:
    """True when a quantity problem names the people count (reported under 受益人次)."""
    people = kind.people_quantity
    return people is not None and not people.main and f"“{people.label}”" in message


def _main_and_people(row: _Row, catalogue: ActivityCatalogue) -> set[str]:
    kind = catalogue.kind(row.kind)
    assert kind is not None
    names = {kind.main_quantity.name}
    if kind.people_quantity is not None:
        names.add(kind.people_quantity.name)
    return names


def activity_import_file(
    *,
    actor: User | None,
    path: str,
    dry_run: bool = False,
    progress: Callable[[int, int], None] | None = None,
) -> ActivityImportResult:
    """Import the activity sheet at ``path`` (headers ``IMPORT_HEADERS``) all or nothing
    (``core.spreadsheet_import.sheet_import``).

    Every row is validated first; any error → nothing is written and every error is returned
    (row, column header, Chinese reason). Otherwise one transaction writes in batches: rows with
    an 外部编号 already imported for that partnership are updated when they differ (only while
    unconfirmed — a confirmed row that differs is an error) or left unchanged; the rest are
    created. ``actor`` None imports as the province. ``progress(done, total)`` is called every
    ``PROGRESS_EVERY`` rows and at the end.
    """
    sheet = _ActivitySheet(
        actor=actor,
        catalogue=activity_catalogue(),
        targets=_import_targets(actor),
        today=today_local(),
        path=path,
    )
    errors = sheet_import(
        path=path,
        importer=sheet,
        dry_run=dry_run,
        progress=progress,
        progress_every=PROGRESS_EVERY,
    )
    result = ActivityImportResult(rows=len(sheet.rows), errors=errors, dry_run=dry_run)
    if not errors:
        result.created = len(sheet.creates)
        result.updated = len(sheet.updates)
        result.unchanged = sheet.unchanged
    return result


def _existing_by_external_id(rows: Sequence[_Row]) -> dict[tuple[int, str], Activity]:
    wanted: dict[int, list[str]] = {}
    for row in rows:
        if row.external_id:
            wanted.setdefault(row.partnership_id, []).append(row.external_id)
    found: dict[tuple[int, str], Activity] = {}
    for partnership_id, external_ids in wanted.items():
        for start in range(0, len(external_ids), IMPORT_BATCH):
            chunk = external_ids[start : start + IMPORT_BATCH]
            for activity in Activity.objects.filter(
                partnership_id=partnership_id, external_id__in=chunk
            ):
                found[(partnership_id, activity.external_id)] = activity
    return found


def _import_write(
    actor: User | None, creates: list[Activity], updates: list[Activity], path: str
) -> None:
    name = path.rsplit("/", 1)[-1][:200]
    activities_bulk_write(
        actor=actor, creates=creates, updates=updates, note=f"Excel 导入活动：{name}", file=name
    )


@transaction.atomic
def activities_bulk_write(
    *,
    actor: User | None,
    creates: Sequence[Activity],
    updates: Sequence[Activity] = (),
    note: str,
    file: str = "",
) -> None:
    """Write many validated activities at once in batches (Excel import, demo data): one audit
    row per partnership touched, with how many were created and updated. Callers validate each
    activity first (``_ActivitySheet.check_row`` / ``activity_problems``)."""
    _insert_many(creates)
    now = timezone.now()
    for activity in updates:
        activity.updated_at = now
    if updates:
        Activity.objects.bulk_update(
            updates,
            ["date", "kind", "quantities", "title", "note", "updated_at"],
            batch_size=IMPORT_BATCH,
        )
    per_partnership: dict[int, dict[str, int]] = {}
    for activity, action in [(a, "created") for a in creates] + [(a, "updated") for a in updates]:
        counts = per_partnership.setdefault(activity.partnership_id, {"created": 0, "updated": 0})
        counts[action] += 1
    for partnership in Partnership.objects.filter(pk__in=per_partnership).select_related(
        "helper", "recipient"
    ):
        after: dict[str, object] = dict(per_partnership[partnership.pk])
        if file:
            after["file"] = file
        audit_record(actor=actor, action="activity_import", obj=partnership, after=after, note=note)
    # Once per partnership touched, after the whole batch (ADR 0020).
    progress_refresh_partnerships(per_partnership)


def _insert_many(activities: Sequence[Activity]) -> None:
    """INSERT the activities with one prepared statement per batch (``executemany``).

    ``bulk_create`` spends most of an import's write time building SQL and preparing each value
    through every field (bench/bench_activity_import.py); here the timestamps are prepared once
    and the per-row values are plain (the JSON columns as text). Rows are saved without
    primary keys read back; callers do not use the objects afterwards.
    """
    if not activities:
        return
    fields = [f for f in Activity._meta.concrete_fields if not f.primary_key]
    quote = connection.ops.quote_name
    sql = (
        f"INSERT INTO {quote(Activity._meta.db_table)} "
        f"({', '.join(quote(str(f.column)) for f in fields)}) "
        f"VALUES ({', '.join(['%s'] * len(fields))})"
    )
    now = timezone.now()
    stamps = {
        f.name: f.get_db_prep_save(now, connection)
        for f in fields
        if f.name in ("created_at", "updated_at")
    }
    json_fields = {"quantities", "attributes"}
    datetime_fields = {"confirmed_at"}

    def value(activity: Activity, name: str, attname: str) -> Any:
        if name in stamps:
            return stamps[name]
        raw = getattr(activity, attname)
        if name in json_fields:
            return json.dumps(raw, ensure_ascii=False)
        if name == "date":
            return connection.ops.adapt_datefield_value(raw)
        if name in datetime_fields:
            return connection.ops.adapt_datetimefield_value(raw)
        return raw

    names = [(f.name, f.attname) for f in fields]
    with connection.cursor() as cursor:
        for start in range(0, len(activities), IMPORT_BATCH):
            batch = activities[start : start + IMPORT_BATCH]
            cursor.executemany(sql, [[value(a, n, att) for n, att in names] for a in batch])
