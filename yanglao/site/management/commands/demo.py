"""`yanglao demo` — regions, a synthetic older population and one account per role."""

from __future__ import annotations

import json
import os
import time
import unicodedata
from argparse import ArgumentParser
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone

from yanglao.accounts.models import Mode, User
from yanglao.accounts.roles import Role
from yanglao.accounts.services import AccountInvalid, user_create
from yanglao.core.audit import Action, audit
from yanglao.people import generator
from yanglao.people.choices import Category
from yanglao.people.models import Person
from yanglao.regions import codes
from yanglao.regions.models import Region
from yanglao.regions.services import regions_load_bundled

DEFAULT_PEOPLE = 20_000
DEFAULT_PASSWORD = "Yanglao-Demo-2026"
NANLING_TOWNSHIP = "220102001"  # 长春市南关区南岭街道
CHUANYING_COUNTY = "220204"  # 吉林市船营区


@dataclass(frozen=True)
class DemoAccount:
    username: str
    role: str
    region: str  # code of any length, or a key of the pinned villages
    mode: str
    full_name: str


ACCOUNTS: list[DemoAccount] = [
    DemoAccount(
        "village_nanling", Role.VISIT_WORKER, "village:nanling", Mode.EDIT, "{region}巡访员 李桂兰"
    ),
    DemoAccount(
        "village_chuanying",
        Role.VISIT_WORKER,
        "village:chuanying",
        Mode.EDIT,
        "{region}巡访员 王淑珍",
    ),
    DemoAccount(
        "township_nanling",
        Role.TOWNSHIP_OFFICER,
        NANLING_TOWNSHIP,
        Mode.EDIT,
        "南岭街道民政助理 张建华",
    ),
    DemoAccount("county_nanguan", Role.COUNTY_OFFICER, "220102", Mode.EDIT, "南关区民政局 刘志强"),
    DemoAccount("city_changchun", Role.CITY_OFFICER, "2201", Mode.EDIT, "长春市民政局 赵玉梅"),
    DemoAccount("province_jilin", Role.PROVINCE_OFFICER, "22", Mode.EDIT, "吉林省民政厅 孙国华"),
    DemoAccount("assessor_nanguan", Role.ASSESSOR, "220102", Mode.SEARCH, "南关区评估员 于凤英"),
    # A second assessor in the same county: an assessment takes effect once another assessor
    # confirms it (GB/T 42195-2022), so the demo shows both sides.
    DemoAccount("assessor_nanguan2", Role.ASSESSOR, "220102", Mode.SEARCH, "南关区评估员 邹丽华"),
    DemoAccount(
        "institution_nanguan",
        Role.INSTITUTION_OPERATOR,
        "220102",
        Mode.STATS,
        "南关区养老院经办人 高德明",
    ),
    # A canteen's staff, bound to the demo meal provider (community.demo_programmes).
    DemoAccount(
        "provider_meal_nanguan",
        Role.PROVIDER_MANAGER,
        "220102",
        Mode.STATS,
        "南关区助餐服务商 周丽华",
    ),
    DemoAccount("inspector_nanguan", Role.INSPECTOR, "220102", Mode.STATS, "南关区检查员 姜淑华"),
    # The second member of every 双随机 inspection team (at least two per task).
    DemoAccount(
        "inspector_nanguan_fire", Role.INSPECTOR, "220102", Mode.STATS, "南关区消防检查员 孟凡宇"
    ),
    # 社区居家养老服务 (issue 12): a second county officer approves what the first settles
    # (four eyes); a provider's manager and worker, bound to the demo provider.
    DemoAccount(
        "county_nanguan_finance", Role.COUNTY_OFFICER, "220102", Mode.EDIT, "南关区民政局 周丽"
    ),
    DemoAccount(
        "provider_nanguan", Role.PROVIDER_MANAGER, "220102", Mode.STATS, "安康居家养老服务中心 陈静"
    ),
    DemoAccount(
        "provider_worker_nanguan",
        Role.PROVIDER_WORKER,
        "220102",
        Mode.STATS,
        "安康居家养老服务中心护理员 吴秀兰",
    ),
    DemoAccount("auditor_jilin", Role.AUDITOR, "22", Mode.STATS, "省民政厅审计员 徐秀云"),
    DemoAccount("secadmin", Role.SECURITY_ADMIN, "22", Mode.STATS, "安全管理员 马建军"),
    # A second security administrator: account changes need another one's approval (four eyes).
    DemoAccount("secadmin2", Role.SECURITY_ADMIN, "22", Mode.STATS, "安全管理员 韩立新"),
    DemoAccount("sysadmin", Role.SYSTEM_ADMIN, "22", Mode.STATS, "系统管理员 董文华"),
]


