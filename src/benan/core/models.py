"""Core data: regions (GB/T 2260), users and roles, API tokens, the audit log.

Imports nothing from other benan apps; `User.enterprise` names the enterprise model by
string only, so that enterprise users can be bound to their company.
"""

from __future__ import annotations

from django.contrib.auth.models import AbstractUser
from django.core.exceptions import ValidationError
from django.db import models


class RegionLevel(models.TextChoices):
    PROVINCE = "province", "省"
    CITY = "city", "市（州）"
    COUNTY = "county", "县（市、区）"


# GB/T 2260: a division's code is its parent's significant digits followed by its own,
# so a subtree is a contiguous range of codes and needs no recursive query.
SIGNIFICANT_DIGITS = {RegionLevel.PROVINCE: 2, RegionLevel.CITY: 4, RegionLevel.COUNTY: 6}


class Region(models.Model):
    code = models.CharField("行政区划代码", max_length=6, primary_key=True)
    name = models.CharField("名称", max_length=50)
    level = models.CharField("级别", max_length=10, choices=RegionLevel.choices)
    parent = models.ForeignKey(
        "self", verbose_name="上级", null=True, blank=True, on_delete=models.PROTECT,
        related_name="children",
    )
    lat = models.FloatField("纬度")
    lon = models.FloatField("经度")

    class Meta:
        ordering = ["code"]
        verbose_name = verbose_name_plural = "行政区划"

    def __str__(self) -> str:
        return self.name

    @property
    def prefix(self) -> str:
        return self.code[: SIGNIFICANT_DIGITS[self.level]]

    def code_range(self) -> tuple[str, str]:
        """The inclusive range of codes of this region and everything below it."""
        pad = 6 - len(self.prefix)
        return self.prefix + "0" * pad, self.prefix + "9" * pad

    def contains(self, code: str) -> bool:
        low, high = self.code_range()
        return low <= code <= high

    @property
    def full_name(self) -> str:
        if self.level == RegionLevel.PROVINCE:
            return self.name
        if self.level == RegionLevel.CITY:
            return self.name
        # A county reads its city only, so select_related("region__parent") is enough.
        return f"{self.parent.name}{self.name}" if self.parent_id else self.name


class Role(models.TextChoices):
    ENTERPRISE = "enterprise", "企业用户"
    INSPECTOR = "inspector", "执法检查人员"
    SAFETY_OFFICE = "safety_office", "安委办"
    EXPERT = "expert", "专家"
    COMMANDER = "commander", "应急指挥"
    ADMIN = "admin", "系统管理员"


GOVERNMENT_ROLES = frozenset(
    {Role.INSPECTOR, Role.SAFETY_OFFICE, Role.EXPERT, Role.COMMANDER}
)


