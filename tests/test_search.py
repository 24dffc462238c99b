"""Search: one Pagefind index per tree, each language's records in it, with filters;
restricted text only in its own tree's index; drafts never."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

import pytest

from generator import cli, indexer
from generator.build import build, load_sources
from generator.cache import FOLDER
from generator.errors import GeneratorError
from generator.indexer import bundle_names, shards
from generator.model import Html
from generator.render.search import SearchRecord, search_records
from generator.rules.views import compose_views
from tests.conftest import SEARCH, TODAY, MakeProject, announcement, published_tree, search_index


def pagefind_runs(monkeypatch: pytest.MonkeyPatch) -> list[tuple[Path, Path]]:
    """The bundles Pagefind is started on from now on, as (its pages, its index folder)."""
    made: list[tuple[Path, Path]] = []
    real = indexer._run

    def recording(bundles: list[tuple[Path, Path]]) -> object:
        made.extend(bundles)
        return real(bundles)

    monkeypatch.setattr(indexer, "_run", recording)
    return made


def index(files: dict[str, bytes]) -> dict[str, object]:
    found: dict[str, object] = json.loads(
        search_index({p: d for p, d in files.items() if p.startswith(SEARCH)})
    )
    return found


def records(project_files: dict[str, bytes]) -> dict[str, dict[str, object]]:
    found = index(project_files)["records"]
    assert isinstance(found, list)
    return {r["url"]: r for r in found}


def test_each_language_is_searched_with_its_filters_and_restricted_text_stays_in_its_tree(
    make_project: MakeProject,
) -> None:
    project = make_project(
        {
            "content/announcements/aguinaldo.md": announcement("Aguinaldo", audience="[cdmx, managers]")
            + "\nSe paga el viernes.\n",
            "content/announcements/prime.fr.md": announcement("Prime de fin d'année", category="policy"),
            "content/announcements/nominas.md": announcement(
                "Cierres de nómina zxq-canary", audience="[rrhh]"
            ),
            "content/announcements/borrador.md": announcement("Borrador zxq-draft", draft="true"),
            "content/pages/contactos.md": "---\ntitle: Contactos\n---\nEscríbenos.\n",
        }
    )
    main = {f.path: f.data for f in build(project, today=TODAY, drafts=True).files}
    assert {
        "site/es/search/index.html",
        "site/fr/search/index.html",
        "site/pagefind/en-0/pagefind-ui.js",  # the search interface, in the index's first bundle alone
    } <= set(main)
    assert "site/pagefind/es-0/pagefind-ui.js" not in main and "site/pagefind/es-0/pagefind.js" in main
    for lang in ("es", "fr"):  # each language's search page merges its own bundles, no other's
        page = main[f"site/{lang}/search/index.html"].decode()
        assert f'data-bundle="../../pagefind/{lang}-0/pagefind.js" data-more=""' in page
        assert '<script src="../../pagefind/en-0/pagefind-ui.js"></script>' in page
    found = records(main)
    es = found["/es/news/aguinaldo/"]
    assert "Se paga el viernes" in str(es["content"])
    assert es["filters"] == {
        "Categoría": ["Noticias"],
        "Público": ["Responsables"],
        "Oficina": ["Ciudad de México"],
    }
    assert es["meta"] == {"title": "Aguinaldo", "date": "2026-11-20"}
    assert found["/fr/news/prime/"]["filters"]["Catégorie"] == ["Règlement"]  # type: ignore[index]
    assert "/es/pages/contactos/" in found
    text = json.dumps(index(main), ensure_ascii=False)
    assert "zxq-canary" not in text and "zxq-draft" not in text
    hr = {f.path: f.data for f in build(project, today=TODAY, scope="rrhh").files}
    assert "zxq-canary" in json.dumps(index(hr), ensure_ascii=False)


def test_stories_of_one_category_keep_their_own_audiences_and_offices(make_project: MakeProject) -> None:
    from generator.build import load_sources
    from generator.render.search import search_records
    from generator.rules.views import compose_views

    project = make_project(
        {
            "content/announcements/a.md": announcement("A", audience="[cdmx, managers]"),
            "content/announcements/b.md": announcement("B", audience="[managers]"),
            "content/announcements/c.md": announcement("C"),
            "content/announcements/d.md": announcement("D", audience="[managers, cdmx]"),
            "content/announcements/e.md": announcement("E", audience="[cdmx, managers]", category="policy"),
        }
    )
    sources = load_sources(project, today=TODAY)
    views = compose_views(sources.config, sources.site, TODAY)
    found = {r.path: dict(r.filters) for r in search_records(sources.config, views) if r.lang == "es"}
    assert found["es/news/a/index.html"] == {
        "Categoría": ("Noticias",),
        "Público": ("Responsables",),
        "Oficina": ("Ciudad de México",),
    }
    assert found["es/news/b/index.html"] == {
        "Categoría": ("Noticias",),
        "Público": ("Responsables",),
        "Oficina": (),
    }
    assert found["es/news/c/index.html"] == {"Categoría": ("Noticias",), "Público": (), "Oficina": ()}
    assert found["es/news/d/index.html"] == found["es/news/a/index.html"]
    assert found["es/news/e/index.html"] == {**found["es/news/a/index.html"], "Categoría": ("Normativa",)}


def test_the_search_page_says_what_to_do_without_javascript(make_project: MakeProject) -> None:
    project = make_project({"content/announcements/a.md": announcement("Hola")})
    page = next(
        f for f in build(project, today=TODAY).files if f.path == "site/es/search/index.html"
    ).data.decode()
    assert '<noscript><p class="note">La búsqueda necesita JavaScript' in page
    assert 'href="../news/archive/index.html">Archivo</a>' in page
    assert '<script src="../../pagefind/en-0/pagefind-ui.js"></script>' in page


def test_pagefind_reads_scratch_pages_that_are_removed_and_a_killed_builds_are_too(
    make_project: MakeProject,
) -> None:
    """The pages Pagefind reads go to memory-backed storage where there is some; they
    never outlive the build, and those a killed build left are removed by the next."""
    if not indexer.SCRATCH.is_dir():
        pytest.skip(f"{indexer.SCRATCH} is not on this system: the pages go to the spool")
    dead = 4_194_305  # above Linux's largest process id: never a running build
    left = indexer.SCRATCH / f"intranet-search-{dead}-x"
    (left / "es").mkdir(parents=True, exist_ok=True)
    project = make_project({"content/announcements/a.md": announcement("Aguinaldo")})
    before = set(indexer.SCRATCH.glob(f"intranet-search-{os.getpid()}-*"))
    assert cli.main(["build", "--project", str(project), "--today", TODAY.isoformat()]) == 0
    assert not left.exists()
    assert set(indexer.SCRATCH.glob(f"intranet-search-{os.getpid()}-*")) == before
    assert any((project / "output/site/pagefind").iterdir())


def test_a_bundle_made_again_is_made_in_memory_and_a_new_one_where_it_is_published_from(
    make_project: MakeProject, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A bundle the last build published is made again in memory-backed storage (of its
    files, only those that changed are then written to the output); a new bundle, all of
    whose files are new, in the build's spool, from where the publish moves them. Neither
    outlives the build."""
    if not indexer.SCRATCH.is_dir():
        pytest.skip(f"{indexer.SCRATCH} is not on this system: every bundle is made in the spool")
    project = make_project({"content/announcements/a.md": announcement("Aguinaldo")})
    made = pagefind_runs(monkeypatch)
    before = set(indexer.SCRATCH.glob(f"intranet-search-{os.getpid()}-*"))
    args = ["build", "--project", str(project), "--today", TODAY.isoformat()]
    assert cli.main(args) == 0
    assert made and all(project / FOLDER in out.parents for _, out in made)
    made.clear()
    (project / "content/announcements/a.md").write_text(
        announcement("Aguinaldo").replace("Cuerpo del anuncio.", "Se paga el viernes.")
    )
    assert cli.main(args) == 0
    assert made and all(indexer.SCRATCH in out.parents for _, out in made)
    assert set(indexer.SCRATCH.glob(f"intranet-search-{os.getpid()}-*")) == before
    assert not list((project / FOLDER).glob("spool-*"))
    searched = b"".join(d for p, d in published_tree(project / "output").items() if p.startswith(SEARCH))
    assert b"viernes" in searched and b"Cuerpo del anuncio" not in searched


