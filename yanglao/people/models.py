from __future__ import annotations

import uuid
from functools import lru_cache
from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q

from yanglao.core import crypto
from yanglao.people import search
from yanglao.people.choices import (
    ETHNICITIES,
    Category,
    DementiaSource,
    DisabilityGrade,
    DisabilityKind,
    Dwelling,
    Education,
    LifeStatus,
    MaritalStatus,
    Relation,
    Sex,
    TagSource,
)

SEARCH_COLUMNS = ("search_keys", "id_tail", "phone_tail")


@lru_cache(maxsize=65536)
def _bucket(tail: str, alg: str, hash_key: str) -> int | None:
    return search.tail_bucket(tail, lambda s: crypto.keyed_hash(s, alg))


def tail_index(masked: str) -> int | None:
    """The stored blind index of a number from its masked form (whose last four characters
    are visible: idnumber.mask, crypto.mask_phone); None when there is none."""
    tail = search.tail_of(masked or "")
    if not tail or "*" in tail:
        return None
    return _bucket(tail, crypto.hash_algorithm(), settings.HASH_KEY)


def tail_lookup(tail: str) -> list[int]:
    """The buckets a stored row may carry for `tail` (both hashes while a re-hash runs)."""
    algs = [crypto.hash_algorithm()]
    if (previous := crypto.previous_hash_algorithm()) is not None:
        algs.append(previous)
    return search.unique(_bucket(tail, alg, settings.HASH_KEY) for alg in algs)


