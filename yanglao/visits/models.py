"""Home visits (巡访关爱): policy rows, subjects and assignment, tasks, append-only records."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.db.models import ExpressionWrapper, Q

from yanglao.visits.choices import (
    OPEN_TASK,
    TARGET_CHOICES,
    FollowUpKind,
    FollowUpStatus,
    Method,
    Period,
    RiskLevel,
    TaskStatus,
)


class PolicyRow(models.Model):
    """A versioned policy value set by a region level (NULL: national), with its effective date
    and document number (文号). Never edited: a change is a new row."""

    region = models.ForeignKey(
        "regions.Region",
        verbose_name="制定区划",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    effective_from = models.DateField("生效日期")
    document_no = models.CharField("文号", max_length=120)
    note = models.CharField("说明", max_length=200, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField("录入时间", auto_now_add=True)

    class Meta:
        abstract = True


class FrequencyRule(PolicyRow):
    """Minimum visit frequency for a target (category, 高风险, other) set by a region level."""

    target = models.CharField("巡访对象", max_length=32, choices=TARGET_CHOICES)
    period = models.CharField("频次", max_length=16, choices=Period.choices)

    class Meta:
        verbose_name = "巡访频次政策"
        verbose_name_plural = "巡访频次政策"
        constraints = [
            models.UniqueConstraint(
                fields=["region", "target", "effective_from"], name="visit_freq_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.region_id or '全国'} {self.target} {self.period} 自{self.effective_from}"


class CountingRule(PolicyRow):
    """Which visit methods count toward 月探访率 (§2.3 R2.2: configurable), per region level."""

    methods = models.JSONField("计入探访率的方式")

    class Meta:
        verbose_name = "探访率计算口径"
        verbose_name_plural = "探访率计算口径"
        constraints = [
            models.UniqueConstraint(
                fields=["region", "effective_from"], name="visit_counting_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.region_id or '全国'} {self.methods_display} 自{self.effective_from}"

    @property
    def methods_display(self) -> str:
        """The methods in Chinese (上门、视频 …), never their stored codes."""
        labels = dict(Method.choices)
        return "、".join(str(labels.get(m, m)) for m in self.methods)


class VisitSubject(models.Model):
    """A person's visit file: responsible worker, backup and current risk level (R2.1)."""

    person = models.OneToOneField(
        "people.Person", on_delete=models.CASCADE, related_name="visit_subject"
    )
    region = models.ForeignKey(
        "regions.Region", on_delete=models.PROTECT, related_name="+", db_index=False
    )
    worker = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="责任巡访员",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="visit_subjects",
    )
    backup = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="备岗巡访员",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="visit_backups",
    )
    risk_level = models.CharField(
        "风险等级", max_length=16, choices=RiskLevel.choices, default=RiskLevel.NORMAL
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "巡访对象"
        verbose_name_plural = "巡访对象"
        indexes = [models.Index(fields=["region", "person"], name="visit_subject_region_idx")]

    def __str__(self) -> str:
        return f"巡访对象 {self.person_id}"


class VisitRecord(models.Model):
    """One visit. Append-only: a correction is a new record naming the one it supersedes."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    # Generated on the phone: a retried upload finds the row and changes nothing.
    client_uuid = models.UUIDField("客户端编号", unique=True)
    person = models.ForeignKey(
        "people.Person", verbose_name="老年人", on_delete=models.PROTECT, related_name="visits"
    )
    region = models.ForeignKey(
        "regions.Region", on_delete=models.PROTECT, related_name="+", db_index=False
    )
    visitor = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="巡访人", on_delete=models.PROTECT, related_name="+"
    )
    method = models.CharField("巡访方式", max_length=16, choices=Method.choices)
    visit_date = models.DateField("巡访日期")
    visited_at = models.DateTimeField("巡访时间")
    location = models.CharField("地点", max_length=200, blank=True)
    latitude = models.FloatField("纬度", null=True, blank=True)
    longitude = models.FloatField("经度", null=True, blank=True)
    findings = models.JSONField("巡访内容", default=dict)
    summary = models.TextField("情况小结", blank=True)
    risk_level = models.CharField("风险等级", max_length=16, choices=RiskLevel.choices)
    marked_change = models.BooleanField("明显变化（申请即时评估）", default=False)
    supersedes = models.OneToOneField(
        "self",
        verbose_name="更正的记录",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="superseded_by",
    )
    recorded_offline = models.BooleanField("离线录入", default=False)
    received_at = models.DateTimeField("上传时间", auto_now_add=True)

    class Meta:
        verbose_name = "巡访记录"
        verbose_name_plural = "巡访记录"
        indexes = [
            models.Index(fields=["region", "visit_date"], name="visit_region_date_idx"),
            models.Index(fields=["person", "visit_date"], name="visit_person_date_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.visit_date} {self.method}"


class VisitPhoto(models.Model):
    record = models.ForeignKey(VisitRecord, on_delete=models.CASCADE, related_name="photos")
    file = models.FileField(upload_to="visits/%Y/%m/")
    content_type = models.CharField(max_length=32)

    class Meta:
        verbose_name = "巡访照片"
        verbose_name_plural = "巡访照片"

    def __str__(self) -> str:
        return str(self.file.name)


class VisitTask(models.Model):
    """A visit due for one person in one period (week/month/quarter).

    Written in millions by the monthly generation and the daily overdue job, each row taken
    from the people table in the same statement: the person and region references are not
    database constraints (a deferred foreign-key check locks every referenced person row at
    commit, one lookup per task — most of the cost of a month's generation at 5,550,000);
    Django still cascades a person's deletion to the tasks."""

    person = models.ForeignKey(
        "people.Person",
        on_delete=models.CASCADE,
        related_name="visit_tasks",
        db_index=False,
        db_constraint=False,
    )
    region = models.ForeignKey(
        "regions.Region",
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,
        db_constraint=False,
    )
    period_kind = models.CharField("周期", max_length=16, choices=Period.choices)
    period_start = models.DateField("周期开始")
    period_end = models.DateField("周期结束")
    due_date = models.DateField("应访日期")
    status = models.CharField(
        "状态", max_length=16, choices=TaskStatus.choices, default=TaskStatus.PENDING
    )
    worker = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="责任巡访员",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        db_index=False,  # visit_task_worker_open_idx
    )
    visit = models.ForeignKey(
        VisitRecord,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        db_index=False,  # visit_task_visit_idx
    )
    created_at = models.DateTimeField("生成时间")
    # Whether the task is still open (待访 or 逾期), kept by the database from `status`. The
    # indexes name this column, never `status`: the daily job's 待访 → 逾期 then changes no
    # indexed value, so PostgreSQL rewrites each row in its own page without touching an
    # index (a HOT update, with the table's fillfactor leaving the room; migration 0008):
    # 22.1 s → 5.1 s for 400,000 tasks measured on a copy of this table.
    is_open = models.GeneratedField(
        expression=ExpressionWrapper(Q(status__in=OPEN_TASK), output_field=models.BooleanField()),
        output_field=models.BooleanField(),
        db_persist=True,
    )

    class Meta:
        verbose_name = "巡访任务"
        verbose_name_plural = "巡访任务"
        constraints = [
            models.UniqueConstraint(
                fields=["person", "period_kind", "period_start"], name="visit_task_unique"
            ),
        ]
        indexes = [
            # The board's order (selectors.Board) and the overdue job's search, over open
            # tasks only: a task leaving the open states drops out of it. Overdue tasks are
            # the open ones due before today, so each board arm is one range of due dates.
            models.Index(
                fields=["due_date", "region", "person"],
                name="visit_task_open_idx",
                condition=Q(is_open=True),
            ),
            models.Index(fields=["region", "period_start"], name="visit_task_region_idx"),
            # Only rows that have one: generation and the overdue job write no entry for
            # an unassigned or unvisited task.
            models.Index(
                fields=["worker", "due_date"],
                name="visit_task_worker_open_idx",
                condition=Q(worker__isnull=False, is_open=True),
            ),
            models.Index(
                fields=["visit"], name="visit_task_visit_idx", condition=Q(visit__isnull=False)
            ),
        ]

    def __str__(self) -> str:
        return f"{self.period_kind} {self.period_start} {self.status}"


class TaskEvent(models.Model):
    """Every state change of a task (the overdue job writes one per row it moves)."""

    # Written by the overdue job in the statement that moves the task (no deferred check).
    task = models.ForeignKey(
        VisitTask, on_delete=models.CASCADE, related_name="events", db_constraint=False
    )
    from_status = models.CharField(max_length=16, choices=TaskStatus.choices)
    to_status = models.CharField(max_length=16, choices=TaskStatus.choices)
    at = models.DateTimeField()
    note = models.CharField(max_length=200, blank=True)

    class Meta:
        verbose_name = "任务状态变更"
        verbose_name_plural = "任务状态变更"

    def __str__(self) -> str:
        return f"{self.from_status} → {self.to_status}"


class FollowUp(models.Model):
    """A follow-up action or referral raised by a visit, tracked to closure (R2.3, R2.5)."""

    record = models.ForeignKey(VisitRecord, on_delete=models.PROTECT, related_name="follow_ups")
    region = models.ForeignKey(
        "regions.Region", on_delete=models.PROTECT, related_name="+", db_index=False
    )
    kind = models.CharField("类型", max_length=16, choices=FollowUpKind.choices)
    note = models.CharField("事项/转介对象", max_length=200, blank=True)
    due_date = models.DateField("期限", null=True, blank=True)
    call_made = models.BooleanField("已拨打急救或报警电话", default=False)
    status = models.CharField(
        "状态", max_length=16, choices=FollowUpStatus.choices, default=FollowUpStatus.OPEN
    )
    reassessment = models.ForeignKey(
        "assessments.ReassessmentRequest",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    outcome = models.CharField("办理结果", max_length=200, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    closed_at = models.DateTimeField("办结时间", null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "跟进事项"
        verbose_name_plural = "跟进事项"
        indexes = [
            models.Index(fields=["region", "status", "kind"], name="visit_followup_region_idx")
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.status}"
