"""Load on the production server beside runserver (issue 15): 32 concurrent clients.

Starts gunicorn (GUNICORN_WORKERS, default 4) and then `runserver` (threaded, as `make run`)
on free ports against the bench database, and drives each for `--runs` seconds (default 7)
with 32 threads, each with its own keep-alive connection, cycling over the people list, a
person page (logged-in session, two-factor verified) and the API list (bearer token).
Reports p50/p95/p99 and requests per second of each, and gunicorn's ratio to runserver.
"""

from __future__ import annotations

import http.client
import os
import socket
import statistics
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bench import Result, Row, say

CLIENTS = 32
TIMEOUT = 30.0  # a request unanswered this long counts as an error
ROOT = Path(__file__).resolve().parents[1]


@dataclass
class Load:
    latencies_ms: dict[str, list[float]] = field(default_factory=dict)
    errors: dict[str, int] = field(default_factory=dict)
    seconds: float = 0.0

    def all(self) -> list[float]:
        return [x for v in self.latencies_ms.values() for x in v]


def percentile(samples: list[float], p: float) -> float:
    """Nearest-rank percentile (p in 0..100) of a non-empty list."""
    ordered = sorted(samples)
    rank = max(1, min(len(ordered), -(-len(ordered) * p // 100)))
    return ordered[int(rank) - 1]


def summary(samples: list[float], seconds: float) -> dict[str, float]:
    if not samples:
        return {"requests": 0, "p50_ms": 0.0, "p95_ms": 0.0, "p99_ms": 0.0, "rps": 0.0}
    return {
        "requests": len(samples),
        "p50_ms": round(statistics.median(samples), 1),
        "p95_ms": round(percentile(samples, 95), 1),
        "p99_ms": round(percentile(samples, 99), 1),
        "rps": round(len(samples) / seconds, 1) if seconds else 0.0,
    }


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def wait_for(port: int, proc: subprocess.Popen[bytes], timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"服务器启动失败（退出码 {proc.returncode}）")
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
            conn.request("GET", "/healthz")
            if conn.getresponse().status == 200:
                return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError("服务器在限定时间内没有就绪")


def drive(port: int, targets: list[tuple[str, str, dict[str, str]]], seconds: float) -> Load:
    """CLIENTS threads, each cycling over `targets` (name, path, headers) for `seconds`."""
    load = Load(latencies_ms={n: [] for n, _, _ in targets}, errors={n: 0 for n, _, _ in targets})
    lock = threading.Lock()
    start_gate = threading.Barrier(CLIENTS + 1)
    stop_at = [0.0]

    def client(offset: int) -> None:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=TIMEOUT)
        mine: dict[str, list[float]] = {n: [] for n, _, _ in targets}
        bad: dict[str, int] = {n: 0 for n, _, _ in targets}
        start_gate.wait()
        i = offset
        while time.perf_counter() < stop_at[0]:
            name, path, headers = targets[i % len(targets)]
            i += 1
            t = time.perf_counter()
            try:
                conn.request("GET", path, headers=headers)
                response = conn.getresponse()
                response.read()
                ok = response.status == 200
                if response.getheader("Connection", "").lower() == "close":
                    conn.close()
                    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=TIMEOUT)
            except (OSError, http.client.HTTPException):
                ok = False
                conn.close()
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=TIMEOUT)
            elapsed = (time.perf_counter() - t) * 1000
            if ok:
                mine[name].append(elapsed)
            else:
                bad[name] += 1
        with lock:
            for n in mine:
                load.latencies_ms[n].extend(mine[n])
                load.errors[n] += bad[n]

    threads = [threading.Thread(target=client, args=(k,)) for k in range(CLIENTS)]
    for th in threads:
        th.start()
    began = time.perf_counter()
    stop_at[0] = began + seconds
    start_gate.wait()
    for th in threads:
        th.join()
    # Rates over the measured window: a request still waiting at its end (at most TIMEOUT more)
    # counts as an error, not as time the server spent working.
    load.seconds = min(time.perf_counter() - began, seconds)
    return load


