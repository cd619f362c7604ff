import hashlib
import io

import pytest
from django.test import override_settings
from PIL import Image

from blisko.core.exceptions import ApplicationError
from blisko.reports.models import Attachment, Report
from blisko.reports.services import attachments as attachments_module
from blisko.reports.services.attachments import AttachmentError, attachments_check
from blisko.reports.services.submit import report_submit
from blisko.reports.tests.uploads import (
    GPS_IFD,
    MAKE,
    MODEL,
    MOV_BYTES,
    MP4_BYTES,
    PDF_BYTES,
    empty_file,
    jpeg_bytes,
    photo,
    png_bytes,
    six_megabytes,
    stored_files,
    text_named_jpeg,
    upload,
)
from conftest import KONIN_CENTRE

pytestmark = pytest.mark.django_db


def submit(files):
    return report_submit(
        category_code="illegal-dump",
        lon=KONIN_CENTRE[0],
        lat=KONIN_CENTRE[1],
        client_ip="203.0.113.7",
        files=files,
    )


def refused(files) -> ApplicationError:
    """Submit the files, expect a refusal under "files", and nothing stored at all."""
    before = stored_files()
    with pytest.raises(ApplicationError) as caught:
        submit(files)
    assert caught.value.extra["field"] == "files"
    assert Report.objects.count() == 0
    assert Attachment.objects.count() == 0
    assert stored_files() == before
    return caught.value


def read(field) -> bytes:
    with field.open("rb") as handle:
        return handle.read()


# --- accepted files -----------------------------------------------------------------------


def test_a_photo_keeps_its_original_for_police_and_a_public_copy_without_gps_or_camera():
    original = jpeg_bytes()
    assert Image.open(io.BytesIO(original)).getexif().get_ifd(GPS_IFD)  # the phone's GPS

    report = submit([upload("IMG_0001.JPG", original, "image/jpeg")])

    attachment = report.attachments.get()
    assert attachment.content_type == "image/jpeg"
    assert attachment.size == len(original)
    assert attachment.sha256 == hashlib.sha256(original).hexdigest()
    assert read(attachment.file) == original
    public = Image.open(io.BytesIO(read(attachment.public_file)))
    assert public.format == "JPEG"
    assert public.size == (64, 48)
    exif = public.getexif()
    assert not exif.get_ifd(GPS_IFD)
    assert MAKE not in exif and MODEL not in exif and len(exif) == 0
    assert "exif" not in public.info and "comment" not in public.info
    assert "icc_profile" not in public.info
    # Stored under random names: nothing of the resident's file name.
    assert "IMG_0001" not in attachment.file.name
    assert attachment.file.name.startswith("reports/original/")
    assert attachment.public_file.name.startswith("reports/public/")


def test_the_public_copy_of_a_turned_photo_is_upright_without_the_orientation_tag():
    report = submit([photo(size=(64, 48), orientation=6)])
    public = Image.open(io.BytesIO(read(report.attachments.get().public_file)))
    assert public.size == (48, 64)
    assert len(public.getexif()) == 0


def test_a_png_loses_its_text_chunks_and_keeps_its_transparency():
    report = submit([upload("screen.png", png_bytes(), "image/png")])
    attachment = report.attachments.get()
    assert attachment.content_type == "image/png"
    public = Image.open(io.BytesIO(read(attachment.public_file)))
    assert public.format == "PNG" and public.mode == "RGBA"
    assert "Author" not in public.info and "Location" not in public.info


def test_a_large_photo_is_shown_to_the_public_at_most_2048_pixels_wide():
    report = submit([photo(size=(3000, 1500))])
    public = Image.open(io.BytesIO(read(report.attachments.get().public_file)))
    assert public.size == (2048, 1024)


def test_the_type_comes_from_the_content_and_a_png_named_jpg_is_a_png():
    report = submit([upload("holiday.jpg", png_bytes(), "image/jpeg")])
    attachment = report.attachments.get()
    assert attachment.content_type == "image/png"
    assert attachment.file.name.endswith(".png")


def test_a_pdf_and_videos_are_kept_for_police_with_no_public_copy():
    report = submit(
        [
            upload("statement.pdf", PDF_BYTES, "application/pdf"),
            upload("clip.mp4", MP4_BYTES, "video/mp4"),
            upload("IMG_2.MOV", MOV_BYTES, "video/quicktime"),
        ]
    )
    kinds = {a.content_type: a for a in report.attachments.all()}
    assert set(kinds) == {"application/pdf", "video/mp4", "video/quicktime"}
    for attachment in kinds.values():
        assert not attachment.public_file
        assert attachment.file.name.rsplit(".", 1)[1] in ("pdf", "mp4", "mov")


def test_up_to_three_files_are_accepted():
    report = submit([photo(), photo(), upload("a.pdf", PDF_BYTES)])
    assert report.attachments.count() == 3


# --- refused files: a clear error, no report, no file ------------------------------------


def test_a_file_named_jpg_whose_content_is_text_is_refused():
    error = refused([photo(), text_named_jpeg()])
    assert "photo.jpg" in error.message
    assert "content" in error.message


def test_a_file_of_six_megabytes_is_refused():
    error = refused([six_megabytes()])
    assert "big.jpg" in error.message
    assert "5" in error.message


def test_an_empty_file_is_refused():
    error = refused([empty_file()])
    assert error.message == "“empty.jpg” is empty."


def test_a_fourth_attachment_is_refused():
    error = refused([photo(), photo(), photo(), photo()])
    assert "3" in error.message and "4" in error.message


@override_settings(BLISKO_REPORT_MAX_ATTACHMENTS=1)
def test_the_number_of_files_is_a_setting():
    refused([photo(), photo()])


def test_a_photo_that_does_not_decode_is_refused():
    broken = jpeg_bytes()[:200]
    error = refused([upload("cut.jpg", broken, "image/jpeg")])
    assert "cut.jpg" in error.message


def test_an_image_with_too_many_pixels_is_refused(monkeypatch):
    monkeypatch.setattr(attachments_module, "MAX_IMAGE_PIXELS", 1000)
    error = refused([photo(size=(100, 100))])
    assert "pixels" in error.message


def test_other_kinds_of_files_are_refused_whatever_their_name():
    gif = io.BytesIO()
    Image.new("RGB", (4, 4)).save(gif, "GIF")
    refused([upload("anim.gif", gif.getvalue(), "image/gif")])
    refused([upload("run.exe", b"MZ\x90\x00" + b"\x00" * 100, "application/octet-stream")])
    refused([upload("note.pdf", b"<html><body>hi</body></html>", "application/pdf")])


def test_the_checks_name_the_file_and_write_nothing():
    before = stored_files()
    with pytest.raises(AttachmentError) as caught:
        attachments_check(files=[photo(), empty_file()])
    assert "empty.jpg" in caught.value.message
    assert stored_files() == before
