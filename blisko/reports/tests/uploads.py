"""Files a resident might send, made in memory: real images with camera and GPS metadata,
a PDF, videos, and the bad ones (text named .jpg, empty, too big)."""

import io

from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image, PngImagePlugin

GPS_IFD = 0x8825
# EXIF tags: Make, Model, Orientation, DateTimeOriginal (in the Exif sub-IFD on real cameras).
MAKE, MODEL, ORIENTATION = 0x010F, 0x0110, 0x0112
KONIN_GPS = {
    1: "N",
    2: (52.0, 13.0, 22.8),
    3: "E",
    4: (18.0, 15.0, 4.68),
}


def jpeg_bytes(*, size: tuple[int, int] = (64, 48), orientation: int | None = None) -> bytes:
    """A JPEG photo as a phone takes it: camera make and model, GPS position, a comment."""
    image = Image.new("RGB", size, (200, 40, 40))
    exif = Image.Exif()
    exif[MAKE] = "PhoneMaker"
    exif[MODEL] = "Phone 15 Pro"
    if orientation is not None:
        exif[ORIENTATION] = orientation
    exif[GPS_IFD] = KONIN_GPS
    out = io.BytesIO()
    image.save(out, "JPEG", exif=exif.tobytes(), comment=b"taken at home")
    return out.getvalue()


def png_bytes(*, size: tuple[int, int] = (40, 30)) -> bytes:
    """A PNG screenshot with text chunks naming the device and the place."""
    image = Image.new("RGBA", size, (30, 90, 200, 255))
    info = PngImagePlugin.PngInfo()
    info.add_text("Author", "Jan Kowalski")
    info.add_text("Location", "52.2230 N 18.2513 E")
    out = io.BytesIO()
    image.save(out, "PNG", pnginfo=info)
    return out.getvalue()


PDF_BYTES = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
    b"2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
)
# The start of an ISO base media file: an `ftyp` box with its brands, then an empty `mdat`.
MP4_BYTES = b"\x00\x00\x00\x18ftypisom\x00\x00\x02\x00isomiso2" + b"\x00\x00\x00\x08mdat"
MOV_BYTES = b"\x00\x00\x00\x14ftypqt  \x00\x00\x02\x00qt  " + b"\x00\x00\x00\x08mdat"


def upload(name: str, content: bytes, content_type: str = "application/octet-stream"):
    return SimpleUploadedFile(name, content, content_type=content_type)


def photo(name: str = "photo.jpg", **options) -> SimpleUploadedFile:
    return upload(name, jpeg_bytes(**options), "image/jpeg")


def text_named_jpeg() -> SimpleUploadedFile:
    return upload("photo.jpg", b"This is not a picture, just text.\n" * 10, "image/jpeg")


def empty_file() -> SimpleUploadedFile:
    return upload("empty.jpg", b"", "image/jpeg")


def six_megabytes() -> SimpleUploadedFile:
    """A real JPEG header followed by padding: 6 MB, over the 5 MB limit."""
    content = jpeg_bytes()
    return upload("big.jpg", content + b"\x00" * (6 * 1024 * 1024 - len(content)), "image/jpeg")


def stored_files() -> set[str]:
    """Every file under MEDIA_ROOT/reports, relative to MEDIA_ROOT."""
    from pathlib import Path

    from django.conf import settings

    root = Path(settings.MEDIA_ROOT)
    folder = root / "reports"
    if not folder.exists():
        return set()
    return {str(path.relative_to(root)) for path in folder.rglob("*") if path.is_file()}
