"""Pages of the staged ledger import. Thin: services write, selectors read."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import date
from uuid import UUID

from django.contrib import messages
from django.db import transaction
from django.http import FileResponse, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from yanglao.accounts.roles import Cap
from yanglao.core import crypto
from yanglao.core.audit import Action, audit
from yanglao.core.decorators import AuthedRequest, flash_errors, scope
from yanglao.core.sheets import xlsx_response
from yanglao.imports import selectors, services
from yanglao.imports.models import BatchStatus, RowStatus
from yanglao.imports.rules import error_text
from yanglao.people import columns as C

TABS = [
    (RowStatus.REJECTED, "有错误"),
    (RowStatus.NEW, "新增"),
    (RowStatus.UPDATE, "更新"),
    (RowStatus.UNCHANGED, "无变化"),
    (RowStatus.DUPLICATE, "文件内重复"),
]


@scope(Cap.PERSON_IMPORT)
def batch_index(request: AuthedRequest) -> HttpResponse:
    batches = selectors.batch_list(user=request.user)[:50]
    return render(
        request,
        "imports/index.html",
        {"batches": batches, "today": timezone.localdate(), "columns": C.COLUMNS},
    )


@scope(Cap.PERSON_IMPORT)
@require_POST
def batch_upload(request: AuthedRequest) -> HttpResponse:
    upload = request.FILES.get("file")
    if upload is None:
        messages.error(request, "请选择要上传的 .xlsx 或 .csv 文件")
        return redirect("imports:index")
    try:
        ref = _date(request.POST.get("reference_date", ""))
        batch = services.batch_upload(actor=request.user, upload=upload, reference_date=ref)
    except services.ImportInvalid as e:
        flash_errors(request, e.errors)
        return redirect("imports:index")
    return redirect("imports:detail", public_id=batch.public_id)


def _date(text: str) -> date | None:
    try:
        return date.fromisoformat(text) if text else None
    except ValueError:
        return None


@scope(Cap.PERSON_IMPORT)
def batch_detail(request: AuthedRequest, public_id: UUID) -> HttpResponse:
    batch = selectors.batch_get(user=request.user, public_id=public_id)
    context: dict[str, object] = {"batch": batch, "tabs": TABS}
    if batch.status in (BatchStatus.UPLOADED, BatchStatus.FAILED) or (
        batch.status == BatchStatus.VALIDATED and request.GET.get("remap")
    ):
        choices = [("", "（未对应）"), (C.IGNORE, "忽略此列")] + [
            (c.key, c.header) for c in C.COLUMNS
        ]
        context["columns"] = [
            {
                "index": i,
                "title": title,
                "samples": batch.samples[i] if i < len(batch.samples) else [],
                "field": batch.mapping.get(str(i), ""),
            }
            for i, title in enumerate(batch.headers)
        ]
        context["choices"] = choices
        context["mapping_mode"] = True
    if batch.status in (BatchStatus.VALIDATED, BatchStatus.COMMITTED):
        tab = request.GET.get("tab") or (
            RowStatus.REJECTED if batch.counts.get(RowStatus.REJECTED) else RowStatus.NEW
        )
        context["tab"] = tab
        context["page"] = selectors.batch_rows(
            batch=batch, status=tab, page=int(request.GET.get("page", "1") or 1)
        )
    return render(request, "imports/detail.html", context)


@scope(Cap.PERSON_IMPORT)
def batch_status(request: AuthedRequest, public_id: UUID) -> HttpResponse:
    """Polled by the page while a background step runs (HTMX); reloads when it ends."""
    batch = selectors.batch_get(user=request.user, public_id=public_id)
    response = render(request, "imports/_progress.html", {"batch": batch})
    if batch.status not in (BatchStatus.VALIDATING, BatchStatus.COMMITTING):
        response["HX-Refresh"] = "true"
    return response


@scope(Cap.PERSON_IMPORT)
@require_POST
def batch_map(request: AuthedRequest, public_id: UUID) -> HttpResponse:
    batch = selectors.batch_get(user=request.user, public_id=public_id)
    mapping: dict[int, str] = {}
    for i in range(len(batch.headers)):
        value = request.POST.get(f"col{i}", "")
        if value:
            mapping[i] = value
    try:
        services.batch_map(
            actor=request.user,
            batch=batch,
            mapping=mapping,
            reference_date=_date(request.POST.get("reference_date", "")),
        )
    except services.ImportInvalid as e:
        flash_errors(request, e.errors)
    return redirect("imports:detail", public_id=batch.public_id)


@scope(Cap.PERSON_IMPORT)
@require_POST
def batch_commit(request: AuthedRequest, public_id: UUID) -> HttpResponse:
    batch = selectors.batch_get(user=request.user, public_id=public_id)
    try:
        services.batch_commit_request(actor=request.user, batch=batch)
    except services.ImportInvalid as e:
        flash_errors(request, e.errors)
    return redirect("imports:detail", public_id=batch.public_id)


@scope(Cap.PERSON_IMPORT)
@require_POST
def batch_cancel(request: AuthedRequest, public_id: UUID) -> HttpResponse:
    batch = selectors.batch_get(user=request.user, public_id=public_id)
    try:
        services.batch_cancel(actor=request.user, batch=batch)
        messages.success(request, f"已取消导入“{batch.file_name}”，上传的文件已删除")
    except services.ImportInvalid as e:
        flash_errors(request, e.errors)
    return redirect("imports:index")


@scope(Cap.PERSON_IMPORT)
def errors_download(request: AuthedRequest, public_id: UUID) -> FileResponse:
    """The rejected lines as they were uploaded, plus a reason column: fix and re-upload."""
    batch = selectors.batch_get(user=request.user, public_id=public_id)
    width = len(batch.headers)
    with transaction.atomic():
        audit(
            actor=request.user,
            action=Action.IMPORT_ERRORS_DOWNLOAD,
            object_type="import_batch",
            object_id=str(batch.public_id),
            object_label=batch.file_name,
            changes={"rows": batch.counts.get(RowStatus.REJECTED, 0)},
        )

    def rows() -> Iterator[list[str]]:
        for r in selectors.rejected_rows(batch=batch).iterator(chunk_size=2000):
            cells = json.loads(crypto.decrypt(r.raw_cipher)) if r.raw_cipher else []
            cells = (cells + [""] * width)[:width]
            yield [*cells, error_text(r.errors), str(r.row_no)]

    stem = batch.file_name.rsplit(".", 1)[0]
    return xlsx_response(
        f"{stem}-错误行.xlsx", [*batch.headers, "错误原因", "原行号"], rows(), sheet_name="错误行"
    )


@scope(Cap.PERSON_IMPORT)
def template_download(request: AuthedRequest) -> FileResponse:
    """An empty ledger with the canonical headers and one example line."""
    header = [c.header for c in C.COLUMNS]
    example = {
        "name": "张桂兰",
        "id_number": "（18位身份证号码，请设为文本格式）",
        "sex": "女",
        "birth_date": "1948-03-05",
        "ethnicity": "汉族",
        "village_code": "（12位区划代码，或只填村（社区）名称）",
        "village_name": "",
        "township_name": "",
        "address": "幸福路12号",
        "phone": "13912345678",
        "education": "小学",
        "marital_status": "丧偶",
        "living_arrangement": "独居",
        "categories": "独居、低保",
        "contact1_name": "李明",
        "contact1_relation": "子女",
        "contact1_phone": "13812345678",
    }
    return xlsx_response(
        "老年人台账模板.xlsx",
        header,
        [[example.get(c.key, "") for c in C.COLUMNS]],
        sheet_name="台账",
    )
