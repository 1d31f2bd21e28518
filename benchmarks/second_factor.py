"""Measure a sign-in with its second factor: `python -m benchmarks.second_factor --logins 50`.

It uses a database of its own (protection_bench_second_factor, dropped and created again each
run) and signs a supervisor in through the pages in this process (Django's test client, no
HTTP server, the development settings' password hasher), each time with the password and then
a code: from the authenticator, or a recovery code. It prints the median and 95th percentile
of the password step alone and of the whole sign-in, and the SQL statements of the code step.
"""

import argparse
import os
import statistics
import sys
import time
from typing import Any

from benchmarks.incident_latency import _recreate_database

DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/protection_bench_second_factor"
PASSWORD = "benchmark passphrase 2026"  # noqa: S105 - a throwaway account in a throwaway database


def _arguments(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.second_factor", description=__doc__)
    parser.add_argument("--logins", type=int, default=50, help="sign-ins of each kind (50)")
    parser.add_argument(
        "--database-url",
        default=os.environ.get("BENCH_DATABASE_URL", DEFAULT_DATABASE_URL),
        help="the benchmark's own database (BENCH_DATABASE_URL; never your working one)",
    )
    return parser.parse_args(argv)


def _line(label: str, values_ms: list[float]) -> str:
    ordered = sorted(values_ms)
    p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
    return f"{label:<36} median {statistics.median(ordered):7.2f} ms   p95 {p95:7.2f} ms"


def current_code(device: Any) -> str:
    """Return the code the user's authenticator app shows now."""
    from django_otp.oath import TOTP

    device.refresh_from_db()
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time = time.time()
    return f"{totp.token():06d}"


def verified_client(user: Any, **client_options: Any) -> Any:
    """Return a test client signed in as `user` that passed the second factor for real.

    Enrols an authenticator (replacing any) and verifies the session with a recovery code,
    as a person would; for benchmarks of the pages behind the rule.
    """
    from django.test import Client

    from protection.accounts.second_factor import totp_device_confirm, totp_device_start

    device = totp_device_start(actor=user)
    codes = totp_device_confirm(actor=user, device=device, token=current_code(device))
    client = Client(**client_options)
    client.force_login(user)
    response = client.post("/accounts/two-factor/verify/", {"otp_token": codes[0]})
    assert response.status_code == 302, response.content
    return client


def main(argv: list[str]) -> int:
    args = _arguments(argv)
    command = " ".join([".venv/bin/python -m benchmarks.second_factor", *argv])
    _recreate_database(args.database_url)
    os.environ.update(
        {
            "DJANGO_SETTINGS_MODULE": "protection.settings.dev",
            "DATABASE_URL": args.database_url,
            "CELERY_BROKER_URL": "memory://",
            "LOG_LEVEL": "WARNING",
            "DEBUG": "0",
        }
    )
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from partners.models import PartnerAgency
    from protection.accounts.models import User
    from protection.accounts.second_factor import (
        recovery_codes_regenerate,
        totp_device_confirm,
        totp_device_start,
    )

    print(f"Command: {command}", flush=True)
    call_command("migrate", interactive=False, verbosity=0)
    mission = PartnerAgency.objects.create(name="Mission Protection Unit", acronym="MPU")
    user = User(username="supervisor", agency=mission, role="supervisor")
    user.set_password(PASSWORD)
    user.save()
    device = totp_device_start(actor=user)
    codes = totp_device_confirm(actor=user, device=device, token=current_code(device))

    def sign_in(code: str) -> tuple[float, float]:
        """Sign in with the password, then the code; return both steps' times in ms."""
        client = Client(SERVER_NAME="localhost", REMOTE_ADDR="10.0.0.1")
        started = time.perf_counter()
        response = client.post("/accounts/login/", {"username": "supervisor", "password": PASSWORD})
        password_done = time.perf_counter()
        assert response.status_code == 302, response.content
        response = client.post("/accounts/two-factor/verify/", {"otp_token": code})
        finished = time.perf_counter()
        assert response.status_code == 302, response.content
        assert client.get("/accounts/two-factor/").status_code == 200  # verified
        return (password_done - started) * 1000, (finished - started) * 1000

    def fresh_totp() -> str:
        # A code is accepted once per 30-second step: let the next one pass (not timed).
        TOTPDevice.objects.filter(pk=device.pk).update(last_t=-1)
        return current_code(device)

    for _warm in range(5):
        sign_in(fresh_totp())
    password_step: list[float] = []
    with_totp: list[float] = []
    with_recovery: list[float] = []
    for index in range(args.logins):
        password_ms, total_ms = sign_in(fresh_totp())
        password_step.append(password_ms)
        with_totp.append(total_ms)
        if index % len(codes) == 0:
            codes = recovery_codes_regenerate(actor=user)  # not timed
        with_recovery.append(sign_in(codes[index % len(codes)])[1])

    client = Client(SERVER_NAME="localhost", REMOTE_ADDR="10.0.0.1")
    client.post("/accounts/login/", {"username": "supervisor", "password": PASSWORD})
    code = fresh_totp()
    with CaptureQueriesContext(connection) as queries:
        client.post("/accounts/two-factor/verify/", {"otp_token": code})

    print(_line("password step alone", password_step))
    print(_line("password + authenticator code", with_totp))
    print(_line("password + recovery code", with_recovery))
    overhead = statistics.median(with_totp) - statistics.median(password_step)
    print(f"median cost of the code step: {overhead:+.2f} ms")
    print(f"SQL statements of the code step: {len(queries)}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
