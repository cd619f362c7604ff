"""Files residents send with a report: checked from their content, stored, cleaned for the public.

`attachments_check` reads and checks every file before anything is written: how many, how
big, not empty, and what they are, judged from the bytes (the `filetype` package), never from
the name. Images get a public copy re-encoded from their pixels, so no EXIF (GPS position,
camera, time), XMP, comment or colour profile survives; PDFs and videos have no public copy
and are never shown to the public. `attachment_store` then writes one checked file for a
report, inside the submitting transaction.
"""

import hashlib
import io
import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import filetype
from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import UploadedFile
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from PIL import Image, ImageOps, UnidentifiedImageError

from blisko.reports.models import Attachment, Report

# What residents may send, as the content says it is: content type → stored file extension.
ALLOWED_TYPES = {
    "image/jpeg": "jpg",
    "image/png": "png",
    "application/pdf": "pdf",
    "video/mp4": "mp4",
    "video/quicktime": "mov",
}
IMAGE_TYPES = ("image/jpeg", "image/png")
# The longest side of an image's public copy: enough to see the threat, small to serve.
PUBLIC_IMAGE_MAX_SIDE = 2048
PUBLIC_JPEG_QUALITY = 85
# Images with more pixels than this are refused (a small file can unpack into gigabytes).
MAX_IMAGE_PIXELS = 60_000_000


@dataclass(frozen=True)
class CheckedFile:
    """One file that passed every check, held in memory until the report is written."""

    original_name: str
    content: bytes
    content_type: str
    extension: str
    size: int
    sha256: str
    # The re-encoded image without metadata; None for PDFs and videos (police only).
    public_content: bytes | None


class AttachmentError(Exception):
    """A refused file: the translated message, keyed by the form field ("files")."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


def _label(upload: Any, index: int) -> str:
    name = str(getattr(upload, "name", "") or "").rsplit("/", 1)[-1].rsplit("\\", 1)[-1]
    return name[:80] or _("file %(number)s") % {"number": index + 1}


def _read(upload: UploadedFile, limit: int) -> bytes:
    """At most `limit + 1` bytes of the upload, from its start."""
    upload.seek(0)
    data = upload.read(limit + 1)
    return data.encode() if isinstance(data, str) else bytes(data)


def _public_image(content: bytes, content_type: str, label: str) -> bytes:
    """The image re-encoded from its pixels alone: upright, at most PUBLIC_IMAGE_MAX_SIDE,
    with no EXIF, XMP, comment or ICC profile. Raises AttachmentError if it does not decode."""
    unreadable = _("“%(name)s” could not be read as an image. Send a JPEG or PNG photo.") % {
        "name": label
    }
    try:
        with Image.open(io.BytesIO(content)) as image:
            width, height = image.size
            if width * height > MAX_IMAGE_PIXELS:
                raise AttachmentError(
                    _("“%(name)s” has too many pixels. Send a smaller photo.") % {"name": label}
                )
            image.load()
            # The orientation lives in the EXIF that is dropped: turn the pixels instead.
            upright = ImageOps.exif_transpose(image)
            upright.thumbnail((PUBLIC_IMAGE_MAX_SIDE, PUBLIC_IMAGE_MAX_SIDE))
            if content_type == "image/jpeg":
                mode, fmt, options = "RGB", "JPEG", {"quality": PUBLIC_JPEG_QUALITY}
            else:
                has_alpha = upright.mode in ("RGBA", "LA", "PA") or "transparency" in upright.info
                mode, fmt, options = ("RGBA" if has_alpha else "RGB"), "PNG", {"optimize": True}
            pixels = upright.convert(mode)
            # A new image from the pixels alone: nothing of the original's `info` comes along.
            clean = Image.frombytes(mode, pixels.size, pixels.tobytes())
            out = io.BytesIO()
            clean.save(out, fmt, **options)
            return out.getvalue()
    except AttachmentError:
        raise
    except (UnidentifiedImageError, Image.DecompressionBombError, OSError, ValueError):
        raise AttachmentError(unreadable)


def attachments_check(*, files: Sequence[UploadedFile]) -> list[CheckedFile]:
    """Read and check the files sent with a report; write nothing.

    At most BLISKO_REPORT_MAX_ATTACHMENTS files, each non-empty and at most
    BLISKO_REPORT_MAX_ATTACHMENT_BYTES, each a JPEG, PNG, PDF, MP4 or MOV by its content.
    Images must decode; their public copy is made here. Raises AttachmentError with a
    translated message naming the file at the first refusal.
    """
    files = [upload for upload in files if upload is not None]
    limit = settings.BLISKO_REPORT_MAX_ATTACHMENTS
    if len(files) > limit:
        raise AttachmentError(
            ngettext(
                "You can attach at most %(limit)d file; you sent %(count)d.",
                "You can attach at most %(limit)d files; you sent %(count)d.",
                limit,
            )
            % {"limit": limit, "count": len(files)}
        )
    max_bytes = settings.BLISKO_REPORT_MAX_ATTACHMENT_BYTES
    checked: list[CheckedFile] = []
    for index, upload in enumerate(files):
        label = _label(upload, index)
        size = getattr(upload, "size", None)
        too_big = _("“%(name)s” is larger than %(limit)s. Send a smaller file.") % {
            "name": label,
            "limit": filesizeformat(max_bytes),
        }
        if size is not None and size > max_bytes:
            raise AttachmentError(too_big)
        content = _read(upload, max_bytes)
        if len(content) > max_bytes:
            raise AttachmentError(too_big)
        if not content:
            raise AttachmentError(_("“%(name)s” is empty.") % {"name": label})
        kind = filetype.guess(content)
        content_type = kind.mime if kind is not None else ""
        if content_type not in ALLOWED_TYPES:
            raise AttachmentError(
                _(
                    "“%(name)s” is not a JPEG or PNG photo, a PDF or an MP4 or MOV video "
                    "(its content was checked, not its name)."
                )
                % {"name": label}
            )
        public = (
            _public_image(content, content_type, label) if content_type in IMAGE_TYPES else None
        )
        checked.append(
            CheckedFile(
                original_name=label,
                content=content,
                content_type=content_type,
                extension=ALLOWED_TYPES[content_type],
                size=len(content),
                sha256=hashlib.sha256(content).hexdigest(),
                public_content=public,
            )
        )
    return checked


def attachment_store(*, report: Report, checked: CheckedFile, stored: list[str]) -> Attachment:
    """Write one checked file of `report`: the original (police only) and, for an image, its
    public copy, under unguessable names. Every name written is appended to `stored`, so
    the caller can delete the files if its transaction fails.

    Call inside the transaction that creates the report.
    """
    attachment = Attachment(
        report=report,
        content_type=checked.content_type,
        size=checked.size,
        sha256=checked.sha256,
    )
    name = f"{secrets.token_hex(16)}.{checked.extension}"
    attachment.file.save(name, ContentFile(checked.content), save=False)
    stored.append(str(attachment.file.name))
    if checked.public_content is not None:
        public_name = f"{secrets.token_hex(16)}.{checked.extension}"
        attachment.public_file.save(public_name, ContentFile(checked.public_content), save=False)
        stored.append(str(attachment.public_file.name))
    attachment.save()
    return attachment
