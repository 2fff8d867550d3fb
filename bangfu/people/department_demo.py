"""Demo department services (§五, §六), so each department's workspace has something waiting:
title applications waiting for the 省人社厅, S&T applications at each stage for the 省科技厅, one
medical-insurance briefing (the other teams on site still wait for one, 省医保局) and one letter of
appointment (the other helpers in force still wait for one, 省卫健委). Written through the
services; running it twice changes nothing (recognised by the S&T project titles)."""

from __future__ import annotations

from datetime import date, timedelta

from django.db import transaction

from bangfu.accounts.models import User
from bangfu.people.models import (
    ApplicationStatus,
    Deployment,
    SciTechApplication,
    Team,
    TitleEvaluationApplication,
)
from bangfu.people.scitech_services import scitech_application_set_status
from bangfu.people.services import (
    appointment_letter_create,
    insurance_briefing_create,
    scitech_application_create,
    title_application_create,
)

MAIN_HELPER = "广州市番禺区中心医院"
MAIN_RECIPIENT = "威宁彝族回族苗族自治县人民医院"
SCITECH_PROJECTS = (
    ("县域胸痛中心远程心电协同诊疗技术推广（演示）", ""),
    ("高原地区脑卒中早期筛查与干预研究（演示）", "accepted"),
    ("基层医院微创外科技术规范化应用（演示）", "approved"),
)


@transaction.atomic
def department_services_demo_load(*, actor: User, today: date) -> None:
    if SciTechApplication.objects.filter(project_title=SCITECH_PROJECTS[0][0]).exists():
        return
    teams = list(
        Team.objects.filter(is_demo=True)
        .select_related("partnership__helper", "partnership__recipient")
        .order_by("pk")
    )
    if not teams:
        return
    main = next(
        (
            t
            for t in teams
            if (t.partnership.helper.name, t.partnership.recipient.name)
            == (MAIN_HELPER, MAIN_RECIPIENT)
        ),
        teams[0],
    )
    for n, (title, status) in enumerate(SCITECH_PROJECTS):
        team = teams[n % len(teams)] if n else main
        application = scitech_application_create(
            actor=actor,
            team=team,
            project_title=title,
            programme="省级科技计划项目",
            submitted_on=today - timedelta(days=40 - 10 * n),
        )
        if status:
            scitech_application_set_status(
                actor=actor, application=application, status="accepted", note="材料齐全，予以受理"
            )
        if status == "approved":
            scitech_application_set_status(
                actor=actor, application=application, status="approved", note="经评审，予以立项"
            )
    open_deployments = Deployment.objects.filter(team__in=teams).exclude(
        title_applications__status=ApplicationStatus.SUBMITTED
    )
    for n, deployment in enumerate(open_deployments.order_by("pk")[:2]):
        if TitleEvaluationApplication.objects.filter(deployment=deployment).exists():
            continue
        title_application_create(
            actor=actor,
            deployment=deployment,
            applied_title="主任医师" if n == 0 else "副主任医师",
            has_entrustment_letter=n == 0,
            submitted_on=today - timedelta(days=15 + n),
        )
    insurance_briefing_create(
        actor=actor,
        team=main,
        held_on=today - timedelta(days=30),
        topic="贵州省城乡居民医保待遇政策与医疗服务价格项目目录",
        attendees=5,
    )
    # Another helper than the main one: demo_helper's own pages stay as they were.
    lettered = next(
        (
            t.partnership.helper
            for t in teams
            if t.partnership.helper_id != main.partnership.helper_id
        ),
        main.partnership.helper,
    )
    appointment_letter_create(
        actor=actor,
        helper=lettered,
        head_name="演示院长",
        letter_number="黔卫协聘〔演示〕001号",
        issued_on=today - timedelta(days=60),
    )
