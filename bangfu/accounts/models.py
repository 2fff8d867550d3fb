from __future__ import annotations

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils import timezone


class Role(models.TextChoices):
    PROVINCE = "province", "省卫健委（全省）"
    PREFECTURE = "prefecture", "市州卫健局"
    COUNTY = "county", "县卫健局"
    RECIPIENT = "recipient", "受扶医院"
    HELPER = "helper", "帮扶医院"
    EXPERT = "expert", "帮扶专家"
    OBSERVER = "observer", "相关部门（只读）"


class Department(models.TextChoices):
    """The provincial departments with duties under §五; an observer account belongs to one."""

    ORGANIZATION = "organization", "省委组织部"
    HEALTH = "health", "省卫健委"
    HUMAN_RESOURCES = "human_resources", "省人社厅"
    HEALTHCARE_SECURITY = "healthcare_security", "省医保局"
    SCIENCE = "science", "省科技厅"
    CULTURE_TOURISM = "culture_tourism", "省文旅厅"
    UNITED_FRONT = "united_front", "省委统战部"
    AGRICULTURE = "agriculture", "省农业农村厅"
    EDUCATION = "education", "省教育厅"
    TCM = "tcm", "省中医药局"


class User(AbstractUser):
    """A platform account with one role and the one region or institution it is scoped to (F12)."""

    role = models.CharField("角色", max_length=12, choices=Role.choices, default=Role.OBSERVER)
    display_name = models.CharField("姓名", max_length=50, blank=True)
    prefecture = models.ForeignKey(
        "registry.Prefecture",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="所属市州",
    )
    county = models.ForeignKey(
        "registry.County",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="所属县",
    )
    institution = models.ForeignKey(
        "registry.Institution",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="所属机构",
    )
    department = models.CharField(
        "所属部门",
        max_length=20,
        choices=Department.choices,
        blank=True,
        help_text="相关部门账号（只读角色）所属的省直部门；问题按类别转给该部门（§五）",
    )
    password_changed_at = models.DateTimeField(
        "密码修改时间", null=True, blank=True, editable=False
    )

    class Meta:
        verbose_name = "用户"
        verbose_name_plural = "用户"
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(role="prefecture") | models.Q(prefecture__isnull=False),
                name="prefecture_officer_has_prefecture",
            ),
            models.CheckConstraint(
                condition=~models.Q(role="county") | models.Q(county__isnull=False),
                name="county_officer_has_county",
            ),
            models.CheckConstraint(
                condition=~models.Q(role__in=["recipient", "helper"])
                | models.Q(institution__isnull=False),
                name="hospital_user_has_institution",
            ),
        ]

    def __str__(self) -> str:
        return self.display_name or self.username

    def set_password(self, raw_password: str | None) -> None:
        """Every way of setting a password (page, admin, `changepassword`) stamps the time: API
        tokens issued before it stop working (`token_authenticate`). A hash upgrade on login also
        calls this but saves only `password`, so it does not move the stamp."""
        super().set_password(raw_password)
        self.password_changed_at = timezone.now()


class ApiToken(models.Model):
    """A bearer token for the API. Only the SHA-256 of the key is stored."""

    user = models.ForeignKey(
        User, on_delete=models.CASCADE, related_name="api_tokens", verbose_name="用户"
    )
    key_hash = models.CharField(max_length=64, unique=True)
    prefix = models.CharField("前缀", max_length=8)
    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    last_used_at = models.DateTimeField("最近使用", null=True, blank=True)
    expires_at = models.DateTimeField("过期时间")
    revoked = models.BooleanField("已吊销", default=False)

    class Meta:
        verbose_name = "API 令牌"
        verbose_name_plural = "API 令牌"

    def __str__(self) -> str:
        return f"{self.user} {self.prefix}…"
