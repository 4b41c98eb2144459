"""REST API v1 (django-ninja). OpenAPI at /api/docs.

Every operation declares its scope (`accounts.api_scope.declare_scope`); reads go through the people
selectors and writes through the people services, so the API sees and changes exactly what
the web pages would for the same account. A record outside the caller's jurisdiction is a
404, a capability the caller's role lacks is a 403. Identifiers only ever leave masked.
"""

from __future__ import annotations

from datetime import date
from typing import Any
from uuid import UUID

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.utils import timezone
from ninja import NinjaAPI, Query, Router, Status, renderers
from ninja.errors import AuthenticationError, HttpError, ValidationError

from yanglao.accounts import services as account_services
from yanglao.accounts.api_scope import PUBLIC, ScopeDenied, declare_scope
from yanglao.accounts.models import ApiToken, User
from yanglao.accounts.roles import Cap
from yanglao.accounts.scoping import READ_RECORDS, WRITE_RECORDS, in_scope, user_ranges
from yanglao.api.auth import BearerAuth, token_issue
from yanglao.api.schemas import (
    CategoryOut,
    ConflictOut,
    ContactIn,
    ContactOut,
    DementiaOut,
    DisabilityOut,
    Message,
    PersonCreateIn,
    PersonListItem,
    PersonListOut,
    PersonOut,
    PersonPatchIn,
    RegionChildOut,
    RegionOut,
    TokenIn,
    TokenListOut,
    TokenOut,
    ValidationOut,
)
from yanglao.assessments.api import router as assessments_router
from yanglao.benefits.api import router as benefits_router
from yanglao.community.api import router as community_router
from yanglao.community.api_programmes import router as alarms_router
from yanglao.core.denied import audit_denied, reason_of
from yanglao.feedback.api import public_router as feedback_public_router
from yanglao.feedback.api import router as feedback_router
from yanglao.imports.api import router as imports_router
from yanglao.institutions.api import router as institutions_router
from yanglao.institutions.api_public import router as institutions_public_router
from yanglao.institutions.api_rating import router as ratings_router
from yanglao.institutions.api_supervision import router as inspections_router
from yanglao.people import groups, selectors, services
from yanglao.people.choices import ADVANCED_AGE, AGE_BANDS, Category, LifeStatus, Relation
from yanglao.people.models import Person
from yanglao.people.rules import ADVANCED_AGE as ADVANCED_AGE_YEARS
from yanglao.people.rules import ContactInput, PersonInput, age_on
from yanglao.regions import codes
from yanglao.regions.models import Level, Region
from yanglao.reporting.api import router as reporting_router
from yanglao.statistics.api import public_router as statistics_public_router
from yanglao.statistics.api import router as statistics_router
from yanglao.visits.api import router as visits_router


class JSONRenderer(renderers.JSONRenderer):
    """UTF-8 JSON: Chinese messages and names readable as they are, not as \\u escapes."""

    json_dumps_params = {"ensure_ascii": False}


_COMMON_ERRORS = {
    "400": ("请求体不是有效的 JSON，或超过大小上限", "Message"),
    "401": ("未登录或令牌无效、已过期", "Message"),
    "422": ("数据校验未通过（按字段列出中文说明）", "ValidationOut"),
}


def document_common_errors(schema: dict[str, Any]) -> dict[str, Any]:
    """Add to every operation the error answers the framework gives it whatever its code: 401
    where a token is required, 422 where it takes parameters or a body, 400 where it takes a
    body (malformed JSON, too large). Schemathesis holds the API to this list (issue 15)."""
    for path_item in schema.get("paths", {}).values():
        for op in path_item.values():
            if not isinstance(op, dict) or "responses" not in op:
                continue
            wanted = []
            if op.get("security"):
                wanted.append("401")
            if op.get("parameters") or op.get("requestBody"):
                wanted.append("422")
            if op.get("requestBody"):
                wanted.append("400")
            for code in wanted:
                description, ref = _COMMON_ERRORS[code]
                op["responses"].setdefault(
                    code,
                    {
                        "description": description,
                        "content": {
                            "application/json": {"schema": {"$ref": f"#/components/schemas/{ref}"}}
                        },
                    },
                )
    return schema


