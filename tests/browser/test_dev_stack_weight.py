"""What a phone on a slow link downloads from the stack `make run` starts (dev settings).

The stack is set up as `make setup` does it (migrate, reference lists, a small demo mission,
collectstatic) and served by runserver. Static files come under hashed names, with a cache
lifetime of a year or more, compressed (br or gzip); the heaviest pages, opened with a cold
cache, each transfer less than 150 KB in all (page, styles, scripts, data, base layer).

Set-up time: migrating SQLite took 4-5 minutes on a loaded machine, so the migrated, empty
database is kept in test-results/dev-stack-db/ under a digest of every migration file and copied
while none changes (the migrations are proven on SQLite by tests/ops/test_run.py). collectstatic
(1.5-5 minutes: it compresses every file) runs when a static source file, the settings or
WhiteNoise changed since the kept files were collected. The reference lists and the demo are
loaded every time.
"""

import hashlib
import re
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from importlib.metadata import version
from pathlib import Path
from typing import Any

import pytest
from django.apps import apps
from django.conf import settings
from django.contrib.staticfiles import finders

from tests.ops.test_run import embedded_env, manage

pytestmark = [pytest.mark.browser, pytest.mark.ops, pytest.mark.timeout(1200)]

ROOT = Path(settings.BASE_DIR)
BUDGET = 150 * 1024
# The heaviest pages an officer opens: the map (Leaflet, the base layer, the data), the longest
# lists and the registration form.
PAGES = [
    "/incidents/map/",
    "/registry/people/",
    "/registry/cases/",
    "/incidents/",
    "/registry/households/register/",
    "/dashboard/",
]
HASHED = re.compile(r"/static/.+\.[0-9a-f]{12}\.\w+$")
# 40 households fill every list's first page (50 rows) as 60 did, and the casework's every
# stage (protection/demo/work needs 40); a page's weight does not grow with the rows beyond it.
HOUSEHOLDS = "40"
MIGRATED = ROOT / "test-results" / "dev-stack-db"


