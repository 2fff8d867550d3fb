"""The policy file guizhou_2025.toml loads, says what the policy says, and broken copies are refused."""

from __future__ import annotations

from dataclasses import FrozenInstanceError
from decimal import Decimal
from pathlib import Path

import pytest

from bangfu.policy import load_policy
from bangfu.policy.domain import MeasureKind, TargetKind, TermKind
from bangfu.policy.loader import POLICY_DIR, PolicyError, load_policy_file

POLICY_FILE = POLICY_DIR / "guizhou_2025.toml"


@pytest.fixture(scope="module")
def policy():
    return load_policy("guizhou_2025")


def test_default_policy_is_guizhou_2025_and_cached(policy):
    assert load_policy() is policy
    assert policy.id == "guizhou_2025"
    assert policy.effective_from.isoformat() == "2025-01-01"


def test_six_modes_of_section_two_in_order(policy):
    assert [(m.code, m.name, m.clause) for m in policy.modes] == [
        ("east_west", "东西部协作", "§二(一)"),
        ("group", "组团式", "§二(二)"),
        ("region_field", "地域+领域", "§二(三)"),
        ("specialty_alliance", "专科联盟", "§二(四)"),
        ("telemedicine", "远程医疗协作", "§二(五)"),
        ("other", "其他帮扶形式", "§二(六)"),
    ]


def test_twenty_one_measures_numbered_in_order_with_seven_preferred(policy):
    assert [m.number for m in policy.measures] == list(range(1, 22))
    assert [m.code for m in policy.measures] == [f"M{n:02d}" for n in range(1, 22)]
    assert [m.clause for m in policy.measures] == [f"A1-({n})" for n in range(1, 22)]
    assert [m.number for m in policy.preferred_measures] == list(range(1, 8))
    assert all(m.kind is MeasureKind.OPTIONAL for m in policy.optional_measures)
    assert len(policy.optional_measures) == 14


@pytest.mark.parametrize(
    ("code", "title"),
    [
        ("M01", "“组团”派驻医疗专家驻点帮扶1年以上"),
        ("M02", "建强建好急诊急救“五大中心”"),
        ("M07", "医院科学管理"),
        ("M09", "学科共建（双主任制）"),
        ("M15", "探索建立3X机制"),
        ("M21", "名医技术辐射"),
    ],
)
def test_measure_titles_are_the_annex_one_headings(policy, code, title):
    assert policy.measure(code).title == title


def test_full_text_of_3x_measure_states_the_one_to_three_ratio(policy):
    text = policy.measure("M15").text
    assert "1:3" in text
    assert text.startswith("探索建立3X机制。由帮扶队长牵头")
    assert text.endswith("压实帮扶科室责任，提高帮扶效率。")


def test_full_texts_are_whole_paragraphs(policy):
    assert policy.measure("M01").text.endswith("推进医疗质量同质化。")
    assert "胸痛中心、卒中中心、创伤中心" in policy.measure("M02").text
    assert "每年力争完善制度规范不少于10项" in policy.measure("M07").text
    assert policy.measure("M21").text.endswith("促进医疗服务的一体化和连续性。")


@pytest.mark.parametrize(
    ("code", "key", "default", "minimum", "maximum"),
    [
        ("M01", "team_size", "3", "3", "5"),
        ("M01", "captains", "1", "1", "1"),
        ("M01", "residence_years", "1", "1", None),
        ("M02", "centres", "5", None, "5"),
        ("M02", "years", "3", None, "3"),
        ("M03", "specialties_per_year", "1", "1", None),
        ("M07", "rules_per_year", "10", "10", None),
        ("M15", "departments_per_member", "3", "3", None),
    ],
)
def test_numeric_targets_carry_the_numbers_of_the_text(
    policy, code, key, default, minimum, maximum
):
    target = policy.measure(code).target(key)
    assert target.kind is TargetKind.NUMBER
    assert target.default == Decimal(default)
    assert target.minimum == (None if minimum is None else Decimal(minimum))
    assert target.maximum == (None if maximum is None else Decimal(maximum))


def test_mentor_target_requires_at_least_associate_chief_physician(policy):
    target = policy.measure("M05").target("mentor_min_title")
    assert target.kind is TargetKind.TEXT
    assert target.default == "副主任医师"
    assert target.value_problem("主治医师") is not None
    assert target.value_problem("主任医师") is None


def test_every_measure_has_a_target_and_measures_without_numbers_get_a_plan(policy):
    for measure in policy.measures:
        assert measure.targets, measure.code
    for code in ("M04", "M06", "M08", "M13", "M17", "M20"):
        [target] = policy.measure(code).targets
        assert (target.key, target.label, target.unit) == ("plan", "年度工作目标", "文本")


