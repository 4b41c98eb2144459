"""The only code that writes community services: keyword arguments, an explicit actor, one
transaction, a scope check (404 outside the jurisdiction or the bound provider), one audit
event per write (docs/development.md)."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any
from uuid import UUID

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils import timezone
from django.utils.module_loading import import_string

from yanglao.accounts.models import User
from yanglao.accounts.roles import Cap, Role
from yanglao.accounts.scoping import WRITE_RECORDS, in_scope, require_scoped
from yanglao.assessments.choices import Standard
from yanglao.assessments.choices import Status as AssessmentStatus
from yanglao.assessments.models import Assessment
from yanglao.benefits.models import Entitlement
from yanglao.community import rules
from yanglao.community import settlement_rules as sr
from yanglao.community.choices import (
    ConfirmMethod,
    FacilityKind,
    LogStatus,
    OperatingStatus,
    OrderSource,
    OrderStatus,
    Payer,
    ProviderKind,
    SettlementStatus,
    StaffRole,
)
from yanglao.community.models import (
    CatalogueItem,
    Facility,
    FundingRule,
    Provider,
    ProviderPrice,
    ProviderStaff,
    ServiceLog,
    ServiceOrder,
    Settlement,
    SettlementLine,
)
from yanglao.core.audit import audit
from yanglao.core.photos import decode_photo
from yanglao.institutions.models import Residency
from yanglao.institutions.rules import credit_code_errors, normalise_credit_code
from yanglao.people.choices import LifeStatus
from yanglao.people.models import Person
from yanglao.regions import codes
from yanglao.regions.models import Region
from yanglao.visits.models import VisitRecord

BOUND = "staff"  # Provider → its staff accounts (accounts.scoping `bound`)
ORDER_BOUND = "provider__staff"


class Action:
    PROVIDER_REGISTER = "community.provider_register"
    FACILITY_REGISTER = "community.facility_register"
    STAFF_BIND = "community.staff_bind"
    PRICE_SET = "community.price_set"
    FUNDING_RULE_SET = "community.funding_rule_set"
    ORDER_REQUEST = "community.order_request"
    ORDER_AGREE = "community.order_agree"
    ORDER_DISPATCH = "community.order_dispatch"
    ORDER_CANCEL = "community.order_cancel"
    ORDER_NO_SHOW = "community.order_no_show"
    CHECK_IN = "community.check_in"
    CHECK_OUT = "community.check_out"
    SMS_SEND = "community.sms_send"
    CONFIRM = "community.confirm"
    EVALUATE = "community.evaluate"
    SETTLEMENT_GENERATE = "community.settlement_generate"
    SETTLEMENT_APPROVE = "community.settlement_approve"
    SETTLEMENT_EXPORT = "community.settlement_export"
    ORDERS_GENERATE = "community.orders_generate"


class CommunityInvalid(Exception):
    def __init__(self, errors: dict[str, list[str]]) -> None:
        super().__init__(errors)
        self.errors = errors


class NotPermitted(PermissionError):
    pass


def _fail(key: str, message: str) -> CommunityInvalid:
    return CommunityInvalid({key: [message]})


def _need(actor: User, cap: str) -> None:
    if not actor.can(cap):
        raise NotPermitted(cap)


def _audit(
    actor: User | None,
    action: str,
    kind: str,
    obj: Any,
    region: str,
    changes: dict[str, Any],
    label: str = "",
) -> None:
    audit(
        actor=actor,
        action=action,
        object_type=kind,
        object_id=str(obj.public_id) if hasattr(obj, "public_id") else str(obj.pk),
        object_label=label or str(obj)[:100],
        region_code=region,
        changes=changes,
    )


def is_staff_of(user: User, provider_id: int) -> bool:
    return ProviderStaff.objects.filter(provider_id=provider_id, user=user).exists()


# --- providers, facilities, prices, funding rules (parts 1–2) -----------------------------


@dataclass
class ProviderInput:
    credit_code: str
    name: str
    kind: str
    region_code: str
    address: str
    contact: str = ""
    phone: str = ""
    filing_status: str = "unfiled"
    filed_on: date | None = None


def _region(code: str, key: str = "region") -> Region:
    region = Region.objects.filter(code=code).first()
    if region is None:
        raise _fail(key, "请选择所在地")
    return region


def provider_register(*, actor: User, data: ProviderInput) -> Provider:
    _need(actor, Cap.COMMUNITY_MANAGE)
    region = _region(data.region_code)
    if not in_scope(actor, region.code, WRITE_RECORDS):
        raise Http404
    code = normalise_credit_code(data.credit_code)
    errors: dict[str, list[str]] = {}
    if errs := credit_code_errors(code):
        errors["credit_code"] = errs
    if not data.name.strip():
        errors["name"] = ["请填写服务商名称"]
    if data.kind not in ProviderKind.values:
        errors["kind"] = ["请选择服务商类型"]
    if not data.address.strip():
        errors["address"] = ["请填写地址"]
    if errors:
        raise CommunityInvalid(errors)
    with transaction.atomic():
        if Provider.objects.filter(credit_code=code).exists():
            raise _fail("credit_code", "该统一社会信用代码的服务商已登记")
        p = Provider.objects.create(
            credit_code=code,
            name=data.name.strip(),
            kind=data.kind,
            region=region,
            address=data.address.strip(),
            contact=data.contact.strip(),
            phone=data.phone.strip(),
            filing_status=data.filing_status,
            filed_on=data.filed_on,
        )
        _audit(actor, Action.PROVIDER_REGISTER, "provider", p, region.code, {"name": p.name})
    return p


@dataclass
class FacilityInput:
    name: str
    kind: str
    region_code: str
    address: str
    provider: Provider | None = None
    longitude: Decimal | None = None
    latitude: Decimal | None = None
    opening_hours: str = ""
    capacity: int = 0
    staff_on_duty: int = 0
    filing_status: str = "unfiled"


def facility_register(*, actor: User, data: FacilityInput) -> Facility:
    _need(actor, Cap.COMMUNITY_MANAGE)
    region = _region(data.region_code)
    if not in_scope(actor, region.code, WRITE_RECORDS):
        raise Http404
    if data.kind not in FacilityKind.values:
        raise _fail("kind", "请选择设施类型")
    if not data.name.strip():
        raise _fail("name", "请填写设施名称")
    with transaction.atomic():
        f = Facility.objects.create(
            name=data.name.strip(),
            kind=data.kind,
            provider=data.provider,
            region=region,
            address=data.address.strip(),
            longitude=data.longitude,
            latitude=data.latitude,
            opening_hours=data.opening_hours.strip(),
            capacity=data.capacity,
            staff_on_duty=data.staff_on_duty,
            filing_status=data.filing_status,
        )
        _audit(actor, Action.FACILITY_REGISTER, "facility", f, region.code, {"name": f.name})
    return f


def _manage_provider(actor: User, provider: Provider) -> Provider:
    _need(actor, Cap.COMMUNITY_MANAGE)
    return require_scoped(
        Provider.objects.select_for_update().filter(pk=provider.pk), actor, WRITE_RECORDS
    )


def staff_bind(*, actor: User, provider: Provider, user: User, role: str) -> ProviderStaff:
    """Bind an account to the provider (an officer of the provider's county does this, as
    for institution operators)."""
    if role not in StaffRole.values:
        raise _fail("role", "请选择岗位")
    if user.role not in (Role.PROVIDER_MANAGER, Role.PROVIDER_WORKER):
        raise _fail("user", "只能绑定“服务商负责人”或“服务商服务人员”角色的账号")
    with transaction.atomic():
        provider = _manage_provider(actor, provider)
        staff, created = ProviderStaff.objects.get_or_create(
            provider=provider, user=user, defaults={"role": role, "created_by": actor}
        )
        if created:
            _audit(
                actor,
                Action.STAFF_BIND,
                "provider",
                provider,
                provider.region_id,
                {"user": user.username, "role": role},
            )
    return staff


def _money(value: Any, key: str) -> Decimal:
    try:
        amount = Decimal(str(value).strip().translate(rules.FULLWIDTH_DIGITS))
    except (InvalidOperation, ValueError) as exc:
        raise _fail(key, "金额应为数字，如 35 或 35.50") from exc
    if not amount.is_finite() or amount < 0 or amount > Decimal("100000"):
        raise _fail(key, "金额应在0至100000元之间")
    return sr.money(amount)


def price_set(
    *,
    actor: User,
    provider: Provider,
    item: CatalogueItem,
    unit_price: Any,
    effective_from: date,
) -> ProviderPrice:
    """A new price from a date; the price in force before it ends that day (rows are never
    edited, so every past log keeps the price of its day)."""
    amount = _money(unit_price, "unit_price")
    with transaction.atomic():
        provider = _manage_provider(actor, provider)
        prices = ProviderPrice.objects.select_for_update().filter(provider=provider, item=item)
        if prices.filter(effective_from__gte=effective_from).exists():
            raise _fail("effective_from", "该日期及以后已有价格，新价格的生效日期须晚于现有价格")
        prices.filter(
            Q(effective_to__isnull=True) | Q(effective_to__gt=effective_from),
            effective_from__lt=effective_from,
        ).update(effective_to=effective_from)
        p = ProviderPrice.objects.create(
            provider=provider, item=item, unit_price=amount, effective_from=effective_from
        )
        _audit(
            actor,
            Action.PRICE_SET,
            "provider",
            provider,
            provider.region_id,
            {"item": item.code, "unit_price": str(amount), "from": effective_from.isoformat()},
        )
    return p


def funding_rule_set(
    *,
    actor: User,
    region_code: str,
    benefit_code: str,
    item: CatalogueItem,
    amount_per_unit: Any,
    monthly_cap: Any,
    effective_from: date,
    document_no: str = "",
) -> FundingRule:
    """Which service-list item pays for a catalogue item, per unit and up to a monthly cap,
    set by the county (or above) for its area; a new rule ends the open one of the same
    level, item and benefit."""
    _need(actor, Cap.COMMUNITY_MANAGE)
    region = _region(region_code)
    if not in_scope(actor, region.code, WRITE_RECORDS):
        raise Http404
    code = benefit_code.strip().upper()[:16]
    if not code:
        raise _fail("benefit_code", "请选择支付的服务清单项目")
    amount = _money(amount_per_unit, "amount_per_unit")
    cap = None if str(monthly_cap or "").strip() == "" else _money(monthly_cap, "monthly_cap")
    with transaction.atomic():
        same = FundingRule.objects.select_for_update().filter(
            region=region, item=item, benefit_code=code
        )
        if same.filter(effective_from__gte=effective_from).exists():
            raise _fail("effective_from", "该日期及以后已有规则，新规则的生效日期须晚于现有规则")
        same.filter(effective_to__isnull=True).update(effective_to=effective_from)
        rule = FundingRule.objects.create(
            benefit_code=code,
            item=item,
            amount_per_unit=amount,
            monthly_cap=cap,
            region=region,
            effective_from=effective_from,
            document_no=document_no.strip()[:100],
        )
        audit(
            actor=actor,
            action=Action.FUNDING_RULE_SET,
            object_type="funding_rule",
            object_id=str(rule.pk),
            object_label=f"{code} → {item.name}",
            region_code=region.code,
            changes={"amount": str(amount), "cap": str(cap), "from": effective_from.isoformat()},
        )
    return rule


def funding_rules_for(region_code: str, item_id: int, on: date) -> list[FundingRule]:
    """Rules in force for an item at a place (a village or a county): the national rows and
    those of the place's ancestors; the most local level wins per service-list item."""
    qs = FundingRule.objects.filter(item_id=item_id, effective_from__lte=on).filter(
        Q(effective_to__isnull=True) | Q(effective_to__gt=on)
    )
    best: dict[str, FundingRule] = {}
    for r in qs.order_by("effective_from"):
        depth = len(codes.prefix(r.region_id)) if r.region_id else 0
        if r.region_id and not region_code.startswith(codes.prefix(r.region_id)):
            continue
        cur = best.get(r.benefit_code)
        if cur is None or depth >= (len(codes.prefix(cur.region_id)) if cur.region_id else 0):
            best[r.benefit_code] = r
    return sorted(best.values(), key=lambda r: r.benefit_code)


