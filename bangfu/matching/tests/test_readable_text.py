"""Matching reads in Chinese (issue #10): the tie-break says 登记在先, not "id 较小"; of two
independent rounds only the newer one is badged 最新; a municipality is named once."""

from __future__ import annotations

import pytest
from django.urls import reverse

from bangfu.matching.domain.optimal import OPTIMAL_REASON, OPTIMAL_REASON_NO_TIE_BREAK


def test_the_tie_break_is_explained_without_ids():
    for reason in (OPTIMAL_REASON, OPTIMAL_REASON_NO_TIE_BREAK):
        assert "id" not in reason
    assert "登记在先" in OPTIMAL_REASON


@pytest.mark.django_db
def test_only_the_newest_of_two_independent_rounds_is_badged_latest(
    client, province_officer, small_round
):
    older = small_round()
    newer = small_round()
    client.force_login(province_officer)
    response = client.get(reverse("matching:round_list"))
    rows = {r.pk: r for r in response.context["page"].object_list}
    assert rows[newer.pk].is_latest and not rows[older.pk].is_latest
    html = client.get(reverse("matching:round_detail", args=[older.pk])).content.decode()
    assert "较早轮次" in html and ">最新<" not in html
    html = client.get(reverse("matching:round_detail", args=[newer.pk])).content.decode()
    assert ">最新<" in html
    assert "上海市上海市" not in html
