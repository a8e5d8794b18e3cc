"""The deployment files are part of the product: no Docker engine runs here, so validate them."""

import json
import os
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
    assert "manage.py migrate" in command and "gunicorn -c gunicorn.conf.py erp.wsgi:application" in command
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
    assert '"gunicorn", "-c", "gunicorn.conf.py", "erp.wsgi:application"' in dockerfile


def test_gunicorn_takes_workers_threads_and_timeouts_from_the_environment(monkeypatch):
    import runpy

    monkeypatch.setenv("WEB_CONCURRENCY", "3")
    monkeypatch.setenv("GUNICORN_THREADS", "8")
    monkeypatch.setenv("GUNICORN_TIMEOUT", "45")
    config = runpy.run_path(str(ROOT / "gunicorn.conf.py"))
    assert (config["workers"], config["threads"], config["worker_class"], config["timeout"]) == (3, 8, "gthread", 45)
    assert config["accesslog"] == "-"

    for name in ("WEB_CONCURRENCY", "GUNICORN_THREADS", "GUNICORN_TIMEOUT"):
        monkeypatch.setenv(name, "")
    monkeypatch.setattr("multiprocessing.cpu_count", lambda: 4)
    config = runpy.run_path(str(ROOT / "gunicorn.conf.py"))
    assert (config["workers"], config["threads"], config["timeout"]) == (4, 4, 60)

    monkeypatch.setenv("GUNICORN_THREADS", "1")
    assert runpy.run_path(str(ROOT / "gunicorn.conf.py"))["worker_class"] == "sync"


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


def test_compose_offers_s3_storage_through_the_same_variables():
    compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    services = compose["services"]
    web = services["web"]["environment"]
    for name in (
        "ERP_STORAGE",
        "ERP_MEDIA_URL_TTL",
        "AWS_STORAGE_BUCKET_NAME",
        "AWS_S3_ENDPOINT_URL",
        "AWS_S3_REGION_NAME",
        "AWS_ACCESS_KEY_ID",
        "AWS_SECRET_ACCESS_KEY",
    ):
        assert name in web, name
    assert web["ERP_STORAGE"] == "${ERP_STORAGE:-local}"  # the local disk unless asked
    assert services["minio"]["profiles"] == ["s3"] and services["minio-bucket"]["profiles"] == ["s3"]
    assert "AWS_SECRET_ACCESS_KEY" in services["minio"]["environment"]["MINIO_ROOT_PASSWORD"]
    assert "AWS_STORAGE_BUCKET_NAME" in services["minio-bucket"]["environment"]["BUCKET"]


def test_dockerfile_installs_libmagic():
    assert "libmagic1" in (ROOT / "Dockerfile").read_text()


def _settings_with(env: dict) -> subprocess.CompletedProcess:
    script = (
        "import json; from django.conf import settings as s; "
        "print(json.dumps({'backend': s.STORAGES['default']['BACKEND'], 'media_root': str(s.MEDIA_ROOT), "
        "'bucket': getattr(s, 'AWS_STORAGE_BUCKET_NAME', None), 'endpoint': getattr(s, 'AWS_S3_ENDPOINT_URL', None), "
        "'region': getattr(s, 'AWS_S3_REGION_NAME', None), 'key': getattr(s, 'AWS_ACCESS_KEY_ID', None), "
        "'expire': getattr(s, 'AWS_QUERYSTRING_EXPIRE', None), 'ttl': s.ERP_MEDIA_URL_TTL, "
        "'files': s.ERP_NOTE_MAX_FILES, 'size': s.ERP_NOTE_MAX_FILE_SIZE}))"
    )
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "ERP_"))}
    return subprocess.run(
        [
            sys.executable,
            "-c",
            f"import django, os; os.environ.setdefault('DJANGO_SETTINGS_MODULE', "
            f"'erp.settings'); django.setup(); {script}",
        ],
        capture_output=True,
        text=True,
        check=False,
        cwd=ROOT,
        env={**clean, **env},
    )