class User(AbstractUser):
    role = models.CharField("角色", max_length=20, choices=Role.choices, default=Role.INSPECTOR)
    region = models.ForeignKey(
        Region, verbose_name="所属区划", null=True, blank=True, on_delete=models.PROTECT,
        help_text="政府用户只能看到本区划及下级区划的数据",
    )
    enterprise = models.ForeignKey(
        "enterprises.Enterprise", verbose_name="所属企业", null=True, blank=True,
        on_delete=models.PROTECT, related_name="users",
        help_text="企业用户只能看到本企业的数据",
    )
    phone = models.CharField("手机号", max_length=20, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "用户"

    def __str__(self) -> str:
        return self.get_full_name() or self.username

    def get_full_name(self) -> str:
        # Chinese order: family name first, no space (张蓉, not "蓉 张").
        return f"{self.last_name}{self.first_name}".strip()

    @property
    def is_admin(self) -> bool:
        return self.is_superuser or self.role == Role.ADMIN

    def clean(self) -> None:
        super().clean()
        if self.role in GOVERNMENT_ROLES and self.region_id is None:
            raise ValidationError({"region": "政府用户必须绑定所属区划"})
        if self.role == Role.ENTERPRISE and self.enterprise_id is None:
            raise ValidationError({"enterprise": "企业用户必须绑定所属企业"})
        if self.role != Role.ENTERPRISE and self.enterprise_id is not None:
            raise ValidationError({"enterprise": "只有企业用户可以绑定企业"})


class ApiToken(models.Model):
    """A bearer token; only its SHA-256 is stored, so a leaked database leaks no tokens."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens")
    key_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    last_used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "API 令牌"

    def __str__(self) -> str:
        return f"{self.user} 的令牌（{self.created_at:%Y-%m-%d %H:%M}）"


class AuditEntry(models.Model):
    """One link of the append-only hash chain. Never updated, never deleted.

    `seq` is assigned by `audit.record` under the head lock, so it has no gaps; the actor is
    copied (id and name, no foreign key) so that nothing outside this row can change it.
    """

    seq = models.BigIntegerField("序号", primary_key=True)
    created_at = models.DateTimeField("时间")
    actor_id = models.BigIntegerField("操作人ID", null=True)
    actor_name = models.CharField("操作人", max_length=150, blank=True)
    action = models.CharField("操作", max_length=100)
    object_type = models.CharField("对象类型", max_length=100, blank=True)
    object_id = models.CharField("对象ID", max_length=64, blank=True)
    data = models.JSONField("内容", default=dict)
    prev_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64)

    class Meta:
        ordering = ["seq"]
        indexes = [models.Index(fields=["object_type", "object_id", "seq"])]
        verbose_name = verbose_name_plural = "审计日志"

    def __str__(self) -> str:
        return f"#{self.seq} {self.action}"

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise ValidationError("审计日志只能追加，不能修改")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ValidationError("审计日志只能追加，不能删除")


class AuditHead(models.Model):
    """The single row that serialises appends: writers lock it, read the last hash, append."""

    id = models.PositiveSmallIntegerField(primary_key=True, default=1)
    last_seq = models.BigIntegerField(default=0)
    last_hash = models.CharField(max_length=64)

    def __str__(self) -> str:
        return f"#{self.last_seq} {self.last_hash[:12]}"


def _attachment_path(instance, filename: str) -> str:
    # Stored under the content hash, never under the uploader's file name.
    return f"attachments/{instance.sha256[:2]}/{instance.sha256}{instance.extension}"


class Attachment(models.Model):
    """An uploaded photo or PDF (evidence, scene photos). Content is sniffed on upload."""

    file = models.FileField("文件", upload_to=_attachment_path)
    name = models.CharField("原文件名", max_length=200)
    content_type = models.CharField("类型", max_length=50)
    extension = models.CharField(max_length=10)
    size = models.PositiveIntegerField("大小（字节）")
    sha256 = models.CharField(max_length=64)
    uploaded_by = models.ForeignKey(User, verbose_name="上传人", on_delete=models.PROTECT)
    created_at = models.DateTimeField("上传时间", auto_now_add=True)

    class Meta:
        verbose_name = verbose_name_plural = "附件"

    def __str__(self) -> str:
        return self.name


class Notification(models.Model):
    """An in-app message to one user (the bell); the loop and the sweeps write them."""

    recipient = models.ForeignKey(User, on_delete=models.CASCADE, related_name="notifications")
    title = models.CharField("标题", max_length=200)
    body = models.TextField("内容", blank=True)
    url = models.CharField("链接", max_length=300, blank=True)
    object_type = models.CharField(max_length=100, blank=True)
    object_id = models.CharField(max_length=64, blank=True)
    created_at = models.DateTimeField("时间", auto_now_add=True)
    read_at = models.DateTimeField("已读时间", null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["recipient", "read_at", "-created_at"], name="notification_inbox")]
        verbose_name = verbose_name_plural = "通知"

    def __str__(self) -> str:
        return self.title