# --- orders (part 3) -----------------------------------------------------------------------


def _order_locked(actor: User, order: ServiceOrder) -> ServiceOrder:
    qs = ServiceOrder.objects.select_for_update().filter(pk=order.pk)
    return require_scoped(qs, actor, WRITE_RECORDS, bound=ORDER_BOUND)


def order_request(
    *,
    actor: User,
    person: Person,
    item: CatalogueItem,
    source: str,
    quantity: Decimal = Decimal(1),
    scheduled_for: date | None = None,
    note: str = "",
    visit_record: VisitRecord | None = None,
    entitlement: Entitlement | None = None,
) -> ServiceOrder:
    _need(actor, Cap.COMMUNITY_ORDER)
    if not in_scope(actor, person.region_id, WRITE_RECORDS):
        raise Http404
    if person.life_status != LifeStatus.ALIVE:
        raise _fail("person", "该老人已死亡或迁出，不能申请服务")
    if source not in OrderSource.values:
        raise _fail("source", "请选择申请来源")
    if not item.active:
        raise _fail("item", "该服务项目已停用")
    if quantity <= 0 or quantity > 1000:
        raise _fail("quantity", "数量应在0至1000之间")
    if visit_record is not None and visit_record.person_id != person.pk:
        raise _fail("visit_record", "巡访记录不是该老人的")
    with transaction.atomic():
        order = ServiceOrder.objects.create(
            person=person,
            region_id=person.region_id,
            item=item,
            source=source,
            quantity=quantity,
            scheduled_for=scheduled_for,
            note=note.strip()[:500],
            visit_record=visit_record,
            entitlement=entitlement,
            requested_by=actor,
        )
        _audit(
            actor,
            Action.ORDER_REQUEST,
            "service_order",
            order,
            order.region_id,
            {"item": item.code, "source": source, "person": str(person.public_id)},
            label=f"{person.name} {item.name}",
        )
    return order


