"""Hypothesis strategies for the request-time inputs of an app that renders ComfyUI workflows.

Each strategy draws one dimension of a request (devserver-layout.md §2): the user's text, what an LLM
step answers (free text, JSON objects, split-text outputs), custom placeholders, parameter values
over the range a node input allows (or just outside it), execution modes, output-config choices and
seeds. :func:`render_inputs` combines them into :class:`~comfy_contract.render.model.RenderInputs`.

The defaults draw *realistic* inputs (non-blank text, JSON where JSON is expected, values in range);
keyword arguments widen them toward the hostile corners (blank text, control characters, very long
text, stray braces, malformed JSON, values just outside a range). This module needs Hypothesis but
not pytest.
"""

from __future__ import annotations

import json
import math
import operator
from collections.abc import Mapping, Sequence
from typing import Any

from hypothesis import strategies as st

from comfy_contract.render.model import MODES, RenderInputs
from comfy_contract.validation.catalog import InputSpec

__all__ = [
    "SEED_MAX",
    "custom_placeholders",
    "execution_modes",
    "json_objects",
    "llm_texts",
    "output_configs",
    "parameter_values",
    "placeholder_names",
    "render_inputs",
    "seeds",
    "split_outputs",
    "user_texts",
]

#: the largest seed ComfyUI's samplers accept (``0xffffffffffffffff``)
SEED_MAX = 2**64 - 1

#: words a pupil might type: umlauts, accents, emoji, right-to-left and CJK text, Markdown
_WORDS = (
    "Leuchtturm", "cliff", "Möwe", "naïve", "façade", "über", "🎨", "🌊", "夜明け", "مرحبا",
    "sunset", "**bold**", "#1", "50%", "a/b", "C:\\path", "<b>", "&amp;", "e=mc²", "ß",
)
_QUOTES = ('"', "'", "\\", "`", "„", "“", "»")
_BRACES = ("{", "}", "{}", "{ }", "{{", "}}", "{{}}", "{x}", "${X}", "%s", "{0}")
_NEWLINES = ("\n", "\r\n", "\t", "\n\n")
_UPPER = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
_CONTROL = (*tuple(chr(c) for c in (0, 1, 7, 8, 11, 12, 27, 127)), "\u200b", "\u2028", "\ufeff")
#: the non-ASCII text users and LLMs write, as a few ranges of assigned, printable code points: Latin-1 and
#: Latin Extended-A, combining accents, Greek, Cyrillic, Hebrew, Arabic, Devanagari, Thai, spaces, zero-width
#: and bidi marks, punctuation, currency, arrows and maths, kana, CJK, Hangul, fullwidth forms, emoji. Not all
#: of Unicode: Hypothesis checks each character it replays against the alphabet's intervals one by one, and
#: "every category but Cc/Cs/Co/Cn/Zl/Zp" is 700 intervals (22 here) - that check was the largest single
#: cost of drawing a request (benchmarks/RESULTS.md).
_UNICODE_RANGES = (
    (0xA0, 0x17F), (0x300, 0x36F), (0x391, 0x3A1), (0x3A3, 0x3C9), (0x400, 0x45F), (0x5D0, 0x5EA), (0x620, 0x64A),
    (0x905, 0x939), (0xE01, 0xE3A), (0x2000, 0x2027), (0x202A, 0x205E), (0x20A0, 0x20C0), (0x2190, 0x22FF),
    (0x3041, 0x3096), (0x30A1, 0x30FA), (0x4E00, 0x9FFF), (0xAC00, 0xD7A3), (0xFF01, 0xFF5E), (0x1F300, 0x1F64F),
    (0x1F900, 0x1F9FF),
)


def _alphabet(unicode: bool, extra: str, braces: bool) -> st.SearchStrategy[str]:
    # without ``braces`` no ``{``/``}`` at all: the app treats any ``{{...}}`` as a placeholder
    exclude = "" if braces else "{}"
    ranges = ((0x20, 0x7E), *_UNICODE_RANGES) if unicode else ((0x20, 0x7E),)
    parts = [st.characters(min_codepoint=lo, max_codepoint=hi, exclude_characters=exclude) for lo, hi in ranges]
    if extra:
        parts.append(st.sampled_from(extra))
    return st.one_of(parts)  # one interval set: text() draws a whole string in one choice


