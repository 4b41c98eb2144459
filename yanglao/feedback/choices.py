"""Enumerated values of the feedback app, each with its Chinese label."""

from __future__ import annotations

from django.db import models


class Kind(models.TextChoices):
    SUGGESTION = "suggestion", "意见建议"
    COMPLAINT = "complaint", "投诉"
    INQUIRY = "inquiry", "咨询"


class Topic(models.TextChoices):
    INSTITUTION = "institution", "养老机构服务"
    HOME_COMMUNITY = "home_community", "居家社区养老服务"
    BENEFIT = "benefit", "养老补贴与待遇发放"
    VISIT = "visit", "探访关爱"
    MEALS = "meals", "老年助餐"
    POLICY = "policy", "养老政策"
    OTHER = "other", "其他"


class Status(models.TextChoices):
    OPEN = "open", "待答复"
    ANSWERED = "answered", "已答复"


class Via(models.TextChoices):
    PUBLIC = "public", "网上提交"
    STAFF = "staff", "工作人员代为登记"
