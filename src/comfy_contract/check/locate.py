"""JSON pointer → line and column in a JSON file's text, so reports can point at the line that caused a finding.

:func:`pointer_position` walks the text itself (it does not build the whole document), following the
pointer's tokens; for a pointer whose last members do not exist it answers the position of the deepest
member that does (``/parameters/OUTPUT_CHUNK`` missing → the line of ``"parameters"``). For members of an
object the position is that of the member's key, which is where a reader looks.
"""

from __future__ import annotations

import json
import re
from json.decoder import scanstring  # type: ignore[attr-defined]
from pathlib import Path

from comfy_contract.check.results import Location

__all__ = ["Locator", "pointer_position", "pointer_tokens"]

_WS = re.compile(r"[ \t\n\r]*")
_DECODER = json.JSONDecoder()
_LINE_COL = re.compile(r"line (\d+),? column (\d+)|\.json:(\d+):(\d+)")


def pointer_tokens(pointer: str) -> list[str] | None:
    """The reference tokens of an RFC 6901 pointer (``None`` if it is not a pointer)."""
    if pointer == "":
        return []
    if not pointer.startswith("/"):
        return None
    return [t.replace("~1", "/").replace("~0", "~") for t in pointer[1:].split("/")]


def _line_col(text: str, offset: int) -> tuple[int, int]:
    line = text.count("\n", 0, offset) + 1
    start = text.rfind("\n", 0, offset) + 1
    return line, offset - start + 1


def _skip_ws(text: str, i: int) -> int:
    m = _WS.match(text, i)
    return m.end() if m else i


def _skip_value(text: str, i: int) -> int:
    _value, end = _DECODER.raw_decode(text, i)
    return int(end)


def _find_member(text: str, i: int, token: str) -> tuple[int, int] | None:
    """In the object starting at ``i``: (key offset, value offset) of member ``token``, else None."""
    i = _skip_ws(text, i + 1)
    found: tuple[int, int] | None = None
    while i < len(text) and text[i] != "}":
        key_at = i
        key, i = scanstring(text, i + 1)
        i = _skip_ws(text, i)
        i = _skip_ws(text, i + 1)  # past ':'
        if key == token:
            found = (key_at, i)  # JSON objects may repeat a key: the last one wins, as in json.loads
        i = _skip_ws(text, _skip_value(text, i))
        if i < len(text) and text[i] == ",":
            i = _skip_ws(text, i + 1)
    return found


def _find_item(text: str, i: int, index: int) -> int | None:
    i = _skip_ws(text, i + 1)
    n = 0
    while i < len(text) and text[i] != "]":
        if n == index:
            return i
        i = _skip_ws(text, _skip_value(text, i))
        if i < len(text) and text[i] == ",":
            i = _skip_ws(text, i + 1)
        n += 1
    return None


def pointer_position(text: str, pointer: str) -> tuple[int, int] | None:
    """(line, column) of ``pointer`` in JSON ``text``, or of its deepest existing parent.

    ``None`` when the text is not JSON or ``pointer`` is not a JSON pointer.
    """
    tokens = pointer_tokens(pointer)
    if tokens is None:
        return None
    try:
        at = i = _skip_ws(text, 0)
        for token in tokens:
            if i >= len(text):
                break
            if text[i] == "{":
                member = _find_member(text, i, token)
                if member is None:
                    break
                at, i = member
            elif text[i] == "[":
                if not token.isdigit():
                    break
                item = _find_item(text, i, int(token))
                if item is None:
                    break
                at = i = item
            else:
                break
    except (ValueError, IndexError):
        return None
    return _line_col(text, at)


class Locator:
    """Turns (file, pointer) into :class:`Location` values relative to ``root``, reading each file once.

    Within one run the same chunk file and pointer come back for every config that uses the chunk, so
    resolved paths and answers are memoised (``Path.resolve`` and the pointer walk dominated ``check``'s
    time per config before, issue 19)."""

    def __init__(self, root: str | Path) -> None:
        self.root = Path(root).resolve()
        self._texts: dict[Path, tuple[str, bool] | None] = {}
        self._relative: dict[str | Path, str] = {}
        self._located: dict[tuple[str | Path, str | None, str | None], Location] = {}

    def relative(self, file: str | Path) -> str:
        known = self._relative.get(file)
        if known is None:
            known = self._relative[file] = self._relative_uncached(file)
        return known

    def _relative_uncached(self, file: str | Path) -> str:
        path = Path(file)
        if not path.is_absolute():
            path = self.root / path
        try:
            return path.resolve().relative_to(self.root).as_posix()
        except ValueError:
            return path.resolve().as_posix()

    def _text(self, path: Path) -> tuple[str, bool] | None:
        """The file's text and whether it is valid JSON (``None`` if unreadable)."""
        if path not in self._texts:
            try:
                text = path.read_text(encoding="utf-8-sig")
            except (OSError, UnicodeDecodeError):
                self._texts[path] = None
            else:
                try:
                    json.loads(text)
                    valid = True
                except (ValueError, RecursionError):
                    valid = False
                self._texts[path] = (text, valid)
        return self._texts[path]

    def line_of(self, file: str | Path, value: str) -> int | None:
        """The first line of ``file`` holding ``value`` (as a JSON string, else as plain text), if any."""
        path = Path(file)
        read = self._text(path if path.is_absolute() else self.root / path)
        if read is None:
            return None
        text = read[0]
        for needle in (json.dumps(value, ensure_ascii=False), value):
            at = text.find(needle)
            if at >= 0:
                return text.count("\n", 0, at) + 1
        return None

    def locate(self, file: str | Path, pointer: str | None = None, *, hint: str | None = None) -> Location:
        """The location of ``pointer`` in ``file``; ``hint`` (a message) may give ``line N, column M``
        for files that are not valid JSON."""
        key = (file, pointer, hint)
        known = self._located.get(key)
        if known is None:
            known = self._located[key] = self._locate(file, pointer, hint)
        return known

    def _locate(self, file: str | Path, pointer: str | None, hint: str | None) -> Location:
        path = Path(file)
        if not path.is_absolute():
            path = self.root / path
        read = self._text(path)
        line = column = None
        if read is not None:
            text, valid = read
            pos = pointer_position(text, pointer or "") if valid else None
            if pos is None and hint:
                m = _LINE_COL.search(hint)
                pos = (int(m.group(1) or m.group(3)), int(m.group(2) or m.group(4))) if m else None
            if pos is not None:
                line, column = pos
        return Location(self.relative(path), pointer, line, column)