def latest_grade(person: Person) -> int | None:
    """The person's current GB/T 42195 final grade (assessments app), None if never assessed."""
    row = (
        Assessment.objects.filter(
            person=person, status=AssessmentStatus.FINAL, standard=Standard.GBT_42195
        )
        .order_by("-assessment_date", "-confirmed_at")
        .values_list("final_grade", flat=True)
        .first()
    )
    return row


def order_agree(*, actor: User, order: ServiceOrder, agreement: str = "") -> ServiceOrder:
    """The person or family agrees to the service. An item that needs an assessment waits
    (待评估) until the person has a final ability assessment."""
    _need(actor, Cap.COMMUNITY_ORDER)
    with transaction.atomic():
        order = _order_locked(actor, order)
        if order.status not in (OrderStatus.REQUESTED, OrderStatus.ASSESSING):
            raise _fail("__all__", "工单当前状态不能签约")
        item = order.item
        grade = latest_grade(order.person) if item.needs_assessment else None
        if item.needs_assessment and grade is None:
            order.status = OrderStatus.ASSESSING
        else:
            order.status = OrderStatus.AGREED
            order.assessment_grade = grade
            order.agreement = agreement.strip()[:300] or rules.default_agreement(item.name)
            order.agreed_at = timezone.now()
        order.version += 1
        order.save()
        _audit(
            actor,
            Action.ORDER_AGREE,
            "service_order",
            order,
            order.region_id,
            {"status": order.status, "grade": grade},
            label=f"{order.person.name} {item.name}",
        )
    return order


def order_dispatch(
    *,
    actor: User,
    order: ServiceOrder,
    provider: Provider | None = None,
    worker: User | None = None,
) -> ServiceOrder:
    """An officer dispatches the order to a provider; the provider's manager (or the
    officer) names the worker."""
    _need(actor, Cap.COMMUNITY_DISPATCH)
    with transaction.atomic():
        order = _order_locked(actor, order)
        if order.status not in (OrderStatus.AGREED, OrderStatus.DISPATCHED):
            raise _fail("__all__", "工单签约后才能派单")
        officer = actor.role not in (Role.PROVIDER_MANAGER, Role.PROVIDER_WORKER)
        if provider is not None and provider.pk != order.provider_id:
            if not officer:
                raise NotPermitted(Cap.COMMUNITY_DISPATCH)
            if provider.status != OperatingStatus.OPERATING:
                raise _fail("provider", "该服务商未在运营中")
            if not ProviderPrice.objects.filter(provider=provider, item=order.item).exists():
                raise _fail("provider", "该服务商没有该服务项目的价格，不能派单")
            order.provider = provider
            order.worker = None
        if order.provider_id is None:
            raise _fail("provider", "请选择服务商")
        if worker is not None:
            if not officer and not is_staff_of(actor, order.provider_id):
                raise Http404
            if not ProviderStaff.objects.filter(
                provider_id=order.provider_id, user=worker
            ).exists():
                raise _fail("worker", "该服务人员不属于该服务商")
            order.worker = worker
        order.status = OrderStatus.DISPATCHED
        order.dispatched_at = order.dispatched_at or timezone.now()
        order.version += 1
        order.save()
        _audit(
            actor,
            Action.ORDER_DISPATCH,
            "service_order",
            order,
            order.region_id,
            {"provider": order.provider_id, "worker": worker.username if worker else None},
            label=f"{order.person.name} {order.item.name}",
        )
    return order


