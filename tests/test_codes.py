"""The code table: unique, documented, and docs/codes.md generated from it."""

from __future__ import annotations

import io
import re
from pathlib import Path

from comfy_contract.cli import main
from comfy_contract.core.codes import _TABLE, CODES, render_markdown

REPO = Path(__file__).resolve().parent.parent


def test_codes_are_unique_and_well_formed() -> None:
    codes = [c.code for c in _TABLE]
    assert len(codes) == len(set(codes)), "duplicate codes"
    names = [c.name for c in _TABLE]
    assert len(names) == len(set(names)), "duplicate names"
    for c in _TABLE:
        assert re.fullmatch(r"[VRLCSBFD]\d{3}", c.code)
        assert c.explanation.strip()
        assert c.title.strip()


def test_codes_are_in_order_within_each_family() -> None:
    for family in "VRLCSBFD":
        numbers = [int(c.code[1:]) for c in _TABLE if c.code[0] == family]
        assert numbers == sorted(numbers)


def test_docs_codes_md_is_up_to_date() -> None:
    expected = render_markdown()
    actual = (REPO / "docs" / "codes.md").read_text(encoding="utf-8")
    assert actual == expected, (
        "docs/codes.md is stale; regenerate with: python -c \"from comfy_contract.core.codes import render_markdown; "
        "open('docs/codes.md', 'w').write(render_markdown())\"")
    for code in CODES:
        assert f"### {code}\n" in actual


def test_explain_prints_a_lint_entry() -> None:
    out, err = io.StringIO(), io.StringIO()
    assert main(["explain", "l003"], out, err) == 0
    text = out.getvalue()
    assert text.startswith("L003 orphan-injection\n")
    assert text.rstrip().endswith(str(Path("docs", "codes.md")))  # the shipped page (tests/cli/test_explain_cmd.py)


def test_docs_eras_md_lists_every_era_with_its_evidence() -> None:
    from comfy_contract.validation.eras import ERAS

    text = (REPO / "docs" / "eras.md").read_text(encoding="utf-8")
    rows = {line.split("|")[1].strip().strip("`"): line for line in text.splitlines() if line.startswith("| `")}
    assert set(rows) == set(ERAS), "docs/eras.md: one table row per era in validation/eras/"
    for era_id, era in ERAS.items():
        assert ("source only" in rows[era_id]) == (era.evidence == "source"), era_id