@dataclass(frozen=True)
class TotpSecret:
    secret: str  # base32
    url: str  # otpauth://


def _enrol(username: str) -> TotpSecret:
    """Every demo account has a phone-app device (created once; its secret is kept)."""
    from base64 import b32encode

    from django_otp.plugins.otp_totp.models import TOTPDevice

    user = User.objects.get(username=username)
    device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name="演示手机", confirmed=True)
    return TotpSecret(b32encode(device.bin_key).decode(), device.config_url)


def demo_villages() -> dict[str, Region]:
    """The villages of the two visit workers: the first community of 南岭街道 and the first
    rural village (else the first village) of 船营区. Both get demo people."""
    current = Region.objects.filter(level=codes.VILLAGE, valid_to__isnull=True).order_by("code")
    nanling = current.filter(code__startswith=NANLING_TOWNSHIP).first()
    chuanying_all = list(current.filter(code__startswith=CHUANYING_COUNTY))
    chuanying = next(
        (v for v in chuanying_all if not generator.is_urban(v.name)),
        chuanying_all[0] if chuanying_all else None,
    )
    if nanling is None or chuanying is None:
        raise CommandError(
            "区划中缺少长春市南关区南岭街道或吉林市船营区的村（社区），无法创建演示账号"
        )
    return {"village:nanling": nanling, "village:chuanying": chuanying}


def _width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _pad(text: str, width: int) -> str:
    return text + " " * (width - _width(text))