class Household(models.Model):
    """A registered household (户), identified by its 户号 within a village."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    region = models.ForeignKey(
        "regions.Region", verbose_name="村（社区）", on_delete=models.PROTECT
    )
    household_no = models.CharField("户号", max_length=30)
    address = models.CharField("住址", max_length=200, blank=True)

    class Meta:
        verbose_name = "家庭户"
        verbose_name_plural = "家庭户"
        constraints = [
            models.UniqueConstraint(fields=["region", "household_no"], name="household_no_unique")
        ]

    def __str__(self) -> str:
        return self.household_no


class Person(models.Model):
    """An older resident on the ledger; fields follow GB/T 42195-2022 table A.2."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    name = models.CharField("姓名", max_length=50)
    sex = models.CharField("性别", max_length=1, choices=Sex.choices)
    birth_date = models.DateField("出生日期")
    ethnicity = models.CharField("民族", max_length=2, choices=ETHNICITIES, default="01")
    # ID and phone numbers: ciphertext, keyed hash for exact lookup, masked form for lists.
    id_number_cipher = models.TextField(editable=False)
    # Unique and indexed through Meta, not unique=True/db_index=True: those make Django add a
    # second, pattern-ops "_like" index on PostgreSQL, useless for a hash looked up by equality
    # (506 MB and 443 MB at 5,550,000 people, written by every import and generation).
    id_number_hash = models.CharField(max_length=64, editable=False)
    id_number_masked = models.CharField("身份证号码", max_length=18, editable=False)
    education = models.CharField(
        "文化程度", max_length=16, choices=Education.choices, default=Education.UNKNOWN
    )
    living_arrangement = models.JSONField("居住情况", default=list, blank=True)
    marital_status = models.CharField(
        "婚姻状况", max_length=16, choices=MaritalStatus.choices, default=MaritalStatus.UNSTATED
    )
    medical_payment = models.JSONField("医疗费用支付方式", default=list, blank=True)
    income_sources = models.JSONField("经济来源", default=list, blank=True)
    region = models.ForeignKey(
        "regions.Region",
        verbose_name="居住村（社区）",
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,
    )  # covered by person_region_id_idx
    # 户籍地: where the person's household registration is (a county-level node or below,
    # possibly outside the residence county). Scoping and visits follow `region`.
    household_region = models.ForeignKey(
        "regions.Region",
        verbose_name="户籍地",
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,  # person_household_region_idx (no "_like" index: ranges only)
    )
    dwelling = models.CharField(
        "居住方式",
        max_length=16,
        choices=Dwelling.choices,
        default=Dwelling.HOME,
        db_default=Dwelling.HOME,
    )
    address = models.CharField("详细住址", max_length=200, blank=True)
    phone_cipher = models.TextField(blank=True, editable=False)
    phone_hash = models.CharField(max_length=64, blank=True, editable=False)  # Meta index
    phone_masked = models.CharField("联系电话", max_length=20, blank=True, editable=False)
    # Search (people.search): the name's characters, pairs and pinyin initials as tokens, and
    # the blind index of the ID's and the phone's last four characters (docs/security.md
    # "号码后几位的盲索引"). Derived from name and the masked forms by `set_search_columns`,
    # which every writer calls (save(), people.bulk, the generator).
    search_keys = models.TextField(blank=True, default="", db_default="", editable=False)
    id_tail = models.SmallIntegerField(null=True, blank=True, editable=False)
    phone_tail = models.SmallIntegerField(null=True, blank=True, editable=False)
    household = models.ForeignKey(
        Household,
        verbose_name="家庭户",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="members",
    )
    life_status = models.CharField(
        "状态", max_length=16, choices=LifeStatus.choices, default=LifeStatus.ALIVE
    )
    status_date = models.DateField("状态变更日期", null=True, blank=True)
    status_reason = models.CharField("变更原因/去向", max_length=200, blank=True)
    version = models.PositiveIntegerField("版本", default=1)
    created_at = models.DateTimeField("登记时间", auto_now_add=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = "老年人"
        verbose_name_plural = "老年人"
        indexes = [
            # Keyset pagination and subtree ranges: ORDER BY region, id inside a code range.
            models.Index(fields=["region", "id"], name="person_region_id_idx"),
            models.Index(fields=["name", "birth_date"], name="person_name_birth_idx"),
            models.Index(fields=["birth_date"], name="person_birth_idx"),
            # Last 4–6 digits inside one township or village: bucket, then the code range.
            models.Index(fields=["id_tail", "region"], name="person_id_tail_idx"),
            models.Index(
                fields=["phone_tail", "region"],
                name="person_phone_tail_idx",
                condition=Q(phone_tail__isnull=False),
            ),
            # PostgreSQL also has person_search_keys_gin (migration 0006, not expressible here).
            models.Index(fields=["phone_hash"], name="person_phone_hash_idx"),
            models.Index(fields=["household_region"], name="person_household_region_idx"),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(version__gte=1), name="person_version_positive"),
            models.UniqueConstraint(fields=["id_number_hash"], name="person_id_number_hash_unique"),
        ]

    def __str__(self) -> str:
        return self.name

    def save(self, *args: Any, **kwargs: Any) -> None:
        self.set_search_columns()
        update_fields = kwargs.get("update_fields")
        if update_fields is not None:
            kwargs["update_fields"] = {*update_fields, *SEARCH_COLUMNS}
        super().save(*args, **kwargs)

    def set_search_columns(self) -> None:
        self.search_keys = search.search_keys(self.name or "")
        self.id_tail = tail_index(self.id_number_masked)
        self.phone_tail = tail_index(self.phone_masked)

    @property
    def id_number(self) -> str:
        """Decrypted; callers showing it must go through person_reveal (audited)."""
        return crypto.decrypt(self.id_number_cipher)

    @property
    def phone(self) -> str:
        return crypto.decrypt(self.phone_cipher)