class YanglaoAPI(NinjaAPI):
    def get_openapi_schema(self, *args: Any, **kwargs: Any) -> Any:
        schema = super().get_openapi_schema(*args, **kwargs)
        components = schema.setdefault("components", {}).setdefault("schemas", {})
        for model in (Message, ValidationOut):
            components.setdefault(model.__name__, model.model_json_schema())
        return document_common_errors(schema)


api = YanglaoAPI(
    title="养老服务平台 API",
    renderer=JSONRenderer(),
    version="1",
    urls_namespace="api",
    auth=BearerAuth(),
    description=(
        "先以账号和密码 `POST /api/v1/auth/token` 取得令牌，之后每个请求带 "
        "`Authorization: Bearer <令牌>`。数据范围与网页端相同：辖区以外的记录一律 404。"
    ),
)

NOT_FOUND = "未找到"
FORBIDDEN = "无权执行此操作"
INVALID = "数据校验未通过"
STALE = "记录已被他人修改，请刷新后重试"
BAD_LOGIN = "账号或密码错误"
LOCKED = "登录失败次数过多，账号已锁定15分钟"
UNAUTHENTICATED = "未登录或令牌无效、已过期"


# --- errors -----------------------------------------------------------------------------


def _json(request: HttpRequest, status: int, body: dict[str, Any]) -> HttpResponse:
    return api.create_response(request, body, status=status)


def _invalid(request: HttpRequest, errors: dict[str, list[str]]) -> HttpResponse:
    return _json(request, 422, {"detail": INVALID, "errors": errors})


def _field_name(loc: tuple[Any, ...]) -> str:
    """('body', 'data', 'contacts', 0, 'phone') -> 'contact1_phone' (the services' naming)."""
    source, *parts = loc
    if source == "body" and parts:
        parts = parts[1:]  # the view's body parameter
    if not parts:
        return "__all__"
    if parts[0] == "contacts" and len(parts) >= 3 and isinstance(parts[1], int):
        return f"contact{parts[1] + 1}_{parts[2]}"
    return str(parts[0])


def _message(error: dict[str, Any]) -> str:
    kind: str = error.get("type", "")
    ctx: dict[str, Any] = error.get("ctx") or {}
    if kind == "missing":
        return "必填项"
    if kind == "extra_forbidden":
        return "不支持的字段"
    if kind == "string_too_long":
        return f"不能超过{ctx.get('max_length')}个字符"
    if kind == "too_long":
        return f"最多{ctx.get('max_length')}项"
    if kind == "greater_than_equal":
        return f"不能小于{ctx.get('ge')}"
    if kind == "less_than_equal":
        return f"不能大于{ctx.get('le')}"
    if kind == "iso_date" or kind.startswith(("date_", "datetime_")):
        return "日期格式不正确，应为 YYYY-MM-DD"
    if kind.startswith("int_"):
        return "格式不正确，应为整数"
    if kind == "string_type":
        return "格式不正确，应为文本"
    if kind == "list_type":
        return "格式不正确，应为列表"
    if kind in {"model_type", "dict_type", "model_attributes_type"}:
        return "格式不正确，应为对象"
    if kind.startswith("uuid_"):
        return "编号格式不正确"
    return "格式不正确"