def _not_blank(text: str) -> str:
    return text if text.strip() else f"x{text}"


def user_texts(
    *,
    max_size: int = 24,
    blank: bool = False,
    unicode: bool = True,
    quotes: bool = True,
    newlines: bool = True,
    braces: bool = False,
    control_characters: bool = False,
    long: bool = False,
    placeholders: Sequence[str] = (),
) -> st.SearchStrategy[str]:
    """Text as a user (or an LLM) writes it: words joined by spaces and punctuation.

    ``max_size`` bounds each of the two free-text runs (words from :data:`_WORDS` and placeholder
    tokens are inserted between them). ``blank`` also draws ``""`` and whitespace-only text;
    ``braces`` stray ``{``/``}``; ``control_characters`` NUL, ESC, zero-width and line separators;
    ``long`` occasionally text of 5 000 - 50 000 characters; ``placeholders`` sprinkles ``{{NAME}}``
    tokens of those names (what an LLM writes when its instructions ask for gaps).
    """
    special = ""
    tokens: list[str] = ["", *_WORDS]
    if quotes:
        special += "".join(q for q in _QUOTES if len(q) == 1)
    if newlines:
        special += "\n\t"
        tokens.append("\r\n")
    if braces:
        special += "{}"
        tokens.extend(_BRACES)
    if control_characters:
        special += "".join(_CONTROL)
    tokens.extend("{{" + n + "}}" for n in placeholders)
    # text, token, text, token: a fixed-size tuple draws several times faster than a list of
    # fragments, and drawing is what bounds a campaign's examples per second
    chunk = st.text(_alphabet(unicode, special, braces), max_size=max(1, max_size))
    token = st.sampled_from(tokens)
    text = st.tuples(chunk, token, chunk, token).map("".join)
    if not blank:
        text = text.map(_not_blank)
    choices = [text]
    if blank:
        choices.append(st.sampled_from(("", " ", "\n", "\t \n")))
    if long:
        choices.append(st.integers(5_000, 50_000).map(lambda n: ("Möwe über dem Meer. " * (n // 20 + 1))[:n]))
    return st.one_of(choices)


def llm_texts(
    *,
    placeholders: Sequence[str] = (),
    blank: bool = False,
    braces: bool = False,
    control_characters: bool = False,
    long: bool = False,
    max_size: int = 30,
) -> st.SearchStrategy[str]:
    """What a free-text LLM step answers: like :func:`user_texts`, with braces and ``placeholders``."""
    return user_texts(max_size=max_size, blank=blank, braces=braces, control_characters=control_characters,
                      long=long, placeholders=placeholders)


def placeholder_names(*, known: Sequence[str] = ()) -> st.SearchStrategy[str]:
    """Placeholder names: one of ``known`` or an arbitrary ``UPPER_CASE`` identifier."""
    fresh = st.builds(operator.add, st.sampled_from(_UPPER), st.text(alphabet=_UPPER + "0123456789_", max_size=11))
    return st.sampled_from(tuple(known)) | fresh if known else fresh


def json_objects(
    *,
    keys: st.SearchStrategy[str] | None = None,
    required: Sequence[str] = (),
    values: st.SearchStrategy[Any] | None = None,
    max_extra: int = 3,
) -> st.SearchStrategy[str]:
    """A JSON object *as text* (what an LLM step returns): the ``required`` keys plus up to
    ``max_extra`` keys drawn from ``keys`` (arbitrary identifiers when ``None``); values from
    ``values`` (text by default)."""
    value_st = values if values is not None else user_texts(max_size=12)
    key_st = keys if keys is not None else st.builds(
        operator.add, st.sampled_from(_UPPER.lower()), st.text(alphabet=_UPPER.lower() + "0123456789_", max_size=9))
    fixed = st.fixed_dictionaries(dict.fromkeys(required, value_st))
    extra = st.dictionaries(key_st, value_st, max_size=max_extra) if max_extra > 0 else st.just({})
    return st.tuples(fixed, extra).map(lambda pair: json.dumps({**pair[1], **pair[0]}, ensure_ascii=False))


def split_outputs(
    keys: Sequence[str],
    *,
    empty_parts: bool = False,
    extra_keys: bool = False,
    malformed: bool = False,
    placeholders: Sequence[str] = (),
) -> st.SearchStrategy[str]:
    """The answer of a split-text LLM step that must return ``{"part_a": ..., "part_b": ...}``.

    By default a JSON object with exactly ``keys`` and non-blank texts. ``empty_parts`` allows blank
    parts, ``extra_keys`` additional (possibly colliding) keys, ``malformed`` answers that are not a
    JSON object at all (prose, a list, truncated JSON, a key missing).
    """
    text = user_texts(max_size=12, blank=empty_parts, placeholders=placeholders)
    valid = json_objects(required=keys, values=text, max_extra=3 if extra_keys else 0)
    if not malformed:
        return valid
    bad: list[st.SearchStrategy[str]] = [
        llm_texts(),
        st.lists(text, max_size=3).map(lambda xs: json.dumps(xs, ensure_ascii=False)),
        valid.map(lambda s: s[: max(1, len(s) // 2)]),
    ]
    if keys:
        bad.append(json_objects(required=keys[1:], values=text, max_extra=0))
    return valid | st.one_of(bad)


def custom_placeholders(
    *,
    names: Sequence[str] = (),
    unexpected: bool = True,
    avoid: Sequence[str] = (),
    max_size: int = 3,
    values: st.SearchStrategy[Any] | None = None,
) -> st.SearchStrategy[dict[str, Any]]:
    """Custom placeholders a UI sends with a request: ``names`` it is known to send, plus (with
    ``unexpected``) names the config does not know. Names in ``avoid`` (the config's own parameters)
    are never drawn, so a custom value cannot override a config parameter unless asked for."""
    skip = frozenset(avoid)
    known = tuple(n for n in names if n not in skip)
    choices: list[st.SearchStrategy[str]] = []
    if known:
        choices.append(st.sampled_from(known))
    if unexpected:
        choices.append(placeholder_names().filter(lambda n: n not in skip))
    if not choices or max_size <= 0:
        return st.just({})
    value_st = values if values is not None else user_texts(max_size=8)
    return st.dictionaries(st.one_of(choices), value_st, max_size=max_size)


def _number_bounds(spec: InputSpec) -> tuple[float | None, float | None]:
    lo, hi = spec.options.get("min"), spec.options.get("max")
    return (lo if isinstance(lo, int | float) else None, hi if isinstance(hi, int | float) else None)


def parameter_values(spec: InputSpec, *, inside: bool = True, outside: bool = False) -> st.SearchStrategy[Any]:
    """Values for a parameter that ends up in the node input ``spec``.

    ``inside``: values the input accepts (INT/FLOAT between ``min`` and ``max`` with the edges
    favoured, one of a combo's choices, any text for STRING). ``outside``: values just outside
    (``min - 1``, ``max + 1``, a choice that is not listed, a number as text that does not parse).
    """
    kind = spec.type
    out: list[st.SearchStrategy[Any]] = []
    if spec.is_combo:
        choices = spec.choices
        if inside and choices:
            out.append(st.sampled_from(choices))
        if outside:
            out.append(st.sampled_from(("", "none", "{{X}}")) | (st.sampled_from(choices).map(lambda c: f"{c}_")
                                                                 if choices else st.just("x")))
    elif kind in ("INT", "FLOAT"):
        lo, hi = _number_bounds(spec)
        if kind == "INT":
            ilo = int(lo) if lo is not None else -(2**63)
            ihi = int(hi) if hi is not None else 2**63
            if inside:
                out.append(st.sampled_from(sorted({ilo, ihi, min(max(0, ilo), ihi)})) | st.integers(ilo, ihi))
            if outside:
                out.append(st.sampled_from((ilo - 1, ihi + 1, "1.5", "", "random")))
        else:
            flo = float(lo) if lo is not None else -1e9
            fhi = float(hi) if hi is not None else 1e9
            if inside:
                out.append(st.sampled_from(sorted({flo, fhi})) | st.floats(flo, fhi, allow_nan=False))
            if outside:
                step = float(spec.options.get("step") or 0.01)
                out.append(st.sampled_from((flo - step, fhi + step, math.inf, "nan?", "")))
    elif kind == "BOOLEAN":
        if inside:
            out.append(st.booleans())
        if outside:
            out.append(st.sampled_from(("yes", 2, None)))
    else:  # STRING and anything else: text
        if inside:
            out.append(user_texts(max_size=10))
        if outside:
            out.append(st.sampled_from(("", "{{X}}")))
    if not out:
        raise ValueError(f"parameter_values: nothing to draw for {spec.name!r} with inside={inside!r}, "
                         f"outside={outside!r}; enable one of them")
    return st.one_of(out)


def seeds(*, random: bool = True, inside: bool = True, outside: bool = False) -> st.SearchStrategy[Any]:
    """A ``SEED`` parameter value: ``"random"``, integers with the edges ``0``, ``2**32 - 1`` and
    ``2**64 - 1`` favoured, and (``outside``) ``-1``, ``2**64`` and non-numeric text."""
    out: list[st.SearchStrategy[Any]] = []
    if random:
        out.append(st.just("random"))
    if inside:
        out.append(st.sampled_from((0, 1, 2**32 - 1, 2**32, SEED_MAX)) | st.integers(0, SEED_MAX))
    if outside:
        out.append(st.sampled_from((-1, SEED_MAX + 1, "-1", "zufall", "")))
    if not out:
        raise ValueError("seeds: enable at least one of random, inside, outside")
    return st.one_of(out)


def execution_modes(modes: Sequence[str] = MODES, *, extra: Sequence[str] = ()) -> st.SearchStrategy[str]:
    """One execution mode: a known one, or (``extra``) one the defaults file may not know."""
    return st.sampled_from((*modes, *extra))


def output_configs(choices: Sequence[str], *, unknown: Sequence[str] = ()) -> st.SearchStrategy[str | None]:
    """The request's ``output_config``: ``None`` (the app chooses), one the UI offers, or ``unknown``."""
    return st.sampled_from((None, *choices, *unknown))


def render_inputs(
    *,
    user_text: st.SearchStrategy[str] | None = None,
    llm_outputs: Mapping[str, st.SearchStrategy[str]] | None = None,
    custom: st.SearchStrategy[dict[str, Any]] | None = None,
    parameters: Mapping[str, st.SearchStrategy[Any]] | None = None,
    output_config: st.SearchStrategy[str | None] | None = None,
    seed: st.SearchStrategy[int] | None = None,
) -> st.SearchStrategy[RenderInputs]:
    """:class:`RenderInputs` with each dimension drawn from its strategy.

    ``llm_outputs`` maps an LLM step (chunk name, or ``"*"``) to the strategy of its answer;
    ``parameters`` maps a parameter name to its values (each is drawn or left out, so shrinking drops
    parameters that do not matter).
    """
    llm = dict(llm_outputs or {})
    params = dict(parameters or {})
    return st.builds(
        _make_inputs,
        user_text if user_text is not None else user_texts(),
        st.fixed_dictionaries({}, optional=llm),
        custom if custom is not None else st.just({}),
        st.fixed_dictionaries({}, optional=params),
        output_config if output_config is not None else st.none(),
        seed if seed is not None else st.integers(0, 2**32 - 1),
    )


def _make_inputs(user_text: str, llm: dict[str, str], custom: dict[str, Any], params: dict[str, Any],
                 output_config: str | None, seed: int) -> RenderInputs:
    return RenderInputs.from_dict({
        "user_text": user_text, "llm_outputs": llm, "custom_placeholders": custom, "parameters": params,
        "output_config": output_config, "seed": seed,
    })