OPEN_ORDER = (
    OrderStatus.REQUESTED,
    OrderStatus.ASSESSING,
    OrderStatus.AGREED,
    OrderStatus.DISPATCHED,
)


def order_cancel(*, actor: User, order: ServiceOrder, reason: str) -> ServiceOrder:
    if not (actor.can(Cap.COMMUNITY_ORDER) or actor.can(Cap.COMMUNITY_DISPATCH)):
        raise NotPermitted(Cap.COMMUNITY_ORDER)
    reason = reason.strip()[:200]
    if not reason:
        raise _fail("reason", "请填写取消原因")
    with transaction.atomic():
        order = _order_locked(actor, order)
        if order.status not in OPEN_ORDER:
            raise _fail("__all__", "工单已办结或已取消")
        order.status = OrderStatus.CANCELLED
        order.cancel_reason = reason
        order.closed_at = timezone.now()
        order.version += 1
        order.save()
        _audit(
            actor,
            Action.ORDER_CANCEL,
            "service_order",
            order,
            order.region_id,
            {"reason": reason},
            label=f"{order.person.name} {order.item.name}",
        )
    return order


# --- delivery: check in and out, confirmation, evaluation ---------------------------------


@dataclass(frozen=True)
class Outcome:
    log: ServiceLog
    created: bool


def _serve_order(actor: User, order_id: UUID) -> ServiceOrder:
    """The order, locked, if the actor is staff of its provider (or its officer)."""
    _need(actor, Cap.COMMUNITY_SERVE)
    qs = ServiceOrder.objects.select_for_update().filter(public_id=order_id)
    order = require_scoped(qs, actor, WRITE_RECORDS, bound=ORDER_BOUND)
    if order.status != OrderStatus.DISPATCHED:
        raise _fail("order", "该工单不在派单状态（已办结、已取消或尚未派单）")
    return order


def _photo(photo: str | None) -> tuple[bytes | None, str]:
    if not photo:
        return None, ""
    try:
        raw, ctype = decode_photo(photo)
    except ValueError as exc:
        raise _fail("photo", str(exc)) from exc
    return raw, ctype


def _coord(value: float | None, low: float, high: float) -> Decimal | None:
    if value is None:
        return None
    if not (low <= value <= high):
        raise _fail("location", "定位坐标超出范围")
    return Decimal(str(round(value, 6)))


def check_in(
    *,
    actor: User,
    order_id: UUID,
    client_uuid: UUID,
    at: datetime,
    latitude: float | None = None,
    longitude: float | None = None,
    photo: str | None = None,
) -> Outcome:
    """The worker arrives: one log per client UUID, whatever the number of uploads."""
    existing = ServiceLog.objects.filter(client_uuid=client_uuid).first()
    if existing is not None:
        if existing.worker_id != actor.pk:
            raise _fail("client_uuid", "记录编号已被使用")
        return Outcome(existing, False)
    raw, ctype = _photo(photo)
    now = timezone.now()
    if at > now + rules.CLOCK_SKEW:
        raise _fail("at", "签到时间晚于当前时间")
    try:
        with transaction.atomic():
            order = _serve_order(actor, order_id)
            if order.worker_id not in (None, actor.pk) and actor.role == Role.PROVIDER_WORKER:
                raise _fail("order", "该工单已派给其他服务人员")
            assert order.provider_id is not None  # dispatched orders have a provider
            log = ServiceLog.objects.create(
                client_uuid=client_uuid,
                order=order,
                person_id=order.person_id,
                region_id=order.region_id,
                provider_id=order.provider_id,
                facility_id=order.facility_id,
                item_id=order.item_id,
                worker=actor,
                service_date=timezone.localtime(at).date(),
                check_in_at=at,
                check_in_lat=_coord(latitude, -90, 90),
                check_in_lon=_coord(longitude, -180, 180),
                photo=ctype,
                photo_data=raw,
                quantity=order.quantity,
                status=LogStatus.IN_SERVICE,
            )
            _audit(
                actor,
                Action.CHECK_IN,
                "service_log",
                log,
                log.region_id,
                {"order": str(order.public_id), "at": at.isoformat()},
                label=order.item.name,
            )
    except IntegrityError:
        again = ServiceLog.objects.filter(client_uuid=client_uuid).first()
        if again is None:
            raise
        return Outcome(again, False)
    return Outcome(log, True)


def _own_log(actor: User, log_uuid: UUID) -> ServiceLog:
    _need(actor, Cap.COMMUNITY_SERVE)
    qs = ServiceLog.objects.select_for_update().filter(client_uuid=log_uuid)
    log = require_scoped(qs, actor, WRITE_RECORDS, bound=ORDER_BOUND)
    return log


