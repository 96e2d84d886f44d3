"""The enterprise registry: enterprises, parks and each enterprise's status timeline.

Imports from core only. The status timeline is the single source of truth for "may this
company produce on a given day": power analytics and enforcement read it, services write it.
"""

from __future__ import annotations

from datetime import date

from django.db import models
from django.db.models import Q

from benan.core.models import Region
from benan.core.scope import Scope


class Sector(models.TextChoices):
    # 工贸 (industry and trade) subsectors
    METALLURGY = "metallurgy", "冶金"
    NONFERROUS = "nonferrous", "有色"
    BUILDING_MATERIALS = "building_materials", "建材"
    MACHINERY = "machinery", "机械"
    LIGHT_INDUSTRY = "light_industry", "轻工"
    TEXTILE = "textile", "纺织"
    TOBACCO = "tobacco", "烟草"
    COMMERCE = "commerce", "商贸"
    # other regulated sectors
    HAZARDOUS_CHEMICALS = "hazardous_chemicals", "危险化学品"
    NON_COAL_MINING = "non_coal_mining", "非煤矿山"
    COAL_MINING = "coal_mining", "煤矿"
    FIREWORKS = "fireworks", "烟花爆竹"
    OTHER = "other", "其他"


GONGMAO_SECTORS = frozenset(
    {
        Sector.METALLURGY, Sector.NONFERROUS, Sector.BUILDING_MATERIALS, Sector.MACHINERY,
        Sector.LIGHT_INDUSTRY, Sector.TEXTILE, Sector.TOBACCO, Sector.COMMERCE,
    }
)


def sector_group(sector: str) -> str:
    return "工贸" if sector in GONGMAO_SECTORS else Sector(sector).label


class Scale(models.TextChoices):
    LARGE = "large", "大型"
    MEDIUM = "medium", "中型"
    SMALL = "small", "小型"
    MICRO = "micro", "微型"


class Status(models.TextChoices):
    NORMAL = "normal", "正常生产"
    SUSPENDED = "suspended", "停产整顿"
    UNDER_CONSTRUCTION = "under_construction", "在建"
    CLOSED = "closed", "关闭"


class ParkKind(models.TextChoices):
    INDUSTRIAL = "industrial", "工业园区"
    CHEMICAL = "chemical", "化工园区"


class Park(models.Model):
    name = models.CharField("名称", max_length=100)
    kind = models.CharField("类型", max_length=20, choices=ParkKind.choices)
    region = models.ForeignKey(Region, verbose_name="所在区县", on_delete=models.PROTECT)

    SCOPE = Scope(region="region", enterprise=None)

    class Meta:
        ordering = ["region_id", "name"]
        constraints = [models.UniqueConstraint(fields=["region", "name"], name="park_unique_name")]
        verbose_name = verbose_name_plural = "园区"

    def __str__(self) -> str:
        return self.name


class Enterprise(models.Model):
    uscc = models.CharField("统一社会信用代码", max_length=18, unique=True)
    name = models.CharField("企业名称", max_length=200)
    # No single-column index: ent_region_name (region, name, id) serves every region lookup,
    # and SQLite (without range statistics) would otherwise pick the single-column one for a
    # province-wide range, read every row and sort, instead of walking names to the page.
    region = models.ForeignKey(
        Region, verbose_name="所在区县", on_delete=models.PROTECT, related_name="enterprises",
        db_index=False,
    )
    address = models.CharField("地址", max_length=300)
    lat = models.FloatField("纬度")
    lon = models.FloatField("经度")
    sector = models.CharField("行业", max_length=30, choices=Sector.choices)
    scale = models.CharField("规模", max_length=10, choices=Scale.choices, blank=True)
    legal_representative = models.CharField("法定代表人", max_length=50, blank=True)
    safety_contact = models.CharField("安全负责人", max_length=50, blank=True)
    safety_contact_phone = models.CharField("安全负责人电话", max_length=20, blank=True)
    park = models.ForeignKey(
        Park, verbose_name="所在园区", null=True, blank=True, on_delete=models.PROTECT,
        related_name="enterprises",
    )
    created_at = models.DateTimeField("登记时间", auto_now_add=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    SCOPE = Scope(region="region", enterprise="pk")

    class Meta:
        # Lists are ordered by name within a scope (a range of region codes) or a sector.
        ordering = ["name", "id"]
        indexes = [
            models.Index(fields=["name", "id"], name="ent_name"),
            models.Index(fields=["region", "name", "id"], name="ent_region_name"),
            models.Index(fields=["sector", "region", "name"], name="ent_sector_region_name"),
        ]
        verbose_name = verbose_name_plural = "企业"

    def __str__(self) -> str:
        return self.name

    def status_on(self, day: date) -> str | None:
        period = self.status_periods.filter(
            Q(end_date__isnull=True) | Q(end_date__gte=day), start_date__lte=day
        ).first()
        return period.status if period else None


class StatusPeriod(models.Model):
    """One period of an enterprise's status timeline; periods never overlap."""

    enterprise = models.ForeignKey(
        Enterprise, on_delete=models.CASCADE, related_name="status_periods"
    )
    status = models.CharField("状态", max_length=20, choices=Status.choices)
    start_date = models.DateField("开始日期")
    end_date = models.DateField("结束日期", null=True, blank=True, help_text="空表示至今")
    reason = models.CharField("原因", max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    SCOPE = Scope(region="enterprise__region", enterprise="enterprise")

    class Meta:
        ordering = ["enterprise_id", "start_date"]
        indexes = [
            models.Index(fields=["enterprise", "start_date"], name="status_ent_start"),
            models.Index(fields=["status", "end_date", "start_date"], name="status_current"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(end_date__isnull=True) | Q(end_date__gte=models.F("start_date")),
                name="status_period_ends_after_start",
            ),
            models.UniqueConstraint(
                fields=["enterprise", "start_date"], name="status_period_unique_start"
            ),
        ]
        verbose_name = verbose_name_plural = "状态时间线"

    def __str__(self) -> str:
        end = self.end_date.isoformat() if self.end_date else "至今"
        return f"{self.get_status_display()} {self.start_date.isoformat()}～{end}"