@pytest.mark.parametrize("free", ["none", "pages only"])
def test_a_memory_backed_folder_with_little_room_leaves_the_rest_to_the_disk(
    make_project: MakeProject, monkeypatch: pytest.MonkeyPatch, free: str
) -> None:
    """A container's memory-backed folder is often 64 MB, less than the index's pages at
    10,000 announcements: the build takes at most half of what is free there, and puts
    what does not fit on the disk (it once failed with "No space left on device")."""
    if not indexer.SCRATCH.is_dir():
        pytest.skip(f"{indexer.SCRATCH} is not on this system: every bundle is made in the spool")
    project = make_project(  # a story in each language: an edit of one changes its bundle alone
        {
            f"content/announcements/a.{lang}.md": announcement("Aguinaldo", translation_key="a")
            for lang in ("es", "fr", "en")
        }
    )
    args = ["build", "--project", str(project), "--today", TODAY.isoformat()]
    assert cli.main(args) == 0
    (project / "content/announcements/a.es.md").write_text(
        announcement("Aguinaldo", translation_key="a").replace("Cuerpo del anuncio.", "Se paga el viernes.")
    )
    sources = load_sources(project, today=TODAY)
    views = compose_views(sources.config, sources.site, TODAY, agenda=sources.agenda, issues=sources.issues)
    records = [r for r in search_records(sources.config, views) if r.lang == "es"]
    pages = indexer._size(records)  # the Spanish bundle's pages, as estimated
    monkeypatch.setattr(indexer, "_free", lambda folder: 0 if free == "none" else 2 * pages + 1)
    made = pagefind_runs(monkeypatch)
    assert cli.main(args) == 0
    [(read, index)] = made  # the bundle made again: its index on the disk, as the pages if none fit
    assert (indexer.SCRATCH in read.parents) == (free == "pages only")
    assert project / FOLDER in index.parents
    searched = b"".join(d for p, d in published_tree(project / "output").items() if p.startswith(SEARCH))
    assert b"viernes" in searched and searched.count(b"Cuerpo del anuncio") == 2  # French, English


