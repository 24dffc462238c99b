"""Pictures keep what they show and lose where they were taken (EXIF GPS); a heavy
picture is a warning."""

from __future__ import annotations

import io
import os
from pathlib import Path

import pytest
from PIL import Image

from generator.build import build
from generator.cache import Store
from generator.errors import GeneratorError
from generator.load import media, reuse
from tests.conftest import TODAY, MakeProject, announcement

PLACE = {1: "N", 2: (40.0, 25.0, 1.5), 3: "W", 4: (3.0, 42.0, 0.0)}  # Madrid


def photo(kind: str = "JPEG", *, place: bool = True, size: tuple[int, int] = (64, 48)) -> bytes:
    image = Image.new("RGB", size, "teal")
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"
    if place:
        exif[media.GPS] = PLACE
    out = io.BytesIO()
    image.save(out, kind, exif=exif)
    return out.getvalue()


def test_a_photo_is_published_without_where_it_was_taken_and_with_the_rest(make_project: MakeProject) -> None:
    project = make_project(
        {
            "content/media/cena.jpg": photo(),
            "content/media/plano.png": photo("PNG"),
            "content/media/sin-lugar.jpg": photo(place=False),
            "content/announcements/cena.md": announcement("Cena") + "\n![La cena](../media/cena.jpg)\n",
        }
    )
    files = {f.path: f for f in build(project, today=TODAY).files}
    for name in ("cena.jpg", "plano.png"):
        published = files[f"site/media/{name}"]
        assert published.copy_from is None  # new bytes, not the file
        with Image.open(io.BytesIO(published.data)) as image:
            exif = image.getexif()
            assert media.GPS not in exif and exif.get_ifd(media.GPS) == {}
            assert exif[0x010F] == "PhoneMaker" and image.size == (64, 48)
    assert files["site/media/sin-lugar.jpg"].copy_from == project / "content/media/sin-lugar.jpg"


def test_a_heavy_picture_is_a_warning_naming_it(make_project: MakeProject) -> None:
    noise = Image.frombytes("RGB", (1000, 1000), os.urandom(3_000_000))
    out = io.BytesIO()
    noise.save(out, "PNG")
    assert len(out.getvalue()) > media.PICTURE_WARNING
    project = make_project({"content/media/foto.png": out.getvalue()})
    warnings = [str(w) for w in build(project, today=TODAY).warnings]
    assert any(
        "media/foto.png: this picture is 3.0 MB: a reader on a phone loads all of it" in w for w in warnings
    )


def test_a_photo_too_large_to_clean_is_refused_and_one_without_a_place_is_never_decoded(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(media, "MAX_PIXELS", 1000)
    (tmp_path / "big.jpg").write_bytes(photo())
    with pytest.raises(GeneratorError, match="records where it was taken, and at 64 × 48 pixels"):
        media.without_location(tmp_path / "big.jpg")
    (tmp_path / "plain.jpg").write_bytes(photo(place=False))
    assert media.without_location(tmp_path / "plain.jpg") is None
    (tmp_path / "not-a-picture.jpg").write_bytes(b"%PDF-1.4")
    assert media.without_location(tmp_path / "not-a-picture.jpg") is None  # published as it is


def test_an_unchanged_picture_is_not_opened_again_a_replaced_one_is(
    make_project: MakeProject, monkeypatch: pytest.MonkeyPatch
) -> None:
    """With the cache, a picture's answer (its bytes without the place, or nothing to
    remove) is kept: a later build opens only the pictures whose file changed."""
    monkeypatch.setattr(reuse, "RACY", 0)  # files written just now are taken as they are
    project = make_project(
        {"content/media/cena.jpg": photo(), "content/media/sin-lugar.jpg": photo(place=False)}
    )
    opened: list[str] = []
    clean = media.without_location

    def counted(path: Path) -> bytes | None:
        opened.append(path.name)
        return clean(path)

    monkeypatch.setattr(media, "without_location", counted)
    cache = Store(project / "cache.sqlite")

    def published() -> dict[str, bytes]:
        files = build(project, today=TODAY, cache=cache).files
        cache.save()
        return {
            f.path: f.data if f.copy_from is None else Path(f.copy_from).read_bytes()
            for f in files
            if f.path.startswith("site/media/")
        }

    first = published()
    assert sorted(opened) == ["cena.jpg", "sin-lugar.jpg"]
    opened.clear()
    assert published() == first and opened == []  # unchanged: the cache answers
    (project / "content/media/sin-lugar.jpg").write_bytes(photo(place=True, size=(32, 24)))
    third = published()
    assert opened == ["sin-lugar.jpg"]
    with Image.open(io.BytesIO(third["site/media/sin-lugar.jpg"])) as image:
        assert media.GPS not in image.getexif() and image.size == (32, 24)  # its place removed
    assert third["site/media/cena.jpg"] == first["site/media/cena.jpg"]
