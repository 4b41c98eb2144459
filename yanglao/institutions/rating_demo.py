"""Demo of 等级评定 (issue 11 part 7), called by institutions.demo.load: 南关区社会福利中心
rated 三级 with its clause scores and certificate, 船营区敬老院 in 公示 for 四级."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from yanglao.accounts.models import User
from yanglao.institutions import rating
from yanglao.institutions import rating_rules as rr
from yanglao.institutions.models import Institution
from yanglao.institutions.rating_testing import run_to_publicity

# (home, officers to act, first that exists; level applied for; clause share; days ago the
# committee decided; certify after the publicity)
DEMO = (
    ("南关区社会福利中心（演示）", ("county_nanguan", "province_jilin"), 3, "0.7", 60, True),
    ("船营区敬老院（演示）", ("county_chuanying", "province_jilin"), 4, "0.85", 1, False),
)


def load(out: Any, *, today: date) -> None:
    done = []
    for name, usernames, level, share, ago, certify in DEMO:
        inst = Institution.objects.filter(name=name).first()
        officer = next(
            (u for n in usernames if (u := User.objects.filter(username=n).first())), None
        )
        if inst is None or officer is None or inst.rating_applications.exists():
            continue
        decided = today - timedelta(days=ago)
        app = run_to_publicity(
            operator=officer,
            officer=officer,
            institution=inst,
            level=level,
            share=Decimal(share),
            today=decided,
        )
        if certify:
            # The day after the publicity (5 working days on the calendar: longer over a
            # holiday such as 国庆).
            assert app.publicity_until is not None
            certified = app.publicity_until + timedelta(days=1)
            rating.rating_certify(actor=officer, application=app, today=certified)
        done.append(f"{name}{'已评为' if certify else '公示'}{rr.LEVEL_LABELS[level]}")
    if done:
        out.write("等级评定演示：" + "；".join(done) + "。")
