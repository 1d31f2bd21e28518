"""docker-compose.yml and the Dockerfile start what exists: checked without Docker.

Docker cannot run here, so these tests read the files and resolve every target they name: the
settings module, the WSGI application, the Celery app, the management commands, the files the
Dockerfile copies; the web health check is run against a real gunicorn with production settings.
"""

import base64
import json
import os
import re
import secrets
import shlex
import socket
import subprocess
import sys
import time
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
import yaml
from django.conf import settings
from django.core.management import get_commands

ROOT = Path(settings.BASE_DIR)
COMPOSE: dict[str, Any] = yaml.safe_load((ROOT / "docker-compose.yml").read_text(encoding="utf-8"))
SERVICES: dict[str, dict[str, Any]] = COMPOSE["services"]
APP_SERVICES = ["migrate", "web", "worker", "beat"]
DOCKERFILE = (ROOT / "Dockerfile").read_text(encoding="utf-8")
ENV_EXAMPLE = (ROOT / ".env.example").read_text(encoding="utf-8")


def command_of(service: str) -> list[str]:
    command = SERVICES[service]["command"]
    return shlex.split(command) if isinstance(command, str) else [str(c) for c in command]


def run_python(code: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    keep = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DATABASE_"))}
    return subprocess.run(  # noqa: S603 - our own interpreter, fixed arguments
        [sys.executable, "-c", code],
        cwd=ROOT,
        env={**keep, **env},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def production_env(service: str) -> dict[str, str]:
    """Return the service's compose environment, with .env's required values filled in."""
    env = {k: str(v) for k, v in SERVICES[service]["environment"].items()}
    env.update(
        {
            "SECRET_KEY": secrets.token_urlsafe(64),
            "PROTECTION_FIELD_KEYS": f"k1:{base64.b64encode(secrets.token_bytes(32)).decode()}",
            "ALLOWED_HOSTS": "protection.example.org,localhost",
            # The compose hosts "postgres" and "redis" do not exist here: use 127.0.0.1.
            "DATABASE_URL": "postgres://postgres@127.0.0.1:5432/postgres",
            "DATABASE_REPLICA_URLS": "postgres://postgres@127.0.0.1:5432/postgres",
            "CELERY_BROKER_URL": "redis://127.0.0.1:6379/15",
            "CACHE_URL": "redis://127.0.0.1:6379/14",
            "WEBHOOK_EGRESS": "direct",
        }
    )
    return env


def test_the_expected_services_exist() -> None:
    assert {"postgres", "postgres-replica", "redis", "web", "worker", "beat"} <= set(SERVICES)
    assert SERVICES["postgres"]["image"].split(":")[1].startswith("16")
    assert SERVICES["redis"]["image"].split(":")[1].startswith("7")


def test_every_service_has_a_healthcheck_or_waits_for_healthy_ones() -> None:
    for name, service in SERVICES.items():
        depends = service.get("depends_on", {})
        assert isinstance(depends, dict), f"{name}: depends_on needs conditions"
        for dependency, rule in depends.items():
            condition = rule.get("condition")
            assert condition in {"service_healthy", "service_completed_successfully"}, (
                f"{name} starts before {dependency} is ready"
            )
            if condition == "service_healthy":
                assert "healthcheck" in SERVICES[dependency], f"{dependency} has no healthcheck"
        assert "healthcheck" in service or depends, f"{name}: no healthcheck, no dependencies"
    for name in ("postgres", "redis", "web"):
        assert "healthcheck" in SERVICES[name], name
    assert "pg_isready" in " ".join(SERVICES["postgres"]["healthcheck"]["test"])
    assert "ping" in SERVICES["redis"]["healthcheck"]["test"]
    for name in ("web", "worker", "beat"):
        depends = SERVICES[name]["depends_on"]
        assert depends["postgres"]["condition"] == "service_healthy"
        assert depends["redis"]["condition"] == "service_healthy"
        assert depends["migrate"]["condition"] == "service_completed_successfully"


def test_redis_keeps_an_append_only_file_on_a_volume() -> None:
    command = command_of("redis")
    assert command[0] == "redis-server"
    assert command[command.index("--appendonly") + 1] == "yes"
    assert any(volume.endswith(":/data") for volume in SERVICES["redis"]["volumes"])
    assert any(
        volume.endswith(":/var/lib/postgresql/data") for volume in SERVICES["postgres"]["volumes"]
    )
    for volume in ("postgres-data", "redis-data"):
        assert volume in COMPOSE["volumes"]


def test_the_cache_is_a_redis_of_its_own_that_may_forget_and_nothing_waits_for() -> None:
    """A frozen or full cache must not take the broker's queue with it (issue 9)."""
    environment = SERVICES["web"]["environment"]
    broker = urlsplit(environment["CELERY_BROKER_URL"])
    cache = urlsplit(environment["CACHE_URL"])
    assert (broker.hostname, cache.hostname) == ("redis", "cache")
    assert SERVICES["cache"]["image"].split(":")[1].startswith("7")
    assert "ping" in SERVICES["cache"]["healthcheck"]["test"]
    command = command_of("cache")
    assert command[0] == "redis-server"
    assert command[command.index("--maxmemory-policy") + 1] == "allkeys-lru"
    assert command[command.index("--appendonly") + 1] == "no"
    # The broker never evicts (Redis's default policy) and keeps its append-only file.
    assert "--maxmemory-policy" not in command_of("redis")
    # The app fails open without its cache: nothing waits for it to be healthy.
    for name in APP_SERVICES:
        assert "cache" not in SERVICES[name]["depends_on"], name


def test_a_streaming_replica_follows_the_primary_and_the_app_reads_lists_from_it() -> None:
    replica = SERVICES["postgres-replica"]
    assert replica["image"] == SERVICES["postgres"]["image"]
    assert replica["user"] == "postgres"  # PostgreSQL refuses to run as root
    assert replica["depends_on"]["postgres"]["condition"] == "service_healthy"
    assert "pg_is_in_recovery()" in " ".join(replica["healthcheck"]["test"])
    mounted = {v.split(":")[1]: v.split(":")[0] for v in replica["volumes"]}
    script = (ROOT / mounted[replica["entrypoint"][-1]]).read_text(encoding="utf-8")
    assert "pg_basebackup -h postgres" in script and " -R " in script
    assert script.rstrip().endswith("exec postgres")
    assert any(v.endswith(":/var/lib/postgresql/data") for v in replica["volumes"])
    assert "postgres-replica-data" in COMPOSE["volumes"]
    # The primary accepts the replication connection (the official image runs initdb.d once).
    init = next(v for v in SERVICES["postgres"]["volumes"] if "/docker-entrypoint-initdb.d/" in v)
    assert "host replication" in (ROOT / init.split(":")[0]).read_text(encoding="utf-8")
    for name in ("web", "worker", "beat"):
        url = urlsplit(SERVICES[name]["environment"]["DATABASE_REPLICA_URLS"])
        assert (url.hostname, url.path) == ("postgres-replica", "/protection"), name
        assert SERVICES[name]["depends_on"]["postgres-replica"]["condition"] == "service_healthy"
    result = run_python(
        "from django.conf import settings; print(sorted(settings.DATABASES))",
        production_env("web"),
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "['default', 'replica1']"


def test_more_than_one_worker_runs() -> None:
    replicas = str(SERVICES["worker"]["deploy"]["replicas"])
    default = re.fullmatch(r"\$\{WORKER_REPLICAS:-(\d+)\}", replicas)
    assert default and int(default.group(1)) >= 2, replicas
    assert re.search(r"^WORKER_REPLICAS=(\d+)$", ENV_EXAMPLE, flags=re.MULTILINE)


def test_app_services_use_production_settings_that_exist() -> None:
    import importlib.util

    for name in APP_SERVICES:
        module = SERVICES[name]["environment"]["DJANGO_SETTINGS_MODULE"]
        assert module == "protection.settings.production", name
        assert importlib.util.find_spec(module) is not None
        assert SERVICES[name]["environment"]["DATABASE_URL"].startswith("postgres://")
        assert SERVICES[name]["environment"]["CELERY_BROKER_URL"].startswith("redis://redis:")
        assert SERVICES[name]["environment"]["CACHE_URL"].startswith("redis://cache:")
    assert "ENV" in DOCKERFILE and "DJANGO_SETTINGS_MODULE=protection.settings.production" in (
        DOCKERFILE
    )


def test_web_runs_the_wsgi_application_with_production_settings() -> None:
    command = command_of("web")
    assert command[0] == "gunicorn"
    module, attribute = command[1].split(":")
    result = run_python(
        f"import importlib; app = getattr(importlib.import_module({module!r}), {attribute!r}); "
        "from django.conf import settings; print(callable(app), settings.DEBUG)",
        production_env("web"),
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["True", "False"]


@pytest.mark.parametrize("service", ["worker", "beat"])
def test_celery_services_name_an_app_that_loads(service: str) -> None:
    command = command_of(service)
    assert command[:3] == ["celery", "-A", "protection"]
    assert command[3] == service
    result = run_python(
        "from celery.app.utils import find_app; app = find_app('protection'); "
        "from django.conf import settings; "
        "print(app.main, app.conf.broker_url, settings.DEBUG)",
        production_env(service),
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["protection", "redis://127.0.0.1:6379/15", "False"]


def test_migrate_runs_commands_that_exist() -> None:
    script = command_of("migrate")[-1]
    steps = [shlex.split(step) for step in script.split("&&")]
    commands = get_commands()
    for step in steps:
        assert step[:2] == ["python", "manage.py"]
        assert step[2] in commands, step
    assert [step[2] for step in steps] == ["migrate", "load_reference_data"]


def test_every_variable_compose_interpolates_is_documented_in_env_example() -> None:
    text = (ROOT / "docker-compose.yml").read_text(encoding="utf-8")
    names = set(re.findall(r"(?<!\$)\$\{([A-Z_]+)", text))
    assert "POSTGRES_PASSWORD" in names
    documented = set(re.findall(r"^#?\s*([A-Z_]+)=", ENV_EXAMPLE, flags=re.MULTILINE))
    assert names <= documented, names - documented


def test_env_example_lists_the_required_settings() -> None:
    keys = set(re.findall(r"^([A-Z_]+)=", ENV_EXAMPLE, flags=re.MULTILINE))
    assert {"SECRET_KEY", "ALLOWED_HOSTS", "POSTGRES_PASSWORD", "EMAIL_HOST"} <= keys
    # A secret never ships with a value.
    for name in ("SECRET_KEY", "POSTGRES_PASSWORD", "EMAIL_HOST_PASSWORD", "PROTECTION_FIELD_KEYS"):
        assert re.search(rf"^{name}=$", ENV_EXAMPLE, flags=re.MULTILINE), name
    assert ".env" in (ROOT / ".dockerignore").read_text(encoding="utf-8").split()
    assert ".env" in (ROOT / ".gitignore").read_text(encoding="utf-8").split()


def _dockerfile_instructions() -> list[tuple[str, str]]:
    joined = re.sub(r"\\\n", " ", DOCKERFILE)
    result = []
    for line in joined.splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            keyword, _, rest = line.partition(" ")
            result.append((keyword.upper(), rest.strip()))
    return result


def test_dockerfile_builds_a_non_root_image_from_files_that_exist() -> None:
    instructions = _dockerfile_instructions()
    assert instructions[0] == ("FROM", "python:3.11-slim")
    for keyword, rest in instructions:
        if keyword == "COPY":
            *sources, _target = rest.split()
            for source in sources:
                if source != ".":
                    assert (ROOT / source).exists(), source
    users = [rest for keyword, rest in instructions if keyword == "USER"]
    assert users and users[-1] not in {"root", "0"}
    runs = " ".join(rest for keyword, rest in instructions if keyword == "RUN")
    assert "pip install ." in runs
    assert "manage.py collectstatic --noinput" in runs
    assert (ROOT / "manage.py").exists()


def test_dockerfile_cmd_serves_the_wsgi_application() -> None:
    cmd = json.loads(next(rest for keyword, rest in _dockerfile_instructions() if keyword == "CMD"))
    assert cmd[0] == "gunicorn"
    assert cmd[1] == command_of("web")[1] == "protection.wsgi:application"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def test_web_healthcheck_passes_against_gunicorn_with_production_settings() -> None:
    port = _free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DATABASE_"))}
    env.update(production_env("web"))
    command = [
        c for c in command_of("web") if not c.startswith(("--workers", "--bind", "--access"))
    ]
    server = subprocess.Popen(  # noqa: S603 - gunicorn from our virtualenv, fixed arguments
        [str(Path(sys.executable).parent / command[0]), *command[1:], f"--bind=127.0.0.1:{port}"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        test = SERVICES["web"]["healthcheck"]["test"]
        assert test[:3] == ["CMD", "python", "-c"]
        check = test[3].replace("127.0.0.1:8000", f"127.0.0.1:{port}")
        deadline = time.monotonic() + 60
        while True:
            result = run_python(check, env)
            if result.returncode == 0 or time.monotonic() > deadline:
                break
            assert server.poll() is None, server.communicate()[1]
            time.sleep(0.5)
        assert result.returncode == 0, result.stderr
        # The same request for a host the site does not serve is refused: the check is real.
        refused = run_python(check.replace('.split(",")[0]', '.replace("", "") + ".invalid"'), env)
        assert refused.returncode != 0
    finally:
        server.terminate()
        server.wait(timeout=30)


def test_the_image_build_collects_static_files_with_production_settings(tmp_path: Path) -> None:
    """The Dockerfile's collectstatic step: the manifest storage fails on a broken reference."""
    env = production_env("web")
    env["STATIC_ROOT"] = str(tmp_path)
    result = subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--noinput", "--verbosity", "1"],
        cwd=ROOT,
        env={**{k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")}, **env},
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "staticfiles.json").exists()
