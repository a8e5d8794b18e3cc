"""The deployment files are part of the product: no Docker engine runs here, so validate them."""

import subprocess
import sys
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent


def test_compose_file_is_valid_against_the_compose_spec():
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "check_jsonschema",
            "--builtin-schema",
            "vendor.compose-spec",
            str(ROOT / "docker-compose.yml"),
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_compose_runs_postgres_and_gunicorn_with_migrations_configured_by_environment():
    compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    services = compose["services"]
    assert services["db"]["image"].startswith("postgres:")
    web = services["web"]
    command = " ".join(web["command"])
    assert "manage.py migrate" in command and "gunicorn erp.wsgi:application" in command
    assert web["depends_on"]["db"]["condition"] == "service_healthy"
    # Only environment variables configure the app: every value is an interpolation with a default or a demand.
    for name, value in web["environment"].items():
        assert "${" in str(value), f"{name} is hard-coded in docker-compose.yml"
    assert "DATABASE_URL" in web["environment"] and "DJANGO_SECRET_KEY" in web["environment"]


def test_compose_runs_redis_a_celery_worker_and_beat_configured_by_environment():
    compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    services = compose["services"]
    assert services["redis"]["image"].startswith("redis:")
    assert "celery -A erp worker" in " ".join(services["worker"]["command"])
    assert "celery -A erp beat" in " ".join(services["beat"]["command"])
    for name in ("web", "worker", "beat"):
        environment = services[name]["environment"]
        assert environment == services["web"]["environment"], f"{name} runs with other settings than web"
        assert environment["CELERY_BROKER_URL"] == "${CELERY_BROKER_URL:-redis://redis:6379/0}"
        for key, value in environment.items():
            assert "${" in str(value), f"{name}: {key} is hard-coded in docker-compose.yml"
        assert services[name]["depends_on"]["redis"]["condition"] == "service_healthy"


def test_dockerfile_installs_pinned_requirements_and_collects_static_files():
    dockerfile = (ROOT / "Dockerfile").read_text()
    assert "pip install --no-cache-dir -r requirements.txt" in dockerfile
    assert "collectstatic" in dockerfile
    assert "gunicorn" in dockerfile


def test_whitenoise_serves_static_files():
    from django.conf import settings

    assert "whitenoise.middleware.WhiteNoiseMiddleware" in settings.MIDDLEWARE


def test_compose_checks_the_web_service_health_on_its_health_route():
    compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    check = compose["services"]["web"]["healthcheck"]
    assert "http://127.0.0.1:8000/healthz" in " ".join(check["test"])


def test_compose_passes_the_database_password_on_its_own(monkeypatch):
    """A password with URL-special characters needs no encoding: it is not part of DATABASE_URL."""
    compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    environment = compose["services"]["web"]["environment"]
    assert "POSTGRES_PASSWORD" not in environment["DATABASE_URL"]
    assert environment["DATABASE_PASSWORD"].startswith("${POSTGRES_PASSWORD")


def test_database_password_overrides_the_url_and_may_hold_any_character():
    password = "p@ss:w/rd?#%"
    script = (
        "from django.conf import settings; import django; django.setup(); "
        "print(settings.DATABASES['default']['PASSWORD'], settings.DATABASES['default']['HOST'])"
    )
    result = subprocess.run(
        [sys.executable, "-c", script],
        capture_output=True,
        text=True,
        check=True,
        cwd=ROOT,
        env={
            "DJANGO_SETTINGS_MODULE": "erp.settings",
            "DATABASE_URL": "postgres://erp@db:5432/erp",
            "DATABASE_PASSWORD": password,
            "PATH": "/usr/bin:/bin",
        },
    )
    assert result.stdout.split() == [password, "db"]


def test_the_health_route_answers_ok_when_the_database_does(client, db):
    response = client.get("/healthz")

    assert response.status_code == 200
    assert response.json() == {"status": "ok"}
