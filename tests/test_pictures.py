"""Pictures at the sizes the pages use: smaller sizes in their own format and in WebP,
never larger than the picture, upright and without EXIF; offered with srcset on the site
and at 600/1200 px in the e-mail; made once and kept in the cache."""

from __future__ import annotations

import io
import re
from pathlib import Path

import pytest
from PIL import Image

from generator import cli, pictures
from generator.build import build
from generator.cache import Store
from generator.model import PictureSize
from tests.conftest import TODAY, MakeProject, announcement

ORIENTATION = 0x0112


def photo(size: tuple[int, int], kind: str = "JPEG", *, turned: bool = False, mode: str = "RGB") -> bytes:
    image = Image.new(mode, size, "teal" if mode != "P" else 3)
    image.paste(
        "orange" if mode != "P" else 9, (0, 0, size[0] // 2, size[1] // 4)
    )  # top left: which way is up
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"
    if turned:
        exif[ORIENTATION] = 6  # shown turned a quarter clockwise
    out = io.BytesIO()
    image.save(out, kind, exif=exif)
    return out.getvalue()


def opened(data: bytes) -> Image.Image:
    image = Image.open(io.BytesIO(data))
    image.load()
    return image


def site(project: Path, **options: object) -> dict[str, bytes]:
    files = build(project, today=TODAY, **options).files  # type: ignore[arg-type]
    return {f.path: f.data if f.copy_from is None else Path(f.copy_from).read_bytes() for f in files}


def test_a_photo_gets_the_smaller_sizes_in_its_format_and_webp_never_larger(
    make_project: MakeProject,
) -> None:
    project = make_project(
        {
            "content/media/equipo.jpg": photo((2000, 1000)),
            "content/media/logo.png": photo((500, 200), "PNG"),
            "content/media/icono.png": photo((300, 300), "PNG"),
            "content/media/plano.pdf": b"%PDF-1.4\n",
            "content/media/falso.jpg": photo((900, 900), "PNG"),  # a PNG named .jpg: left as it is
        }
    )
    files = site(project)
    made = sorted(p.removeprefix("site/media/") for p in files if p.startswith("site/media/"))
    assert made == [
        "equipo.1200w.jpg",
        "equipo.1440w.jpg",
        "equipo.1440w.webp",
        "equipo.2000w.webp",
        "equipo.480w.jpg",
        "equipo.480w.webp",
        "equipo.600w.jpg",
        "equipo.800w.jpg",
        "equipo.800w.webp",
        "equipo.jpg",
        "falso.jpg",
        "icono.300w.webp",
        "icono.png",
        "logo.480w.png",
        "logo.480w.webp",
        "logo.500w.webp",
        "logo.png",
        "plano.pdf",
    ]
    for name, kind, size in [
        ("equipo.480w.jpg", "JPEG", (480, 240)),
        ("equipo.600w.jpg", "JPEG", (600, 300)),
        ("equipo.1440w.webp", "WEBP", (1440, 720)),
        ("equipo.1200w.jpg", "JPEG", (1200, 600)),
        ("equipo.2000w.webp", "WEBP", (2000, 1000)),
        ("logo.480w.png", "PNG", (480, 192)),
    ]:
        image = opened(files[f"site/media/{name}"])
        assert (image.format, image.size) == (kind, size), name
        assert not image.getexif(), name  # no camera, no place: nothing of the EXIF


def test_a_turned_photo_is_made_upright(make_project: MakeProject) -> None:
    project = make_project({"content/media/retrato.jpg": photo((1000, 600), turned=True)})
    files = site(project)
    small = opened(files["site/media/retrato.480w.jpg"]).convert("RGB")
    assert small.size == (480, 800)  # upright: taller than wide
    # the orange corner (top left as taken) is top right once turned clockwise
    right, left = small.getpixel((470, 10)), small.getpixel((10, 10))
    assert isinstance(right, tuple) and isinstance(left, tuple)
    assert right[0] > 200 and left[0] < 100


def test_a_drawing_with_few_colours_stays_a_palette_png(make_project: MakeProject) -> None:
    project = make_project({"content/media/mapa.png": photo((1000, 500), "PNG", mode="P")})
    files = site(project)
    assert opened(files["site/media/mapa.800w.png"]).mode == "P"


def test_pages_offer_the_sizes_with_srcset_relative_to_each_page(make_project: MakeProject) -> None:
    project = make_project(
        {
            "content/media/equipo.jpg": photo((2000, 1000)),
            "content/media/diagrama.svg": b'<svg xmlns="http://www.w3.org/2000/svg"/>',
            "content/announcements/equipo.md": announcement(
                "Equipo", image="media/equipo.jpg", image_alt="El equipo"
            )
            + "\n![La cena](../media/equipo.jpg)\n\n![Un diagrama](../media/diagrama.svg)\n",
        }
    )
    page = site(project)["site/es/news/equipo/index.html"].decode()
    lead = re.search(r'<figure class="lead-image">(.*?)</figure>', page, re.S)
    assert lead is not None
    assert lead.group(1).startswith(
        '<picture><source type="image/webp" srcset="../../../media/equipo.480w.webp 480w,'
    )
    assert "../../../media/equipo.2000w.webp 2000w" in lead.group(1)
    assert 'srcset="../../../media/equipo.480w.jpg 480w, ../../../media/equipo.800w.jpg 800w, ' in lead.group(
        1
    )
    assert '../../../media/equipo.jpg 2000w"' in lead.group(1)
    assert 'width="2000" height="1000"' in lead.group(1)
    assert 'alt="El equipo"' in lead.group(1) and "loading=" not in lead.group(1)  # at the top: not lazy
    body = page[lead.end() :]
    (in_body,) = re.findall(r"<picture>.*?</picture>", body, re.S)
    assert 'alt="La cena"' in in_body and 'loading="lazy"' in in_body and "equipo.800w.webp 800w" in in_body
    assert '<img alt="Un diagrama" src="../../../media/diagrama.svg"' in body  # no sizes: as written


def test_the_email_takes_the_600_pixel_size_and_the_1200_one_for_sharp_screens(
    make_project: MakeProject,
) -> None:
    project = make_project(
        {
            "content/media/equipo.jpg": photo((2000, 1000)),
            "content/announcements/equipo.md": announcement(
                "Equipo", "2026-11-20", image="media/equipo.jpg", image_alt="El equipo"
            ),
        }
    )
    files = site(project)
    email = next(d.decode() for p, d in sorted(files.items()) if "/es/" in p and p.endswith("email.html"))
    base = "https://intranet.example.com/"
    assert f'<img src="{base}media/equipo.600w.jpg" srcset="{base}media/equipo.600w.jpg 1x, ' in email
    assert f'{base}media/equipo.1200w.jpg 2x"' in email
    assert ".webp" not in email  # Outlook shows no WebP


def test_a_restricted_items_picture_is_sized_only_in_its_tree(make_project: MakeProject) -> None:
    project = make_project(
        {
            "content/media/nominas.jpg": photo((1000, 500)),
            "content/announcements/nominas.md": announcement(
                "Nóminas", image="media/nominas.jpg", image_alt="Calendario", audience="[rrhh]"
            ),
        }
    )
    assert not [p for p in site(project) if "nominas" in p and p.startswith("site/media/")]
    restricted = site(project, scope="rrhh")
    assert "site/media/nominas.480w.webp" in restricted and "site/media/nominas.800w.jpg" in restricted


def test_sizes_are_made_once_then_kept_in_the_cache_and_in_the_published_site(
    make_project: MakeProject, monkeypatch: pytest.MonkeyPatch
) -> None:
    made: list[str] = []
    resized = pictures._resized

    def counted(image: Image.Image, size: PictureSize) -> bytes:
        made.append(size.path)
        return resized(image, size)

    monkeypatch.setattr(pictures, "_resized", counted)
    project = make_project(
        {
            "content/media/equipo.jpg": photo((1000, 500)),
            "content/announcements/a.md": announcement(
                "Uno", image="media/equipo.jpg", image_alt="El equipo"
            ),
        }
    )
    store = Store(None)
    first = {f.path: f.data for f in build(project, today=TODAY, cache=store).files}
    assert sorted(made) == sorted(
        f"media/equipo.{n}"
        for n in ("480w.jpg", "480w.webp", "600w.jpg", "800w.jpg", "800w.webp", "1000w.webp")
    )
    made.clear()
    again = {f.path: f.data for f in build(project, today=TODAY, cache=store).files}
    assert made == []  # from the cache, byte for byte the same
    assert {p: d for p, d in again.items() if "equipo." in p} == {
        p: d for p, d in first.items() if "equipo." in p
    }
    # from the command line: a later build keeps the published sizes, even without their cache entries
    assert cli.main(["build", "--project", str(project), "--today", TODAY.isoformat()]) == 0
    made.clear()
    kept = (project / "output/site/media/equipo.800w.webp").stat().st_ino
    (project / "content/announcements/a.md").write_text(
        announcement("Dos", image="media/equipo.jpg", image_alt="El equipo"), encoding="utf-8"
    )
    (project / ".intranet/cache/content.sqlite").unlink()
    assert cli.main(["build", "--project", str(project), "--today", TODAY.isoformat()]) == 0
    assert made == []
    assert (project / "output/site/media/equipo.800w.webp").stat().st_ino == kept


def test_a_new_picture_with_the_same_name_gets_new_sizes(make_project: MakeProject) -> None:
    project = make_project({"content/media/equipo.jpg": photo((1000, 500))})
    assert cli.main(["build", "--project", str(project), "--today", TODAY.isoformat()]) == 0
    (project / "content/media/equipo.jpg").write_bytes(photo((1000, 800)))
    assert cli.main(["build", "--project", str(project), "--today", TODAY.isoformat()]) == 0
    with Image.open(project / "output/site/media/equipo.480w.jpg") as image:
        assert image.size == (480, 384)


def test_a_picture_is_measured_once_then_its_size_is_taken_from_the_cache(
    make_project: MakeProject, monkeypatch: pytest.MonkeyPatch
) -> None:
    measured: list[str] = []
    measure = pictures._measure

    def counted(format_: str, data: bytes) -> tuple[int, int] | None:
        measured.append(format_)
        return measure(format_, data)

    monkeypatch.setattr(pictures, "_measure", counted)
    project = make_project(
        {
            "content/media/retrato.jpg": photo((1000, 600), turned=True),
            "content/media/falso.jpg": photo((900, 900), "PNG"),  # not what its name says: left as it is
        }
    )
    store = Store(None)
    first = build(project, today=TODAY, cache=store)
    assert sorted(measured) == ["JPEG", "JPEG"]
    measured.clear()
    again = build(project, today=TODAY, cache=store)
    assert measured == []  # both, the misnamed one too, from the cache
    sizes = {f.path: f.data for f in first.files if "/media/" in f.path}
    assert {f.path: f.data for f in again.files if "/media/" in f.path} == sizes
    assert "site/media/retrato.480w.jpg" in sizes and not any("falso." in p and "w." in p for p in sizes)
    described = pictures.picture_sizes(first.sources.site.media, cache=store)[0]
    assert described == pictures.describe_pictures(first.sources.site.media)  # measured without the cache
    assert (described["media/retrato.jpg"].width, described["media/retrato.jpg"].height) == (600, 1000)
