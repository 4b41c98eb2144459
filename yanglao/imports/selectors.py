"""Reads for the import pages: a batch is visible to its uploader only."""

from __future__ import annotations

from uuid import UUID

from django.core.paginator import Page, Paginator
from django.db.models import QuerySet
from django.http import Http404

from yanglao.accounts.models import User
from yanglao.core.todo import Todo
from yanglao.imports.models import BatchStatus, ImportBatch, ImportRow, RowStatus

PAGE_SIZE = 50


def batch_list(*, user: User) -> QuerySet[ImportBatch]:
    return ImportBatch.objects.filter(created_by=user).order_by("-created_at")


def batch_get(*, user: User, public_id: UUID | str) -> ImportBatch:
    batch = ImportBatch.objects.filter(created_by=user, public_id=public_id).first()
    if batch is None:
        raise Http404
    return batch


def batch_rows(*, batch: ImportBatch, status: str, page: int = 1) -> Page[ImportRow]:
    if status not in RowStatus.values:
        raise Http404
    qs = (
        ImportRow.objects.filter(batch=batch, status=status)
        .order_by("row_no")
        .only("row_no", "status", "errors", "name", "id_number_masked", "region_id", "changes")
    )
    return Paginator(qs, PAGE_SIZE).get_page(page)


def rejected_rows(*, batch: ImportBatch) -> QuerySet[ImportRow]:
    return (
        ImportRow.objects.filter(batch=batch, status=RowStatus.REJECTED)
        .order_by("row_no")
        .only("row_no", "errors", "raw_cipher")
    )


# Batches that wait for their uploader: map the columns, or look at the preview and commit.
WAITING = (BatchStatus.UPLOADED, BatchStatus.VALIDATED)


def waiting_count(*, user: User) -> Todo:
    """The user's own uploads waiting for a decision (a batch is visible to its uploader)."""
    return Todo(ImportBatch.objects.filter(created_by=user, status__in=WAITING).count())
