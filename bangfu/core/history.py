"""Change history as people read it (F12): Chinese action names, field labels instead of column
names, names instead of ids, choice labels instead of codes.

Audit rows keep the raw values (they are the record); this module only presents them. Each
row's model is found from its `object_type` ("app_label.model"), each field's label from the
model's verbose_name, and foreign keys are resolved with one query per related model for the
whole page of rows.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from functools import cache
from typing import Any

from django.apps import apps
from django.core.exceptions import FieldDoesNotExist
from django.db import models

from bangfu.core.models import AuditEntry

ACTION_LABELS: Mapping[str, str] = {
    "create": "新建",
    "update": "修改",
    "delete": "删除",
    "sign": "签署协议",
    "renew": "续签协议",
    "terminate": "终止协议",
    "file": "协议备案",
    "first_agreement": "登记首期协议",
    "scan_replace": "更换扫描件",
    "set_captain": "指定队长",
    "set_outstanding": "认定表现突出",
    "recognise": "认定表现突出",
    "withdraw": "撤销认定",
    "end": "结束派驻",
    "exclude": "排除配对",
    "include": "恢复配对",
    "accept": "接受配对",
    "run": "运行匹配",
    "decide": "审批",
    "confirm": "确认",
    "evidence_add": "上传佐证材料",
    "unlock": "解除锁定",
    "revoke": "吊销令牌",
    "token_create": "签发令牌",
    "change_password": "修改密码",
    "add_departments": "添加科室",
    "activity_import": "Excel 导入",
    "job_start": "提交后台任务",
    "job_finish": "后台任务完成",
    "job_fail": "后台任务失败",
    "report_generate": "生成报告",
    "view_sensitive": "查看敏感信息",
    "set_programme_group": "调整项目分组",
}


def action_label(action: str) -> str:
    return ACTION_LABELS.get(action, action)


@cache
def _mode_names() -> dict[str, str]:
    from bangfu.policy.loader import load_policy

    return {m.code: m.name for m in load_policy().modes}


@cache
def _measure_names() -> dict[str, str]:
    from bangfu.policy.loader import load_policy

    return {m.code: f"{m.clause} {m.title}" for m in load_policy().measures}


# Values stored as codes in JSON fields, shown by name.
CODE_LABELS: Mapping[tuple[str, str], Callable[[], Mapping[str, str]]] = {
    ("partnerships.partnership", "modes"): _mode_names,
    ("partnerships.agreement", "measures"): _measure_names,
}


@dataclass(frozen=True)
class FieldChange:
    label: str
    before: str
    after: str


@dataclass(frozen=True)
class HistoryRow:
    entry: AuditEntry
    action: str
    changes: list[FieldChange]


def history_rows(entries: Iterable[AuditEntry]) -> list[HistoryRow]:
    entries = list(entries)
    names = _related_names(entries)
    rows = []
    for entry in entries:
        model = _model(entry.object_type)
        before = entry.before if isinstance(entry.before, dict) else {}
        after = entry.after if isinstance(entry.after, dict) else {}
        keys = list(dict.fromkeys([*before, *after]))
        changes = [
            FieldChange(
                label=_label(model, key),
                before=_shown(model, entry.object_type, key, before.get(key, _ABSENT), names),
                after=_shown(model, entry.object_type, key, after.get(key, _ABSENT), names),
            )
            for key in keys
        ]
        rows.append(HistoryRow(entry=entry, action=action_label(entry.action), changes=changes))
    return rows


_ABSENT = object()


def _model(object_type: str) -> type[models.Model] | None:
    try:
        return apps.get_model(object_type)
    except (LookupError, ValueError):
        return None


def _field(model: type[models.Model] | None, key: str) -> models.Field[Any, Any] | None:
    if model is None:
        return None
    for name in (key, key.removesuffix("_id")):
        try:
            field = model._meta.get_field(name)
        except FieldDoesNotExist:
            continue
        if isinstance(field, models.Field):
            return field
    return None


def _label(model: type[models.Model] | None, key: str) -> str:
    field = _field(model, key)
    return str(field.verbose_name) if field is not None else key


def _related_names(entries: list[AuditEntry]) -> dict[tuple[type[models.Model], Any], str]:
    wanted: dict[type[models.Model], set[Any]] = defaultdict(set)
    for entry in entries:
        model = _model(entry.object_type)
        for values in (entry.before, entry.after):
            if not isinstance(values, dict):
                continue
            for key, value in values.items():
                field = _field(model, key)
                if field is not None and field.is_relation and field.related_model and value:
                    if isinstance(value, list):
                        wanted[field.related_model].update(value)
                    elif isinstance(value, int | str):
                        wanted[field.related_model].add(value)
    names: dict[tuple[type[models.Model], Any], str] = {}
    for related, ids in wanted.items():
        clean = {i for i in ids if isinstance(i, int) or (isinstance(i, str) and i.isdigit())}
        for obj in related._default_manager.filter(pk__in=clean):
            names[(related, obj.pk)] = str(obj)
    return names


def _shown(
    model: type[models.Model] | None,
    object_type: str,
    key: str,
    value: object,
    names: Mapping[tuple[type[models.Model], Any], str],
) -> str:
    if value is _ABSENT or value is None or value == "":
        return "—"
    field = _field(model, key)
    if field is not None and field.is_relation and field.related_model:
        related = field.related_model
        ids: list[Any] = value if isinstance(value, list) else [value]
        return "、".join(
            names.get((related, int(str(i)) if str(i).isdigit() else i), f"#{i}") for i in ids
        )
    if isinstance(value, bool):
        return "是" if value else "否"
    codes = CODE_LABELS.get((object_type, key))
    if codes is not None and isinstance(value, list):
        labels = codes()
        return "、".join(labels.get(str(v), str(v)) for v in value)
    if field is not None and field.choices and not isinstance(value, list | dict):
        return str(dict(field.flatchoices).get(value, value))
    if isinstance(value, list):
        return "、".join(str(v) for v in value) or "—"
    if isinstance(value, dict):
        return "；".join(f"{k}：{v}" for k, v in value.items()) or "—"
    return str(value)
