"""Removing report files no row refers to, with real files in a temporary MEDIA_ROOT."""

import datetime as dt
import os
from pathlib import Path

import pytest
from django.db import transaction
from django.utils import timezone

from blisko.core.exceptions import ApplicationError
from blisko.reports.models import Attachment, Report, ReportEvent
from blisko.reports.services.files import report_files_clean, upload_folders
from blisko.reports.services.submit import report_submit
from blisko.reports.tests.factories import ReportFactory
from blisko.reports.tests.uploads import PDF_BYTES, photo, upload
from conftest import KONIN_CENTRE

pytestmark = pytest.mark.django_db

HOURS_AGO = 2


@pytest.fixture
def media(settings, tmp_path) -> Path:
    """An empty MEDIA_ROOT of this test, inside a folder that also holds files outside it."""
    root = tmp_path / "media"
    root.mkdir()
    settings.MEDIA_ROOT = root
    settings.BLISKO_REPORT_ORPHAN_FILE_GRACE_MINUTES = 60
    return root


def _file(root: Path, name: str, content: bytes = b"x" * 10, *, hours_old: float = HOURS_AGO):
    path = root / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(content)
    moment = timezone.now().timestamp() - hours_old * 3600
    os.utime(path, (moment, moment))
    return path


def _attachment(report: Report, name: str, public: str = "") -> Attachment:
    return Attachment.objects.create(
        report=report,
        file=name,
        public_file=public,
        content_type="image/jpeg",
        size=10,
        sha256="0" * 64,
    )


def test_the_folders_are_those_of_the_report_file_fields():
    assert upload_folders() == ["reports/original", "reports/public", "reports/events"]


def test_referenced_files_are_kept_and_an_old_orphan_is_removed(media):
    report = ReportFactory()
    original = _file(media, "reports/original/2025/07/a1.jpg")
    public = _file(media, "reports/public/2025/07/a1.jpg")
    event_photo = _file(media, "reports/events/2025/07/e1.jpg")
    orphan = _file(media, "reports/original/2025/07/lost.jpg", b"y" * 1234)
    _attachment(report, "reports/original/2025/07/a1.jpg", "reports/public/2025/07/a1.jpg")
    ReportEvent.objects.create(report=report, action="note", photo="reports/events/2025/07/e1.jpg")

    result = report_files_clean(commit=True)

    assert original.exists() and public.exists() and event_photo.exists()
    assert not orphan.exists()
    assert (result.scanned, result.referenced, result.orphans) == (4, 3, 1)
    assert (result.removed, result.removed_bytes, result.orphan_bytes) == (1, 1234, 1234)
    assert (result.fresh, result.skipped, result.failed) == (0, 0, 0)


def test_a_fresh_orphan_is_kept_until_the_grace_period_has_passed(media, settings):
    fresh = _file(media, "reports/public/2026/05/new.jpg", hours_old=0.5)

    first = report_files_clean(commit=True)
    settings.BLISKO_REPORT_ORPHAN_FILE_GRACE_MINUTES = 15
    second = report_files_clean(commit=True)

    assert (first.fresh, first.orphans, first.removed) == (1, 0, 0)
    assert (second.fresh, second.removed) == (0, 1)
    assert not fresh.exists()


def test_a_dry_run_removes_nothing_and_counts_what_it_would_remove(media):
    orphans = [
        _file(media, "reports/original/2025/07/lost.pdf", b"p" * 100),
        _file(media, "reports/events/2025/08/lost.jpg", b"e" * 50),
    ]

    result = report_files_clean(commit=False)

    assert all(path.exists() for path in orphans)
    assert (result.committed, result.orphans, result.orphan_bytes) == (False, 2, 150)
    assert (result.removed, result.removed_bytes) == (0, 0)


def test_files_outside_the_upload_folders_are_never_looked_at(media):
    others = [
        _file(media, "reports/lost.jpg"),
        _file(media, "reports/exports/2025.csv"),
        _file(media, "officers/photo.jpg"),
        _file(media, "old.jpg"),
    ]

    result = report_files_clean(commit=True)

    assert all(path.exists() for path in others)
    assert result.scanned == 0


def test_a_symbolic_link_to_a_file_outside_media_root_is_neither_followed_nor_removed(
    media, tmp_path
):
    outside = _file(tmp_path, "secret.txt")
    link = media / "reports/original/2025/07/link.jpg"
    link.parent.mkdir(parents=True)
    link.symlink_to(outside)

    result = report_files_clean(commit=True)

    assert outside.read_bytes() == b"x" * 10
    assert link.is_symlink()
    assert (result.skipped, result.orphans, result.removed) == (1, 0, 0)


def test_a_linked_folder_leading_outside_media_root_is_not_walked(media, tmp_path):
    outside = _file(tmp_path, "elsewhere/2025/old.jpg")
    (media / "reports/original").mkdir(parents=True)
    (media / "reports/original/2025").symlink_to(tmp_path / "elsewhere/2025")
    (media / "reports/public").symlink_to(tmp_path / "elsewhere")

    result = report_files_clean(commit=True)

    assert outside.exists()
    assert (result.scanned, result.skipped, result.removed) == (0, 2, 0)


def test_names_that_look_like_path_traversal_are_ignored(media, tmp_path):
    outside = _file(tmp_path, "settings.py")
    odd = [
        _file(media, "reports/original/2025/07/..\\..\\..\\settings.py"),
        _file(media, "reports/original/2025/07/..evil.jpg"),
        _file(media, "reports/original/2025/07/.hidden"),
        _file(media, "reports/original/..2025/x.jpg"),
    ]
    # A row naming a path out of MEDIA_ROOT makes nothing outside a candidate either.
    _attachment(ReportFactory(), "reports/original/2025/07/../../../../settings.py")

    result = report_files_clean(commit=True)

    assert outside.exists()
    assert all(path.exists() for path in odd)
    assert (result.skipped, result.scanned, result.removed) == (4, 0, 0)


def test_the_files_of_a_submission_rolled_back_by_an_outer_transaction_are_removed(media):
    class Undo(Exception):
        pass

    with pytest.raises(Undo), transaction.atomic():
        report_submit(
            category_code="vandalism",
            lon=KONIN_CENTRE[0],
            lat=KONIN_CENTRE[1],
            client_ip=None,
            files=[photo(), upload("plan.pdf", PDF_BYTES)],
        )
        raise Undo
    kept = report_submit(
        category_code="vandalism",
        lon=KONIN_CENTRE[0],
        lat=KONIN_CENTRE[1],
        client_ip=None,
        files=[photo()],
    )
    left = {path for path in (media / "reports").rglob("*") if path.is_file()}
    assert Report.objects.get() == kept and len(left) == 5

    # Run as the scheduler would, once the grace period is over.
    later = timezone.now() + dt.timedelta(hours=HOURS_AGO)
    now_result = report_files_clean(commit=True)
    later_result = report_files_clean(commit=True, now=later)

    remaining = {path for path in (media / "reports").rglob("*") if path.is_file()}
    attachment = kept.attachments.get()
    assert remaining == {media / attachment.file.name, media / attachment.public_file.name}
    assert (now_result.fresh, now_result.removed) == (5, 0)
    assert (later_result.referenced, later_result.removed) == (2, 3)


def test_a_negative_grace_period_is_refused(media, settings):
    orphan = _file(media, "reports/original/2025/07/lost.jpg")
    settings.BLISKO_REPORT_ORPHAN_FILE_GRACE_MINUTES = -1

    with pytest.raises(ApplicationError):
        report_files_clean(commit=True)

    assert orphan.exists()
