from pathlib import Path

import pytest

from generator.errors import GeneratorError
from generator.load.frontmatter import decode, parse_front_matter

P = Path("content/announcements/x.md")


def parse(text: str) -> dict[str, object]:
    return parse_front_matter(text, P).data


def test_norway_problem_lang_no_stays_the_text_no() -> None:
    assert parse("---\nlang: no\n---\n") == {"lang": "no"}


def test_yes_and_on_are_texts_but_true_is_a_boolean() -> None:
    assert parse("---\na: yes\nb: on\nc: true\nd: False\n---\n") == {
        "a": "yes",
        "b": "on",
        "c": True,
        "d": False,
    }


def test_sexagesimal_looking_values_stay_texts() -> None:
    assert parse("---\nat: 1:20\nn: 42\n---\n") == {"at": "1:20", "n": 42}


def test_bom_is_dropped_and_crlf_becomes_lf() -> None:
    text = decode(b"\xef\xbb\xbf---\r\ntitle: Hola\r\n---\r\nCuerpo\r\n", P)
    fm = parse_front_matter(text, P)
    assert fm.data == {"title": "Hola"}
    assert fm.body == "Cuerpo\n"


def test_empty_front_matter_is_an_empty_mapping() -> None:
    fm = parse_front_matter("---\n---\nEmpty YAML.", P)
    assert fm.data == {}
    assert fm.has_front_matter
    assert fm.body == "Empty YAML."


def test_a_file_without_front_matter_is_all_body() -> None:
    fm = parse_front_matter("No YAML.", P)
    assert not fm.has_front_matter
    assert fm.body == "No YAML."


def test_key_lines_count_the_opening_delimiter() -> None:
    fm = parse_front_matter("---\ntitle: A\n\naudience: [x]\n---\nbody\n", P)
    assert fm.key_lines == {"title": 2, "audience": 4}
    assert fm.body_line == 6


def test_invalid_yaml_names_its_line() -> None:
    with pytest.raises(GeneratorError) as info:
        parse_front_matter("---\ntitle: ok\nbad yaml: [\n---\n", P)
    assert info.value.line == 3
    assert "not valid YAML" in info.value.message


def test_unclosed_front_matter_says_how_to_close_it() -> None:
    with pytest.raises(GeneratorError) as info:
        parse_front_matter("---\ntitle: A\nbody without end\n", P)
    assert str(info.value) == (
        "content/announcements/x.md:1: front matter starts with --- on line 1 but is never closed; "
        "add a line with --- after the last key"
    )


def test_a_key_given_twice_is_an_error_at_the_second() -> None:
    with pytest.raises(GeneratorError) as info:
        parse_front_matter("---\ntitle: A\ntitle: B\n---\n", P)
    assert info.value.line == 3
    assert info.value.message == '"title" is given twice (lines 2 and 3)'


def test_front_matter_that_is_a_list_is_refused() -> None:
    with pytest.raises(GeneratorError, match="key: value"):
        parse_front_matter("---\n- a\n- b\n---\n", P)


def test_toml_front_matter_between_plus_lines() -> None:
    fm = parse_front_matter('+++\ntitle = "Hola"\nauthor = "bob"\n+++\nText\n---\nMore\n', P)
    assert fm.data == {"title": "Hola", "author": "bob"}
    assert fm.key_lines == {"title": 2, "author": 3}
    assert fm.body == "Text\n---\nMore\n"


def test_invalid_toml_front_matter_names_its_line() -> None:
    with pytest.raises(GeneratorError) as info:
        parse_front_matter('+++\ntitle = "ok"\nauthor = \n+++\n', P)
    assert info.value.line == 3


def test_text_that_is_not_utf8_names_the_byte_and_line() -> None:
    with pytest.raises(GeneratorError) as info:
        decode(b"---\ntitle: promulgaci\xf3n\n---\n", P)
    assert info.value.line == 2
    assert "0xF3" in info.value.message
