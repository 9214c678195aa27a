"""Text made safe to show: names and values from a pull request reach terminals, CI logs and XML.

A config name is data the repository controls. Written raw, an escape sequence in it can rewrite the
terminal or a CI log, a NUL or a lone surrogate (``"\\ud800"`` is valid JSON) can break a report. The data
itself is never changed; only what is *shown* is escaped, as ``\\x1b`` / ``\\ud800`` / ``\\u202e``.
"""

from __future__ import annotations

import hashlib
import re
from typing import TextIO

__all__ = ["PrintableStream", "bounded_stem", "printable"]

#: C0 controls (tab and newline handled by the caller's choice), DEL, C1 controls, lone surrogates, and the
#: bidirectional overrides/isolates that reorder what a reader sees ("Trojan Source")
_UNSAFE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\ud800-\udfff\u200e\u200f\u202a-\u202e\u2066-\u2069]")
_UNSAFE_LINE = re.compile("[\x00-\x08\x0a-\x1f\x7f-\x9f\ud800-\udfff\u200e\u200f\u202a-\u202e\u2066-\u2069]")


def _escape(match: re.Match[str]) -> str:
    code = ord(match.group(0))
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def printable(text: str, *, newlines: bool = True) -> str:
    """``text`` with control characters, lone surrogates and bidi overrides shown as escapes. Newlines are
    kept unless ``newlines=False`` (for a value that must stay on one line); tabs are always kept."""
    return (_UNSAFE if newlines else _UNSAFE_LINE).sub(_escape, text)


def bounded_stem(stem: str, name: str, *, limit: int = 120) -> str:
    """A file-name stem made from ``name`` kept under ``limit`` characters: a longer one is cut and ends in
    ``~`` plus a hash of the whole ``name`` (so two long names never share a file). File systems allow 255
    bytes per name; the margin leaves room for suffixes such as ``.fast.json``."""
    if len(stem.encode("utf-8", "surrogatepass")) <= limit:
        return stem
    digest = hashlib.sha256(name.encode("utf-8", "surrogatepass")).hexdigest()[:16]
    cut = stem[: limit - len(digest) - 1]
    while len(cut.encode("utf-8", "surrogatepass")) > limit - len(digest) - 1:
        cut = cut[:-1]
    return f"{cut}~{digest}"


class PrintableStream:
    """A text stream wrapper whose ``write`` shows control characters as escapes (see :func:`printable`);
    for command output that quotes names and values from the repository."""

    def __init__(self, stream: TextIO) -> None:
        self.stream = stream

    def write(self, text: str) -> int:
        return self.stream.write(printable(text))

    def flush(self) -> None:
        self.stream.flush()

    def isatty(self) -> bool:
        return bool(getattr(self.stream, "isatty", lambda: False)())
