"""Registry pages read in Chinese (issue #10 "Text fixes"): a guessed programme group shows 推测
and a Chinese note, never the file's English provenance; a department named like its specialty
is not repeated; a municipality is not written twice."""

from __future__ import annotations

import pytest
from django.urls import reverse

from bangfu.registry.domain.places import place_name
from bangfu.registry.domain.programme_group_basis import GUESS_NOTES, programme_group_basis_text
from bangfu.registry.models import County, Department, Institution, Specialty


@pytest.mark.parametrize(
    ("province", "city", "shown"),
    [
        ("上海市", "上海市", "上海市"),
        ("广东省", "广州市", "广东省广州市"),
        ("浙江省", "", "浙江省"),
    ],
)
def test_a_place_names_a_municipality_once(province, city, shown):
    assert place_name(province, city) == shown


def test_every_guess_in_the_registry_file_has_a_chinese_note():
    for basis in GUESS_NOTES:
        text = programme_group_basis_text(f"guess: {basis}")
        assert text.startswith("推测：") and "guess" not in text
    assert programme_group_basis_text("guess: something new") == "推测（依据待核实）"
    assert programme_group_basis_text("黔卫健函〔2025〕1号") == "黔卫健函〔2025〕1号"
    assert programme_group_basis_text("") == "—"


@pytest.mark.django_db
def test_the_county_page_shows_the_basis_in_chinese(client, observer_user):
    # (the province office's edit form keeps the stored basis as the field's value)
    county = County.objects.filter(programme_group_basis__startswith="guess: non-seat").first()
    assert county is not None
    client.force_login(observer_user)
    html = client.get(reverse("registry:county_detail", args=[county.code])).content.decode()
    html = html[: html.index("变更记录")]  # (the change history shows the stored values)
    assert "guess:" not in html and "non-seat" not in html
    assert "依据：推测：非州府驻地的县级市" in html


@pytest.mark.django_db
def test_institution_pages_repeat_neither_a_department_nor_a_municipality(client, province_officer):
    recipient = Institution.objects.filter(category="recipient").first()
    tcm = Specialty.objects.get(name="中医科")
    Department.objects.get_or_create(institution=recipient, name="中医科", specialty=tcm)
    client.force_login(province_officer)
    html = client.get(reverse("registry:institution_detail", args=[recipient.pk])).content.decode()
    assert "中医科" in html and "中医科（中医科）" not in html

    shanghai = Institution.objects.filter(province="上海市").first()
    assert shanghai is not None
    Institution.objects.filter(pk=shanghai.pk).update(city="上海市")
    html = client.get(reverse("registry:institution_detail", args=[shanghai.pk])).content.decode()
    assert "上海市" in html and "上海市上海市" not in html
    html = client.get(reverse("registry:institution_list"), {"q": shanghai.name}).content.decode()
    assert "上海市上海市" not in html
