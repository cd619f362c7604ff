"""`manage.py reports_clean_files`: a dry run unless --commit; prints counts and bytes."""

import io
import os
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from blisko.reports.models import Attachment
from blisko.reports.tests.factories import ReportFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def media(settings, tmp_path) -> Path:
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.BLISKO_REPORT_ORPHAN_FILE_GRACE_MINUTES = 60
    return tmp_path / "media"


def _file(root: Path, name: str, size: int, *, hours_old: float) -> Path:
    path = root / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(b"x" * size)
    moment = timezone.now().timestamp() - hours_old * 3600
    os.utime(path, (moment, moment))
    return path


@pytest.fixture
def files(media) -> dict[str, Path]:
    kept = _file(media, "reports/original/2025/07/kept.jpg", 300, hours_old=5)
    Attachment.objects.create(
        report=ReportFactory(),
        file="reports/original/2025/07/kept.jpg",
        content_type="image/jpeg",
        size=300,
        sha256="0" * 64,
    )
    return {
        "kept": kept,
        "orphan": _file(media, "reports/original/2025/07/lost.jpg", 2048, hours_old=5),
        "other orphan": _file(media, "reports/public/2025/07/lost.jpg", 1000, hours_old=3),
        "fresh": _file(media, "reports/public/2026/01/new.jpg", 10, hours_old=0.25),
    }


def _run(*args: str) -> str:
    out = io.StringIO()
    call_command("reports_clean_files", *args, stdout=out)
    return out.getvalue()


def test_without_commit_it_removes_nothing_and_says_what_it_would_remove(files):
    output = _run()

    assert all(path.exists() for path in files.values())
    assert "Files looked at: 4." in output
    assert "Kept, referred to by a report: 1." in output
    assert "Kept, younger than the grace period of 60 minutes: 1." in output
    assert "Orphans: 2 (3048 bytes)." in output
    assert "Dry run: nothing removed. Add --commit to remove them." in output
    assert "Removed:" not in output


def test_with_commit_it_removes_the_old_orphans_only(files):
    output = _run("--commit")

    assert files["kept"].exists() and files["fresh"].exists()
    assert not files["orphan"].exists() and not files["other orphan"].exists()
    assert "Removed: 2 (3048 bytes)." in output
    assert "Dry run" not in output
    assert "Orphans: 0" in _run("--commit")


def test_a_missing_media_root_is_nothing_to_do(media):
    output = _run("--commit")

    assert "Files looked at: 0." in output
    assert "Removed: 0 (0 bytes)." in output


def test_a_negative_grace_period_is_a_clear_error(files, settings):
    settings.BLISKO_REPORT_ORPHAN_FILE_GRACE_MINUTES = -5

    with pytest.raises(CommandError, match="grace period"):
        _run("--commit")

    assert files["orphan"].exists()


def test_a_file_the_storage_will_not_remove_is_reported_and_the_rest_go_on(files, monkeypatch):
    from django.core.files.storage import default_storage

    real_delete = default_storage.delete

    def delete(name: str) -> None:
        if name.endswith("original/2025/07/lost.jpg"):
            raise PermissionError(name)  # the storage refuses, as a read-only mount would
        real_delete(name)

    monkeypatch.setattr(default_storage, "delete", delete)

    with pytest.raises(CommandError, match="1 orphan files could not be removed"):
        _run("--commit")

    assert files["orphan"].exists()
    assert not files["other orphan"].exists()