def check_out(
    *,
    actor: User,
    log_uuid: UUID,
    at: datetime,
    latitude: float | None = None,
    longitude: float | None = None,
    photo: str | None = None,
    quantity: Decimal | None = None,
    note: str = "",
) -> Outcome:
    """The worker leaves; a second upload of the same check-out changes nothing."""
    raw, ctype = _photo(photo)
    with transaction.atomic():
        log = _own_log(actor, log_uuid)
        if log.check_out_at is not None:
            return Outcome(log, False)
        if log.check_in_at and at < log.check_in_at:
            raise _fail("at", "签退时间早于签到时间")
        if at > timezone.now() + rules.CLOCK_SKEW:
            raise _fail("at", "签退时间晚于当前时间")
        log.check_out_at = at
        log.check_out_lat = _coord(latitude, -90, 90)
        log.check_out_lon = _coord(longitude, -180, 180)
        if raw is not None:
            log.photo, log.photo_data = ctype, raw
        if quantity is not None:
            if quantity <= 0 or quantity > 24:
                raise _fail("quantity", "服务量应在0至24之间")
            log.quantity = quantity
        elif log.check_in_at is not None and log.item.unit == "hour":
            log.quantity = rules.hours_served(log.check_in_at, at)
        log.note = note.strip()[:500]
        log.status = LogStatus.AWAITING
        log.save()
        _audit(
            actor,
            Action.CHECK_OUT,
            "service_log",
            log,
            log.region_id,
            {"at": at.isoformat(), "quantity": str(log.quantity)},
            label=log.item.name,
        )
    return Outcome(log, True)


class LogSender:
    """The SMS sender of development and tests: writes the message to the log and keeps it
    in `outbox` (no gateway here; production plugs its own through YANGLAO_SMS_SENDER)."""

    outbox: list[tuple[str, str]] = []

    def send(self, phone: str, text: str) -> None:
        import logging

        logging.getLogger("yanglao.sms").info("SMS to %s: %s", phone[-4:], text)
        self.outbox.append((phone, text))


def sms_sender() -> Any:
    path = getattr(settings, "YANGLAO_SMS_SENDER", "yanglao.community.services.LogSender")
    return import_string(path)()


def _code_hash(log: ServiceLog, code: str) -> str:
    key = settings.SECRET_KEY.encode()
    return hmac.new(key, f"{log.client_uuid}:{code}".encode(), hashlib.sha256).hexdigest()


def sms_send(*, actor: User, log_uuid: UUID, phone: str) -> None:
    """Send a 6-digit confirmation code to the person's or family's phone; only its hash is
    kept."""
    phone = phone.strip().translate(rules.FULLWIDTH_DIGITS)
    if not rules.PHONE.fullmatch(phone):
        raise _fail("phone", "请填写11位手机号码")
    code = f"{secrets.randbelow(10**6):06d}"
    with transaction.atomic():
        log = _own_log(actor, log_uuid)
        if log.status != LogStatus.AWAITING:
            raise _fail("__all__", "服务签退后才能确认")
        log.sms_code_hash = _code_hash(log, code)
        log.sms_sent_at = timezone.now()
        log.sms_tries = 0
        log.save(update_fields=["sms_code_hash", "sms_sent_at", "sms_tries"])
        _audit(actor, Action.SMS_SEND, "service_log", log, log.region_id, {"phone": phone[-4:]})
    sms_sender().send(phone, f"【养老服务】您的服务确认码为{code}，请告知服务人员。")


def confirm(
    *,
    actor: User,
    log_uuid: UUID,
    method: str,
    signature: str | None = None,
    sms_code: str = "",
    rating: int | None = None,
    evaluation: str = "",
) -> Outcome:
    """The person or family confirms: a signature drawn on the worker's phone, an SMS code,
    or a check at the window (an officer). Evaluation (1–5 and text) may come with it."""
    if method not in ConfirmMethod.values:
        raise _fail("method", "请选择确认方式")
    if rating is not None and not (1 <= rating <= 5):
        raise _fail("rating", "评价应为1至5星")
    raw = None
    if method == ConfirmMethod.SIGNATURE:
        raw, ctype = _photo(signature)
        if raw is None or ctype != "image/png":
            raise _fail("signature", "请老人或家属在屏幕上签字")
    if method == ConfirmMethod.WINDOW:
        _need(actor, Cap.COMMUNITY_ORDER)
    with transaction.atomic():
        if method == ConfirmMethod.WINDOW:
            log = require_scoped(
                ServiceLog.objects.select_for_update().filter(client_uuid=log_uuid),
                actor,
                WRITE_RECORDS,
            )
        else:
            log = _own_log(actor, log_uuid)
        if log.status == LogStatus.CONFIRMED:
            return Outcome(log, False)
        if log.status != LogStatus.AWAITING:
            raise _fail("__all__", "服务签退后才能确认")
        if method == ConfirmMethod.SMS:
            if not log.sms_code_hash:
                raise _fail("sms_code", "请先发送确认码")
            code = sms_code.strip().translate(rules.FULLWIDTH_DIGITS)
            if log.sms_tries >= rules.SMS_TRIES or not hmac.compare_digest(
                _code_hash(log, code), log.sms_code_hash
            ):
                log.sms_tries += 1
                log.save(update_fields=["sms_tries"])
                raise _fail("sms_code", "确认码不正确，请核对或重新发送")
        log.status = LogStatus.CONFIRMED
        log.confirm_method = method
        log.confirm_evidence = (
            f"签名图片 {len(raw)} 字节"
            if raw
            else ("短信确认码" if method == "sms" else "窗口核实")
        )
        log.signature = raw
        log.confirmed_at = timezone.now()
        if rating is not None:
            log.rating = rating
            log.evaluation = evaluation.strip()[:300]
        log.save()
        _complete_order(log)
        _audit(
            actor,
            Action.CONFIRM,
            "service_log",
            log,
            log.region_id,
            {"method": method, "rating": rating},
        )
    return Outcome(log, True)


