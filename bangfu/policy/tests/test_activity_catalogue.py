"""The activity catalogue (F8) in guizhou_2025.toml: kinds, what they count towards, and broken
copies refused naming the entry."""

from __future__ import annotations

import pytest

from bangfu.policy import load_policy
from bangfu.policy.loader import POLICY_DIR, PolicyError, load_policy_file

POLICY_FILE = POLICY_DIR / "guizhou_2025.toml"


@pytest.fixture(scope="module")
def catalogue():
    return load_policy().activity_catalogue


def test_catalogue_is_versioned_and_lists_every_kind_of_the_issue(catalogue):
    assert catalogue.version == "guizhou_2025.1"
    assert [k.name for k in catalogue.kinds] == [
        "教学查房",
        "手术示教/带教手术",
        "专题讲座/培训",
        "进修培训",
        "远程会诊",
        "远程查房",
        "远程病理",
        "远程影像",
        "远程心电",
        "远程教学",
        "义诊",
        "新技术新项目",
        "规章制度",
        "专科建设",
        "中心建设",
        "双向转诊",
        "名医工作室",
        "博士工作站",
        "学科共建",
    ]


@pytest.mark.parametrize(
    ("code", "measure", "mode", "main", "people"),
    [
        ("rules", "M07", "group", "documents", None),  # A1-(7) 完善制度规范
        ("specialty_building", "M03", "specialty_alliance", "specialties", None),  # A1-(3)
        ("centre_building", "M02", "group", "centres", None),  # A1-(2) 五大中心
        ("remote_consultation", "M04", "telemedicine", "sessions", "patients"),  # A1-(4), §二(五)
        ("remote_round", "M15", "telemedicine", "sessions", "patients"),  # A1-(15) 远程查房
        ("free_clinic", "M17", "other", "people_served", "people_served"),  # A1-(17) 义诊
        ("new_technique", "M06", "group", "cases", "cases"),  # A1-(6)
        ("famous_doctor_studio", "M10", "other", "milestones", None),  # A1-(10), §二(六)
        ("referral", "M20", "other", "up", "up"),  # A1-(20) 转诊绿色通道
    ],
)
def test_kinds_count_towards_the_measures_and_modes_of_the_policy(
    catalogue, code, measure, mode, main, people
):
    kind = catalogue.kind(code)
    assert measure in kind.measures
    assert mode in kind.modes
    assert kind.main_quantity.name == main
    assert (kind.people_quantity.name if kind.people_quantity else None) == people


def test_centre_kinds_and_stages_are_the_five_centres_of_a1_2(catalogue):
    centre = catalogue.kind("centre_building")
    assert centre.attribute("centre").choices == (
        "胸痛中心",
        "卒中中心",
        "创伤中心",
        "危重孕产妇救治中心",
        "危重儿童和新生儿救治中心",
    )
    assert centre.attribute("stage").choices == ("建设中", "通过省级", "通过国家级")


def test_kind_is_found_by_code_or_chinese_name(catalogue):
    assert catalogue.kind_by_code_or_name("规章制度").code == "rules"
    assert catalogue.kind_by_code_or_name(" rules ").code == "rules"
    assert catalogue.kind_by_code_or_name("查房") is None
    assert [k.code for k in catalogue.kinds_for_measure("M07")] == ["rules"]


def _broken_copy(tmp_path, old, new):
    text = POLICY_FILE.read_text(encoding="utf-8")
    assert old in text, old
    path = tmp_path / "broken.toml"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    return path


@pytest.mark.parametrize(
    ("old", "new", "named"),
    [
        ('measures = ["M07"]', 'measures = ["M99"]', "活动类型 rules 引用了未知的帮扶措施 M99"),
        (
            'modes = ["telemedicine"]',
            'modes = ["tele"]',
            "活动类型 remote_consultation 引用了未知的帮扶方式 tele",
        ),
        ('code = "lecture"', 'code = "teaching_round"', "活动类型代码 teaching_round 重复"),
        ('name = "义诊"', 'name = "教学查房"', "活动类型名称 教学查房 重复"),
        (
            'label = "下转人次"\nunit = "人次"\nmax',
            'label = "下转人次"\nunit = "人次"\nmain = true\nmax',
            "活动类型 referral 应有且只有一个主数量",
        ),
        (
            'label = "完善制度规范数"\nunit = "项"\nmain = true\n',
            'label = "完善制度规范数"\nunit = "项"\n',
            "活动类型 rules 应有且只有一个主数量",
        ),
        (
            'label = "查房患者人次"\nunit = "人次"\npeople = true\nmax = 100000',
            'label = "查房患者人次"\nunit = "人次"\npeople = true\nmax = 0',
            "活动类型 teaching_round 的数量 patients 的 max 应为正整数",
        ),
        ('version = "guizhou_2025.1"\n', "", "[activity_catalogue] 缺少 version"),
        ('key = "stage"', 'key = "centre"', "活动类型 centre_building 的属性键 centre 重复"),
        (
            'code = "rules"\n',
            'code = "rules"\ncolour = "red"\n',
            "活动类型 rules 含有未知项：colour",
        ),
    ],
)
def test_broken_catalogue_is_refused_naming_the_entry(tmp_path, old, new, named):
    with pytest.raises(PolicyError) as caught:
        load_policy_file(_broken_copy(tmp_path, old, new))
    assert named in str(caught.value)


def test_policy_file_without_a_catalogue_has_an_empty_one(tmp_path):
    text = POLICY_FILE.read_text(encoding="utf-8")
    head = text.split("\n[activity_catalogue]")[0]
    cut = head.rsplit("\n# The activity catalogue", 1)[0] + "\n"
    path = tmp_path / "old.toml"
    path.write_text(cut, encoding="utf-8")
    assert load_policy_file(path).activity_catalogue.kinds == ()