@pytest.mark.parametrize(
    ("key", "value", "clause"),
    [
        ("vice_president_min_resident_years", Decimal(1), "A2-四(三)1；§六"),
        ("president_min_resident_years", Decimal(2), "A2-四(三)1；§六"),
        ("top_up_multiplier", Decimal("1.5"), "A2-四(三)2；§六"),
        ("health_checks_per_year", Decimal(1), "A2-四(三)3；§六"),
        ("insurance_min_coverage", Decimal(1000000), "A2-四(三)3；§六"),
        ("travel_round_trips_per_month", Decimal(1), "A2-四(三)4；§六"),
        ("work_fund_per_year", Decimal(200000), "A2-四(三)5；§六"),
        ("settling_in_allowance", Decimal(2000), "A2-四(三)5；§六"),
        ("monthly_subsidy_senior", Decimal(1000), "A2-四(三)6；§六"),
        ("monthly_subsidy_associate", Decimal(600), "A2-四(三)6；§六"),
        ("tourism_card", True, "A2-四(三)7；§五；§六"),
    ],
)
def test_guarantee_defaults_are_the_values_of_annex_two(policy, key, value, clause):
    term = policy.guarantee_term(key)
    assert term.value == value
    assert term.clause == clause
    assert term.label


@pytest.mark.parametrize(
    ("key", "value", "accepted"),
    [
        ("top_up_multiplier", Decimal("1.0"), True),
        ("top_up_multiplier", Decimal("1.5"), True),
        ("top_up_multiplier", Decimal("1.51"), False),
        ("top_up_multiplier", Decimal("0.9"), False),
        ("insurance_min_coverage", Decimal("999999.99"), False),
        ("insurance_min_coverage", Decimal("2000000"), True),
        ("work_fund_per_year", Decimal("200000.01"), False),
        ("work_fund_per_year", Decimal("150000"), True),
        ("monthly_subsidy_senior", Decimal("1001"), False),
        ("monthly_subsidy_associate", Decimal("600"), True),
        ("health_checks_per_year", Decimal("0"), False),
        ("health_checks_per_year", Decimal("1.5"), False),
        ("president_min_resident_years", Decimal("1"), False),
        ("tourism_card", False, True),
        ("tourism_card", Decimal(1), False),
    ],
)
def test_guarantee_overrides_are_accepted_only_within_bounds(policy, key, value, accepted):
    assert (policy.guarantee_term(key).value_problem(value) is None) is accepted


def test_guarantee_money_terms_are_decimal(policy):
    for term in policy.guarantee_terms:
        if term.kind is not TermKind.FLAG:
            assert isinstance(term.value, Decimal), term.key


def test_incentive_terms_have_the_section_six_values(policy):
    terms = policy.incentives
    assert terms.top_up_multiplier == Decimal("1.5")
    assert terms.top_up_min_resident_years == 1
    assert terms.vice_president_min_resident_years == 1
    assert terms.president_min_resident_years == 2
    assert terms.monthly_subsidy_senior == Decimal("1000")
    assert terms.monthly_subsidy_associate == Decimal("600")
    assert terms.settling_in_allowance == Decimal("2000")
    assert terms.travel_claims_per_month == 1
    assert terms.work_fund_per_hospital_per_year == Decimal("200000")
    assert terms.insurance_min_coverage == Decimal("1000000")
    assert terms.health_checks_per_year == 1
    assert terms.money_quantum == Decimal("0.01")
    assert terms.clauses["salary_top_up"] == "§六；A2-四(三)2"
    assert terms.clauses["appointment"] == "§六；A1-(1)；A2-四(三)1"
    assert terms.clauses["title_route"] == "§五"
    assert "1.5" in terms.interpretations["salary_top_up"]


def test_cycle_team_and_title_rules(policy):
    assert (policy.cycle.years, policy.cycle.expiring_window_days) == (3, 90)
    assert (policy.cycle.target_year, policy.cycle.target_county_total) == (2027, 70)
    assert policy.cycle.standard_goal_share == Decimal("0.90")
    assert policy.cycle.clauses["years"] == "§七"
    team = policy.team
    assert (team.min_size, team.max_size, team.captains) == (3, 5, 1)
    assert team.coverage_3x_min_departments == 3
    assert team.mentor_min_title == "副主任医师"
    title = policy.title_evaluation
    assert (title.key_county_route, title.other_route) == ("directed", "county_level")
    assert title.routes["directed"].label == "定向评价定向使用"
    assert title.needs_entrustment_letter is True


