from __future__ import annotations

from django.db import models

from bangfu.registry.domain.places import place_name
from bangfu.registry.domain.programme_group_basis import programme_group_basis_text


class Prefecture(models.Model):
    """市州: one of Guizhou's 9 prefecture-level units (F1)."""

    code = models.CharField("行政区划代码", max_length=6, unique=True)
    name = models.CharField("名称", max_length=50, unique=True)
    short_name = models.CharField("简称", max_length=20)

    class Meta:
        verbose_name = "市州"
        verbose_name_plural = "市州"
        ordering = ["code"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(code__regex=r"^52\d{2}00$"), name="prefecture_code_format"
            ),
        ]

    def __str__(self) -> str:
        return self.name


class CountyKind(models.TextChoices):
    DISTRICT = "市辖区", "市辖区"
    COUNTY_CITY = "县级市", "县级市"
    COUNTY = "县", "县"
    AUTONOMOUS_COUNTY = "自治县", "自治县"
    SPECIAL_DISTRICT = "特区", "特区"


class ProgrammeGroup(models.TextChoices):
    TARGET = "target", "70个目标县"
    OTHER = "other", "其余18个县（市、区）"


class County(models.Model):
    """县（市、区、特区）: one of the 88 county-level units (F1).

    The programme group (70 target / 18 other, §一) is editable data: the official list of 70 is not
    published, so each row keeps the basis of its assignment and whether it is verified.
    """

    code = models.CharField("行政区划代码", max_length=6, unique=True)
    name = models.CharField("名称", max_length=50, unique=True)
    short_name = models.CharField("简称", max_length=30)
    prefecture = models.ForeignKey(
        Prefecture, on_delete=models.PROTECT, related_name="counties", verbose_name="所属市州"
    )
    kind = models.CharField("类型", max_length=8, choices=CountyKind.choices)
    national_key_county = models.BooleanField("国家乡村振兴重点帮扶县", default=False)
    programme_group = models.CharField(
        "项目分组", max_length=8, choices=ProgrammeGroup.choices, default=ProgrammeGroup.TARGET
    )
    programme_group_basis = models.CharField("分组依据", max_length=300, blank=True)
    programme_group_verified = models.BooleanField("分组已核实", default=False)

    class Meta:
        verbose_name = "县（市、区、特区）"
        verbose_name_plural = "县（市、区、特区）"
        ordering = ["code"]
        indexes = [models.Index(fields=["prefecture", "programme_group"])]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(code__regex=r"^52\d{4}$"), name="county_code_format"
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def programme_group_basis_text(self) -> str:
        """The basis as people read it (推测 + a Chinese note for the registry file's guesses)."""
        return programme_group_basis_text(self.programme_group_basis)


class Specialty(models.Model):
    """诊疗科目: the specialty catalog departments and strengths refer to."""

    code = models.CharField("科目代码", max_length=8, unique=True)
    name = models.CharField("名称", max_length=50, unique=True)
    provenance = models.CharField("来源", max_length=200, blank=True)

    class Meta:
        verbose_name = "诊疗科目"
        verbose_name_plural = "诊疗科目"
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name


class InstitutionCategory(models.TextChoices):
    RECIPIENT = "recipient", "受扶医院（县级）"
    HELPER = "helper", "帮扶医院（省外三甲）"
    LEADING = "leading", "市州龙头医院"


class InstitutionType(models.TextChoices):
    GENERAL = "general", "人民医院（综合）"
    TCM = "tcm", "中医医院"
    MATERNAL_CHILD = "maternal_child", "妇幼保健院"
    SPECIALIST = "specialist", "专科医院"
    OTHER = "other", "其他"


class Institution(models.Model):
    """A hospital in the programme: recipient (县级), helper (省外三甲) or leading (市州龙头)."""

    name = models.CharField("名称", max_length=100, unique=True)
    category = models.CharField("类别", max_length=12, choices=InstitutionCategory.choices)
    institution_type = models.CharField(
        "机构类型", max_length=16, choices=InstitutionType.choices, default=InstitutionType.GENERAL
    )
    county = models.ForeignKey(
        County,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="institutions",
        verbose_name="所在县",
    )
    prefecture = models.ForeignKey(
        Prefecture,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="institutions",
        verbose_name="所在市州",
    )
    province = models.CharField("所在省份", max_length=20, default="贵州省")
    city = models.CharField("所在城市", max_length=30, blank=True)
    grade = models.CharField("等级", max_length=8, blank=True)
    capacity = models.PositiveSmallIntegerField("可再承接受扶医院数", default=0)
    regions = models.JSONField("所属区域", default=list, blank=True)
    strong_specialties = models.ManyToManyField(
        Specialty, blank=True, related_name="strong_at", verbose_name="优势专科"
    )
    is_demo = models.BooleanField("演示数据", default=False)
    source_note = models.CharField("来源说明", max_length=500, blank=True)
    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    class Meta:
        verbose_name = "医疗机构"
        verbose_name_plural = "医疗机构"
        ordering = ["category", "name"]
        indexes = [models.Index(fields=["category", "county"])]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(category="recipient") | models.Q(county__isnull=False),
                name="recipient_has_county",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def place(self) -> str:
        """Province and city, the city left out when it is the province (上海市)."""
        return place_name(self.province, self.city)


class Department(models.Model):
    """科室 of an institution."""

    institution = models.ForeignKey(
        Institution, on_delete=models.CASCADE, related_name="departments", verbose_name="所属机构"
    )
    specialty = models.ForeignKey(
        Specialty,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="诊疗科目",
    )
    name = models.CharField("科室名称", max_length=50)

    class Meta:
        verbose_name = "科室"
        verbose_name_plural = "科室"
        ordering = ["institution", "name"]
        constraints = [
            models.UniqueConstraint(fields=["institution", "name"], name="department_unique_name"),
        ]

    def __str__(self) -> str:
        return f"{self.institution.name} {self.name}"