def credentials() -> tuple[dict[str, str], dict[str, str], str]:
    """A county officer's verified session cookie, an API bearer token, a person page path."""
    from django.conf import settings
    from django.test import Client

    from bench.person_list import BENCH_PASSWORD, bench_user
    from yanglao.accounts.roles import Role
    from yanglao.accounts.testing import enrol_totp, mark_verified, totp_code
    from yanglao.people.models import Person

    if "testserver" not in settings.ALLOWED_HOSTS:
        settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
    user = bench_user("bench_county", Role.COUNTY_OFFICER, "220102")
    enrol_totp(user)
    web = Client()
    web.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
    mark_verified(web, user)
    cookie = {
        "Cookie": f"{settings.SESSION_COOKIE_NAME}={web.cookies[settings.SESSION_COOKIE_NAME].value}"
    }
    api = Client().post(
        "/api/v1/auth/token",
        {"username": user.username, "password": BENCH_PASSWORD, "otp": totp_code(user)},
        content_type="application/json",
    )
    if api.status_code != 200:
        raise RuntimeError(f"取得接口令牌失败：{api.status_code} {api.content[:200]!r}")
    bearer = {"Authorization": f"Bearer {api.json()['token']}"}
    person = (
        Person.objects.filter(region__code__startswith="220102")
        .order_by("id")
        .values_list("public_id", flat=True)
        .first()
    )
    if person is None:
        raise RuntimeError("南关区没有老年人，无法压测详情页")
    return cookie, bearer, f"/people/{person}/"


def server_env() -> dict[str, str]:
    env = dict(os.environ)
    env.setdefault("PYTHONPATH", str(ROOT))
    env["LOG_LEVEL"] = "ERROR"
    env["AXES_ENABLED"] = "false"  # 32 clients from one address are not a brute-force attack
    return env


def start(kind: str, port: int) -> subprocess.Popen[bytes]:
    bin_dir = Path(sys.executable).parent
    if kind == "gunicorn":
        workers = os.environ.get("GUNICORN_WORKERS", "4")
        argv = [
            str(bin_dir / "gunicorn"),
            "-c",
            str(ROOT / "deploy" / "gunicorn.conf.py"),
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            workers,
            "--access-logfile",
            "/dev/null",
        ]
    else:
        argv = [
            sys.executable,
            "-m",
            "yanglao.manage",
            "runserver",
            f"127.0.0.1:{port}",
            "--noreload",
        ]
    return subprocess.Popen(
        argv, env=server_env(), cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
    )


def measure_server(
    kind: str, targets: list[tuple[str, str, dict[str, str]]], seconds: float
) -> Load:
    port = free_port()
    proc = start(kind, port)
    try:
        wait_for(port, proc)
        drive(port, targets, min(2.0, seconds))  # warm-up: connections, caches, imports
        return drive(port, targets, seconds)
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()


def run(*, people: int, runs: int) -> Result:
    from django.db import connection

    from bench.person_list import ensure_people

    result = Result(name="load", baseline="同一负载下的 runserver（make run 的开发服务器）")
    result.meta["generation"] = ensure_people(people)
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM people_person")
        result.meta["people"] = f"{cursor.fetchone()[0]:,}"
    cookie, bearer, person_path = credentials()
    connection.close()  # the servers are separate processes
    targets = [
        ("人员列表 /people/", "/people/", cookie),
        ("人员详情 /people/<id>/", person_path, cookie),
        ("接口列表 /api/v1/persons", "/api/v1/persons?region=220102", bearer),
    ]
    seconds = float(runs)
    result.meta.update(
        clients=CLIENTS,
        seconds_per_server=seconds,
        gunicorn_workers=int(os.environ.get("GUNICORN_WORKERS", "4")),
        cpus=os.cpu_count(),
    )
    loads = {}
    for kind in ("gunicorn", "runserver"):
        say(f"压测 {kind}：{CLIENTS} 个并发客户端，{seconds:.0f} 秒……")
        loads[kind] = measure_server(kind, targets, seconds)
    figures: dict[str, Any] = {}
    for kind, load in loads.items():
        figures[kind] = {
            "全部": {**summary(load.all(), load.seconds), "errors": sum(load.errors.values())}
        }
        for name, samples in load.latencies_ms.items():
            figures[kind][name] = {**summary(samples, load.seconds), "errors": load.errors[name]}
    result.meta["figures"] = figures
    for name in ["全部", *(n for n, _, _ in targets)]:
        g, r = figures["gunicorn"][name], figures["runserver"][name]
        for kind, f in (("gunicorn", g), ("runserver", r)):
            result.rows.append(
                Row(
                    case=f"{kind} {name}",
                    median_ms=f["p50_ms"],
                    min_ms=f["p95_ms"],
                    max_ms=f["p99_ms"],
                    baseline_ms=r["p50_ms"],
                    ratio=round(f["p50_ms"] / r["p50_ms"], 2) if r["p50_ms"] else None,
                    note=f"{f['rps']} 次/秒，{f['errors']} 个错误"
                    + (
                        f"；吞吐为 runserver 的 {f['rps'] / r['rps']:.1f} 倍"
                        if kind == "gunicorn" and r["rps"]
                        else ""
                    ),
                )
            )
    say("（表中“最小 ms”列为 p95，“最大 ms”列为 p99，“基线 ms”为 runserver 的 p50）")
    return result
