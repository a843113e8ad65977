"""The photo pipeline on real image bytes made by Pillow in each test."""

from __future__ import annotations

import hashlib
import io
import struct
import zlib
from typing import Any

import pytest
from PIL import ExifTags, Image, ImageCms, JpegImagePlugin

from backend.core.errors import Invalid, TooLarge, Unsupported
from backend.photos import processing
from backend.photos.processing import MAX_UPLOAD_BYTES, process_upload

RED = (220, 20, 20)
BLUE = (20, 20, 220)


def encode(image: Image.Image, kind: str, **params: Any) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, kind, **params)
    return buffer.getvalue()


def decode(data: bytes) -> Image.Image:
    image = Image.open(io.BytesIO(data))
    image.load()
    return image


def exif_with_gps(orientation: int) -> Image.Exif:
    exif = Image.Exif()
    exif[ExifTags.Base.Orientation] = orientation
    exif[ExifTags.Base.Make] = "VillagePhone"
    gps = exif.get_ifd(ExifTags.IFD.GPSInfo)
    gps[ExifTags.GPS.GPSLatitudeRef] = "N"
    gps[ExifTags.GPS.GPSLatitude] = (26.0, 34.0, 12.0)
    gps[ExifTags.GPS.GPSLongitudeRef] = "E"
    gps[ExifTags.GPS.GPSLongitude] = (106.0, 42.0, 30.0)
    return exif


def marked_photo(size: tuple[int, int] = (400, 300)) -> Image.Image:
    """Blue, with a red square in the stored top-left corner to follow rotations."""
    image = Image.new("RGB", size, BLUE)
    image.paste(RED, (0, 0, 100, 100))
    return image


def noisy_jpeg(size: tuple[int, int] = (400, 300)) -> bytes:
    # Noise keeps the compressed scan large, so half the file is half the pixels.
    return encode(Image.effect_noise(size, 64).convert("RGB"), "JPEG", quality=90)


