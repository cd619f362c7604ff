"""Files of the threat map that no row refers to: found, and removed, by `reports_clean_files`.

A report's attachments (and an officer's event photo) are written to the storage while the
row that names them is being saved. `report_submit` deletes the files itself when its own
transaction fails, but when an outer transaction rolls back after it, or the process dies
midway, the rows vanish and the files stay. `report_files_clean` runs from the scheduler
and removes them:

- only under the upload folders of `Attachment.file`, `Attachment.public_file` and
  `ReportEvent.photo` (the fixed part of their `upload_to`), nowhere else in the storage;
- only a file no attachment (original or public copy) and no event photo names;
- only once it is older than BLISKO_REPORT_ORPHAN_FILE_GRACE_MINUTES, so a file whose
  row is not committed yet is never taken for an orphan;
- never through a symbolic link, never a path that resolves outside the storage's folder
  (MEDIA_ROOT), and never a name a Blisko upload cannot have (a hidden file, "..", a
  backslash): those are left alone and counted as skipped.
"""

import datetime as dt
import os
import posixpath
from collections.abc import Iterator
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import SuspiciousFileOperation
from django.core.files.storage import Storage, default_storage
from django.utils import timezone
from django.utils.translation import gettext as _

from blisko.core.exceptions import ApplicationError
from blisko.reports.models import Attachment, ReportEvent

# The file fields whose upload folders are cleaned: (model, field name).
FILE_FIELDS = ((Attachment, "file"), (Attachment, "public_file"), (ReportEvent, "photo"))


@dataclass
class FilesCleanup:
    """What `report_files_clean` found: numbers of files, and the bytes of the orphans."""

    committed: bool
    grace_minutes: int
    scanned: int = 0
    referenced: int = 0
    fresh: int = 0
    skipped: int = 0
    orphans: int = 0
    orphan_bytes: int = 0
    removed: int = 0
    removed_bytes: int = 0
    failed: int = 0


def upload_folders() -> list[str]:
    """The folders the report file fields upload to (their `upload_to` up to the first
    date placeholder), each once, as storage names without a trailing slash."""
    folders: list[str] = []
    for model, name in FILE_FIELDS:
        upload_to = model._meta.get_field(name).upload_to  # type: ignore[union-attr]
        folder = str(upload_to).split("%", 1)[0].strip("/")
        if folder and folder not in folders:
            folders.append(folder)
    return folders


def _plain_name(name: str) -> bool:
    """Whether a listed name is one a Blisko upload can have (see the module)."""
    return bool(name) and not name.startswith(".") and ".." not in name and "\\" not in name


def _inside(storage: Storage, name: str) -> bool:
    """Whether `name` is a real folder or file inside the storage's folder, reached without
    a symbolic link. Storages without local paths (S3) have no links: always True."""
    try:
        path = storage.path(name)
    except NotImplementedError:
        return True
    except SuspiciousFileOperation:
        return False
    root = os.path.realpath(storage.path(""))
    if os.path.islink(path):
        return False
    real = os.path.realpath(path)
    return real != root and os.path.commonpath([root, real]) == root


def _folders(storage: Storage, top: str, result: FilesCleanup) -> Iterator[tuple[str, list[str]]]:
    """(folder, names of its files) for `top` and every folder under it, depth first,
    skipping (and counting) what `_inside` and `_plain_name` refuse."""
    stack = [top]
    while stack:
        folder = stack.pop()
        if not _inside(storage, folder):
            result.skipped += 1
            continue
        try:
            subfolders, files = storage.listdir(folder)
        except FileNotFoundError:
            continue
        for sub in sorted(subfolders, reverse=True):
            if _plain_name(sub):
                stack.append(f"{folder}/{sub}")
            else:
                result.skipped += 1
        plain = [f"{folder}/{name}" for name in sorted(files) if _plain_name(name)]
        result.skipped += len(files) - len(plain)
        yield folder, plain


def _referenced(folder: str) -> set[str]:
    """Every file name under `folder` that an attachment or an event photo names."""
    prefix = folder + "/"
    names: set[str] = set()
    for model, field in FILE_FIELDS:
        rows = model._default_manager.filter(**{f"{field}__startswith": prefix})
        names.update(rows.values_list(field, flat=True))
    return {posixpath.normpath(name) for name in names if name}


def report_files_clean(*, commit: bool, now: dt.datetime | None = None) -> FilesCleanup:
    """Find the files under the report upload folders that nothing refers to; remove those
    older than the grace period when `commit`, else only count them (a dry run).

    See the module for what is never touched. A file that cannot be removed (the storage
    refuses) is counted as failed and the rest go on. Raises ApplicationError when
    BLISKO_REPORT_ORPHAN_FILE_GRACE_MINUTES is negative. Writes nothing to the database.
    """
    grace_minutes = settings.BLISKO_REPORT_ORPHAN_FILE_GRACE_MINUTES
    if grace_minutes < 0:
        raise ApplicationError(
            _("The grace period for files must be zero minutes or more."),
            {"field": "BLISKO_REPORT_ORPHAN_FILE_GRACE_MINUTES"},
        )
    cutoff = (now or timezone.now()) - dt.timedelta(minutes=grace_minutes)
    storage = default_storage
    result = FilesCleanup(committed=commit, grace_minutes=grace_minutes)
    for top in upload_folders():
        for folder, names in _folders(storage, top, result):
            old: list[tuple[str, int]] = []
            for name in names:
                result.scanned += 1
                if not _inside(storage, name):
                    result.skipped += 1
                    continue
                try:
                    modified = storage.get_modified_time(name)
                    size = storage.size(name)
                except FileNotFoundError:
                    continue  # removed meanwhile
                if modified >= cutoff:
                    result.fresh += 1
                else:
                    old.append((name, size))
            if not old:
                continue
            # Looked up after the files' age: a row committed since then still counts.
            referenced = _referenced(folder)
            for name, size in old:
                if name in referenced:
                    result.referenced += 1
                    continue
                result.orphans += 1
                result.orphan_bytes += size
                if not commit:
                    continue
                try:
                    storage.delete(name)
                except OSError:
                    result.failed += 1
                    continue
                result.removed += 1
                result.removed_bytes += size
    return result
