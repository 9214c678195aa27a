"""``comfy-contract explain``: the entry, and a pointer to documentation that ships with the package."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

from clirun import run

REPO = Path(__file__).resolve().parents[2]


def test_explain_points_at_the_shipped_codes_page() -> None:
    code, out, err = run("explain", "v018")
    assert (code, err) == (0, "")
    assert out.startswith("V018 value-not-in-list\n")
    where = re.search(r"^see V018 in (.+)$", out, re.M)
    assert where is not None, out
    page = Path(where.group(1))
    assert page.is_file()
    assert page.name == "codes.md"
    assert "### V018" in page.read_text("utf-8")


def test_the_wheel_ships_the_docs_explain_reads() -> None:
    """In a wheel, explain reads ``comfy_contract/_data/docs``: pyproject must put ``docs/`` there."""
    wheel = tomllib.loads((REPO / "pyproject.toml").read_text("utf-8"))["tool"]["hatch"]["build"]["targets"]["wheel"]
    assert wheel["force-include"]["docs"] == "comfy_contract/_data/docs"
    assert (REPO / "docs" / "codes.md").is_file()
