"""Staged ledger imports: a batch (the uploaded file and its state) and its rows.

The rows table is the staging area of DESIGN "Bulk writes": validation writes every row there
(COPY on PostgreSQL), the commit merges the accepted ones into the ledger with a few set-based
statements in one transaction. After the commit the rows stay as the journal of what each line
of the file did (new person, which fields changed, why it was rejected).
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models


class BatchStatus(models.TextChoices):
    UPLOADED = "uploaded", "待确认列对应"
    VALIDATING = "validating", "校验中"
    VALIDATED = "validated", "待提交"
    COMMITTING = "committing", "提交中"
    COMMITTED = "committed", "已导入"
    FAILED = "failed", "处理失败"
    CANCELLED = "cancelled", "已取消"


class RowStatus(models.TextChoices):
    NEW = "new", "新增"
    UPDATE = "update", "更新"
    UNCHANGED = "unchanged", "无变化"
    DUPLICATE = "duplicate", "文件内重复"
    REJECTED = "rejected", "有错误"


class ImportBatch(models.Model):
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField("上传时间", auto_now_add=True)
    file_name = models.CharField("文件名", max_length=200)
    file_kind = models.CharField(max_length=8)  # xlsx | csv
    file_size = models.BigIntegerField(default=0)
    encoding = models.CharField(max_length=16, blank=True)
    stored_path = models.CharField(max_length=300, blank=True)  # removed after commit/cancel
    status = models.CharField(
        "状态", max_length=16, choices=BatchStatus.choices, default=BatchStatus.UPLOADED
    )
    header_row = models.PositiveIntegerField(default=0)  # 0-based; data starts on the next row
    headers = models.JSONField(default=list)
    samples = models.JSONField(default=list)  # a few masked sample values per column
    mapping = models.JSONField(default=dict)  # column index (str) → field key
    reference_date = models.DateField("年龄计算基准日")
    total_rows = models.PositiveIntegerField(default=0)
    processed_rows = models.PositiveIntegerField(default=0)
    counts = models.JSONField(default=dict)
    message = models.CharField(max_length=500, blank=True)
    validated_at = models.DateTimeField(null=True, blank=True)
    committed_at = models.DateTimeField(null=True, blank=True)
    committed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    # Region code range the rows were validated against (the uploader's edit jurisdiction).
    scope_region = models.CharField(max_length=12, blank=True)

    class Meta:
        verbose_name = "导入批次"
        verbose_name_plural = "导入批次"
        indexes = [models.Index(fields=["created_by", "-created_at"], name="batch_user_idx")]

    def __str__(self) -> str:
        return self.file_name

    @property
    def mapped_fields(self) -> list[str]:
        return [k for k in self.mapping.values() if k and k != "ignore"]


class ImportRow(models.Model):
    """One data line of the file, normalised; identifiers encrypted as in the ledger."""

    batch = models.ForeignKey(ImportBatch, on_delete=models.CASCADE, db_index=False)
    row_no = models.PositiveIntegerField()  # the line number the user sees in Excel
    status = models.CharField(max_length=12, choices=RowStatus.choices)
    errors = models.JSONField(default=list)  # [[column title, message], ...]
    raw_cipher = models.TextField(blank=True)  # the original cells, encrypted; bad rows only
    person_id = models.BigIntegerField(null=True)  # matched ledger person (update/unchanged)
    person_version = models.PositiveIntegerField(null=True)
    public_id = models.UUIDField(null=True)  # of the person a NEW row creates
    region_id = models.CharField(max_length=12, blank=True)
    name = models.CharField(max_length=50, blank=True)
    sex = models.CharField(max_length=1, blank=True)
    birth_date = models.DateField(null=True)
    ethnicity = models.CharField(max_length=2, blank=True)
    id_number_cipher = models.TextField(blank=True)
    id_number_hash = models.CharField(max_length=64, blank=True)
    id_number_masked = models.CharField(max_length=18, blank=True)
    education = models.CharField(max_length=16, blank=True)
    marital_status = models.CharField(max_length=16, blank=True)
    living_arrangement = models.JSONField(default=list)
    medical_payment = models.JSONField(default=list)
    income_sources = models.JSONField(default=list)
    address = models.CharField(max_length=200, blank=True)
    phone_cipher = models.TextField(blank=True)
    phone_hash = models.CharField(max_length=64, blank=True)
    phone_masked = models.CharField(max_length=20, blank=True)
    household_no = models.CharField(max_length=30, blank=True)
    categories = models.CharField(max_length=200, blank=True)  # comma-separated tags to add
    c1_name = models.CharField(max_length=50, blank=True)
    c1_relation = models.CharField(max_length=16, blank=True)
    c1_phone_cipher = models.TextField(blank=True)
    c1_phone_masked = models.CharField(max_length=20, blank=True)
    c2_name = models.CharField(max_length=50, blank=True)
    c2_relation = models.CharField(max_length=16, blank=True)
    c2_phone_cipher = models.TextField(blank=True)
    c2_phone_masked = models.CharField(max_length=20, blank=True)
    changes = models.JSONField(default=dict)  # field → [old, new] for UPDATE rows (masked)
    # PostgreSQL path (imports.staging): which compared ledger fields had a non-empty cell
    # (bit i = imports.staging.COMPARED[i]; a blank cell keeps the ledger's value), and a
    # digest of the row's content, so that duplicates in the file are found in SQL.
    given = models.PositiveIntegerField(default=0, db_default=0)
    digest = models.BigIntegerField(null=True)

    class Meta:
        verbose_name = "导入行"
        verbose_name_plural = "导入行"
        indexes = [
            models.Index(fields=["batch", "status", "row_no"], name="importrow_batch_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.batch_id}:{self.row_no}"


class ColumnMapping(models.Model):
    """The column mapping a user confirmed for a header layout, offered again next time."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    fingerprint = models.CharField(max_length=64)  # sha256 of the normalised header titles
    mapping = models.JSONField(default=dict)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "列对应关系"
        verbose_name_plural = "列对应关系"
        constraints = [
            models.UniqueConstraint(fields=["user", "fingerprint"], name="mapping_user_layout")
        ]

    def __str__(self) -> str:
        return self.fingerprint[:8]
