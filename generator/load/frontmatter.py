"""Split a Markdown file into front matter and body, keeping line numbers.

YAML is read with YAML 1.2 rules for booleans and integers: `lang: no` stays the
text "no" (YAML 1.1 would silently turn it into False), and `yes`/`on` are not
booleans. TOML front matter between `+++` lines (Hugo's form) is read too.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from generator.errors import GeneratorError, toml_problem


class _Loader(yaml.SafeLoader):
    """SafeLoader with YAML 1.2 core-schema booleans and integers; dates stay texts
    (checked later with a clear message, where PyYAML would crash on 2026-13-01)."""


class _FastLoader(getattr(yaml, "CSafeLoader", _Loader)):  # type: ignore[misc]
    """The same rules on libyaml's parser, where PyYAML has it: about ten times faster.
    Its error messages are vaguer, so a file it refuses is read again with _Loader."""


_REPLACED = ("tag:yaml.org,2002:bool", "tag:yaml.org,2002:int", "tag:yaml.org,2002:timestamp")
for _loader in (_Loader, _FastLoader):
    _loader.yaml_implicit_resolvers = {
        first: [(tag, rx) for tag, rx in resolvers if tag not in _REPLACED]
        for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
    }
    _loader.add_implicit_resolver(
        "tag:yaml.org,2002:bool", re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"), list("tTfF")
    )
    _loader.add_implicit_resolver(  # a number of more than 100 digits stays a text
        "tag:yaml.org,2002:int",
        re.compile(r"^(?:[-+]?[0-9]{1,100}|0x[0-9a-fA-F]{1,100})$"),
        list("-+0123456789"),
    )

MAX_NODES = 10_000  # values in one front matter, aliases counted as what they repeat
MAX_DEPTH = 100  # lists and tables inside each other; libyaml's reader crashes far deeper


@dataclass(frozen=True)
class FrontMatter:
    data: dict[str, Any]
    body: str
    body_line: int  # line of the file where the body starts
    key_lines: dict[str, int] = field(default_factory=dict)
    has_front_matter: bool = True
    item_lines: dict[str, list[int]] = field(default_factory=dict)  # a list key → each item's line
    origin: str = ""  # the file's path inside content/, e.g. "announcements/x.md"

    def item_line(self, key: str, index: int) -> int:
        lines = self.item_lines.get(key, [])
        return lines[index] if index < len(lines) else self.line(key)

    def line(self, key: str) -> int:
        """Line of `key`, or of the front matter's start when the key is absent."""
        return self.key_lines.get(key, 1)


def decode(raw: bytes, path: Path) -> str:
    """UTF-8 (a BOM is dropped) with every line ending as `\\n`."""
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise GeneratorError(
            f"the file is not UTF-8 text (byte 0x{raw[exc.start]:02X})",
            path=path,
            line=line,
            hint="save it as UTF-8 in your editor",
        ) from None
    return text.replace("\r\n", "\n").replace("\r", "\n")


def parse_front_matter(text: str, path: Path) -> FrontMatter:
    """Text (already decoded) → FrontMatter; raises GeneratorError with a line."""
    lines = text.split("\n")
    opening = lines[0].rstrip() if lines else ""
    if opening not in ("---", "+++"):
        return FrontMatter({}, text, 1, has_front_matter=False)
    closers = ("---", "...") if opening == "---" else ("+++",)
    end = next((i for i in range(1, len(lines)) if lines[i].rstrip() in closers), None)
    if end is None:
        raise GeneratorError(
            f"front matter starts with {opening} on line 1 but is never closed",
            path=path,
            line=1,
            hint=f"add a line with {opening} after the last key",
        )
    header = "\n".join(lines[1:end])
    body = "\n".join(lines[end + 1 :])
    item_lines: dict[str, list[int]] = {}
    if opening == "+++":
        data, key_lines = _parse_toml(header, path)
    else:
        data, key_lines, item_lines = _parse_yaml(header, path)
    return FrontMatter(data, body, end + 2, key_lines, True, item_lines)


def _parse_yaml(header: str, path: Path) -> tuple[dict[str, Any], dict[str, int], dict[str, list[int]]]:
    deepest = _flow_depth(header)
    if deepest is not None:
        raise GeneratorError(
            f"front matter nests lists or tables more than {MAX_DEPTH} deep",
            path=path,
            line=deepest + 1,
            hint="a value holds lists in lists: write it flat",
        )
    try:
        return _read_yaml(header, path, _FastLoader)
    except yaml.YAMLError:
        return _read_yaml(header, path, _Loader)  # for the pure parser's clearer message