def _complete_order(log: ServiceLog) -> None:
    if log.order_id is None:
        return
    order = ServiceOrder.objects.select_for_update().get(pk=log.order_id)
    if order.status != OrderStatus.DISPATCHED:
        return
    if order.source == OrderSource.ENTITLEMENT:
        done = sum(
            ServiceLog.objects.filter(order=order, status=LogStatus.CONFIRMED).values_list(
                "quantity", flat=True
            ),
            Decimal(0),
        )
        if done < order.quantity:
            return
    order.status = OrderStatus.DONE
    order.closed_at = timezone.now()
    order.version += 1
    order.save(update_fields=["status", "closed_at", "version"])


def evaluate(*, actor: User, log_uuid: UUID, rating: int, evaluation: str = "") -> ServiceLog:
    if not (1 <= rating <= 5):
        raise _fail("rating", "评价应为1至5星")
    with transaction.atomic():
        log = require_scoped(
            ServiceLog.objects.select_for_update().filter(client_uuid=log_uuid),
            actor,
            WRITE_RECORDS,
            bound=ORDER_BOUND,
        )
        if log.status != LogStatus.CONFIRMED:
            raise _fail("rating", "服务确认后才能评价")
        log.rating, log.evaluation = rating, evaluation.strip()[:300]
        log.save(update_fields=["rating", "evaluation"])
        _audit(actor, Action.EVALUATE, "service_log", log, log.region_id, {"rating": rating})
    return log


def order_no_show(*, actor: User, order: ServiceOrder, on: date, note: str) -> ServiceLog:
    """The worker did not come, or found nobody home: recorded as a log that is never paid."""
    if not (actor.can(Cap.COMMUNITY_SERVE) or actor.can(Cap.COMMUNITY_DISPATCH)):
        raise NotPermitted(Cap.COMMUNITY_SERVE)
    note = note.strip()[:500]
    if not note:
        raise _fail("note", "请说明未上门的原因")
    with transaction.atomic():
        order = _order_locked(actor, order)
        if order.status != OrderStatus.DISPATCHED or order.provider_id is None:
            raise _fail("__all__", "只有已派单的工单可以登记未上门")
        provider_id: int = order.provider_id
        import uuid as uuid_mod

        log = ServiceLog.objects.create(
            client_uuid=uuid_mod.uuid4(),
            order=order,
            person_id=order.person_id,
            region_id=order.region_id,
            provider_id=provider_id,
            item_id=order.item_id,
            worker=order.worker,
            service_date=on,
            quantity=0,
            status=LogStatus.NO_SHOW,
            note=note,
        )
        _audit(actor, Action.ORDER_NO_SHOW, "service_order", order, order.region_id, {"note": note})
    return log


# --- orders generated from entitlements ---------------------------------------------------


def orders_generate(*, month: date, actor: User | None = None) -> int:
    """For each entitlement whose service-list item pays for a catalogue item (a funding
    rule with a monthly cap, e.g. N hours a month), one order per person and month, of the
    quantity the cap buys; idempotent (an existing order of the month is kept)."""
    month = sr.month_start(month)
    end = sr.next_month(month)
    made = 0
    rules_now = FundingRule.objects.filter(
        monthly_cap__isnull=False, amount_per_unit__gt=0, effective_from__lt=end
    ).filter(Q(effective_to__isnull=True) | Q(effective_to__gt=month))
    for rule in rules_now.select_related("item"):
        ents = Entitlement.objects.filter(item_code=rule.benefit_code, start__lt=end).filter(
            Q(end__isnull=True) | Q(end__gt=month)
        )
        if rule.region_id:
            ents = ents.filter(county__code__startswith=codes.prefix(rule.region_id)[:6])
        have = set(
            ServiceOrder.objects.filter(
                source=OrderSource.ENTITLEMENT,
                item=rule.item,
                scheduled_for=month,
            ).values_list("entitlement_id", flat=True)
        )
        quantity = (rule.monthly_cap or Decimal(0)) // rule.amount_per_unit
        if quantity <= 0:
            continue
        batch = []
        for ent in ents.select_related("person").filter(person__life_status=LifeStatus.ALIVE):
            if ent.pk in have:
                continue
            batch.append(
                ServiceOrder(
                    person=ent.person,
                    region_id=ent.person.region_id,
                    item=rule.item,
                    source=OrderSource.ENTITLEMENT,
                    status=OrderStatus.AGREED,
                    quantity=quantity,
                    scheduled_for=month,
                    entitlement=ent,
                    agreement=f"按待遇每月{quantity}{rule.item.get_unit_display()}",
                    agreed_at=timezone.now(),
                    note=f"{month:%Y-%m}按待遇生成",
                )
            )
        with transaction.atomic():
            ServiceOrder.objects.bulk_create(batch, batch_size=1000)
            if batch:
                audit(
                    actor=actor,
                    action=Action.ORDERS_GENERATE,
                    object_type="funding_rule",
                    object_id=str(rule.pk),
                    object_label=rule.item.name,
                    changes={"month": month.isoformat(), "orders": len(batch)},
                )
        made += len(batch)
    return made


# --- settlement (part 8) ------------------------------------------------------------------


def county_of(code: str) -> str:
    return code[:6] + "0" * 6