def _migrations_digest() -> str:
    """Return a digest of every migration file of the project's apps (names and contents)."""
    digest = hashlib.sha256()
    folders = [Path(app.path) for app in apps.get_app_configs()]
    ours = [folder for folder in folders if folder.is_relative_to(ROOT)]
    for path in sorted(p for folder in ours for p in folder.glob("migrations/*.py")):
        digest.update(str(path.relative_to(ROOT)).encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def _static_digest() -> str:
    """Return a digest of what collectstatic reads: every static source file and the settings."""
    digest = hashlib.sha256()
    sources = sorted(
        (relative, storage.path(relative))
        for finder in finders.get_finders()
        for relative, storage in finder.list([])
    )
    for relative, path in sources:
        digest.update(relative.encode())
        digest.update(Path(path).read_bytes())
    for path in sorted((ROOT / "protection" / "settings").glob("*.py")):
        digest.update(path.read_bytes())
    digest.update(version("whitenoise").encode())
    return digest.hexdigest()


def _collectstatic(env: dict[str, str]) -> None:
    """Collect the static files, unless the kept ones were collected from the same sources."""
    stamp = Path(env["STATIC_ROOT"]) / ".sources-digest"
    digest = _static_digest()
    manifest = Path(env["STATIC_ROOT"]) / "staticfiles.json"
    if manifest.exists() and stamp.exists() and stamp.read_text() == digest:
        return
    manage(env, "collectstatic", "--noinput", "--verbosity", "0")
    stamp.write_text(digest)


def _migrate(env: dict[str, str]) -> None:
    """Migrate the stack's database, or copy the database migrated by an earlier run."""
    database = Path(env["PROTECTION_VAR_DIR"]) / "protection.sqlite3"
    kept = MIGRATED / f"{_migrations_digest()}.sqlite3"
    if kept.exists():
        shutil.copyfile(kept, database)
        return
    manage(env, "migrate", "--noinput")
    MIGRATED.mkdir(parents=True, exist_ok=True)
    for stale in MIGRATED.glob("*.sqlite3"):
        stale.unlink()
    shutil.copyfile(database, kept)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, dict[str, str]]]:
    """The dev stack's web process on a demo mission; collected static files kept between runs."""
    env = embedded_env(tmp_path_factory.mktemp("var"))
    env["STATIC_ROOT"] = str(ROOT / "test-results" / "dev-static")
    _migrate(env)
    manage(env, "load_reference_data")
    manage(env, "seed_demo", "--households", HOUSEHOLDS)
    _collectstatic(env)
    port = _free_port()
    server = subprocess.Popen(  # noqa: S603 - our own interpreter, fixed arguments
        [sys.executable, "manage.py", "runserver", f"127.0.0.1:{port}", "--noreload"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                with urllib.request.urlopen(f"{base}/healthz", timeout=2):  # noqa: S310
                    break
            except OSError:
                time.sleep(0.5)
        yield base, env
    finally:
        server.terminate()
        server.wait(timeout=30)


def _session(env: dict[str, str], username: str) -> str:
    """Return the key of a signed-in session (second factor passed) in the stack's database."""
    code = (
        "from django.test import Client\n"
        "from protection.accounts.models import User\n"
        "from tests.second_factor import verify_session\n"
        f"user = User.objects.get(username='{username}')\n"
        "client = Client()\nclient.force_login(user)\nverify_session(client, user)\n"
        "print('SESSION=' + client.cookies['sessionid'].value)\n"
    )
    output = manage(env, "shell", "-c", code).stdout
    return output.split("SESSION=")[1].split()[0]


def test_static_files_are_hashed_cached_for_long_and_compressed(
    stack: tuple[str, dict[str, str]], browser: Any
) -> None:
    base, env = stack
    context = browser.new_context()
    context.add_cookies(
        [{"name": "sessionid", "value": _session(env, "undro.officer"), "url": base}]
    )
    page = context.new_page()
    responses: list[Any] = []
    page.on("response", lambda response: responses.append(response))
    try:
        page.goto(f"{base}/incidents/map/", wait_until="networkidle")
        static = [r for r in responses if "/static/" in r.url]
        assert len(static) >= 5, [r.url for r in responses]
        for response in static:
            headers = response.headers
            assert HASHED.search(response.url), response.url
            max_age = re.search(r"max-age=(\d+)", headers["cache-control"])
            assert max_age, (response.url, headers["cache-control"])
            assert int(max_age.group(1)) >= 365 * 24 * 3600, (
                response.url,
                headers["cache-control"],
            )
            if not response.url.endswith(".png"):  # PNG is compressed already
                assert headers.get("content-encoding") in ("br", "gzip"), response.url
    finally:
        context.close()


def test_the_heaviest_pages_weigh_less_than_150_kb_with_a_cold_cache(
    stack: tuple[str, dict[str, str]], browser: Any
) -> None:
    base, env = stack
    session = _session(env, "undro.officer")
    weights = {}
    for path in PAGES:
        context = browser.new_context(viewport={"width": 390, "height": 844})  # a new, empty cache
        context.add_cookies([{"name": "sessionid", "value": session, "url": base}])
        page = context.new_page()
        finished: list[Any] = []

        def keep(request: Any, into: list[Any] = finished) -> None:
            into.append(request)  # Playwright takes a Python function, not list.append

        page.on("requestfinished", keep)
        try:
            response = page.goto(f"{base}{path}", wait_until="networkidle")
            assert response is not None and response.status == 200, path
            if path == "/incidents/map/":
                page.wait_for_selector("#incident-map[data-incidents][data-boundaries]")
            sizes = [request.sizes() for request in finished]
            weights[path] = sum(s["responseBodySize"] + s["responseHeadersSize"] for s in sizes)
        finally:
            context.close()
    print({path: f"{weight / 1024:.1f} KB" for path, weight in weights.items()})
    heavy = {path: weight for path, weight in weights.items() if weight >= BUDGET}
    assert not heavy, heavy
    assert weights["/incidents/map/"] > 30 * 1024  # the map really loaded Leaflet and its layer
