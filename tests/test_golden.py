"""Golden tests of our own output: what ``comfy-contract check`` prints (text, Markdown, GitHub annotations)
and the failure blocks the pytest plugin shows, for the bundled sample app and a small adapter project.

Each output is compared with a file under ``tests/golden/``. Only what truly varies is normalised: the
absolute path of the checkout or of the temporary project (``<repo>``, ``<project>``). A difference fails
with a unified diff; after an intended change, accept the new output with::

    COMFY_CONTRACT_UPDATE_GOLDEN=1 .venv/bin/python -m pytest tests/test_golden.py

and review ``git diff tests/golden``.
"""

from __future__ import annotations

import difflib
import os
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from adapterproject import MODULE, make_adapter_project
from clirun import run
from comfy_contract.check.engine import Engine, suite_from_project
from comfy_contract.check.project import load_project
from comfy_contract.check.results import Report
from comfy_contract.plugin import failure_text

REPO = Path(__file__).resolve().parent.parent
GOLDEN = Path(__file__).resolve().parent / "golden"
UPDATE = os.environ.get("COMFY_CONTRACT_UPDATE_GOLDEN", "") not in ("", "0")

#: check's formats with a golden file: name -> extra arguments
FORMATS = {"check.txt": (), "check.md": ("--format", "markdown"), "check.github.txt": ("--format", "github")}

Normalise = Callable[[str], str]


def _normaliser(**roots: Path) -> Normalise:
    pairs = sorted(((str(p), f"<{name}>") for name, path in roots.items() for p in (path, path.resolve())),
                   key=lambda pair: -len(pair[0]))

    def normalise(text: str) -> str:
        for path, label in pairs:
            text = text.replace(path, label)
        return text

    return normalise


def compare(name: str, actual: str) -> None:
    """Compare ``actual`` with ``tests/golden/<name>`` (write it instead under the update variable)."""
    path = GOLDEN / name
    if UPDATE:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(actual, encoding="utf-8", newline="\n")
        return
    if not path.is_file():
        pytest.fail(f"no golden file {path.relative_to(REPO)}; create it with COMFY_CONTRACT_UPDATE_GOLDEN=1",
                    pytrace=False)
    expected = path.read_text(encoding="utf-8")
    if actual != expected:
        diff = "".join(difflib.unified_diff(expected.splitlines(keepends=True), actual.splitlines(keepends=True),
                                            f"tests/golden/{name} (golden)", f"tests/golden/{name} (actual)"))
        pytest.fail(f"output differs from tests/golden/{name}:\n{diff}\nIf the change is intended, run "
                    "COMFY_CONTRACT_UPDATE_GOLDEN=1 .venv/bin/python -m pytest tests/test_golden.py and review "
                    "`git diff tests/golden`.", pytrace=False)


def failure_blocks(report: Report, *, one_per_code: bool = False) -> str:
    """What the pytest plugin prints for each failing item, in report order (with ``one_per_code``: the
    first failing result of each (check, first finding code), to keep the file reviewable)."""
    out, seen = [], set()
    for result in report.results:
        if result.status == "pass":
            continue
        kind = (result.check, result.findings[0].code if result.findings else "error")
        if one_per_code and kind in seen:
            continue
        seen.add(kind)
        out.append(f"=== {result.id} ({result.status})\n{failure_text(result, report.fail_on)}\n")
    return "\n".join(out)


# -- the bundled sample app (the README's main job) -----------------------------------------------------------


@pytest.fixture(scope="module")
def sample_normalise() -> Normalise:
    return _normaliser(repo=REPO)


@pytest.mark.parametrize("name", FORMATS)
def test_sample_app_check_output(name: str, sample_normalise: Normalise) -> None:
    code, out, err = run("check", *FORMATS[name], cwd=REPO)
    assert code == 1, err
    compare(f"sample_app/{name}", sample_normalise(out))


def test_sample_app_failure_blocks(sample_normalise: Normalise) -> None:
    report = Engine(suite_from_project(load_project(REPO / "comfy-contract.yaml"), root=REPO)).report()
    compare("sample_app/failure-blocks.txt", sample_normalise(failure_blocks(report, one_per_code=True)))


# -- a small adapter project (the app's own code renders) -----------------------------------------------------


@pytest.fixture
def adapter_project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    make_adapter_project(tmp_path, snapshots=False)
    monkeypatch.syspath_prepend(str(tmp_path))
    sys.modules.pop(MODULE, None)
    yield tmp_path
    sys.modules.pop(MODULE, None)  # other tests import their own adapter module of that name


@pytest.mark.parametrize("name", FORMATS)
def test_adapter_project_check_output(name: str, adapter_project: Path) -> None:
    code, out, err = run("check", "--verbose", *FORMATS[name], cwd=adapter_project)
    assert code == 1, err
    compare(f"adapter_project/{name}", _normaliser(project=adapter_project, repo=REPO)(out))


def test_adapter_project_failure_blocks(adapter_project: Path) -> None:
    report = Engine(suite_from_project(load_project(adapter_project / "comfy-contract.yaml"), root=adapter_project),
                    ).report()
    compare("adapter_project/failure-blocks.txt",
            _normaliser(project=adapter_project, repo=REPO)(failure_blocks(report)))


# -- the comparison itself -------------------------------------------------------------------------------------


def test_a_difference_fails_with_a_unified_diff(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sys.modules[__name__], "GOLDEN", tmp_path)
    monkeypatch.setattr(sys.modules[__name__], "UPDATE", False)
    (tmp_path / "x.txt").write_text("one\ntwo\nthree\n", encoding="utf-8")
    compare("x.txt", "one\ntwo\nthree\n")
    with pytest.raises(pytest.fail.Exception) as failed:
        compare("x.txt", "one\n2\nthree\n")
    message = str(failed.value)
    assert "--- tests/golden/x.txt (golden)" in message
    assert "+++ tests/golden/x.txt (actual)" in message
    assert "-two\n+2\n" in message
    assert "COMFY_CONTRACT_UPDATE_GOLDEN=1" in message
    monkeypatch.setattr(sys.modules[__name__], "UPDATE", True)
    compare("x.txt", "one\n2\nthree\n")
    assert (tmp_path / "x.txt").read_text(encoding="utf-8") == "one\n2\nthree\n"


def test_normalising_replaces_only_the_roots(tmp_path: Path) -> None:
    normalise = _normaliser(project=tmp_path, repo=REPO)
    assert normalise(f"{tmp_path}/a.json and {REPO}/b.json, 0.25s") == "<project>/a.json and <repo>/b.json, 0.25s"