def _settle_qs(provider: Provider, county: str, month: date) -> QuerySet[ServiceLog]:
    """The logs a month's settlement considers: logs of the month, and earlier logs that no
    settlement ever considered (a late confirmation)."""
    end = sr.next_month(month)
    in_county = ServiceLog.objects.filter(
        provider=provider,
        region_id__gte=county[:6],
        region_id__lt=county[:6] + "~",
        service_date__lt=end,
        status__in=[LogStatus.CONFIRMED, LogStatus.AWAITING],
    )
    seen = SettlementLine.objects.filter(live=True).values("log_id")
    return in_county.filter(Q(service_date__gte=month) | ~Q(pk__in=seen))


def _person_facts(person_ids: list[int], since: date, month: date) -> dict[int, sr.PersonFacts]:
    """Death or move-out and institution stays of the people served from `since` to the
    end of the settled month."""
    end = sr.next_month(month)
    facts: dict[int, dict[str, Any]] = {pk: {} for pk in person_ids}
    for i in range(0, len(person_ids), 5000):
        chunk = person_ids[i : i + 5000]
        for pk, status, on in Person.objects.filter(pk__in=chunk).values_list(
            "pk", "life_status", "status_date"
        ):
            if status != LifeStatus.ALIVE:
                facts[pk]["closed_status"] = status
                facts[pk]["closed_on"] = on or month
        stays = Residency.objects.filter(person_id__in=chunk, start__lt=end).filter(
            Q(end__isnull=True) | Q(end__gt=since)
        )
        for pk, start, stop in stays.values_list("person_id", "start", "end"):
            facts[pk].setdefault("stays", []).append((start, stop))
    return {
        pk: sr.PersonFacts(
            closed_status=f.get("closed_status", ""),
            closed_on=f.get("closed_on"),
            stays=tuple(f.get("stays", ())),
        )
        for pk, f in facts.items()
    }


def _funding(
    provider: Provider, county: str, month: date, person_ids: list[int], item_ids: set[int]
) -> dict[tuple[int, int], tuple[sr.Funding, ...]]:
    """(person, item) → the funding the person can use for the item this month."""
    end = sr.next_month(month)
    rules_by_item: dict[int, list[FundingRule]] = {}
    for item_id in item_ids:
        rules_by_item[item_id] = funding_rules_for(county, item_id, month)
    codes_needed = {r.benefit_code for rs in rules_by_item.values() for r in rs}
    ents: dict[tuple[int, str], Entitlement] = {}
    for i in range(0, len(person_ids), 5000):
        for e in Entitlement.objects.filter(
            person_id__in=person_ids[i : i + 5000], item_code__in=codes_needed, start__lt=end
        ).filter(Q(end__isnull=True) | Q(end__gt=month)):
            ents[(e.person_id, e.item_code)] = e
    out: dict[tuple[int, int], tuple[sr.Funding, ...]] = {}
    by_person: dict[int, list[str]] = {}
    for pid, code in ents:
        by_person.setdefault(pid, []).append(code)
    for pid, held in by_person.items():
        for item_id, rs in rules_by_item.items():
            fs = []
            for r in rs:
                if r.benefit_code in held:
                    e = ents[(pid, r.benefit_code)]
                    fs.append(
                        sr.Funding(
                            r.benefit_code, e.pk, r.amount_per_unit, r.monthly_cap, e.start, e.end
                        )
                    )
            if fs:
                out[(pid, item_id)] = tuple(fs)
    return out


def _prices(provider: Provider) -> dict[int, list[sr.Price]]:
    out: dict[int, list[sr.Price]] = {}
    for item_id, price, start, stop in ProviderPrice.objects.filter(provider=provider).values_list(
        "item_id", "unit_price", "effective_from", "effective_to"
    ):
        out.setdefault(item_id, []).append(sr.Price(price, start, stop))
    return out


def _cap_use(person_ids: list[int], since: date, month: date) -> sr.CapUse:
    """Entitlement money already paid per person, benefit and month of service, from
    `since` (the earliest log considered: a late confirmation) to the settled month (live
    settlements of every provider)."""
    caps = sr.CapUse()
    end = sr.next_month(month)
    for i in range(0, len(person_ids), 5000):
        rows = SettlementLine.objects.filter(
            live=True,
            refused=False,
            payer=Payer.ENTITLEMENT,
            log__person_id__in=person_ids[i : i + 5000],
            log__service_date__gte=sr.month_start(since),
            log__service_date__lt=end,
        ).values_list("log__person_id", "entitlement__item_code", "log__service_date", "amount")
        for pid, code, day, amount in rows:
            caps.add(pid, code, sr.month_start(day), amount)
    return caps


