"""Recording, confirming, changing and evidencing activities (F8): state and audit rows."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from bangfu.activities.models import Activity
from bangfu.activities.selectors import activity_get_for_user, activity_list_for_user
from bangfu.activities.services import (
    ActivityInput,
    activity_confirm,
    activity_create,
    activity_delete,
    activity_evidence_add,
    activity_update,
)
from bangfu.core.models import AuditEntry

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def _rules(day, documents=3, **extra):
    return ActivityInput(date=day, kind="rules", quantities={"documents": documents}, **extra)


def _audit(activity, action):
    return AuditEntry.objects.filter(
        object_type="activities.activity", object_id=str(activity.pk), action=action
    )


def test_expert_records_for_the_helper_side_with_an_audit_row(expert_user, weining, recent):
    activity = activity_create(
        actor=expert_user, partnership=weining, data=_rules(recent, title="  三项制度 ")
    )
    assert activity.recorded_side == "helper"
    assert activity.recorded_by == expert_user
    assert activity.title == "三项制度"
    assert activity.quantities == {"documents": 3}
    assert not activity.is_confirmed
    assert _audit(activity, "create").get().after["kind"] == "rules"


def test_recipient_hospital_confirms_what_the_expert_recorded(
    expert_user, recipient_user, helper_user, weining, recent
):
    activity = activity_create(actor=expert_user, partnership=weining, data=_rules(recent))
    with pytest.raises(PermissionDenied, match="须由受扶方确认"):
        activity_confirm(actor=helper_user, activity=activity)  # same side as the expert
    activity_confirm(actor=recipient_user, activity=activity)
    activity.refresh_from_db()
    assert activity.confirmed_by == recipient_user and activity.confirmed_at is not None
    assert _audit(activity, "confirm").count() == 1
    with pytest.raises(PermissionDenied, match="已确认"):
        activity_confirm(actor=recipient_user, activity=activity)


def test_county_records_and_the_helper_confirms_the_reverse_way(
    county_officer, helper_user, recipient_user, weining, recent
):
    activity = activity_create(actor=county_officer, partnership=weining, data=_rules(recent))
    assert activity.recorded_side == "recipient"
    with pytest.raises(PermissionDenied):
        activity_confirm(actor=recipient_user, activity=activity)
    activity_confirm(actor=helper_user, activity=activity)
    assert Activity.objects.get(pk=activity.pk).is_confirmed


def test_bystanders_neither_record_nor_confirm(
    prefecture_officer, observer_user, expert_user, weining, recent
):
    with pytest.raises(PermissionDenied):
        activity_create(actor=prefecture_officer, partnership=weining, data=_rules(recent))
    activity = activity_create(actor=expert_user, partnership=weining, data=_rules(recent))
    for user in (prefecture_officer, observer_user):
        with pytest.raises(PermissionDenied, match="另一方"):
            activity_confirm(actor=user, activity=activity)


def test_helper_cannot_record_on_a_partnership_of_another_helper(
    helper_user, other_partnership, recent
):
    with pytest.raises(PermissionDenied):
        activity_create(actor=helper_user, partnership=other_partnership, data=_rules(recent))


@pytest.mark.parametrize(
    ("data", "field"),
    [
        (lambda d: _rules(d + timedelta(days=30)), "date"),
        (lambda d: _rules(d, documents=0), "quantities"),
        (lambda d: ActivityInput(date=d, kind="karaoke", quantities={}), "kind"),
        (lambda d: _rules(d, title="x" * 201), "title"),
        (lambda d: _rules(d, note="bad\x00note"), "note"),
    ],
)
def test_refused_input_writes_nothing(recipient_user, weining, recent, data, field):
    before = (Activity.objects.count(), AuditEntry.objects.count())
    with pytest.raises(ValidationError) as caught:
        activity_create(actor=recipient_user, partnership=weining, data=data(recent))
    assert field in caught.value.message_dict
    assert (Activity.objects.count(), AuditEntry.objects.count()) == before


def test_external_id_is_unique_per_partnership(recipient_user, weining, recent):
    activity_create(
        actor=recipient_user, partnership=weining, data=_rules(recent, external_id="A-1")
    )
    with pytest.raises(ValidationError) as caught:
        activity_create(
            actor=recipient_user, partnership=weining, data=_rules(recent, external_id="A-1")
        )
    assert "external_id" in caught.value.message_dict


def test_only_the_recording_side_changes_and_only_before_confirmation(
    expert_user, recipient_user, weining, recent
):
    activity = activity_create(actor=expert_user, partnership=weining, data=_rules(recent))
    with pytest.raises(PermissionDenied, match="填报方"):
        activity_update(actor=recipient_user, activity=activity, data=_rules(recent, documents=5))
    activity_update(actor=expert_user, activity=activity, data=_rules(recent, documents=5))
    activity.refresh_from_db()
    assert activity.quantities == {"documents": 5}
    assert _audit(activity, "update").get().after == {"quantities": {"documents": 5}}
    activity_confirm(actor=recipient_user, activity=activity)
    with pytest.raises(PermissionDenied, match="已确认"):
        activity_delete(actor=expert_user, activity=activity)
    assert Activity.objects.filter(pk=activity.pk).exists()


def test_unconfirmed_record_is_deleted_with_an_audit_row(expert_user, weining, recent):
    activity = activity_create(actor=expert_user, partnership=weining, data=_rules(recent))
    pk = activity.pk
    activity_delete(actor=expert_user, activity=activity)
    assert not Activity.objects.filter(pk=pk).exists()
    assert AuditEntry.objects.filter(object_id=str(pk), action="delete").exists()


def test_evidence_is_checked_by_content_not_by_name(
    expert_user, weining, recent, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    activity = activity_create(actor=expert_user, partnership=weining, data=_rules(recent))
    evidence = activity_evidence_add(
        actor=expert_user, activity=activity, upload=SimpleUploadedFile("photo.png", PNG)
    )
    assert evidence.content_type == "image/png"
    assert evidence.original_name == "photo.png"
    with pytest.raises(ValidationError, match="文件内容不是"):
        activity_evidence_add(
            actor=expert_user,
            activity=activity,
            upload=SimpleUploadedFile("fake.png", b"MZ this is an executable"),
        )
    assert activity.evidence.count() == 1


def test_reads_are_scoped_like_partnerships(
    expert_user,
    recipient_user,
    helper_user,
    county_officer,
    weining,
    other_partnership,
    recent,
    province_officer,
):
    mine = activity_create(actor=expert_user, partnership=weining, data=_rules(recent))
    theirs = activity_create(
        actor=province_officer, partnership=other_partnership, data=_rules(recent)
    )
    for user in (expert_user, recipient_user, helper_user, county_officer):
        assert activity_get_for_user(user=user, pk=mine.pk) == mine
        ids = set(activity_list_for_user(user=user).values_list("pk", flat=True))
        assert mine.pk in ids and theirs.pk not in ids
    assert activity_get_for_user(user=province_officer, pk=theirs.pk) == theirs
