"""Opening a year, editing a draft and the review chain against the database (§七)."""

from __future__ import annotations

import json
from io import StringIO

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.utils import timezone

from bangfu.assessments.domain.review import Action
from bangfu.assessments.models import Approval, Assessment, AssessmentAttachment
from bangfu.assessments.selectors import agreements_in_force_during
from bangfu.assessments.services import (
    AssessmentChanges,
    ReviewRefused,
    assessment_act,
    assessment_attachment_add,
    assessment_update,
    assessment_year_open,
)
from bangfu.core.models import AuditEntry
from bangfu.partnerships.models import Agreement

pytestmark = pytest.mark.django_db


def test_opening_a_year_creates_one_per_agreement_in_force_and_is_idempotent(year):
    expected = {a.pk for a in agreements_in_force_during(year)}
    assert expected
    first = assessment_year_open(actor=None, year=year, due_on=None)
    assert first.created == len(expected) and first.existing == 0
    assert (
        set(Assessment.objects.filter(year=year).values_list("agreement_id", flat=True)) == expected
    )
    again = assessment_year_open(actor=None, year=year, due_on=None)
    assert (again.created, again.existing) == (0, len(expected))
    assert Assessment.objects.filter(year=year).count() == len(expected)


def test_a_rerun_adds_only_newly_qualifying_agreements(year):
    assessment_year_open(actor=None, year=year, due_on=None)
    late = Agreement.objects.filter(signed_on__isnull=True).order_by("pk").first()
    assert late is not None  # the demo has an unsigned agreement
    assert late.pk not in {a.pk for a in agreements_in_force_during(year)}
    Agreement.objects.filter(pk=late.pk).update(signed_on=late.start)
    opened = assessment_year_open(actor=None, year=year, due_on=None)
    if late.start.year <= year:
        assert opened.created == 1
        assert Assessment.objects.filter(year=year, agreement=late).exists()


def test_terminated_before_the_year_and_unsigned_agreements_are_not_assessed(year):
    assessment_year_open(actor=None, year=year + 1, due_on=None)
    covered = set(Assessment.objects.filter(year=year + 1).values_list("agreement_id", flat=True))
    unsigned = set(Agreement.objects.filter(signed_on__isnull=True).values_list("pk", flat=True))
    ended = set(Agreement.objects.filter(end__lt=f"{year + 1}-01-01").values_list("pk", flat=True))
    assert unsigned and not covered & unsigned
    assert not covered & ended


def test_the_command_prints_counts_as_json_on_the_last_line(year):
    out = StringIO()
    call_command(
        "open_assessment_year", "--year", str(year), "--due", f"{year + 1}-03-31", stdout=out
    )
    first = json.loads(out.getvalue().strip().splitlines()[-1])
    out = StringIO()
    call_command("open_assessment_year", "--year", str(year), stdout=out)
    second = json.loads(out.getvalue().strip().splitlines()[-1])
    assert first["created"] > 0 and first["existing"] == 0
    assert second == {"year": year, "created": 0, "existing": first["created"]}
    assert (
        Assessment.objects.filter(year=year, due_on=f"{year + 1}-03-31").count() == first["created"]
    )


def test_only_the_province_opens_a_year(year, county_officer):
    with pytest.raises(PermissionDenied):
        assessment_year_open(actor=county_officer, year=year, due_on=None)


def test_the_recipient_edits_ratings_and_narrative_with_an_audit_row(weining, recipient_user):
    code = weining.agreement.measures.order_by("code").first().code
    updated = assessment_update(
        actor=recipient_user,
        assessment=weining,
        changes=AssessmentChanges(ratings={code: "基本完成"}, problems_text="人员不足"),
    )
    assert updated.ratings == {code: "basically_completed"}
    assert updated.problems_text == "人员不足"
    entry = AuditEntry.objects.filter(action="assessment_update", object_id=str(weining.pk)).get()
    assert entry.after == {"ratings": {code: "basically_completed"}, "problems_text": "人员不足"}


def test_the_helper_writes_only_its_comments(weining, helper_user):
    updated = assessment_update(
        actor=helper_user, assessment=weining, changes=AssessmentChanges(helper_comments="同意")
    )
    assert updated.helper_comments == "同意"
    with pytest.raises(PermissionDenied):
        assessment_update(
            actor=helper_user, assessment=weining, changes=AssessmentChanges(results_text="x")
        )


@pytest.mark.parametrize("persona_name", ["county_officer", "province_officer", "expert_user"])
def test_officers_and_experts_do_not_edit_the_draft(request, weining, persona_name):
    with pytest.raises(PermissionDenied):
        assessment_update(
            actor=request.getfixturevalue(persona_name),
            assessment=weining,
            changes=AssessmentChanges(results_text="x"),
        )


def test_unknown_measure_or_rating_is_refused(weining, recipient_user):
    with pytest.raises(ValidationError) as info:
        assessment_update(
            actor=recipient_user,
            assessment=weining,
            changes=AssessmentChanges(ratings={"M99": "完成"}),
        )
    assert "M99" in str(info.value)


def test_submitting_needs_every_measure_rated(weining, recipient_user):
    with pytest.raises(ValidationError) as info:
        assessment_act(actor=recipient_user, assessment=weining, action=Action.SUBMIT)
    assert "尚未自评" in str(info.value)
    assert Assessment.objects.get(pk=weining.pk).status == "draft"


