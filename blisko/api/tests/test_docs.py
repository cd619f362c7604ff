import re

import pytest
from django.contrib.staticfiles import finders


def _assets(html: str) -> list[str]:
    return re.findall(r"""(?:src|href)\s*=\s*["']([^"']+)["']""", html)


@pytest.mark.parametrize("url", ["/api/v1/docs/", "/api/v1/redoc/"])
def test_the_documentation_pages_open_for_anyone(client, url):
    response = client.get(url)

    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/html")


@pytest.mark.parametrize("url", ["/api/v1/docs/", "/api/v1/redoc/"])
def test_the_documentation_pages_load_only_local_files_and_no_cdn(client, url):
    html = client.get(url).content.decode()
    assets = [a for a in _assets(html) if not a.startswith("#")]
    scripts = re.findall(r"""<script[^>]+src\s*=\s*["']([^"']+)["']""", html)

    assert scripts, html
    assert not re.search(r"(?:https?:)?//(?:cdn|unpkg|fastly|cdnjs|jsdelivr)", html)
    for asset in assets:
        assert asset.startswith("/"), asset
        assert not asset.startswith("//"), asset
    for script in scripts:
        assert script.startswith("/static/drf_spectacular_sidecar/"), script
        assert finders.find(script.removeprefix("/static/")), script


def test_the_swagger_ui_reads_the_local_schema(client):
    html = client.get("/api/v1/docs/").content.decode()

    assert "/api/v1/schema/" in html