@api.exception_handler(ValidationError)
def _on_validation(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    errors: dict[str, list[str]] = {}
    for error in exc.errors:
        field, msg = _field_name(tuple(error.get("loc", ()))), _message(error)
        if msg not in errors.setdefault(field, []):
            errors[field].append(msg)
    return _invalid(request, errors)


@api.exception_handler(services.PersonInvalid)
def _on_person_invalid(request: HttpRequest, exc: services.PersonInvalid) -> HttpResponse:
    return _invalid(request, exc.errors)


@api.exception_handler(Http404)
def _on_404(request: HttpRequest, exc: Http404) -> HttpResponse:
    audit_denied(request, status=404, reason=reason_of(exc, "不存在或不在管辖范围"))
    return _json(request, 404, {"detail": NOT_FOUND})


def _forbidden(request: HttpRequest, exc: Exception | type[Exception]) -> HttpResponse:
    audit_denied(request, status=403, reason=reason_of(exc, "无此权限"))
    return _json(request, 403, {"detail": FORBIDDEN})


for _exc in (ScopeDenied, services.NotPermitted, PermissionDenied):
    api.add_exception_handler(_exc, _forbidden)


@api.exception_handler(AuthenticationError)
def _on_unauthenticated(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
    response = _json(request, 401, {"detail": UNAUTHENTICATED})
    response["WWW-Authenticate"] = "Bearer"
    return response


_HTTP_MESSAGES = {
    400: "请求体不是有效的 JSON",
    403: FORBIDDEN,
    404: NOT_FOUND,
    429: "请求过于频繁，请稍后再试",
}


@api.exception_handler(HttpError)
def _on_http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    return _json(
        request, exc.status_code, {"detail": _HTTP_MESSAGES.get(exc.status_code, "请求无法处理")}
    )


# --- helpers ----------------------------------------------------------------------------


def _user(request: HttpRequest) -> User:
    user = request.auth  # type: ignore[attr-defined]
    assert isinstance(user, User)
    return user


def _require_region_writable(user: User, code: str) -> None:
    """A write aimed at a region outside the caller's edit jurisdiction is refused (403).

    Badly formed codes are left to the services, which answer with a field error.
    """
    try:
        code12 = codes.pad(code)
    except ValueError:
        return
    if not in_scope(user, code12, WRITE_RECORDS):
        raise ScopeDenied("region")


def _is_active(start: date, end: date | None, on: date) -> bool:
    return start <= on and (end is None or end > on)


def _item(p: Person, today: date) -> PersonListItem:
    return PersonListItem(
        id=p.public_id,
        name=p.name,
        sex=p.sex,
        birth_date=p.birth_date,
        age=age_on(p.birth_date, today),
        region_code=p.region_id,
        region_name=p.region.name,
        id_number_masked=p.id_number_masked,
        phone_masked=p.phone_masked,
        life_status=p.life_status,
        version=p.version,
    )


def _detail(p: Person, today: date, warnings: list[str] | None = None) -> PersonOut:
    path = []
    node: Region | None = p.region
    while node is not None and node.level >= Level.COUNTY:
        path.append(node.name)
        node = node.parent
    tags = sorted(
        (t for t in p.categories.all() if _is_active(t.start_date, t.end_date, today)),
        key=lambda t: (t.start_date, t.category),
    )
    age = age_on(p.birth_date, today)
    return PersonOut(
        id=p.public_id,
        name=p.name,
        sex=p.sex,
        birth_date=p.birth_date,
        age=age,
        advanced_age=age >= ADVANCED_AGE_YEARS,
        ethnicity=p.ethnicity,
        education=p.education,
        living_arrangement=list(p.living_arrangement),
        marital_status=p.marital_status,
        medical_payment=list(p.medical_payment),
        income_sources=list(p.income_sources),
        region_code=p.region_id,
        region_name=p.region.name,
        region_path=path[::-1],
        household_region_code=p.household_region_id,
        household_region_name=p.household_region.name,
        dwelling=p.dwelling,
        dwelling_label=p.get_dwelling_display(),
        key_groups=groups.groups_of(p, today),
        disabilities=[
            DisabilityOut(
                kind=d.kind,
                kind_label=d.get_kind_display() or "未登记",
                grade=d.grade,
                grade_label=d.get_grade_display(),
                certificate_masked=d.certificate_masked,
                issue_date=d.issue_date,
                start_date=d.start_date,
                end_date=d.end_date,
            )
            for d in p.disabilities.order_by("start_date")
        ],
        dementia=[
            DementiaOut(
                diagnosed_on=d.diagnosed_on,
                source=d.source,
                source_label=d.get_source_display(),
                reference=d.reference,
                withdrawn=d.end_date is not None,
            )
            for d in p.dementia.order_by("diagnosed_on")
        ],
        address=p.address,
        id_number_masked=p.id_number_masked,
        phone_masked=p.phone_masked,
        household_no=p.household.household_no if p.household is not None else "",
        life_status=p.life_status,
        life_status_label=p.get_life_status_display(),
        status_date=p.status_date,
        status_reason=p.status_reason,
        categories=[
            CategoryOut(
                category=t.category,
                label=t.get_category_display(),
                grade=t.grade,
                start_date=t.start_date,
                source=t.source,
            )
            for t in tags
        ],
        contacts=[
            ContactOut(
                name=c.name,
                relation=c.relation,
                relation_label=Relation(c.relation).label
                if c.relation in Relation.values
                else c.relation,
                phone_masked=c.phone_masked,
            )
            for c in p.contacts.all()
        ],
        version=p.version,
        created_at=p.created_at,
        updated_at=p.updated_at,
        warnings=warnings or [],
    )


def _contacts(items: list[ContactIn]) -> list[ContactInput]:
    return [ContactInput(name=c.name, relation=c.relation, phone=c.phone) for c in items]


def _current_input(p: Person) -> PersonInput:
    """The record as it stands, identifiers decrypted, to merge a PATCH onto."""
    return PersonInput(
        name=p.name,
        sex=p.sex,
        birth_date=p.birth_date,
        id_number=p.id_number,
        region_code=p.region_id,
        ethnicity=p.ethnicity,
        education=p.education,
        living_arrangement=list(p.living_arrangement),
        marital_status=p.marital_status,
        medical_payment=list(p.medical_payment),
        income_sources=list(p.income_sources),
        address=p.address,
        phone=p.phone,
        household_no=p.household.household_no if p.household is not None else "",
        contacts=[
            ContactInput(name=c.name, relation=c.relation, phone=c.phone) for c in p.contacts.all()
        ],
        household_region_code=p.household_region_id,
        dwelling=p.dwelling,
    )


# --- auth -------------------------------------------------------------------------------

auth_router = Router(tags=["认证"])


@auth_router.post(
    "/token",
    auth=None,
    response={200: TokenOut, 401: Message, 403: Message},
    summary="以账号和密码换取访问令牌",
)
@declare_scope(PUBLIC)
def token(request: HttpRequest, data: TokenIn) -> Any:
    result = token_issue(
        request=request, username=data.username, password=data.password, otp=data.otp
    )
    if result.locked:
        return Status(403, {"detail": LOCKED})
    if result.refused in TOKEN_REFUSED:
        status, detail = TOKEN_REFUSED[result.refused]
        return Status(status, {"detail": detail})
    if not result.token:
        return Status(401, {"detail": BAD_LOGIN})
    return Status(
        200, {"token": result.token, "token_type": "Bearer", "expires_at": result.expires_at}
    )


TOKEN_REFUSED = {
    "otp_missing": (401, "此账号须双因素登录：请在 otp 中填写手机验证器上的6位动态验证码"),
    "otp_wrong": (401, "动态验证码不正确或已使用过"),
    "otp_not_enrolled": (403, "此账号须双因素登录：请先在网页登录并绑定动态验证码"),
    "password_change": (403, "密码为临时密码或已过期：请先在网页登录并修改密码"),
}


def _token_item(t: ApiToken) -> dict[str, Any]:
    return {
        "id": t.public_id,
        "username": t.user.username,
        "prefix": t.prefix,
        "created_at": t.created_at,
        "expires_at": t.expires_at,
    }


@auth_router.get(
    "/tokens",
    response={200: TokenListOut, 401: Message, 403: Message},
    summary="有效的接口令牌：本人的；安全管理员为全部账号的",
)
@declare_scope("token:own")
def token_list(request: HttpRequest) -> Any:
    user: User = request.auth  # type: ignore[attr-defined]
    rows = ApiToken.objects.select_related("user").filter(expires_at__gt=timezone.now())
    if not user.can(Cap.ACCOUNT_MANAGE):
        rows = rows.filter(user=user)
    return {"items": [_token_item(t) for t in rows.order_by("-created_at")[:1000]]}


@auth_router.delete(
    "/tokens/{token_id}",
    response={204: None, 401: Message, 403: Message, 404: Message},
    summary="吊销令牌（本人的；安全管理员可吊销任何人的）",
)
@declare_scope("token:own")
def token_revoke(request: HttpRequest, token_id: UUID) -> Any:
    user: User = request.auth  # type: ignore[attr-defined]
    row = ApiToken.objects.select_related("user").filter(public_id=token_id).first()
    if row is None:
        raise Http404
    try:
        account_services.token_revoke(actor=user, token=row)
    except PermissionError as exc:
        raise Http404 from exc
    return Status(204, None)


# --- persons ----------------------------------------------------------------------------

persons_router = Router(tags=["老年人"])

_CATEGORY_VALUES = {*Category.values, ADVANCED_AGE}
_LIFE_STATUS_VALUES = {*LifeStatus.values, "all"}


@persons_router.get(
    "",
    response={200: PersonListOut, 403: Message, 404: Message, 422: ValidationOut},
    summary="老年人列表（游标分页）",
)
@declare_scope("person:read")
def person_list(
    request: HttpRequest,
    region: str = Query("", max_length=12, description="任一级区划代码，可不补零"),
    category: str = Query("", max_length=32, description="类别，或 advanced_age（高龄）"),
    age_band: str = Query("", max_length=8, description="60-69 / 70-79 / 80-89 / 90+"),
    life_status: str = Query(
        "alive", max_length=16, description="alive / deceased / moved_out / all"
    ),
    q: str = Query(
        "",
        max_length=50,
        description="姓名的任意部分、拼音首字母、完整身份证号码、完整电话号码，"
        "或身份证号/电话后4至6位（限乡镇或村范围）",
    ),
    cursor: str = Query("", max_length=100),
    limit: int = Query(selectors.PAGE_SIZE, ge=1, le=200),
) -> Any:
    user = _user(request)
    errors: dict[str, list[str]] = {}
    region12 = ""
    if region.strip():
        try:
            region12 = codes.pad(region)
        except ValueError:
            errors["region"] = ["区划代码格式不正确"]
    if category and category not in _CATEGORY_VALUES:
        errors["category"] = ["未知的类别"]
    if age_band and age_band not in AGE_BANDS:
        errors["age_band"] = ["未知的年龄段"]
    if life_status not in _LIFE_STATUS_VALUES:
        errors["life_status"] = ["未知的状态"]
    if cursor and selectors.decode_cursor(cursor) is None:
        errors["cursor"] = ["分页游标无效"]
    if errors:
        return Status(422, {"detail": INVALID, "errors": errors})
    if region12:
        # A filter on a region wholly outside the caller's jurisdiction: not found, as a
        # record there would be. Decided on code ranges alone, so it tells nothing.
        low, high = codes.subtree_range(region12)
        if not any(
            low <= u_high and u_low <= high for u_low, u_high in user_ranges(user, READ_RECORDS)
        ):
            raise Http404
    f = selectors.PersonFilter(
        region=region12,
        category=category,
        age_band=age_band,
        life_status="" if life_status == "all" else life_status,
        q=q,
    )
    if problem := selectors.search_message(user, f):
        return Status(422, {"detail": INVALID, "errors": {"q": [problem]}})
    today = timezone.localdate()
    rows, next_cursor = selectors.person_list(user=user, f=f, cursor=cursor, limit=limit, on=today)
    return Status(
        200, {"items": [_item(p, today) for p in rows], "next_cursor": next_cursor or None}
    )


@persons_router.get(
    "/{person_id}",
    response={200: PersonOut, 403: Message, 404: Message, 422: ValidationOut},
    summary="老年人详情",
)
@declare_scope("person:read")
def person_detail(request: HttpRequest, person_id: UUID) -> Any:
    person = selectors.person_get(user=_user(request), public_id=person_id)
    return Status(200, _detail(person, timezone.localdate()))


@persons_router.post(
    "", response={201: PersonOut, 403: Message, 422: ValidationOut}, summary="登记老年人"
)
@declare_scope("person:write")
def person_create(request: HttpRequest, data: PersonCreateIn) -> Any:
    user = _user(request)
    _require_region_writable(user, data.region_code)
    values = data.model_dump(exclude={"contacts"})
    person, warnings = services.person_register(
        actor=user, data=PersonInput(**values, contacts=_contacts(data.contacts)), via="api"
    )
    fresh = selectors.person_get(user=user, public_id=person.public_id)
    return Status(201, _detail(fresh, timezone.localdate(), warnings))


@persons_router.patch(
    "/{person_id}",
    response={200: PersonOut, 403: Message, 404: Message, 409: ConflictOut, 422: ValidationOut},
    summary="修改老年人信息（须带读取时的版本号）",
)
@declare_scope("person:write")
def person_update(request: HttpRequest, person_id: UUID, data: PersonPatchIn) -> Any:
    user = _user(request)
    person = selectors.person_get(user=user, public_id=person_id, modes=WRITE_RECORDS)
    if data.version != person.version:
        return Status(409, {"detail": STALE, "current_version": person.version})
    fields = data.model_fields_set - {"version"}
    nulls = sorted(name for name in fields if getattr(data, name) is None)
    if nulls:
        return Status(422, {"detail": INVALID, "errors": {name: ["不能为空"] for name in nulls}})
    if data.region_code is not None:
        _require_region_writable(user, data.region_code)
    merged = _current_input(person)
    for name in fields:
        value = getattr(data, name)
        setattr(merged, name, _contacts(value) if name == "contacts" else value)
    try:
        updated, warnings = services.person_update(
            actor=user, person=person, data=merged, expected_version=data.version, via="api"
        )
    except services.StaleVersion as exc:
        return Status(409, {"detail": STALE, "current_version": exc.current})
    fresh = selectors.person_get(user=user, public_id=updated.public_id)
    return Status(200, _detail(fresh, timezone.localdate(), warnings))


# --- regions ----------------------------------------------------------------------------

regions_router = Router(tags=["行政区划"])


@regions_router.get(
    "/{code}",
    response={200: RegionOut, 403: Message, 404: Message},
    summary="区划节点及其下级，含在世登记人数",
)
@declare_scope("region:read")
def region_detail(request: HttpRequest, code: str) -> Any:
    user = _user(request)
    region = selectors.region_for_browse(user, code.strip())
    figures = selectors.region_figures(user=user, region=region)
    return Status(
        200,
        RegionOut(
            code=region.code,
            name=region.name,
            short_name=region.short_name,
            level=region.level,
            level_label=region.get_level_display(),
            parent_code=region.parent_id,
            valid_to=region.valid_to,
            people=figures.total,
            people_as_of=figures.snapshot.as_of if figures.snapshot else None,
            children=[
                RegionChildOut(
                    code=c.code,
                    name=c.name,
                    short_name=c.short_name,
                    level=c.level,
                    valid_to=c.valid_to,
                    people=n,
                )
                for c, n in figures.rows
            ],
        ),
    )


api.add_router("/v1/auth", auth_router)
api.add_router("/v1/persons", persons_router)
api.add_router("/v1/regions", regions_router)
api.add_router("/v1/assessments", assessments_router)
api.add_router("/v1/imports", imports_router)
api.add_router("/v1/benefits", benefits_router)
api.add_router("/v1/visits", visits_router)
api.add_router("/v1/institutions", institutions_router)
api.add_router("/v1/ratings", ratings_router)
api.add_router("/v1/public", institutions_public_router)
api.add_router("/v1/inspections", inspections_router)
api.add_router("/v1/reporting", reporting_router)
api.add_router("/v1/feedback", feedback_router)
api.add_router("/v1/public/feedback", feedback_public_router)
api.add_router("/v1/community", community_router)
api.add_router("/v1/alarms", alarms_router)
api.add_router("/v1/statistics", statistics_router)
api.add_router("/v1/public/statistics", statistics_public_router)
