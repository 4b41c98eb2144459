"""REST API of the staged ledger import, for systems that push ledgers (same rules as the page).

`POST /api/v1/imports` takes the file as base64 in JSON (csv or xlsx), answers with the batch
and the guessed column mapping; `POST …/validate` confirms a mapping and validates;
`GET …/rows?status=rejected` pages through the outcome; `POST …/commit` writes everything or
nothing. A batch is visible to its uploader only (404 for anyone else).
"""

from __future__ import annotations

import base64
import binascii
from datetime import date
from typing import Any
from uuid import UUID

from django.core.files.uploadedfile import SimpleUploadedFile
from django.http import HttpRequest
from ninja import Query, Router, Schema, Status
from pydantic import Field

from yanglao.accounts.api_scope import declare_scope
from yanglao.core.api_schemas import Message, ValidationOut
from yanglao.imports import selectors, services
from yanglao.imports.models import ImportBatch

router = Router(tags=["台账导入"])
INVALID = "数据校验未通过"


class UploadIn(Schema):
    file_name: str = Field(max_length=200, description="文件名，.csv 或 .xlsx")
    content_base64: str = Field(description="文件内容（base64）")
    reference_date: date | None = Field(None, description="年龄计算基准日，默认今天")


class ValidateIn(Schema):
    mapping: dict[int, str] | None = Field(
        None, description="列序号（从0开始）→ 字段；不填则用系统猜测或记住的对应"
    )


class BatchOut(Schema):
    id: UUID
    file_name: str
    status: str
    status_label: str
    headers: list[str]
    mapping: dict[str, str]
    counts: dict[str, Any]
    total_rows: int
    processed_rows: int
    message: str


class RowOut(Schema):
    row_no: int
    status: str
    name: str
    id_number_masked: str
    errors: list[list[str]]
    changes: dict[str, Any]


class RowsOut(Schema):
    items: list[RowOut]
    page: int
    pages: int
    count: int


def _out(b: ImportBatch) -> dict[str, Any]:
    return {
        "id": b.public_id,
        "file_name": b.file_name,
        "status": b.status,
        "status_label": b.get_status_display(),
        "headers": b.headers,
        "mapping": b.mapping,
        "counts": b.counts,
        "total_rows": b.total_rows,
        "processed_rows": b.processed_rows,
        "message": b.message,
    }


def _invalid(e: services.ImportInvalid) -> Status:
    return Status(422, {"detail": INVALID, "errors": e.errors})


@router.post(
    "",
    response={201: BatchOut, 401: Message, 403: Message, 404: Message, 422: ValidationOut},
    summary="上传台账文件",
)
@declare_scope("person:import")
def batch_upload(request: HttpRequest, data: UploadIn) -> Any:
    try:
        content = base64.b64decode(data.content_base64, validate=True)
    except (binascii.Error, ValueError):
        return Status(422, {"detail": INVALID, "errors": {"content_base64": ["不是有效的 base64"]}})
    upload = SimpleUploadedFile(data.file_name, content)
    try:
        batch = services.batch_upload(
            actor=request.auth,  # type: ignore[attr-defined]
            upload=upload,
            reference_date=data.reference_date,
        )
    except services.ImportInvalid as e:
        return _invalid(e)
    return Status(201, _out(batch))


@router.get(
    "/{batch_id}",
    response={200: BatchOut, 401: Message, 403: Message, 404: Message},
    summary="批次状态",
)
@declare_scope("person:import")
def batch_detail(request: HttpRequest, batch_id: UUID) -> Any:
    return _out(selectors.batch_get(user=request.auth, public_id=batch_id))  # type: ignore[attr-defined]


@router.post(
    "/{batch_id}/validate",
    response={200: BatchOut, 401: Message, 403: Message, 404: Message, 422: ValidationOut},
    summary="确认列对应并校验",
)
@declare_scope("person:import")
def batch_validate(request: HttpRequest, batch_id: UUID, data: ValidateIn) -> Any:
    user = request.auth  # type: ignore[attr-defined]
    batch = selectors.batch_get(user=user, public_id=batch_id)
    mapping = (
        data.mapping if data.mapping is not None else {int(i): k for i, k in batch.mapping.items()}
    )
    try:
        services.batch_map(actor=user, batch=batch, mapping=mapping)
    except services.ImportInvalid as e:
        return _invalid(e)
    batch.refresh_from_db()
    return _out(batch)


@router.get(
    "/{batch_id}/rows",
    response={200: RowsOut, 401: Message, 403: Message, 404: Message},
    summary="校验结果（按类别分页）",
)
@declare_scope("person:import")
def batch_rows(
    request: HttpRequest,
    batch_id: UUID,
    status: str = Query("rejected", description="new / update / unchanged / duplicate / rejected"),
    page: int = Query(1, ge=1),
) -> Any:
    batch = selectors.batch_get(user=request.auth, public_id=batch_id)  # type: ignore[attr-defined]
    p = selectors.batch_rows(batch=batch, status=status, page=page)
    return {
        "items": [
            {
                "row_no": r.row_no,
                "status": r.status,
                "name": r.name,
                "id_number_masked": r.id_number_masked,
                "errors": r.errors,
                "changes": r.changes,
            }
            for r in p
        ],
        "page": p.number,
        "pages": p.paginator.num_pages,
        "count": p.paginator.count,
    }


@router.post(
    "/{batch_id}/commit",
    response={
        200: BatchOut,
        401: Message,
        403: Message,
        404: Message,
        409: Message,
        422: ValidationOut,
    },
    summary="确认导入（全部写入或全部不写入）",
)
@declare_scope("person:import")
def batch_commit(request: HttpRequest, batch_id: UUID) -> Any:
    user = request.auth  # type: ignore[attr-defined]
    batch = selectors.batch_get(user=user, public_id=batch_id)
    try:
        services.batch_commit_request(actor=user, batch=batch)
    except services.ImportInvalid as e:
        return _invalid(e)
    batch.refresh_from_db()
    if batch.message and batch.status != "committed":
        return Status(409, {"detail": batch.message})
    return _out(batch)
