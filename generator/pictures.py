"""Pictures at the sizes the pages use: what a phone loads is what it shows.

Each raster picture of content/media/ (JPEG, PNG, WebP) that is published is also
published smaller, next to itself (`media/equipo.800w.jpg`, `media/equipo.800w.webp`):

- for the site, SITE_WIDTHS wide in its own format and in WebP (and a WebP as wide as the
  picture), which pages offer first (`<picture>` with `srcset`; a browser without WebP
  takes the other);
- for the e-mail, EMAIL_WIDTHS wide in its own format only (Outlook shows no WebP): 600
  pixels, and 1200 for high-density screens.

A picture is never made larger: a width at or above its own is left out, and the picture
itself is the largest size. Turned upright by its EXIF orientation, the smaller ones carry
no EXIF at all (no location, no camera), only the colour profile. Each size is kept in the
project's cache by the digest of the picture's bytes, so a build resizes only new pictures,
and a size already published from the same bytes is not even read again.
"""

from __future__ import annotations

import io
import posixpath
from collections.abc import Iterable, Iterator
from dataclasses import replace
from importlib.metadata import version
from typing import TYPE_CHECKING

from generator.cache import Previous, Store, code_digest, digest
from generator.model import EMAIL_WIDTHS, SITE_WIDTHS, MediaFile, OutputFile, Picture, PictureSize
from generator.urls import media, site_output

if TYPE_CHECKING:  # Pillow itself is imported where a picture is read: most builds read none
    from PIL import Image

RESIZED = {".jpg": "JPEG", ".jpeg": "JPEG", ".png": "PNG", ".webp": "WEBP"}
MIME = {"JPEG": "image/jpeg", "PNG": "image/png", "WEBP": "image/webp"}
SUFFIX = {"JPEG": "jpg", "PNG": "png", "WEBP": "webp"}
MAX_PIXELS = 60_000_000  # the same limit as load/media.py: a larger picture is left as it is
QUALITY = {"JPEG": 82, "WEBP": 80}


def picture_sizes(
    files: Iterable[MediaFile], *, cache: Store | None = None, previous: Previous | None = None
) -> tuple[dict[str, Picture], list[OutputFile]]:
    """Each resizable picture by its site path (`media/equipo.jpg`), and the files of its
    smaller sizes."""
    pictures: dict[str, Picture] = {}
    found: list[OutputFile] = []
    for file, data, picture in _described(files, cache):
        pictures[picture.path] = picture
        found += picture_files(picture, file, data, cache, previous)
    return pictures, found


def describe_pictures(files: Iterable[MediaFile]) -> dict[str, Picture]:
    """The pictures and their sizes, as picture_sizes says, without making a file (for an
    e-mail composed from the sizes the last build published)."""
    return {picture.path: picture for _, _, picture in _described(files)}


def _described(
    files: Iterable[MediaFile], cache: Store | None = None
) -> Iterator[tuple[MediaFile, bytes, Picture]]:
    files = list(files)
    taken = {media(f.rel_path) for f in files}  # a size never takes the place of a file of media/
    for file in files:
        format_ = RESIZED.get(posixpath.splitext(file.rel_path)[1].lower())
        if format_ is None:
            continue
        data = file.data if file.data is not None else file.source.read_bytes()
        picture = _picture(file, format_, data, cache)
        if picture is not None:
            yield file, data, replace(picture, sizes=tuple(s for s in picture.sizes if s.path not in taken))