def test_storage_is_the_local_disk_by_default():
    result = _settings_with({})
    assert result.returncode == 0, result.stderr
    config = json.loads(result.stdout)
    assert config["backend"] == "django.core.files.storage.FileSystemStorage"
    assert config["media_root"] == str(ROOT / "var" / "media")
    assert (config["ttl"], config["files"], config["size"]) == (300, 10, 5_000_000)


def test_erp_storage_s3_uses_django_storages_names():
    result = _settings_with(
        {
            "ERP_STORAGE": "s3",
            "AWS_STORAGE_BUCKET_NAME": "media",
            "AWS_S3_ENDPOINT_URL": "http://127.0.0.1:9000",
            "AWS_S3_REGION_NAME": "eu-west-1",
            "AWS_ACCESS_KEY_ID": "key",
            "AWS_SECRET_ACCESS_KEY": "secret",
            "ERP_MEDIA_URL_TTL": "60",
        }
    )
    assert result.returncode == 0, result.stderr
    config = json.loads(result.stdout)
    assert config["backend"] == "storages.backends.s3.S3Storage"
    assert (config["bucket"], config["endpoint"], config["region"], config["key"]) == (
        "media",
        "http://127.0.0.1:9000",
        "eu-west-1",
        "key",
    )
    assert config["expire"] == 60 and config["ttl"] == 60


def test_an_unknown_storage_is_refused_at_start():
    result = _settings_with({"ERP_STORAGE": "ftp"})
    assert result.returncode != 0
    assert "ERP_STORAGE must be local or s3" in result.stderr


def _email_settings(env: dict) -> dict:
    script = (
        "import json; from django.conf import settings as s; print(json.dumps({k: getattr(s, k, None) for k in "
        "('EMAIL_BACKEND', 'EMAIL_HOST', 'EMAIL_PORT', 'EMAIL_HOST_USER', 'EMAIL_HOST_PASSWORD', 'EMAIL_USE_TLS', "
        "'EMAIL_USE_SSL', 'DEFAULT_FROM_EMAIL', 'EMAIL_TIMEOUT')}))"
    )
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("EMAIL_", "DEFAULT_FROM", "DJANGO_EMAIL"))}
    result = subprocess.run(
        [
            sys.executable,
            "-c",
            "import django, os; os.environ.setdefault('DJANGO_SETTINGS_MODULE', 'erp.settings'); django.setup(); "
            + script,
        ],
        capture_output=True,
        text=True,
        check=False,
        cwd=ROOT,
        env={**clean, **env},
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def test_email_goes_to_the_console_by_default():
    config = _email_settings({})
    assert config["EMAIL_BACKEND"] == "django.core.mail.backends.console.EmailBackend"
    assert config["DEFAULT_FROM_EMAIL"] == "ERP <noreply@localhost>"


def test_email_url_configures_smtp_with_starttls_or_ssl():
    config = _email_settings(
        {"EMAIL_URL": "smtp+tls://mailer:p%40ss@smtp.example.com:587", "DEFAULT_FROM_EMAIL": "Acme <billing@acme.test>"}
    )
    assert config["EMAIL_BACKEND"] == "django.core.mail.backends.smtp.EmailBackend"
    assert (config["EMAIL_HOST"], config["EMAIL_PORT"]) == ("smtp.example.com", 587)
    assert (config["EMAIL_HOST_USER"], config["EMAIL_HOST_PASSWORD"]) == ("mailer", "p@ss")
    assert config["EMAIL_USE_TLS"] is True
    assert config["DEFAULT_FROM_EMAIL"] == "Acme <billing@acme.test>"
    assert _email_settings({"EMAIL_URL": "smtp+ssl://u:p@smtp.example.com:465"})["EMAIL_USE_SSL"] is True


def test_compose_passes_the_mail_settings():
    text = (ROOT / "docker-compose.yml").read_text()
    assert "EMAIL_URL: ${EMAIL_URL:-consolemail://}" in text
    assert "DEFAULT_FROM_EMAIL: ${DEFAULT_FROM_EMAIL:-" in text
