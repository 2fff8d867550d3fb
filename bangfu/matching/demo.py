"""Demo needs of the recipient hospitals, so a matching round has something to match on.

Seeded and deterministic: the same registry gives the same needs. Every row is flagged
`is_demo`; the numbers are invented.
"""

from __future__ import annotations

import random

from django.db import transaction

from bangfu.accounts.models import User
from bangfu.matching.models import RecipientNeed
from bangfu.matching.services import NeedInput, recipient_needs_set
from bangfu.registry.models import Institution, InstitutionCategory, InstitutionType, Specialty

SEED = 20253

# Specialties each kind of county hospital most often lacks, and the disease it refers out.
NEEDS_BY_TYPE: dict[str, list[tuple[str, str]]] = {
    InstitutionType.GENERAL: [
        ("内科", "急性心肌梗死"),
        ("外科", "多发性骨折"),
        ("急诊医学科", "严重多发伤"),
        ("重症医学科", "脓毒症休克"),
        ("肿瘤科", "肺癌"),
        ("儿科", "新生儿重症肺炎"),
        ("妇产科", "危重孕产妇"),
        ("眼科", "复杂白内障"),
        ("耳鼻咽喉科", "鼻咽部肿物"),
        ("医学影像科", "疑难影像诊断"),
        ("病理科", "术中快速病理"),
        ("麻醉科", "高危手术麻醉"),
        ("康复医学科", "脑卒中后康复"),
        ("精神科", "重性精神障碍"),
    ],
    InstitutionType.TCM: [
        ("中医科", "中风病"),
        ("中西医结合科", "慢性心力衰竭"),
        ("康复医学科", "颈腰椎病"),
        ("疼痛科", "慢性疼痛"),
        ("民族医学科", "风湿痹证"),
        ("外科", "骨折术后"),
    ],
    InstitutionType.MATERNAL_CHILD: [
        ("妇产科", "危重孕产妇"),
        ("儿科", "新生儿窒息"),
        ("小儿外科", "先天性畸形"),
        ("儿童保健科", "发育迟缓"),
        ("妇女保健科", "宫颈癌筛查阳性"),
    ],
}


@transaction.atomic
def matching_demo_load(*, actor: User | None = None) -> int:
    """Record demo needs for every demo recipient that has none; returns how many recipients
    got needs. Running it twice changes nothing."""
    specialties = {s.name: s.code for s in Specialty.objects.all()}
    with_needs = set(RecipientNeed.objects.values_list("institution_id", flat=True).distinct())
    recipients = Institution.objects.filter(
        category=InstitutionCategory.RECIPIENT, is_demo=True
    ).order_by("county__code", "name")
    created = 0
    for recipient in recipients:
        if recipient.pk in with_needs:
            continue
        # One generator per hospital, seeded by its name: adding a hospital changes no other's.
        rng = random.Random(f"{SEED}:{recipient.name}")
        options = [
            (specialties[name], disease)
            for name, disease in NEEDS_BY_TYPE.get(
                recipient.institution_type, NEEDS_BY_TYPE[InstitutionType.GENERAL]
            )
            if name in specialties
        ]
        if not options:
            continue
        chosen = rng.sample(options, k=min(len(options), rng.randint(2, 4)))
        needs = [
            NeedInput(
                specialty_code=code,
                referrals_3y=rng.choice([0, rng.randint(5, 40), rng.randint(40, 160)]),
                disease=disease,
                weak=rng.random() < 0.6,
                gap=rng.random() < 0.3,
            )
            for code, disease in chosen
        ]
        recipient_needs_set(actor=actor, institution=recipient, needs=needs, is_demo=True)
        created += 1
    return created