@pytest.mark.parametrize(
    ("province", "home"), [("贵州省", True), ("贵州", True), (" 贵州省 ", True), ("广东省", False)]
)
def test_home_province_is_guizhou(policy, province, home):
    assert policy.helper_eligibility.is_home_province(province) is home


@pytest.mark.parametrize(
    ("grade", "required"), [("三甲", True), ("三级甲等", True), ("三乙", False)]
)
def test_required_helper_grade_is_grade_3a(policy, grade, required):
    assert policy.helper_eligibility.is_required_grade(grade) is required


def test_policy_objects_are_immutable(policy):
    with pytest.raises(FrozenInstanceError):
        policy.cycle.years = 4
    with pytest.raises(TypeError):
        policy.incentives.clauses["travel"] = "x"


def test_unknown_policy_id_is_refused():
    with pytest.raises(PolicyError, match="不存在"):
        load_policy("guizhou_1999")
    with pytest.raises(PolicyError, match="无效"):
        load_policy("../settings")


def _broken_copy(tmp_path: Path, old: str, new: str) -> Path:
    text = POLICY_FILE.read_text(encoding="utf-8")
    assert text.count(old) == 1, f"fixture text not unique: {old!r}"
    path = tmp_path / "broken.toml"
    path.write_text(text.replace(old, new), encoding="utf-8")
    return path


def test_an_unmodified_copy_loads(tmp_path):
    path = _broken_copy(tmp_path, 'id = "guizhou_2025"', 'id = "guizhou_2025"')
    assert len(load_policy_file(path).measures) == 21


@pytest.mark.parametrize(
    ("old", "new", "named"),
    [
        ("number = 21\n", "number = 22\n", "措施 M21 的序号应为 21"),
        ('code = "M02"', 'code = "M01"', "帮扶措施代码 M01 重复"),
        ('number = 7\nkind = "preferred"', 'number = 7\nkind = "optional"', "措施 M07 应为优选项"),
        ('number = 9\nkind = "optional"', 'number = 9\nkind = "maybe"', "措施 M09 的 kind"),
        ('code = "other"', 'code = "east_west"', "帮扶方式代码 east_west 重复"),
        (
            "default = 10\nmin = 10",
            "default = 9\nmin = 10",
            "措施 M07 的目标 rules_per_year 的默认值 9 低于下限 10",
        ),
        ('key = "captains"', 'key = "team_size"', "措施 M01 的目标键 team_size 重复"),
        (
            "default = 1\nmin = 1\nmax = 1",
            "default = 1\nmin = 2\nmax = 1",
            "措施 M01 的目标 captains 的下限 2 大于上限 1",
        ),
        (
            "default = 10\nmin = 10",
            "default = 10\nminimum = 10",
            "措施 M07 的目标 rules_per_year 含有未知项：minimum",
        ),
        ('value = "1.5"', 'value = "1.6"', "保障条款 top_up_multiplier 的默认值 1.6 高于上限 1.5"),
        (
            'value = "2000"',
            "value = 2000.0",
            "保障条款 settling_in_allowance 的 value 的小数须写成字符串",
        ),
        (
            'value = "600"',
            'value = "六百"',
            "保障条款 monthly_subsidy_associate 的 value 不是有效数字",
        ),
        ('money_quantum = "0.01"\n', "", "[incentives] 缺少 money_quantum"),
        (
            'top_up_multiplier = "1.5"\ntop_up_min',
            'top_up_multiplier = "1.4"\ntop_up_min',
            "[incentives] 的 top_up_multiplier（1.4）与保障条款",
        ),
        ("min_size = 3\n", "min_size = 4\n", "措施 M01 的目标 team_size 上下限与 [team]"),
        (
            "expiring_window_days = 90\n",
            "expiring_window_days = 0\n",
            "[cycle] 的 expiring_window_days",
        ),
        (
            'other_route = "county_level"',
            'other_route = "nowhere"',
            "[title_evaluation] 的 other_route",
        ),
        ("target_year = 2027\n", 'target_year = "2027"\n', "[cycle] 的 target_year 应为整数"),
        ("[meta]\n", "[meta\n", "格式错误"),
        ('required_grade = "三甲"\n', "", "[helper_eligibility] 缺少 required_grade"),
        (
            'choices = ["副主任医师", "主任医师"]',
            'choices = ["主任医师"]',
            "措施 M05 的目标 mentor_min_title 的默认值 副主任医师 不在可选项中",
        ),
    ],
)
def test_broken_copy_is_refused_naming_the_entry(tmp_path, old, new, named):
    path = _broken_copy(tmp_path, old, new)
    with pytest.raises(PolicyError) as caught:
        load_policy_file(path)
    assert named in str(caught.value)
    assert "broken.toml" in str(caught.value)