def _picture(file: MediaFile, format_: str, data: bytes, cache: Store | None = None) -> Picture | None:
    """The picture's upright size and the sizes to make of it; None for one Pillow does not
    read as a still picture of that kind. With a `cache`, the size an earlier build read
    from the same bytes is taken from it: every build describes every picture."""
    source = digest("picture", code_digest(), version("pillow"), data)
    measured = cache.get(digest("measured", source)) if cache is not None else None
    if measured is None:
        size = _measure(format_, data)
        measured = b"" if size is None else f"{size[0]} {size[1]}".encode()
        if cache is not None:
            cache.put(digest("measured", source), measured)
    if not measured:
        return None
    width, height = map(int, measured.split())
    path = media(file.rel_path)
    stem = posixpath.splitext(path)[0]
    formats = (format_,) if format_ == "WEBP" else (format_, "WEBP")
    wanted = [(w, f) for w in sorted({*SITE_WIDTHS, *EMAIL_WIDTHS}) if w < width for f in formats]
    wanted = [(w, f) for w, f in wanted if f == format_ or w in SITE_WIDTHS]
    if format_ != "WEBP":
        wanted.append((width, "WEBP"))  # the largest, in the format pages offer first
    sizes = tuple(
        PictureSize(
            f"{stem}.{w}w.{SUFFIX[f]}",
            w,
            max(1, round(height * w / width)),
            MIME[f],
            f,
            digest(source, str(w), f),
        )
        for w, f in wanted
    )
    return Picture(path, width, height, MIME[format_], sizes)


def _measure(format_: str, data: bytes) -> tuple[int, int] | None:
    """The picture's upright width and height; None for one Pillow does not read as a
    still picture of that kind, or one too large to resize."""
    from PIL import Image

    try:
        with Image.open(io.BytesIO(data)) as image:
            if image.format != format_ or getattr(image, "n_frames", 1) > 1:
                return None  # a misnamed file, or an animation: published as it is
            width, height = image.size
            if width * height > MAX_PIXELS:
                return None
            if image.getexif().get(0x0112) in (5, 6, 7, 8):  # turned a quarter: width and height swap
                return height, width
            return width, height
    except (OSError, ValueError, SyntaxError, Image.DecompressionBombError):
        return None


def picture_files(
    picture: Picture, file: MediaFile, data: bytes, cache: Store | None, previous: Previous | None
) -> list[OutputFile]:
    """The smaller sizes' files: published before from the same bytes, kept in the cache,
    or made now."""
    found = []
    image: Image.Image | None = None
    try:
        for size in picture.sizes:
            out = site_output(size.path)
            kept = previous.reusable(out, size.key) if previous is not None else None
            if kept is not None:
                if cache is not None:
                    cache.touch(size.key)
                found.append(
                    OutputFile(out, b"", file.source.as_posix(), kept, size.key)
                    if not isinstance(kept, bytes)
                    else OutputFile(out, kept, file.source.as_posix(), None, size.key)
                )
                continue
            made = cache.get(size.key) if cache is not None else None
            if made is None:
                if image is None:
                    image = _upright(data)
                made = _resized(image, size)
                if cache is not None:
                    cache.put(size.key, made)
            found.append(OutputFile(out, made, file.source.as_posix(), None, size.key))
    finally:
        if image is not None:
            image.close()
    return found


def _upright(data: bytes) -> Image.Image:
    from PIL import Image, ImageOps

    with Image.open(io.BytesIO(data)) as opened:
        image = ImageOps.exif_transpose(opened)
        image.load()
        image.info["icc_profile"] = opened.info.get("icc_profile")
    return image


def _resized(image: Image.Image, size: PictureSize) -> bytes:
    """The picture at `size`, without EXIF, with its colour profile."""
    from PIL import Image

    small = image
    if small.mode not in ("RGB", "RGBA", "L", "LA"):
        small = small.convert("RGBA" if "transparency" in small.info or "A" in small.mode else "RGB")
    if size.format == "JPEG" and small.mode not in ("RGB", "L"):
        small = small.convert("RGB")
    if small.size != (size.width, size.height):
        small = small.resize((size.width, size.height), Image.Resampling.LANCZOS, reducing_gap=3.0)
    if image.mode == "P" and size.format == "PNG":  # a drawing with few colours stays small
        small = small.quantize(256)
    options: dict[str, object] = {}
    profile = image.info.get("icc_profile")
    if profile:
        options["icc_profile"] = profile
    if size.format == "JPEG":
        options.update(quality=QUALITY["JPEG"], optimize=True, progressive=True)
    elif size.format == "WEBP":
        options.update(quality=QUALITY["WEBP"], method=4)
    else:
        options.update(optimize=True)
    out = io.BytesIO()
    small.save(out, format=size.format, **options)
    return out.getvalue()
