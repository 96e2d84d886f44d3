"""The official checklists (重大事故隐患判定标准) in the database, so that hazards can cite a criterion.

Reference data, the same for every user: no SCOPE. Written only by `loader.load_standards` from the
packaged data files; a criterion that leaves its file is retired, never deleted, because hazards keep
pointing at it. Imports nothing from other benan apps.
"""

from __future__ import annotations

from django.db import models


class CriterionKind(models.TextChoices):
    ITEM = "item", "判定条目"
    # A category or part heading whose detailed situations are not in the data yet (mines); it can be
    # cited in an inspection all the same.
    HEADING = "heading", "类别标题"


class CriteriaStandard(models.Model):
    id = models.SlugField("标识", max_length=50, primary_key=True)
    name = models.CharField("名称", max_length=200)
    doc_no = models.CharField("文号", max_length=100)
    issuer = models.CharField("发布机关", max_length=100)
    effective = models.DateField("施行日期", null=True, blank=True)
    sectors = models.JSONField("适用行业", default=list)
    citation = models.TextField("出处")
    sources = models.JSONField("来源", default=list, help_text="[{title, url}]")
    note = models.TextField("说明", blank=True)
    provisions = models.JSONField("其他条文", default=list, help_text="不作为判定条目的条文，如兜底条款")
    order = models.PositiveSmallIntegerField("排序", default=0)
    data_file = models.CharField("数据文件", max_length=100)
    checksum = models.CharField("数据文件 SHA-256", max_length=64)
    loaded_at = models.DateTimeField("载入时间")

    class Meta:
        ordering = ["order", "id"]
        verbose_name = verbose_name_plural = "判定标准"

    def __str__(self) -> str:
        return self.name


class Criterion(models.Model):
    id = models.CharField("编号", max_length=64, primary_key=True, help_text="如 gongmao-2023:art3.1")
    standard = models.ForeignKey(
        CriteriaStandard, verbose_name="判定标准", on_delete=models.PROTECT, related_name="criteria"
    )
    article = models.CharField("条", max_length=20, blank=True, help_text="如 第三条")
    item_no = models.CharField("项", max_length=20, blank=True, help_text="如 （一）")
    section = models.CharField("类别", max_length=100, blank=True, help_text="如 通用（管理类）")
    lead = models.TextField("引语", blank=True)
    text = models.TextField("条文")
    sectors = models.JSONField("适用行业", default=list)
    verified = models.BooleanField("原文已核对", default=False)
    note = models.TextField("说明", blank=True)
    kind = models.CharField("类型", max_length=10, choices=CriterionKind.choices, default=CriterionKind.ITEM)
    order = models.PositiveIntegerField("排序", default=0)
    retired = models.BooleanField("已停用", default=False, help_text="已不在数据文件中；保留以供引用")

    class Meta:
        ordering = ["standard__order", "order"]
        indexes = [models.Index(fields=["standard", "order"], name="criterion_standard_order")]
        verbose_name = verbose_name_plural = "判定标准条款"

    def __str__(self) -> str:
        return f"{self.id} {self.text[:30]}"

    @property
    def heading(self) -> str:
        """The article's title as people read it: 第三条 通用（管理类）, 一、尾矿库重大事故隐患."""
        if not self.article:
            return self.section
        if self.article.startswith("第"):
            return f"{self.article} {self.section}".strip()
        return f"{self.article}、{self.section}"