def test_an_edit_starts_pagefind_before_listing_the_bundles_it_keeps(
    make_project: MakeProject, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Pagefind makes the edited story's bundle while the build lists the files of the
    others, which stay published as they were."""
    monkeypatch.setattr(indexer, "PER_SHARD", 2)
    project = make_project({f"content/announcements/a{n}.md": announcement(f"Aviso {n}") for n in range(6)})
    args = ["build", "--project", str(project), "--today", TODAY.isoformat()]
    assert cli.main(args) == 0
    bundles = sorted(p.name for p in (project / "output/site/pagefind").iterdir())
    assert len(bundles) >= 3
    entries = {
        name: (project / f"output/site/pagefind/{name}/pagefind-entry.json").read_bytes() for name in bundles
    }
    events: list[str] = []
    run, kept = indexer._run, indexer._kept

    def running(made: list[tuple[Path, Path]]) -> object:
        events.append("run")
        return run(made)

    def listing(key: str, published: list[tuple[str, str]], previous: object) -> object:
        events.append("kept")
        return kept(key, published, previous)  # type: ignore[arg-type]

    monkeypatch.setattr(indexer, "_run", running)
    monkeypatch.setattr(indexer, "_kept", listing)
    (project / "content/announcements/a3.md").write_text(
        announcement("Aviso 3").replace("Cuerpo del anuncio.", "Otro texto.")
    )
    assert cli.main(args) == 0
    # the story is shown in each language: its bundle in each is made again, the others kept
    assert events == ["run"] + ["kept"] * (len(bundles) - 3)
    after = {
        name: (project / f"output/site/pagefind/{name}/pagefind-entry.json").read_bytes() for name in bundles
    }
    changed = [name for name in bundles if after[name] != entries[name]]
    assert sorted(name.rsplit("-", 1)[0] for name in changed) == ["en", "es", "fr"]
    for name in bundles:  # every kept bundle still has every file its entry names
        meta = json.loads(after[name])
        for language in meta["languages"].values():
            assert (project / f"output/site/pagefind/{name}/pagefind.{language['hash']}.pf_meta").is_file()


def test_an_edit_of_one_language_indexes_that_languages_bundle_alone(
    make_project: MakeProject, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A story written in each language: editing the French text makes the French bundle
    again (a third of what a bundle of every language took Pagefind), and the Spanish
    and English ones stay as published."""
    project = make_project(
        {
            f"content/announcements/a.{lang}.md": announcement(f"Aviso {lang}", translation_key="a")
            for lang in ("es", "fr", "en")
        }
    )
    args = ["build", "--project", str(project), "--today", TODAY.isoformat()]
    assert cli.main(args) == 0
    folder = project / "output/site/pagefind"
    before = {p.name: (p / "pagefind-entry.json").read_bytes() for p in folder.iterdir()}
    assert sorted(before) == ["en-0", "es-0", "fr-0"]
    made = pagefind_runs(monkeypatch)
    (project / "content/announcements/a.fr.md").write_text(
        announcement("Aviso fr", translation_key="a").replace("Cuerpo del anuncio.", "Prime versée vendredi.")
    )
    assert cli.main(args) == 0
    assert len(made) == 1
    after = {p.name: (p / "pagefind-entry.json").read_bytes() for p in folder.iterdir()}
    assert [name for name in sorted(after) if after[name] != before[name]] == ["fr-0"]
    found = records(
        {
            f"{SEARCH}{p.relative_to(folder).as_posix()}": p.read_bytes()
            for p in folder.rglob("*")
            if p.is_file()
        }
    )
    assert "vendredi" in str(found["/fr/news/a/"]["content"])
    assert "Cuerpo del anuncio" in str(found["/es/news/a/"]["content"])


@pytest.mark.parametrize("count", [1, 149, 151, 450, 451, 5_000, 40_000])
def test_the_bundles_named_before_indexing_are_the_bundles_made(count: int) -> None:
    """The preview names the search pages' bundles from the pages alone; the index it
    makes after must have exactly those bundles: each of one language's records, about
    PER_SHARD of them, never more than MAX_SHARDS for a language."""
    records = [
        SearchRecord(f"{lang}/news/n{number}/index.html", lang, "t", Html.of(""), "", ())
        for number in range(count)
        for lang in ("es", "fr", "en")
    ][:count]
    made = shards(records)
    counts = Counter(r.lang for r in records)
    assert bundle_names(counts, (r.path for r in records)) == tuple(made)
    for name, part in made.items():
        assert {r.lang for r in part} == {name.rsplit("-", 1)[0]}
    for lang, count_in in counts.items():
        bundles = [part for name, part in made.items() if name.startswith(f"{lang}-")]
        assert len(bundles) == min(indexer.MAX_SHARDS, -(-count_in // indexer.PER_SHARD))
        assert sum(map(len, bundles)) == count_in


def test_an_item_keeps_its_bundle_in_each_language_as_others_come_and_go() -> None:
    """A story is indexed in the same bundle of its language whatever else its language
    holds, while that language's number of bundles stays: an edit re-indexes that one."""

    def made(numbers: range, langs: tuple[str, ...]) -> dict[str, str]:
        records = [
            SearchRecord(f"{lang}/news/n{n}/index.html", lang, "t", Html.of(""), "", ())
            for n in numbers
            for lang in langs
        ]
        return {r.path: name for name, part in shards(records).items() for r in part}

    before = made(range(3 * indexer.PER_SHARD), ("es", "fr"))
    after = made(range(3, 3 * indexer.PER_SHARD + 3), ("es", "fr", "en"))  # three more, three fewer
    assert all(after[path] == bundle for path, bundle in before.items() if path in after)
    assert {after["es/news/n5/index.html"], after["fr/news/n5/index.html"]} == {
        before["es/news/n5/index.html"],
        before["fr/news/n5/index.html"],
    }


def test_a_change_of_settings_that_leaves_the_texts_alone_indexes_nothing_again(
    make_project: MakeProject, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A bundle is keyed by its records' texts (each item's title and body digest), not
    by the settings every item is made with; an edited body still re-indexes its bundle."""
    from tests.conftest import SITE_TOML

    project = make_project(
        {
            "content/announcements/a.md": announcement("Aguinaldo"),
            "content/pages/p.md": "---\ntitle: Contactos\n---\nQuién es quién.\n",
        }
    )
    runs = pagefind_runs(monkeypatch)
    args = ["build", "--project", str(project), "--today", TODAY.isoformat()]
    assert cli.main(args) == 0 and len(runs) == 3  # a bundle for each language's records
    settings = project / "content/site.toml"
    settings.write_text(SITE_TOML.replace("news_per_page = 2", "news_per_page = 3"), encoding="utf-8")
    runs.clear()
    assert cli.main(args) == 0
    assert runs == []
    (project / "content/announcements/a.md").write_text(
        announcement("Aguinaldo").replace("Cuerpo del anuncio.", "Se paga el viernes.")
    )
    assert cli.main(args) == 0 and len(runs) == 3  # the story, shown in each language
    searched = b"".join(d for p, d in published_tree(project / "output").items() if p.startswith(SEARCH))
    assert b"viernes" in searched and b"Cuerpo del anuncio" not in searched


def _fake_pagefind(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, script: str) -> None:
    import pagefind_bin  # type: ignore[import-untyped]

    binary = tmp_path / "pagefind"
    binary.write_text("#!/bin/sh\n" + script, encoding="utf-8")
    binary.chmod(0o755)
    monkeypatch.setattr(pagefind_bin, "get_executable", lambda: binary)


def test_a_failing_indexer_is_reported_and_the_published_site_stays(
    make_project: MakeProject,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    project = make_project({"content/announcements/a.md": announcement("Aguinaldo")})
    args = ["build", "--project", str(project), "--today", TODAY.isoformat()]
    assert cli.main(args) == 0
    home = (project / "output/site/es/index.html").read_bytes()
    (project / "content/announcements/a.md").write_text(announcement("Aguinaldo de diciembre"))
    _fake_pagefind(tmp_path, monkeypatch, "echo 'Error: no space left on device'\nexit 3\n")
    capsys.readouterr()
    assert cli.main(args) == 1
    err = capsys.readouterr().err
    assert "the search indexer failed: Error: no space left on device" in err and "Traceback" not in err
    assert (project / "output/site/es/index.html").read_bytes() == home


def _records(count: int) -> list[SearchRecord]:
    return [
        SearchRecord(
            f"es/news/n{i}/index.html", "es", f"Noticia {i}", Html.of("<p>Texto</p>"), "2026-11-20", ()
        )
        for i in range(count)
    ]


@pytest.mark.parametrize("count", [3, 2 * indexer.PER_SHARD + 1])  # one bundle; several, one after another
def test_stopping_the_index_stops_the_pagefind_it_runs(
    count: int, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Pagefind runs while pages render (several bundles: one after the other, in a helper
    process); when the build stops on an error, the Pagefind that runs stops too."""
    from generator.cache import running

    pid_file = tmp_path / "pid"
    _fake_pagefind(tmp_path, monkeypatch, f"echo $$ > {pid_file}\nexec sleep 60\n")
    indexing = indexer.start_index(_records(count))
    for _ in range(200):
        if pid_file.exists() and pid_file.read_text().strip():
            break
        time.sleep(0.05)
    pid = int(pid_file.read_text())
    assert running(pid)
    indexing.cancel()
    assert not running(pid)


def test_a_failing_bundle_among_several_is_reported(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Once the build waits, two bundles run at a time (two cores); when one fails, the
    others stop and no bundle after them starts."""
    monkeypatch.setenv("INTRANET_JOBS", "2")
    runs = tmp_path / "runs"
    _fake_pagefind(tmp_path, monkeypatch, f"echo run >> {runs}\necho 'Error: bad page'\nexit 2\n")
    indexing = indexer.start_index(_records(4 * indexer.PER_SHARD + 1))  # five bundles
    with pytest.raises(GeneratorError, match="the search indexer failed: Error: bad page"):
        indexing.files()
    assert runs.read_text() in ("run\n", "run\nrun\n")


def _most_at_once(log: str) -> int:
    """The most bundles running at one time, from lines "start" and "end" in order."""
    now = most = 0
    for line in log.split():
        now += 1 if line == "start" else -1
        most = max(most, now)
    return most


def test_bundles_run_one_at_a_time_while_pages_render_then_on_every_core(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """While the build renders its pages, Pagefind makes one bundle at a time (the cores
    are the pages'); once the build waits for the index, as many as there are cores."""
    monkeypatch.setenv("INTRANET_JOBS", "2")
    log = tmp_path / "log"
    _fake_pagefind(tmp_path, monkeypatch, f"echo start >> {log}\nsleep 0.3\necho end >> {log}\n")
    indexing = indexer.start_index(_records(5 * indexer.PER_SHARD + 1))  # six bundles
    time.sleep(1.0)  # the pages render: about three bundles are made, one after the other
    rendering = log.read_text()
    indexing.files()
    assert rendering.count("end") >= 2
    assert _most_at_once(rendering) == 1
    assert log.read_text().count("end") == 6
    assert _most_at_once(log.read_text()) == 2


def test_no_more_bundles_at_once_than_the_cap_on_a_machine_with_many_cores(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Each Pagefind takes its own memory: many cores do not make many at once."""
    monkeypatch.setenv("INTRANET_JOBS", "8")
    monkeypatch.setattr(indexer, "AT_ONCE", 2)
    log = tmp_path / "log"
    _fake_pagefind(tmp_path, monkeypatch, f"echo start >> {log}\nsleep 0.2\necho end >> {log}\n")
    indexer.start_index(_records(5 * indexer.PER_SHARD + 1)).files()  # six bundles, waited for at once
    assert log.read_text().count("end") == 6
    assert _most_at_once(log.read_text()) == 2


@pytest.mark.parametrize("stage", ["plan_site", "site_links", "link_problems", "render_intranet"])
def test_pagefind_starts_before_the_pages_are_planned_and_stops_with_a_build_that_fails(
    stage: str, make_project: MakeProject, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The index starts as soon as its records are made (its texts are let go before the
    pages are planned, and Pagefind has that much longer to run); whatever stops the build
    after that stops the Pagefind it started."""
    from generator.cache import running

    project = make_project({"content/announcements/a.md": announcement("Aguinaldo")})
    pid_file = tmp_path / "pid"
    _fake_pagefind(tmp_path, monkeypatch, f"echo $$ > {pid_file}\nexec sleep 60\n")

    def failing(*args: object, **kwargs: object) -> None:
        for _ in range(200):  # Pagefind is already running when this stage starts
            if pid_file.exists() and pid_file.read_text().strip():
                break
            time.sleep(0.05)
        raise GeneratorError(f"{stage} failed")

    monkeypatch.setattr(f"generator.build.{stage}", failing)
    with pytest.raises(GeneratorError, match=f"{stage} failed"):
        build(project, today=TODAY)
    assert pid_file.read_text().strip(), "Pagefind had not started when the pages were planned"
    assert not running(int(pid_file.read_text()))


RECORD = SearchRecord(
    "es/news/a/index.html",
    "es",
    "Título",
    Html.of("<p>Texto</p>"),
    "2026-11-20",
    (("Categoría", ("Evento",)),),
    "",
)
CHANGES = {
    "path": {"path": "es/news/b/index.html"},
    "lang": {"lang": "fr"},
    "title": {"title": "Otro título"},
    "text": {"body": Html.of("<p>Otro texto</p>")},
    "date": {"date": "2026-11-21"},
    "filters": {"filters": (("Categoría", ("Formación",)),)},
    "origin": {"origin": "d" * 40},
    "a field's end": {"title": "Título<p>", "body": Html.of("Texto</p>")},  # the same text, cut elsewhere
}


@pytest.mark.parametrize("change", CHANGES.values(), ids=CHANGES.keys())
def test_a_bundles_key_changes_with_any_field_of_any_record(change: dict[str, object]) -> None:
    """A bundle is indexed again exactly when what it would index differs."""
    other = SearchRecord("en/news/c/index.html", "en", "Title", Html.of("<p>Text</p>"), "", (), "")
    key = indexer._key("site/pagefind/0/", [RECORD, other])
    assert indexer._key("site/pagefind/0/", [RECORD, other]) == key
    assert indexer._key("site/pagefind/0/", [RECORD._replace(**change), other]) != key  # type: ignore[arg-type]
    assert indexer._key("site/pagefind/1/", [RECORD, other]) != key


def test_records_sharing_their_filters_count_each_by_its_own() -> None:
    """search_records gives stories of one kind one filters tuple; the key reads it once,
    yet every record's filters count, shared or not."""
    shared = RECORD.filters
    second = RECORD._replace(path="es/news/b/index.html")
    key = indexer._key("p/", [RECORD, second])
    copied = second._replace(filters=tuple((name, tuple(values)) for name, values in shared))
    assert indexer._key("p/", [RECORD, copied]) == key  # equal filters, another tuple
    other = (("Categoría", ("Formación",)),)
    assert indexer._key("p/", [RECORD, second._replace(filters=other)]) != key
    assert indexer._key("p/", [RECORD._replace(filters=other), second]) != key
    assert indexer._key("p/", [RECORD._replace(filters=other), second._replace(filters=other)]) != key


def test_a_records_title_and_text_count_by_its_items_digest_when_it_has_one() -> None:
    known = RECORD._replace(origin="d" * 40)
    assert indexer._key("p/", [known._replace(body=Html.of("<p>Otro</p>"))]) == indexer._key("p/", [known])


def test_pagefind_starts_on_the_first_bundle_while_the_others_are_written_and_reads_each_whole(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Writing the pages Pagefind reads takes seconds on a large site: Pagefind starts on
    the first bundle as soon as its pages are written, and never reads a bundle whose
    pages are still being written."""
    monkeypatch.setenv("INTRANET_JOBS", "2")
    log = tmp_path / "log"
    # each run: how many pages the bundle it reads has
    _fake_pagefind(tmp_path, monkeypatch, f"find \"$2\" -name '*.html' | wc -l >> {log}\nsleep 0.05\n")
    records = _records(5 * indexer.PER_SHARD + 1)  # six bundles
    write = indexer._write_pages
    bundles_written: list[int] = []
    read_before_the_last: list[str] = []

    class Slow:  # a record whose page takes a while to make: the bundle is half written meanwhile
        def __init__(self, record: SearchRecord) -> None:
            self.path, self.record = record.path, record

        def html(self) -> str:
            time.sleep(1.0)  # Pagefind, done with the others, would read the half-written bundle now
            return self.record.html()

    def slow_write(folder: Path, part: list[SearchRecord]) -> None:
        if len(bundles_written) == 5:  # before the last bundle: Pagefind has started on the first
            for _ in range(400):
                if log.exists() and log.read_text().strip():
                    break
                time.sleep(0.025)
            read_before_the_last.append(log.read_text() if log.exists() else "")
            middle = len(part) // 2
            part = [*part[:middle], Slow(part[middle]), *part[middle + 1 :]]  # type: ignore[list-item]
        bundles_written.append(len(part))
        write(folder, part)

    monkeypatch.setattr(indexer, "_write_pages", slow_write)
    indexer.start_index(records).files()
    assert len(bundles_written) == 6
    assert read_before_the_last != [""]  # Pagefind had read a bundle before the last was written
    counts = sorted(int(line) for line in log.read_text().split())
    assert counts == sorted(len(part) for part in shards(records).values())


def test_each_bundles_pages_are_removed_as_soon_as_pagefind_has_read_them(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Removing 24,000 pages at the end of a build took a second: the helper removes each
    bundle's as Pagefind finishes it, while the pages render."""
    monkeypatch.setenv("INTRANET_JOBS", "2")
    log = tmp_path / "log"
    _fake_pagefind(tmp_path, monkeypatch, f'echo "$2" >> {log}\nsleep 0.2\n')
    indexing = indexer.start_index(_records(5 * indexer.PER_SHARD + 1))  # six bundles
    try:
        for _ in range(400):  # the third has started: the first two are done
            if log.exists() and len(log.read_text().split()) >= 3:
                break
            time.sleep(0.025)
        first, second, third = (Path(line) for line in log.read_text().split()[:3])
        assert not first.exists() and not second.exists()
        assert third.is_dir()  # being read
    finally:
        indexing.files()
    assert not any(Path(line).exists() for line in log.read_text().split())


def test_the_helper_ends_when_the_build_is_gone_before_a_bundle_is_written(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The helper waits for each bundle's pages; if the build ends (killed while writing
    them) its input closes with a bundle still unwritten, and the helper ends too instead
    of waiting for pages that will never come."""
    log = tmp_path / "log"
    _fake_pagefind(tmp_path, monkeypatch, f"echo run >> {log}\n")
    ready = tmp_path / "a" / indexer.READY
    ready.mkdir(parents=True)
    (ready / "index.html").write_text("<p>uno</p>")
    chain = indexer._run([(ready, tmp_path / "a-out"), (tmp_path / "b" / indexer.READY, tmp_path / "b-out")])
    try:
        for _ in range(400):  # the first bundle, whose pages are there, is made
            if log.exists():
                break
            time.sleep(0.025)
        assert chain.stdin is not None
        chain.stdin.close()  # as when the build's process is gone
        assert chain.wait(timeout=20) != 0
        assert log.read_text() == "run\n"
    finally:
        if chain.poll() is None:
            chain.kill()
            chain.wait()
        assert chain.stdout is not None
        chain.stdout.close()


FULL_SCRATCH = """
import os, resource, signal, sys
from generator.errors import GeneratorError
from generator.indexer import start_index
from generator.model import Html
from generator.render.search import SearchRecord
signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # a write past the limit fails like one on a full disk
resource.setrlimit(resource.RLIMIT_FSIZE, (64 * 1024, 64 * 1024))
records = [SearchRecord(f"es/news/n{n}/index.html", "es", "Aviso", Html.of("<p>" + "texto " * n * 8_000 + "</p>"), "", ())
           for n in range(3)]
print(os.getpid())
try:
    start_index(records)
except GeneratorError as error:
    print(error.message)
    print(error.hint)
"""


def test_a_full_folder_while_the_index_pages_are_written_is_a_clear_error_and_leaves_nothing() -> None:
    """Others may fill the memory-backed folder after the build looked at it: writing the
    pages then fails with a message and a hint, not an internal error, and what was
    written is removed."""
    repo = Path(__file__).resolve().parent.parent
    done = subprocess.run(
        [sys.executable, "-c", FULL_SCRATCH], cwd=repo, capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0, done.stderr
    pid, message, hint = done.stdout.strip().splitlines()
    assert message == "cannot write the pages the search index is made from: File too large"
    assert "free some space" in hint
    assert not list(indexer.SCRATCH.glob(f"intranet-search-{pid}-*"))
    assert not list(Path(tempfile.gettempdir()).glob(f"intranet-search-{pid}-*"))


ORPHAN = """
import os, signal, sys, time
from pathlib import Path
import pagefind_bin
pagefind_bin.get_executable = lambda: Path(sys.argv[1])
from generator import indexer
from tests.test_search import _records
if sys.argv[5] == "bare":
    os.environ["PATH"] = ""  # no setpriv: the helper runs even one bundle
indexing = indexer.start_index(_records(int(sys.argv[3])))
for _ in range(1200):
    if Path(sys.argv[2]).exists() and Path(sys.argv[2]).read_text().strip():
        break
    time.sleep(0.05)
if sys.argv[4] == "exit":
    sys.exit(0)  # as the command ends: its functions at exit run
os.kill(os.getpid(), signal.SIGKILL)  # killed: nothing of it runs
"""


@pytest.mark.parametrize(
    ("count", "end", "path"),
    [
        (3, "exit", "usual"),
        (3, "killed", "usual"),
        (3, "killed", "bare"),
        (2 * indexer.PER_SHARD + 1, "exit", "usual"),
        (2 * indexer.PER_SHARD + 1, "killed", "usual"),
    ],
)
def test_an_index_still_being_made_stops_when_its_process_ends(
    count: int, end: str, path: str, tmp_path: Path
) -> None:
    """A preview stopped with Ctrl-C while its index was being made (in a thread that never
    returns), or a build killed: the Pagefind it started does not run on without it, one
    bundle or several, and without `setpriv` on the PATH ("bare") too."""
    from generator.cache import running

    binary, pid_file = tmp_path / "pagefind", tmp_path / "pid"
    sleep = shutil.which("sleep")
    binary.write_text(f"#!/bin/sh\necho $$ > {pid_file}\nexec {sleep} 60\n", encoding="utf-8")
    binary.chmod(0o755)
    script = [sys.executable, "-c", ORPHAN, str(binary), str(pid_file), str(count), end, path]
    subprocess.run(script, cwd=Path(__file__).resolve().parent.parent, timeout=60, check=False)
    pid = int(pid_file.read_text())
    for _ in range(200):  # a helper left behind notices within a few milliseconds
        if not running(pid):
            break
        time.sleep(0.05)
    assert not running(pid)
