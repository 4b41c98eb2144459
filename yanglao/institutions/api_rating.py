"""REST API of 等级评定 for officers (issue 11 parts 7 and 10), under /api/v1/ratings: the
queue, one application with its clause scores, the experts' scores, the committee's decision.
Certificates are issued on the page once the publicity has ended."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any
from uuid import UUID

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest
from ninja import Query, Router, Schema, Status

from yanglao.accounts.api_scope import declare_scope
from yanglao.accounts.models import User
from yanglao.core.api_schemas import Message, ValidationOut
from yanglao.institutions import rating, rating_selectors
from yanglao.institutions.models import RatingApplication, RatingStatus
from yanglao.institutions.services import InstitutionInvalid, NotPermitted

router = Router(tags=["养老机构等级评定"])
INVALID = "提交的内容有误"
MAX_PAGE = 200


def _user(request: HttpRequest) -> User:
    user = request.auth  # type: ignore[attr-defined]
    assert isinstance(user, User)
    return user


class ClauseScoreOut(Schema):
    clause: str
    part: str
    title: str
    max_points: int
    verified: bool
    self_score: Decimal | None
    expert_score: Decimal | None
    evidence: str


class RatingOut(Schema):
    id: str
    institution_id: str
    institution: str
    edition: str
    requested_level: int
    status: str
    status_label: str
    applied_on: date
    self_total: Decimal | None
    expert_total: Decimal | None
    reached_level: int | None
    level: int | None
    publicity_from: date | None
    publicity_until: date | None
    certificate_no: str
    valid_until: date | None


class RatingDetailOut(RatingOut):
    scores: list[ClauseScoreOut]


class RatingListOut(Schema):
    count: int
    results: list[RatingOut]


class ScoreIn(Schema):
    clause: str
    score: str
    evidence: str = ""


class ScoresIn(Schema):
    scores: list[ScoreIn]


class DecideIn(Schema):
    approve: bool
    level: int | None = None
    note: str = ""


def _out(a: RatingApplication) -> dict[str, Any]:
    return {
        "id": str(a.public_id),
        "institution_id": str(a.institution.public_id),
        "institution": a.institution.name,
        "edition": a.edition,
        "requested_level": a.requested_level,
        "status": a.status,
        "status_label": a.get_status_display(),
        "applied_on": a.applied_on,
        "self_total": a.self_total,
        "expert_total": a.expert_total,
        "reached_level": a.reached_level,
        "level": a.level,
        "publicity_from": a.publicity_from,
        "publicity_until": a.publicity_until,
        "certificate_no": a.certificate_no,
        "valid_until": a.valid_until,
    }


def _detail(a: RatingApplication) -> dict[str, Any]:
    return _out(a) | {
        "scores": [
            {
                "clause": s.clause.code,
                "part": s.clause.part,
                "title": s.clause.title,
                "max_points": s.clause.max_points,
                "verified": s.clause.verified,
                "self_score": s.self_score,
                "expert_score": s.expert_score,
                "evidence": s.evidence,
            }
            for s in rating_selectors.scores(a)
        ]
    }


@router.get(
    "",
    response={200: RatingListOut, 400: Message, 403: Message, 404: Message},
    summary="等级评定（本辖区）",
)
@declare_scope("institution:rate")
def rating_list(
    request: HttpRequest,
    status: str = Query("", max_length=20, description="self_assessment / scoring / …"),
    region: str = Query("", max_length=12, description="区划代码（任意级别）"),
    offset: int = Query(0, description="从第几条开始"),
    limit: int = Query(50, description=f"每页条数，1–{MAX_PAGE}"),
) -> Any:
    if not 0 <= offset <= 10_000_000 or not 1 <= limit <= MAX_PAGE:
        return Status(400, {"detail": f"offset 不能为负数，limit 应在 1 到 {MAX_PAGE} 之间"})
    region = region.strip()
    if region and not (region.isascii() and region.isdigit() and len(region) in (2, 4, 6, 9, 12)):
        return Status(400, {"detail": "区划代码应为2、4、6、9或12位数字"})
    qs = rating_selectors.applications(
        _user(request), status if status in RatingStatus.values else "", region
    )
    return {"count": qs.count(), "results": [_out(a) for a in qs[offset : offset + limit]]}


@router.get(
    "/{rating_id}", response={200: RatingDetailOut, 403: Message, 404: Message}, summary="评定详情"
)
@declare_scope("institution:rate")
def rating_detail(request: HttpRequest, rating_id: UUID) -> Any:
    return _detail(rating_selectors.application_get(user=_user(request), public_id=rating_id))


def _call(request: HttpRequest, rating_id: UUID, fn: Any, **kwargs: Any) -> Any:
    user = _user(request)
    app = rating_selectors.application_get(user=user, public_id=rating_id)
    try:
        app = fn(actor=user, application=app, **kwargs)
    except NotPermitted as exc:
        raise PermissionDenied from exc
    except InstitutionInvalid as exc:
        return Status(422, {"detail": INVALID, "errors": exc.errors})
    return _detail(app)


@router.post(
    "/{rating_id}/scores",
    response={200: RatingDetailOut, 403: Message, 404: Message, 422: ValidationOut},
    summary="专家逐项评分（须写明评分依据）",
)
@declare_scope("institution:rate")
def rating_scores(request: HttpRequest, rating_id: UUID, data: ScoresIn) -> Any:
    entries = {
        s.clause[:10]: rating.ClauseScore(s.score[:20], s.evidence[:500]) for s in data.scores
    }
    return _call(request, rating_id, rating.rating_score, entries=entries)


@router.post(
    "/{rating_id}/decision",
    response={200: RatingDetailOut, 403: Message, 404: Message, 422: ValidationOut},
    summary="评定委员会决定（通过后进入公示）",
)
@declare_scope("institution:rate")
def rating_decision(request: HttpRequest, rating_id: UUID, data: DecideIn) -> Any:
    return _call(
        request,
        rating_id,
        rating.rating_decide,
        approve=data.approve,
        level=data.level,
        note=data.note[:500],
    )