def settlement_generate(
    *, actor: User, provider: Provider, county_code: str, month: date
) -> Settlement:
    """The month's roll for a provider in a county: a draft is replaced (voided), an
    approved roll is frozen."""
    _need(actor, Cap.COMMUNITY_SETTLE)
    county = county_of(county_code)
    if not in_scope(actor, county, WRITE_RECORDS):
        raise Http404
    month = sr.month_start(month)
    if month >= sr.month_start(timezone.localdate()) and not getattr(
        settings, "YANGLAO_SETTLE_CURRENT_MONTH", False
    ):
        raise _fail("month", "只能结算已结束的月份")
    with transaction.atomic():
        Provider.objects.select_for_update().get(pk=provider.pk)
        current = Settlement.objects.filter(
            provider=provider, county_id=county, month=month
        ).exclude(status=SettlementStatus.VOID)
        if current.filter(status=SettlementStatus.APPROVED).exists():
            raise _fail("month", "该月结算单已审核冻结，不能重新生成")
        for old in current:
            old.status = SettlementStatus.VOID
            old.save(update_fields=["status"])
            old.lines.update(live=False)
        rows = list(
            _settle_qs(provider, county, month).values_list(
                "pk", "person_id", "item_id", "service_date", "quantity", "status"
            )
        )
        person_ids = sorted({r[1] for r in rows})
        item_ids = {r[2] for r in rows}
        paid = (
            set(
                SettlementLine.objects.filter(
                    live=True, refused=False, log_id__in=[r[0] for r in rows]
                ).values_list("log_id", flat=True)
            )
            if len(rows) < 20000
            else _paid_in(provider, county, month)
        )
        prices = _prices(provider)
        funding = _funding(provider, county, month, person_ids, item_ids)
        facts = [
            sr.LogFacts(
                log_id=pk,
                person_id=pid,
                service_date=day,
                quantity=qty,
                unit_price=sr.price_on(prices.get(item, ()), day),
                confirmed=status == LogStatus.CONFIRMED,
                paid_before=pk in paid,
                funding=funding.get((pid, item), ()),
            )
            for pk, pid, item, day, qty, status in rows
        ]
        since = min((f.service_date for f in facts), default=month)
        lines = sr.settle(
            facts, _person_facts(person_ids, since, month), _cap_use(person_ids, since, month)
        )
        by_log = {f.log_id: f for f in facts}
        tot = sr.totals(lines)
        s = Settlement.objects.create(
            provider=provider,
            county_id=county,
            month=month,
            total_entitlement=tot.entitlement,
            total_ltc=tot.ltc,
            total_person=tot.person,
            total_gross=tot.gross,
            lines_refused=tot.refused,
            logs_count=len(facts),
            created_by=actor,
        )
        SettlementLine.objects.bulk_create(
            [
                SettlementLine(
                    settlement=s,
                    log_id=ln.log_id,
                    payer=ln.payer,
                    entitlement_id=ln.entitlement_id,
                    amount=ln.amount,
                    unit_price=by_log[ln.log_id].unit_price or 0,
                    quantity=by_log[ln.log_id].quantity,
                    refused=ln.refused,
                    reason=ln.reason,
                )
                for ln in lines
            ],
            batch_size=5000,
        )
        _audit(
            actor,
            Action.SETTLEMENT_GENERATE,
            "settlement",
            s,
            county,
            {
                "month": month.isoformat(),
                "logs": len(facts),
                "entitlement": str(tot.entitlement),
                "person": str(tot.person),
                "refused": tot.refused,
            },
            label=f"{provider.name} {month:%Y-%m}",
        )
    return s


def _paid_in(provider: Provider, county: str, month: date) -> set[int]:
    """Logs with a paid live line (large months: one query with a join, not an IN list)."""
    end = sr.next_month(month)
    return set(
        SettlementLine.objects.filter(
            live=True,
            refused=False,
            log__provider=provider,
            log__service_date__lt=end,
            log__region_id__gte=county[:6],
            log__region_id__lt=county[:6] + "~",
        ).values_list("log_id", flat=True)
    )


def settlement_approve(*, actor: User, settlement: Settlement) -> Settlement:
    """Four eyes: approved by an officer other than who generated it; frozen from then on."""
    _need(actor, Cap.COMMUNITY_SETTLE)
    with transaction.atomic():
        s = require_scoped(
            Settlement.objects.select_for_update().filter(pk=settlement.pk),
            actor,
            WRITE_RECORDS,
            field="county_id",
        )
        if s.status != SettlementStatus.DRAFT:
            raise _fail("__all__", "只有待审核的结算单可以审核")
        if not sr.can_approve(s.created_by_id, actor.pk):
            raise _fail("__all__", "结算单须由生成人以外的工作人员审核（双人复核）")
        s.status = SettlementStatus.APPROVED
        s.approved_by = actor
        s.approved_at = timezone.now()
        s.save(update_fields=["status", "approved_by", "approved_at"])
        _audit(
            actor,
            Action.SETTLEMENT_APPROVE,
            "settlement",
            s,
            s.county_id,
            {"total": str(s.total_gross)},
            label=f"{s.provider.name} {s.month:%Y-%m}",
        )
    return s


SHEET_HEADER = [
    "服务日期",
    "老人姓名",
    "身份证号码",
    "村（社区）",
    "服务项目",
    "数量",
    "单价（元）",
    "支付方",
    "金额（元）",
    "是否拒付",
    "说明",
]


def settlement_export_rows(*, actor: User, settlement: Settlement) -> list[list[Any]]:
    """The roll as rows for xlsx (masked ID numbers), audited like the payment roll."""
    lines = (
        settlement.lines.filter(live=True)
        .select_related("log__person", "log__item", "log__region")
        .order_by("log__service_date", "log_id", "payer")
    )
    rows: list[list[Any]] = []
    for ln in lines.iterator(chunk_size=2000):
        log = ln.log
        rows.append(
            [
                log.service_date.isoformat(),
                log.person.name,
                log.person.id_number_masked,
                log.region.name,
                log.item.name,
                float(ln.quantity),
                float(ln.unit_price),
                Payer(ln.payer).label,
                float(ln.amount),
                "是" if ln.refused else "否",
                ln.reason,
            ]
        )
    with transaction.atomic():
        _audit(
            actor,
            Action.SETTLEMENT_EXPORT,
            "settlement",
            settlement,
            settlement.county_id,
            {"rows": len(rows)},
            label=f"{settlement.provider.name} {settlement.month:%Y-%m}",
        )
    return rows
