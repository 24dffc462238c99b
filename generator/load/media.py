"""content/media/: every file is published as it is, except where a photo was taken.

A photo from a phone carries the place it was taken (EXIF GPS): published as it is, it
would tell every reader where a colleague lives or spent the weekend. A picture with a
location (JPEG, PNG, WebP, TIFF) is published without it — the rest of its EXIF kept, a
JPEG saved again with its own quantisation tables, so no new loss. A picture over
PICTURE_WARNING bytes is a warning: a phone loads all of it.
"""

from __future__ import annotations

import io
from functools import partial
from pathlib import Path

from generator.cache import digest
from generator.errors import GeneratorError
from generator.load.files import content_files
from generator.load.reuse import Reuse
from generator.model import MediaFile

PICTURES = (".jpg", ".jpeg", ".png", ".webp", ".tif", ".tiff")
PICTURE_WARNING = 2_000_000  # bytes
GPS = 0x8825  # the EXIF tag of the location's own directory
MAX_PIXELS = 60_000_000  # a picture whose location must go is decoded; none larger is


def load_media(
    folder: Path,
    errors: list[GeneratorError],
    warnings: list[GeneratorError],
    *,
    skip: set[Path],
    paths: list[Path] | None = None,
    reuse: Reuse | None = None,
) -> list[MediaFile]:
    """Every file of content/media/ (`paths`, when the folder was already walked) but those
    to `skip` (never read), under its path there; a picture's location removed. With
    `reuse`, an unchanged picture's answer (its bytes without a location, or none to
    remove) comes from the cache instead of opening it again: a site gathers pictures
    for years, and each takes a millisecond or two to open."""
    found = []
    for path in content_files(folder) if paths is None else paths:
        if path in skip:
            continue
        data = None
        if path.suffix.lower() in PICTURES:
            size = path.stat().st_size
            if size > PICTURE_WARNING:
                warnings.append(
                    GeneratorError(
                        f"this picture is {size / 1_000_000:.1f} MB: a reader on a phone loads all of it",
                        path=path,
                        hint="save it at most 2,000 pixels wide, or as JPEG, before adding it",
                    )
                )
            try:
                if reuse is None:
                    data = without_location(path)
                else:
                    key = reuse.key_of(str(path), "media", Path.read_bytes)
                    data = reuse.stored(digest("without location", key), partial(without_location, path))
            except GeneratorError as error:
                errors.append(error)
                continue
        found.append(MediaFile(path, path.relative_to(folder).as_posix(), data))
    return found


def without_location(path: Path) -> bytes | None:
    """The picture's bytes without its EXIF location, or None when it has none (or is no
    picture Pillow reads: it is published as it is)."""
    from PIL import Image  # here: a build whose pictures are all cached reads none

    try:
        with Image.open(path) as image:
            exif = image.getexif()
            if GPS not in exif:
                return None
            width, height = image.size
            if width * height > MAX_PIXELS:
                raise GeneratorError(
                    f"this picture records where it was taken, and at {width:,} × {height:,} pixels it is "
                    "too large to publish without that",
                    path=path,
                    hint="save it smaller (at most 2,000 pixels wide) without location data",
                )
            del exif[GPS]
            out = io.BytesIO()
            options: dict[str, object] = {"exif": exif.tobytes()}
            if image.format == "JPEG":
                options["quality"] = "keep"
            image.save(out, format=image.format, **options)
            return out.getvalue()
    except (OSError, ValueError, SyntaxError, Image.DecompressionBombError):
        return None
