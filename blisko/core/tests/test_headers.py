"""Security headers of every page: a Content-Security-Policy with no inline script or style,
the referrer kept to Blisko's origin, and geolocation only where a page asks for it."""

import re
from pathlib import Path

import pytest
from django.conf import settings

from blisko.accounts.tests.helpers import second_factor_verify
from blisko.reports.models import STATUS_COLOURS
from blisko.territories.models import Area

NONCE = re.compile(r"'nonce-([^']+)'")


def _directives(response) -> dict[str, list[str]]:
    policy = response["Content-Security-Policy"]
    return {part.split()[0]: part.split()[1:] for part in policy.split(";") if part.strip()}


@pytest.mark.django_db
@pytest.mark.parametrize("path", ["/", "/map/", "/report/", "/search/?q=Vinnytsia", "/nowhere/"])
def test_pages_forbid_inline_scripts_and_styles(client, path):
    response = client.get(path)
    directives = _directives(response)
    for name in ("script-src", "style-src"):
        assert "'self'" in directives[name]
        assert "'unsafe-inline'" not in directives[name]
        assert "'unsafe-eval'" not in directives[name]
    assert directives["object-src"] == ["'none'"]
    assert directives["frame-ancestors"] == ["'none'"]
    assert directives["img-src"][:2] == ["'self'", "data:"]
    assert response["Referrer-Policy"] == "strict-origin-when-cross-origin"
    assert response["X-Content-Type-Options"] == "nosniff"


@pytest.mark.django_db
@pytest.mark.parametrize("path", ["/", "/report/"])
def test_the_pages_that_locate_the_resident_may_use_geolocation_for_blisko_only(client, path):
    policy = client.get(path)["Permissions-Policy"]
    assert "geolocation=(self)" in policy
    for feature in ("camera=()", "microphone=()", "payment=()"):
        assert feature in policy


@pytest.mark.django_db
@pytest.mark.parametrize("path", ["/map/", "/search/?q=Vinnytsia", "/healthz", "/api/v1/docs/"])
def test_other_pages_may_not_use_geolocation(client, path):
    policy = client.get(path)["Permissions-Policy"]
    assert "geolocation=()" in policy
    assert "camera=()" in policy


def test_no_template_has_a_style_attribute():
    roots = [Path(settings.BASE_DIR) / "templates", Path(settings.BASE_DIR) / "blisko"]
    offenders = [
        f"{path}:{number}"
        for root in roots
        for path in root.rglob("*.html")
        for number, line in enumerate(path.read_text().splitlines(), start=1)
        if re.search(r"\sstyle=", line)
    ]
    assert offenders == []


def test_every_status_colour_has_its_css_class():
    css = (Path(settings.BASE_DIR) / "static" / "css" / "status.css").read_text()
    for status, colour in STATUS_COLOURS.items():
        assert f".status-colour--{status.value} {{ --status-colour: {colour}; }}" in css


def test_the_map_tiles_host_may_serve_images(tmp_path):
    import subprocess
    import sys

    code = (
        "from django.conf import settings as s;"
        "print(s.CONTENT_SECURITY_POLICY['DIRECTIVES']['img-src'])"
    )
    result = subprocess.run(
        [sys.executable, "-c", code],
        env={
            "PATH": "/usr/bin:/bin",
            "DJANGO_SETTINGS_MODULE": "config.settings.base",
            "BLISKO_TILE_URL": "https://{s}.tile.example.org/{z}/{x}/{y}.png",
        },
        cwd=settings.BASE_DIR,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert (
        result.stdout.strip() == "[\"'self'\", 'data:', 'blob:', 'https://*.tile.example.org']"
    ), result.stderr


def _nonce(response) -> str:
    match = NONCE.search(_directives(response)["script-src"][-1])
    assert match, response["Content-Security-Policy"]
    return match.group(1)


@pytest.mark.django_db
@pytest.mark.parametrize("path", ["/api/v1/docs/", "/api/v1/redoc/"])
def test_the_api_docs_inline_script_carries_the_nonce(client, path):
    response = client.get(path)
    assert response.status_code == 200
    nonce = _nonce(response)
    html = response.content.decode()
    assert f'<style nonce="{nonce}">' in html
    inline = re.findall(r"<(?:script|style)(?![^>]*\ssrc=)[^>]*>", html)
    assert inline, html
    assert all(f'nonce="{nonce}"' in tag for tag in inline), inline


@pytest.mark.django_db
def test_the_admin_map_widget_script_carries_the_nonce(client, django_user_model):
    admin = django_user_model.objects.create_superuser("root", "root@example.org", "pw-12345")
    client.force_login(admin)
    second_factor_verify(client, admin)
    area = Area.objects.exclude(boundary=None).order_by("pk").first()
    response = client.get(f"/admin/territories/area/{area.pk}/change/")
    assert response.status_code == 200
    nonce = _nonce(response)
    html = response.content.decode()
    assert f'<script nonce="{nonce}">' in html
    assert "<script>" not in html