class Command(BaseCommand):
    help = "生成演示数据：加载吉林省区划（如尚未加载）、合成老年人台账，并为每个角色创建演示账号"

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument(
            "--people",
            type=int,
            default=DEFAULT_PEOPLE,
            help=f"生成的老年人数量（默认 {DEFAULT_PEOPLE:,}）",
        )
        parser.add_argument(
            "--password",
            default=DEFAULT_PASSWORD,
            help="演示账号的密码（至少10位，不能是常见密码或纯数字）",
        )
        parser.add_argument(
            "--accounts-json",
            metavar="FILE",
            help="把演示账号（含密码与动态验证码密钥）写入 JSON 文件（供测试与脚本使用）",
        )
        parser.add_argument(
            "--otp-code",
            metavar="USERNAME",
            help="仅开发环境：显示某个演示账号当前的动态验证码后退出（代替手机验证器）",
        )
        parser.add_argument(
            "--seed",
            type=int,
            default=generator.DEFAULT_SEED,
            help="随机种子；相同种子生成相同的人员与身份证号码",
        )
        parser.add_argument(
            "--today",
            type=date.fromisoformat,
            default=None,
            help="计算年龄的基准日期 YYYY-MM-DD（默认今天）",
        )
        parser.add_argument(
            "--if-empty", action="store_true", help="已有老年人数据时跳过生成（仍确保演示账号存在）"
        )
        parser.add_argument(
            "--batch-size", type=int, default=generator.BATCH_SIZE, help="每个事务写入的人数"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["otp_code"]:
            self._otp_code(options["otp_code"])
            return
        n: int = options["people"]
        if n < 0:
            raise CommandError("--people 不能为负数")
        if not Region.objects.exists():
            self.stdout.write("区划表为空，正在加载随附的吉林省五级区划……")
            report = regions_load_bundled(actor=None)
            self.stdout.write(f"区划加载完成：{report.summary()}")
        villages = demo_villages()

        existing = Person.objects.count()
        if existing:
            if options["if_empty"]:
                self.stdout.write(f"已有 {existing:,} 名老年人的数据，跳过演示数据生成。")
            else:
                self.stdout.write(
                    f"数据库中已有 {existing:,} 名老年人的数据，为避免重复，未生成演示数据。"
                    "如需重新生成，请换用新的数据目录或清空数据库（make clean）后再运行。"
                )
        elif n:
            self._populate(
                n,
                options["seed"],
                options["today"] or timezone.localdate(),
                [v.code for v in villages.values()],
                options["batch_size"],
            )

        rows = self._accounts(options["password"], villages)
        secrets_ = {u: _enrol(u) for u, *_ in rows}
        if n and not (existing and options["if_empty"]):
            from yanglao.benefits.demo import load as load_benefits

            load_benefits(self.stdout)
        self._visits(villages, options["today"] or timezone.localdate())
        if Person.objects.exists():
            from yanglao.assessments.demo import load as load_assessments

            load_assessments(self.stdout, today=options["today"] or timezone.localdate())
        if Person.objects.exists():
            from yanglao.institutions.demo import load as load_institutions

            load_institutions(
                self.stdout,
                today=options["today"] or timezone.localdate(),
                keep=tuple(v.code for v in villages.values()),
            )
            from yanglao.institutions.demo_supervision import load as load_supervision

            load_supervision(self.stdout, today=options["today"] or timezone.localdate())
            from yanglao.institutions.demo_reports import load as load_institution_reports

            load_institution_reports(self.stdout, today=options["today"] or timezone.localdate())
            from yanglao.feedback.demo import load as load_feedback
            from yanglao.reporting.demo import load as load_reporting

            load_reporting(self.stdout, today=options["today"] or timezone.localdate())
            load_feedback(self.stdout, today=options["today"] or timezone.localdate())
            from yanglao.community.demo import load as load_community

            load_community(self.stdout, today=options["today"] or timezone.localdate())
            from yanglao.community.demo_programmes import load as load_programmes

            load_programmes(self.stdout, today=options["today"] or timezone.localdate())
            from yanglao.statistics.demo import load as load_statistics

            # Last: the snapshots read what every module above wrote.
            load_statistics(self.stdout, today=options["today"] or timezone.localdate())
        self._print_accounts(rows)
        self.stdout.write(
            "登录时还须输入动态验证码：每个演示账号都已绑定一个手机验证器。开发时可用 "
            "`uv run yanglao demo --otp-code 账号` 显示当前验证码；或用 --accounts-json 写出的 "
            "totp_secret 添加到手机验证器。"
        )
        self._sample_ledger(options["seed"])
        if options["accounts_json"]:
            path = Path(options["accounts_json"])
            path.write_text(
                json.dumps(
                    [
                        {
                            "username": u,
                            "password": p,
                            "role": r,
                            "region_code": c,
                            # Base32, as a phone app takes it; `otpauth` for a QR code.
                            "totp_secret": secrets_[u].secret,
                            "totp_url": secrets_[u].url,
                        }
                        for u, p, r, c, _ in rows
                    ],
                    ensure_ascii=False,
                    indent=2,
                )
                + "\n",
                encoding="utf-8",
            )
            self.stdout.write(f"账号清单已写入 {path}")

    def _sample_ledger(self, seed: int) -> None:
        """A 200-line ledger of 南岭街道 with ~5% typical errors, to try the import with."""
        from django.conf import settings

        from yanglao.imports.ledgerfile import ledger_rows, write_ledger

        path = Path(settings.DATA_DIR) / "示例台账-南岭街道.csv"
        if path.exists():
            return
        villages = [v for v in generator.load_villages(seed=seed) if v.code.startswith("220102001")]
        if not villages:
            return
        rows = ledger_rows(
            villages, 200, seed=seed + 99, today=timezone.localdate(), error_share=0.05
        )
        write_ledger(path, rows)
        self.stdout.write(f"示例台账（可在“台账导入”中上传）：{path}")

    def _populate(self, n: int, seed: int, today: date, pinned: list[str], batch_size: int) -> None:
        villages = generator.load_villages(seed=seed)
        gen = generator.PopulationGenerator(villages, seed=seed, today=today, pinned=pinned)
        self.stdout.write(
            f"正在生成 {n:,} 名老年人（种子 {seed}，{len(villages):,} 个村（社区））……"
        )
        step = max(n // 10, batch_size)
        shown = {"next": step}
        started = time.perf_counter()

        def progress(r: generator.WriteReport) -> None:
            if n >= 100_000 and r.people >= shown["next"]:
                shown["next"] += step
                self.stdout.write(
                    f"  已写入 {r.people:,} / {n:,}（{time.perf_counter() - started:.0f} 秒）"
                )

        from django.db import connection

        if (
            n >= generator.PARALLEL_FROM
            and connection.vendor == "postgresql"
            and not connection.in_atomic_block
        ):
            # Several processes, each COPYing its own ID area's people (generator docs).
            report = generator.write_population_parallel(
                villages,
                n,
                seed=seed,
                today=today,
                now=timezone.now(),
                workers=max(min(os.cpu_count() or 1, 4), 1),
                pinned=pinned,
                batch_size=batch_size,
                progress=progress,
            )
        else:
            report = generator.write_population(
                gen.people(n), now=timezone.now(), batch_size=batch_size, progress=progress
            )
        with transaction.atomic():
            audit(
                actor=None,
                action=Action.DEMO_LOAD,
                object_type="demo",
                object_label=f"演示数据：{report.people:,} 名老年人",
                changes={
                    "people": report.people,
                    "households": report.households,
                    "tags": report.tags,
                    "contacts": report.contacts,
                    "tag_counts": report.tag_counts,
                    "seed": seed,
                    "today": today.isoformat(),
                    "seconds": round(report.seconds, 1),
                },
            )
        labels = {c.value: c.label for c in Category}
        tag_text = "，".join(
            f"{labels[k]} {v:,}"
            for k, v in sorted(report.tag_counts.items(), key=lambda kv: -kv[1])
        )
        self.stdout.write(
            f"已生成 {report.people:,} 名老年人、{report.households:,} 个家庭户、"
            f"{report.tags:,} 个类别标签、{report.contacts:,} 位紧急联系人。\n"
            f"  类别：{tag_text}\n"
            f"  用时 {report.seconds:.1f} 秒（约 {report.rows_per_second:,.0f} 人/秒）："
            f"生成 {report.build_seconds:.1f} 秒，加密 {report.encrypt_seconds:.1f} 秒，"
            f"写入数据库 {report.write_seconds:.1f} 秒。"
        )

    def _visits(self, villages: dict[str, Region], today: date) -> None:
        """Home-visit demo data (yanglao.visits.demo), once, when there are people."""
        from yanglao.visits.demo import populate

        if not Person.objects.exists():
            return
        report = populate(villages=villages, today=today)
        if report is not None:
            self.stdout.write(
                f"巡访演示数据：{report.subjects:,} 位巡访对象、{report.tasks:,} 条任务、"
                f"{report.visits:,} 条巡访记录、{report.follow_ups:,} 项跟进。"
            )

    def _accounts(
        self, password: str, villages: dict[str, Region]
    ) -> list[tuple[str, str, str, str, str]]:
        """Create missing demo accounts; rows of (username, password, role, code12, label)."""
        rows: list[tuple[str, str, str, str, str]] = []
        created = 0
        for a in ACCOUNTS:
            region = (
                villages.get(a.region) or Region.objects.filter(code=codes.pad(a.region)).first()
            )
            if region is None:
                raise CommandError(f"区划 {a.region} 不存在，无法创建演示账号 {a.username}")
            if not User.objects.filter(username=a.username).exists():
                try:
                    user_create(
                        actor=None,
                        username=a.username,
                        password=password,
                        role=a.role,
                        full_name=a.full_name.format(region=region.name),
                        jurisdictions=[(region.code, a.mode)],
                    )
                except AccountInvalid as exc:
                    msgs = "；".join(m for ms in exc.errors.values() for m in ms)
                    raise CommandError(f"无法创建演示账号 {a.username}：{msgs}") from exc
                created += 1
            rows.append((a.username, password, a.role, region.code, f"{region.name} {region.code}"))
        if created:
            self.stdout.write(f"已创建 {created} 个演示账号。")
        return rows

    def _otp_code(self, username: str) -> None:
        import os

        from django_otp.plugins.otp_totp.models import TOTPDevice

        from yanglao.accounts.testing import code_for_key

        if os.environ.get("YANGLAO_ENV") != "development":
            raise CommandError("--otp-code 只能在开发环境（YANGLAO_ENV=development）中使用")
        if username not in {a.username for a in ACCOUNTS}:
            raise CommandError(f"{username} 不是演示账号")
        device = TOTPDevice.objects.filter(user__username=username, confirmed=True).first()
        if device is None:
            raise CommandError(f"{username} 尚未绑定动态验证码")
        self.stdout.write(code_for_key(device.key))

    def _print_accounts(self, rows: list[tuple[str, str, str, str, str]]) -> None:
        table = [("账号", "密码", "角色", "辖区")] + [
            (u, p, Role(r).label, label) for u, p, r, _, label in rows
        ]
        widths = [max(_width(row[i]) for row in table) for i in range(4)]
        self.stdout.write("演示账号（已存在的账号不会修改密码）：")
        for i, row in enumerate(table):
            self.stdout.write(
                "  "
                + "  ".join(_pad(cell, w) for cell, w in zip(row, widths, strict=True)).rstrip()
            )
            if i == 0:
                self.stdout.write("  " + "  ".join("-" * w for w in widths))
