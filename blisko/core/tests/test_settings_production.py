"""Production settings: Django's deployment checks pass with the values of .env.example, and
a missing value stops the start with an error that names it."""

import os
import re
import subprocess
import sys

import pytest
from django.conf import settings

ENV_EXAMPLE = settings.BASE_DIR / ".env.example"


def _example_environment(tmp_path, **changes: str | None) -> dict[str, str]:
    """The variables of .env.example with their example values, on a SpatiaLite file (no
    server to reach), without the variables of the calling environment."""
    values = dict(
        re.findall(r"^# ([A-Z][A-Z0-9_]*)=(.*)$", ENV_EXAMPLE.read_text(), flags=re.MULTILINE)
    )
    values["DATABASE_URL"] = f"spatialite:///{tmp_path / 'blisko.sqlite3'}"
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "BLISKO_"))}
    env.pop("DATABASE_URL", None)
    env.update(values, DJANGO_SETTINGS_MODULE="config.settings.production")
    for name, value in changes.items():
        if value is None:
            env.pop(name, None)
        else:
            env[name] = value
    return env


def _manage(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        env=env,
        cwd=settings.BASE_DIR,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_env_example_names_every_required_variable():
    text = ENV_EXAMPLE.read_text()
    for name in (
        "DATABASE_URL",
        "DJANGO_SECRET_KEY",
        "DJANGO_ALLOWED_HOSTS",
        "BLISKO_SITE_URL",
        "DEFAULT_FROM_EMAIL",
        "EMAIL_HOST",
        "DJANGO_SECURE_SSL_REDIRECT",
        "DJANGO_SECURE_HSTS_SECONDS",
    ):
        assert f"# {name}=" in text, name


def test_deployment_checks_pass_with_the_example_values(tmp_path):
    result = _manage(_example_environment(tmp_path), "check", "--deploy", "--fail-level", "WARNING")
    assert result.returncode == 0, result.stderr
    assert "System check identified no issues" in result.stdout, (result.stdout, result.stderr)
    assert "WARNING" not in result.stderr, result.stderr


@pytest.mark.parametrize(
    "name",
    ["DJANGO_SECRET_KEY", "DJANGO_ALLOWED_HOSTS", "DATABASE_URL", "BLISKO_SITE_URL", "EMAIL_HOST"],
)
def test_production_refuses_to_start_without_a_required_variable(tmp_path, name):
    result = _manage(_example_environment(tmp_path, **{name: None}), "check")
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert f"{name} is not set" in result.stderr
    assert ".env.example" in result.stderr


def test_production_needs_no_smtp_host_with_another_mail_backend(tmp_path):
    env = _example_environment(
        tmp_path,
        EMAIL_HOST=None,
        EMAIL_BACKEND="django.core.mail.backends.console.EmailBackend",
    )
    assert _manage(env, "check").returncode == 0


def test_production_refuses_a_site_url_that_is_no_address(tmp_path):
    result = _manage(_example_environment(tmp_path, BLISKO_SITE_URL="blisko.example.org"), "check")
    assert result.returncode != 0
    assert "BLISKO_SITE_URL must be the site's address" in result.stderr


def test_production_trusts_forms_from_the_site_url_and_exempts_the_health_checks(tmp_path):
    code = (
        "from django.conf import settings as s;"
        "print(s.CSRF_TRUSTED_ORIGINS, s.SECURE_SSL_REDIRECT, s.SECURE_REDIRECT_EXEMPT,"
        " s.SECURE_HSTS_SECONDS, s.SECURE_HSTS_INCLUDE_SUBDOMAINS, s.X_FRAME_OPTIONS,"
        " s.SECURE_PROXY_SSL_HEADER)"
    )
    env = _example_environment(tmp_path, BLISKO_SITE_URL="https://blisko.example.org/")
    result = subprocess.run(
        [sys.executable, "-c", code],
        env=env,
        cwd=settings.BASE_DIR,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.stdout.strip() == (
        "['https://blisko.example.org'] True ['^healthz$', '^readyz$'] 31536000 True DENY"
        " ('HTTP_X_FORWARDED_PROTO', 'https')"
    ), result.stderr