def cut_in_half(data: bytes) -> bytes:
    return data[: len(data) // 2]


def png_header_only(width: int, height: int) -> bytes:
    """A PNG that claims its size and carries broken pixel data: decoding it would fail."""

    def chunk(kind: bytes, body: bytes) -> bytes:
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", b"broken") + chunk(b"IEND", b"")


def is_close(pixel: Any, colour: tuple[int, int, int], tolerance: int = 40) -> bool:
    return all(abs(a - b) <= tolerance for a, b in zip(pixel, colour, strict=True))


def test_upload_strips_gps_and_applies_orientation() -> None:
    original = encode(marked_photo((400, 300)), "JPEG", exif=exif_with_gps(orientation=6))
    assert decode(original).getexif().get_ifd(ExifTags.IFD.GPSInfo), "the fixture must carry GPS"

    photo = process_upload(original)

    assert (photo.width, photo.height) == (300, 400)
    full = decode(photo.sizes["full"])
    assert full.size == (300, 400)
    # Orientation 6 shows the stored top-left corner at the top right.
    assert is_close(full.getpixel((250, 50)), RED)
    assert is_close(full.getpixel((50, 50)), BLUE)
    for name, data in photo.sizes.items():
        image = decode(data)
        assert len(image.getexif()) == 0, name
        assert "exif" not in image.info, name


@pytest.mark.parametrize("size", ["list", "review", "full"])
def test_every_size_is_a_progressive_jpeg_without_any_metadata(size: str) -> None:
    icc = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()
    original = encode(
        marked_photo(),
        "JPEG",
        exif=exif_with_gps(1),
        icc_profile=icc,
        comment=b"made at 26.57N 106.71E",
        xmp=b"<x:xmpmeta>home</x:xmpmeta>",
    )

    image = decode(process_upload(original).sizes[size])

    assert image.format == "JPEG"
    assert image.mode == "RGB"
    assert image.info.get("progressive")
    assert not {"exif", "icc_profile", "comment", "xmp"} & set(image.info)


def test_sizes_fit_their_bounds_and_keep_the_aspect_ratio() -> None:
    photo = process_upload(encode(marked_photo((3000, 2000)), "JPEG"))

    bounds = {"list": 320, "review": 1024, "full": 2000}
    for name, data in photo.sizes.items():
        width, height = decode(data).size
        assert width == bounds[name], name
        assert abs(height - width * 2 / 3) <= 1, name
    assert (photo.width, photo.height) == (2000, 1333)


def test_small_photo_is_never_upscaled() -> None:
    photo = process_upload(encode(marked_photo((200, 100)), "PNG"))

    assert {name: decode(data).size for name, data in photo.sizes.items()} == {
        "list": (200, 100),
        "review": (200, 100),
        "full": (200, 100),
    }


def test_a_12_megapixel_jpeg_is_decoded_at_half_scale_and_the_full_size_keeps_2000(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    decoded_sizes: list[tuple[int, int]] = []
    original_draft = JpegImagePlugin.JpegImageFile.draft

    def spy(image: JpegImagePlugin.JpegImageFile, mode: str | None, size: tuple[int, int] | None) -> Any:
        result = original_draft(image, mode, size)
        decoded_sizes.append(image.size)
        return result

    monkeypatch.setattr(JpegImagePlugin.JpegImageFile, "draft", spy)
    photo = process_upload(encode(marked_photo((4000, 3000)), "JPEG"))

    assert decoded_sizes == [(2000, 1500)]  # libjpeg decoded half the pixels per side
    assert decode(photo.sizes["full"]).size == (2000, 1500)


def test_same_photo_gives_the_same_content_hash() -> None:
    original = encode(marked_photo(), "JPEG", exif=exif_with_gps(6))

    first, second = process_upload(original), process_upload(original)
    other = process_upload(encode(marked_photo((401, 300)), "JPEG"))

    assert first.content_hash == second.content_hash == hashlib.sha256(first.sizes["full"]).hexdigest()
    assert first.sizes == second.sizes
    assert other.content_hash != first.content_hash


@pytest.mark.parametrize("mode", ["RGBA", "P"])
def test_transparent_png_is_flattened_on_white(mode: str) -> None:
    image = Image.new("RGBA", (200, 100), (0, 0, 0, 0))
    image.paste((*RED, 255), (100, 0, 200, 100))
    if mode == "P":
        image = image.quantize(colors=4)
        image.info["transparency"] = image.getpixel((0, 0))
    original = encode(image, "PNG")
    assert decode(original).has_transparency_data

    full = decode(process_upload(original).sizes["full"])

    assert full.mode == "RGB"
    assert is_close(full.getpixel((20, 50)), (255, 255, 255), tolerance=8)
    assert is_close(full.getpixel((180, 50)), RED)


def test_webp_is_accepted() -> None:
    photo = process_upload(encode(marked_photo(), "WEBP", quality=90))

    assert (photo.width, photo.height) == (400, 300)
    assert decode(photo.sizes["full"]).format == "JPEG"


@pytest.mark.parametrize(
    "original",
    [
        pytest.param(cut_in_half(noisy_jpeg()), id="jpeg-cut-in-half"),
        pytest.param(encode(Image.effect_noise((300, 200), 64), "PNG")[:3000], id="png-cut-short"),
        pytest.param(b"\xff\xd8\xff" + b"not really a jpeg" * 10, id="jpeg-magic-then-garbage"),
    ],
)
def test_damaged_photo_is_invalid(original: bytes) -> None:
    with pytest.raises(Invalid) as caught:
        process_upload(original)

    assert caught.value.code == "invalid"
    assert caught.value.msgid == "The photo is damaged or incomplete."
    assert caught.value.fields == {"file": "damaged"}


@pytest.mark.parametrize(
    "original",
    [
        pytest.param(b"Dear brand, here is my photo of the basket.\n", id="text-named-photo.jpg"),
        pytest.param(encode(marked_photo(), "GIF"), id="gif"),
        pytest.param(b"", id="empty"),
    ],
)
def test_file_that_is_not_jpeg_png_or_webp_is_unsupported(original: bytes) -> None:
    with pytest.raises(Unsupported) as caught:
        process_upload(original)

    assert caught.value.code == "unsupported_media_type"


@pytest.mark.parametrize(
    "size",
    [
        pytest.param((8000, 7000), id="over-our-limit"),
        pytest.param((10_000, 10_000), id="over-pillow-warning"),
        pytest.param((20_000, 20_000), id="over-pillow-error"),
    ],
)
def test_too_many_pixels_is_refused_before_decoding(size: tuple[int, int]) -> None:
    # The pixel data is broken, so reaching the decoder would report "damaged" instead.
    with pytest.raises(Invalid) as caught:
        process_upload(png_header_only(*size))

    assert caught.value.code == "invalid"
    assert caught.value.fields == {"file": "too_many_pixels"}


# Ignored here, so only process_upload's own filter can turn the warning into a refusal.
@pytest.mark.filterwarnings("ignore::PIL.Image.DecompressionBombWarning")
def test_pillow_bomb_warning_refuses_even_if_our_limit_were_higher(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(processing, "MAX_PIXELS", 10**12)

    with pytest.raises(Invalid) as caught:
        process_upload(png_header_only(10_000, 10_000))

    assert caught.value.fields == {"file": "too_many_pixels"}


def test_upload_over_the_byte_limit_is_too_large() -> None:
    with pytest.raises(TooLarge) as caught:
        process_upload(b"\xff\xd8\xff" + bytes(MAX_UPLOAD_BYTES))

    assert caught.value.code == "too_large"


def test_upload_of_exactly_the_byte_limit_is_accepted() -> None:
    photo = encode(marked_photo(), "JPEG")
    # Decoders stop at the end-of-image marker, so padding keeps the photo valid.
    padded = photo + bytes(MAX_UPLOAD_BYTES - len(photo))

    assert process_upload(padded).content_hash == process_upload(photo).content_hash


def test_sixteen_bit_grey_png_keeps_its_tones() -> None:
    grey = Image.new("I;16", (64, 64), 0x8000)  # middle grey on 16 bits
    original = encode(grey, "PNG")
    assert decode(original).mode == "I;16"

    full = decode(process_upload(original).sizes["full"])

    assert is_close(full.getpixel((32, 32)), (128, 128, 128), tolerance=3)


def test_a_jpeg_carrying_html_is_stored_as_pixels_only() -> None:
    """A polyglot: a real JPEG with a script in a comment and after its end. Re-encoding
    keeps the pixels and nothing else, so no browser can ever read it as a page."""
    jpeg = encode(marked_photo(), "JPEG", quality=90, comment=b"<html><script>alert(1)</script>")
    photo = process_upload(jpeg + b"<html><body><script>alert(2)</script></body></html>")

    for blob in [*photo.sizes.values(), photo.list_webp]:
        assert b"<script" not in blob
        assert b"<html" not in blob


def test_html_that_merely_contains_jpeg_bytes_is_unsupported() -> None:
    page = b"<!DOCTYPE html><html><body>" + encode(marked_photo(), "JPEG") + b"</body></html>"
    with pytest.raises(Unsupported):
        process_upload(page)


def test_a_cmyk_jpeg_from_a_scanner_is_converted_to_rgb() -> None:
    photo = process_upload(encode(marked_photo().convert("CMYK"), "JPEG", quality=90))

    full = decode(photo.sizes["full"])
    assert (full.mode, full.size) == ("RGB", (400, 300))


def test_an_animated_webp_keeps_its_first_frame() -> None:
    """Stated in the README: an animation becomes its first frame, a still photo."""
    frames = [Image.new("RGB", (200, 100), colour) for colour in [(200, 0, 0), (0, 200, 0), (0, 0, 200)]]
    buffer = io.BytesIO()
    frames[0].save(buffer, "WEBP", save_all=True, append_images=frames[1:], duration=100, lossless=True)

    photo = process_upload(buffer.getvalue())

    full = decode(photo.sizes["full"])
    assert getattr(full, "n_frames", 1) == 1
    red, green, blue = full.getpixel((100, 50))  # type: ignore[misc]
    assert red > 150
    assert green < 60
    assert blue < 60


def test_the_list_size_also_comes_as_a_metadata_free_webp() -> None:
    photo = process_upload(encode(marked_photo(), "JPEG", quality=90))

    small = decode(photo.list_webp)
    assert (small.format, max(small.size)) == ("WEBP", 320)
    assert not small.info.get("exif")
    assert not small.info.get("icc_profile")