def _read_yaml(
    header: str, path: Path, kind: type[yaml.SafeLoader]
) -> tuple[dict[str, Any], dict[str, int], dict[str, list[int]]]:
    loader = None
    item_lines: dict[str, list[int]] = {}
    try:
        loader = kind(header)
        node = loader.get_single_node()
        if node is None:  # "---\n---": empty front matter
            return {}, {}, {}
        if not isinstance(node, yaml.MappingNode):
            raise GeneratorError(
                "front matter must be a list of `key: value` lines",
                path=path,
                line=node.start_mark.line + 2,
                hint="for example `title: Welcome`",
            )
        _check_size(node, path)
        key_lines: dict[str, int] = {}
        for key_node, value_node in node.value:
            if isinstance(value_node, yaml.SequenceNode):
                item_lines[str(key_node.value)] = [item.start_mark.line + 2 for item in value_node.value]
            key = str(key_node.value)
            line = key_node.start_mark.line + 2  # +1 for 1-based, +1 for the opening ---
            if key in key_lines:
                raise GeneratorError(
                    f'"{key}" is given twice (lines {key_lines[key]} and {line})',
                    path=path,
                    line=line,
                    hint="keep one of them",
                )
            key_lines[key] = line
        data = loader.construct_document(node)
    except yaml.MarkedYAMLError as exc:
        if kind is not _Loader:
            raise
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 2 if mark is not None else 1
        problem = exc.problem or "invalid YAML"
        hint = "check indentation, colons, and quote values that contain `: ` or start with [ { * &"
        if "'\\t'" in problem or "\t" in problem:  # YAML indents with spaces only
            problem, hint = "a tab is used to indent", "replace the tab with spaces"
        raise GeneratorError(
            f"front matter is not valid YAML: {problem}", path=path, line=line, hint=hint
        ) from None
    except yaml.reader.ReaderError as exc:
        if kind is not _Loader:
            raise
        raise GeneratorError(
            f"front matter holds a control character (U+{exc.character:04X}), which YAML does not allow"
            if isinstance(exc.character, int)
            else "front matter holds a character YAML does not allow",
            path=path,
            line=header[: exc.position].count("\n") + 2,
            hint="delete it (it is invisible in most editors), or write it as an escape in double quotes",
        ) from None
    except yaml.YAMLError as exc:
        if kind is not _Loader:
            raise
        raise GeneratorError(f"front matter is not valid YAML: {exc}", path=path, line=1) from None
    except RecursionError:
        raise GeneratorError(
            "front matter is nested too deeply", path=path, line=1, hint="a value holds lists in lists"
        ) from None
    finally:
        if loader is not None:
            loader.dispose()
    for key, value in data.items():
        if _has_surrogate(value):
            raise GeneratorError(
                f'"{key}" holds an escape such as \\ud800 that is half of a character, not a character',
                path=path,
                line=key_lines.get(str(key), 1),
                hint="write the character itself, or its full escape such as \\U0001F600",
            )
    return dict(data), key_lines, item_lines


def _flow_depth(header: str) -> int | None:
    """The line (of `header`) where [ and { open more than MAX_DEPTH deep, counting them
    in quoted texts too (more than there are, never fewer), or None."""
    if header.count("[") + header.count("{") <= MAX_DEPTH:
        return None  # the usual case, at C speed
    depth = 0
    line = 1
    for char in header:
        if char in "[{":
            depth += 1
            if depth > MAX_DEPTH:
                return line
        elif char in "]}":
            depth = max(0, depth - 1)
        elif char == "\n":
            line += 1
    return None


def _check_size(root: yaml.Node, path: Path) -> None:
    """Refuse front matter whose values, with each alias (`*name`) counted as what it
    repeats, are more than MAX_NODES, or an alias inside its own anchor: a few lines of
    aliases can otherwise stand for billions of values."""
    size: dict[int, int] = {}
    open_: set[int] = set()
    stack: list[tuple[yaml.Node, bool]] = [(root, False)]
    while stack:
        node, finished = stack.pop()
        children: list[yaml.Node] = (
            [part for pair in node.value for part in pair]
            if isinstance(node, yaml.MappingNode)
            else list(node.value)
            if isinstance(node, yaml.SequenceNode)
            else []
        )
        if finished:
            open_.discard(id(node))
            size[id(node)] = 1 + sum(size[id(child)] for child in children)
            if size[id(node)] > MAX_NODES:
                raise GeneratorError(
                    f"front matter holds more than {MAX_NODES:,} values (an alias, *name, counts "
                    "as all the values it repeats)",
                    path=path,
                    line=node.start_mark.line + 2,
                    hint="write the values out, without anchors (&name) and aliases (*name)",
                )
            continue
        if id(node) in size:
            continue
        if id(node) in open_:
            raise GeneratorError(
                "an alias (*name) is used inside the value it names",
                path=path,
                line=node.start_mark.line + 2,
                hint="a value cannot contain itself",
            )
        open_.add(id(node))
        stack.append((node, True))
        stack += [(child, False) for child in children if id(child) not in size]


def _has_surrogate(value: object) -> bool:
    """Whether a text in `value` holds half of a UTF-16 pair (which no file can encode)."""
    pending = [value]
    while pending:
        item = pending.pop()
        if isinstance(item, str):
            if any("\ud800" <= ch <= "\udfff" for ch in item):
                return True
        elif isinstance(item, dict):
            pending += [*item.keys(), *item.values()]
        elif isinstance(item, list):
            pending += item
    return False


def _parse_toml(header: str, path: Path) -> tuple[dict[str, Any], dict[str, int]]:
    try:
        data = tomllib.loads(header + "\n")
    except (ValueError, RecursionError) as exc:  # TOMLDecodeError is a ValueError
        message, line = toml_problem(exc, header)
        raise GeneratorError(
            f"front matter is not valid TOML: {message}",
            path=path,
            line=line + 1,
            hint="check quotes, brackets and `key = value` syntax",
        ) from None
    key_lines: dict[str, int] = {}
    for number, raw in enumerate(header.split("\n"), start=2):
        found = re.match(r"^\s*\"?([A-Za-z0-9_-]+)\"?\s*=", raw)
        if found and found.group(1) in data and found.group(1) not in key_lines:
            key_lines[found.group(1)] = number
    return data, key_lines