def test_the_whole_chain_records_each_step_and_locks_after_acceptance(
    ready, recipient_user, county_officer, prefecture_officer, province_officer
):
    a = assessment_act(actor=recipient_user, assessment=ready, action=Action.SUBMIT)
    assert a.status == "submitted" and a.submitted_at is not None
    with pytest.raises(ReviewRefused) as info:  # out of turn: the prefecture before the county
        assessment_act(actor=prefecture_officer, assessment=a, action=Action.APPROVE)
    assert "县级卫生健康部门" in str(info.value)
    a = assessment_act(actor=county_officer, assessment=a, action=Action.RETURN, comment="补充数据")
    assert a.status == "returned"
    a = assessment_update(
        actor=recipient_user, assessment=a, changes=AssessmentChanges(results_text="已补充")
    )
    a = assessment_act(actor=recipient_user, assessment=a, action=Action.SUBMIT)
    a = assessment_act(actor=county_officer, assessment=a, action=Action.APPROVE)
    a = assessment_act(actor=prefecture_officer, assessment=a, action=Action.APPROVE, comment="好")
    a = assessment_act(actor=province_officer, assessment=a, action=Action.APPROVE)
    assert a.status == "accepted"
    steps = list(
        Approval.objects.filter(assessment=a)
        .order_by("at", "pk")
        .values_list("level", "decision", "by__username", "comment")
    )
    assert steps == [
        ("hospital", "submit", "demo_recipient", ""),
        ("county", "return", "demo_county", "补充数据"),
        ("hospital", "submit", "demo_recipient", ""),
        ("county", "approve", "demo_county", ""),
        ("prefecture", "approve", "demo_prefecture", "好"),
        ("province", "accept", "demo_province", ""),
    ]
    assert (
        AuditEntry.objects.filter(
            object_type="assessments.assessment", object_id=str(a.pk), action="assessment_approve"
        ).count()
        == 3
    )
    # Locked: no edit, no attachment, no reopen below the province.
    with pytest.raises(PermissionDenied):
        assessment_update(
            actor=recipient_user, assessment=a, changes=AssessmentChanges(results_text="改")
        )
    with pytest.raises(ReviewRefused):
        assessment_act(actor=prefecture_officer, assessment=a, action=Action.REOPEN, comment="再看")
    a = assessment_act(
        actor=province_officer, assessment=a, action=Action.REOPEN, comment="数据有误"
    )
    assert a.status == "returned"


def test_a_hospital_cannot_submit_another_hospitals_assessment(elsewhere, recipient_user):
    with pytest.raises(ReviewRefused):
        assessment_act(actor=recipient_user, assessment=elsewhere, action=Action.SUBMIT)


def test_a_return_without_a_comment_is_a_field_error(ready, recipient_user, county_officer):
    a = assessment_act(actor=recipient_user, assessment=ready, action=Action.SUBMIT)
    with pytest.raises(ValidationError) as info:
        assessment_act(actor=county_officer, assessment=a, action=Action.RETURN, comment=" ")
    assert "comment" in info.value.message_dict


PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def test_attachments_are_content_checked(weining, recipient_user):
    attachment = assessment_attachment_add(
        actor=recipient_user,
        assessment=weining,
        upload=SimpleUploadedFile("总结.pdf", PDF, content_type="application/pdf"),
    )
    assert attachment.content_type == "application/pdf" and attachment.name == "总结.pdf"
    with pytest.raises(ValidationError):
        assessment_attachment_add(
            actor=recipient_user,
            assessment=weining,
            upload=SimpleUploadedFile("fake.pdf", b"not a pdf", content_type="application/pdf"),
        )
    assert AssessmentAttachment.objects.filter(assessment=weining).count() == 1


def test_the_countys_approval_confirms_the_years_indicator_values(
    ready, recipient_user, county_officer
):
    from bangfu.capability.models import IndicatorValue

    hospital = ready.agreement.partnership.recipient
    IndicatorValue.objects.filter(institution=hospital, year=ready.year).delete()
    value = IndicatorValue.objects.create(
        institution=hospital,
        year=ready.year,
        code="T-1",
        value="12",
        catalogue_version="test",
        entered_at=timezone.now(),
    )
    a = assessment_act(actor=recipient_user, assessment=ready, action=Action.SUBMIT)
    value.refresh_from_db()
    assert value.confirmed_at is None  # submitting does not confirm
    assessment_act(actor=county_officer, assessment=a, action=Action.APPROVE)
    value.refresh_from_db()
    assert value.confirmed_by == county_officer and value.confirmed_at is not None


def test_the_hospital_hears_when_its_assessment_is_returned_or_approved(
    ready, recipient_user, county_officer
):
    from bangfu.notifications.models import Notification

    def inbox():
        return list(
            Notification.objects.filter(
                recipient=recipient_user, object_type="assessments.assessment"
            )
            .order_by("pk")
            .values_list("kind", "body")
        )

    a = assessment_act(actor=recipient_user, assessment=ready, action=Action.SUBMIT)
    assert inbox() == []  # its own submission is no news to it
    a = assessment_act(actor=county_officer, assessment=a, action=Action.RETURN, comment="补数据")
    assert inbox() == [("assessment_returned", "补数据")]
    a = assessment_act(actor=recipient_user, assessment=a, action=Action.SUBMIT)
    assessment_act(actor=county_officer, assessment=a, action=Action.APPROVE)
    assert [kind for kind, _ in inbox()] == ["assessment_returned", "assessment_approved"]
