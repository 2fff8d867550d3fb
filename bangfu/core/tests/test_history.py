"""Change history reads as Chinese: action names, field labels, names instead of ids and
codes (issue: raw dicts like {'helper': 274, 'modes': ['group', …]} and "create")."""

from __future__ import annotations

import pytest

from bangfu.core.audit import audit_record, model_snapshot
from bangfu.core.history import history_rows
from bangfu.partnerships.models import Partnership
from bangfu.policy.loader import load_policy

pytestmark = pytest.mark.django_db


def test_a_partnership_row_shows_labels_names_and_mode_names(province_officer):
    partnership = (
        Partnership.objects.select_related("helper", "recipient").exclude(modes=[]).first()
    )
    entry = audit_record(
        actor=province_officer,
        action="create",
        obj=partnership,
        after=model_snapshot(partnership, ("helper", "recipient", "modes")),
    )
    [row] = history_rows([entry])
    assert row.action == "新建"
    shown = {c.label: c.after for c in row.changes}
    assert shown["帮扶医院（甲方）"] == partnership.helper.name
    assert shown["受扶医院（乙方）"] == partnership.recipient.name
    mode_names = {m.code: m.name for m in load_policy().modes}
    assert shown["帮扶方式"] == "、".join(mode_names[m] for m in partnership.modes)
    assert not any(code in shown["帮扶方式"] for code in partnership.modes)
    assert all(c.before == "—" for c in row.changes)


def test_an_update_shows_before_and_after_and_unknown_actions_pass_through(province_officer):
    partnership = Partnership.objects.first()
    entry = audit_record(
        actor=province_officer,
        action="update",
        obj=partnership,
        before={"helper_liaison": "", "is_demo": True},
        after={"helper_liaison": "张三 138", "is_demo": False},
    )
    other = audit_record(actor=None, action="some_new_action", obj=partnership, after={"x": 1})
    rows = history_rows([entry, other])
    assert rows[0].action == "修改"
    changes = {c.label: (c.before, c.after) for c in rows[0].changes}
    assert changes["演示数据"] == ("是", "否")
    assert next(iter(changes.values())) == ("—", "张三 138")
    assert rows[1].action == "some_new_action"
    assert rows[1].changes[0].label == "x"


def test_the_partnership_page_history_has_no_raw_ids_or_english_actions(client, province_officer):
    partnership = Partnership.objects.first()
    audit_record(
        actor=province_officer,
        action="create",
        obj=partnership,
        after=model_snapshot(partnership, ("helper", "recipient")),
    )
    client.force_login(province_officer)
    page = client.get(f"/partnerships/{partnership.pk}/").content.decode()
    history = page[page.index('data-testid="history"') :]
    assert "新建" in history and ">create<" not in history
    assert f"'helper': {partnership.helper_id}" not in history
    assert partnership.helper.name in history