class PersonCategory(models.Model):
    """A category tag held from start_date until end_date (exclusive), with its source."""

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="categories")
    category = models.CharField("类别", max_length=32, choices=Category.choices)
    grade = models.CharField("等级", max_length=16, blank=True)  # e.g. 失能 轻度/中度/重度/完全
    start_date = models.DateField("开始日期")
    end_date = models.DateField("结束日期", null=True, blank=True)
    source = models.CharField(
        "来源", max_length=16, choices=TagSource.choices, default=TagSource.MANUAL
    )
    note = models.CharField("说明", max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = "类别标签"
        verbose_name_plural = "类别标签"
        indexes = [
            models.Index(fields=["category", "person"], name="tag_category_person_idx"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["person", "category"],
                condition=Q(end_date__isnull=True),
                name="tag_one_open_per_category",
            ),
            models.CheckConstraint(
                condition=Q(end_date__isnull=True) | Q(end_date__gte=models.F("start_date")),
                name="tag_end_after_start",
            ),
        ]

    def __str__(self) -> str:
        return self.get_category_display()


class Disability(models.Model):
    """A disability as certified (残疾人证, GB/T 26341-2010): kind, grade, certificate, from
    start_date until end_date (exclusive). 重残 (一级/二级) is derived from it."""

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="disabilities")
    kind = models.CharField(
        "残疾类别", max_length=1, choices=DisabilityKind.choices, blank=True
    )  # blank: not recorded (converted from the former 重残 tag)
    grade = models.CharField("残疾等级", max_length=3, choices=DisabilityGrade.choices)
    certificate_cipher = models.TextField(blank=True, editable=False)
    certificate_masked = models.CharField("残疾人证号", max_length=20, blank=True, editable=False)
    issue_date = models.DateField("发证日期", null=True, blank=True)
    start_date = models.DateField("开始日期")
    end_date = models.DateField("结束日期", null=True, blank=True)
    source = models.CharField(
        "来源", max_length=16, choices=TagSource.choices, default=TagSource.MANUAL
    )
    note = models.CharField("说明", max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = "残疾信息"
        verbose_name_plural = "残疾信息"
        indexes = [models.Index(fields=["person", "grade"], name="disability_person_grade_idx")]
        constraints = [
            models.UniqueConstraint(
                fields=["person"], condition=Q(end_date__isnull=True), name="disability_one_open"
            ),
            models.CheckConstraint(
                condition=Q(end_date__isnull=True) | Q(end_date__gte=models.F("start_date")),
                name="disability_end_after_start",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display() or '残疾'} {self.get_grade_display()}"

    @property
    def certificate(self) -> str:
        return crypto.decrypt(self.certificate_cipher) if self.certificate_cipher else ""


class Dementia(models.Model):
    """失智 (dementia) as a fact: from a confirmed diagnosis in an ability assessment, or
    entered by hand with its source and date. Counts as 失能（含失智） for the key groups."""

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="dementia")
    diagnosed_on = models.DateField("诊断日期")
    source = models.CharField("诊断来源", max_length=16, choices=DementiaSource.choices)
    reference = models.CharField("依据", max_length=100, blank=True)  # hospital, 评估编号 …
    # Set (to diagnosed_on) only when the record is withdrawn as entered in error.
    end_date = models.DateField("撤销", null=True, blank=True)
    note = models.CharField("说明", max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = "失智"
        verbose_name_plural = "失智"
        constraints = [
            models.UniqueConstraint(
                fields=["person"], condition=Q(end_date__isnull=True), name="dementia_one_open"
            ),
        ]

    def __str__(self) -> str:
        return f"失智 {self.diagnosed_on}"


class EmergencyContact(models.Model):
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="contacts")
    position = models.PositiveSmallIntegerField(default=1)
    name = models.CharField("联系人姓名", max_length=50)
    relation = models.CharField("关系", max_length=16, choices=Relation.choices)
    phone_cipher = models.TextField(blank=True, editable=False)
    phone_masked = models.CharField("联系电话", max_length=20, blank=True, editable=False)

    class Meta:
        verbose_name = "紧急联系人"
        verbose_name_plural = "紧急联系人"
        ordering = ["position"]
        constraints = [
            models.UniqueConstraint(fields=["person", "position"], name="contact_position_unique")
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def phone(self) -> str:
        return crypto.decrypt(self.phone_cipher)


class MinimumAgePolicy(models.Model):
    """The age from which a region registers residents as older people.

    老年人权益保障法 art. 2 sets 60; some places register younger people in special
    difficulty. The policy of the nearest ancestor region in force on a date applies.
    """

    region = models.ForeignKey("regions.Region", on_delete=models.PROTECT, related_name="+")
    min_age = models.PositiveSmallIntegerField("登记起始年龄")
    effective_from = models.DateField("生效日期")
    effective_to = models.DateField("失效日期", null=True, blank=True)
    document_no = models.CharField("文号", max_length=100)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = "登记年龄政策"
        verbose_name_plural = "登记年龄政策"
        constraints = [
            models.CheckConstraint(
                condition=Q(min_age__gte=40) & Q(min_age__lte=60), name="min_age_between_40_60"
            )
        ]

    def __str__(self) -> str:
        return f"{self.region_id} {self.min_age}"
