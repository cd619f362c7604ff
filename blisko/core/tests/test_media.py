import pytest
from django.http import Http404
from django.test import RequestFactory

from blisko.core.views import media_public


def test_private_originals_are_never_served_as_media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    (tmp_path / "reports" / "original").mkdir(parents=True)
    (tmp_path / "reports" / "original" / "a.jpg").write_bytes(b"secret")
    (tmp_path / "reports" / "public").mkdir(parents=True)
    (tmp_path / "reports" / "public" / "a.jpg").write_bytes(b"public")
    request = RequestFactory().get("/")
    for path in ("reports/original/a.jpg", "/reports/original/a.jpg"):
        with pytest.raises(Http404):
            media_public(request, path)
    response = media_public(request, "reports/public/a.jpg")
    assert b"".join(response.streaming_content) == b"public"
