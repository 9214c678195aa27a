"""``check --changed-since REF`` and ``--changed-files`` select the configs a change touches (a real git repo)."""

from __future__ import annotations

import io
import json
import os
import subprocess
from pathlib import Path

import pytest

from checkproject import make_project
from comfy_contract.check.gitchanges import changed_since
from comfy_contract.cli import main


def git(cwd: Path, *args: str) -> str:
    env = {**os.environ, "GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@example.invalid",
           "GIT_COMMITTER_NAME": "t", "GIT_COMMITTER_EMAIL": "t@example.invalid"}
    return subprocess.run(["git", *args], cwd=cwd, env=env, check=True, capture_output=True, text=True).stdout


def checked(repo: Path, *argv: str) -> tuple[int, set[str], str]:
    out, err = io.StringIO(), io.StringIO()
    old = Path.cwd()
    os.chdir(repo)
    try:
        code = main(["check", "--format", "json", *argv], stdout=out, stderr=err)
    finally:
        os.chdir(old)
    if code == 2:
        return code, set(), err.getvalue()
    data = json.loads(out.getvalue())
    return code, {r["config"] for r in data["results"] if r["config"] != "*"}, err.getvalue()


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    make_project(tmp_path, snapshots=False)
    git(tmp_path, "init", "-q", "-b", "main")
    git(tmp_path, "add", ".")
    git(tmp_path, "commit", "-q", "-m", "app")
    return tmp_path


def test_nothing_changed_checks_nothing(repo: Path) -> None:
    code, configs, err = checked(repo, "--changed-since", "main")
    assert code == 0
    assert configs == set()
    assert "0 of 39 configs touched by 0 changed file(s)" in err


def test_a_changed_chunk_selects_the_configs_rendered_from_it(repo: Path) -> None:
    git(repo, "checkout", "-q", "-b", "feature")
    chunk = repo / "schemas" / "chunks" / "output_image_sdxl_dualclip.json"
    data = json.loads(chunk.read_text("utf-8"))
    data["workflow"]["3"]["inputs"]["denoise"] = 0.9
    chunk.write_text(json.dumps(data, indent=2), encoding="utf-8")
    git(repo, "commit", "-q", "-am", "tweak sdxl")
    code, configs, _ = checked(repo, "--changed-since", "main")
    assert configs == {"sdxl_dualclip", "expressionismus", "jugendstil", "pixel_art"}
    assert code == 1  # expressionismus also renders sd35_large, which standalone lacks
    assert changed_since("main", repo) == (chunk.as_posix(),)


def test_uncommitted_and_untracked_changes_count(repo: Path) -> None:
    config = repo / "schemas" / "configs" / "interception" / "dada.json"
    config.write_text(config.read_text("utf-8") + "\n", encoding="utf-8")
    _, configs, _ = checked(repo, "--changed-since", "HEAD")
    assert configs == {"dada"}
    (repo / "notes.txt").write_text("untracked\n", encoding="utf-8")
    assert (repo / "notes.txt").as_posix() in changed_since("HEAD", repo)


def test_a_changed_project_file_selects_every_config(repo: Path) -> None:
    project = repo / "comfy-contract.yaml"
    project.write_text(project.read_text("utf-8") + "# touched\n", encoding="utf-8")
    _, configs, _ = checked(repo, "--changed-since", "HEAD")
    assert len(configs) == 39


def test_changed_files_as_pre_commit_passes_them(repo: Path) -> None:
    code, configs, _ = checked(repo, "--changed-files", "schemas/chunks/output_image_sd35_turbo.json", "README.md")
    assert configs == {"sd35_large_turbo", "bauhaus"}  # bauhaus renders sd35_large_turbo in fast mode
    assert code == 1


def test_outside_git_and_bad_refs_are_usage_errors(repo: Path, tmp_path_factory: pytest.TempPathFactory) -> None:
    code, _, err = checked(repo, "--changed-since", "no-such-branch")
    assert code == 2
    assert "'no-such-branch' is not a commit" in err
    elsewhere = tmp_path_factory.mktemp("nogit")
    make_project(elsewhere, snapshots=False)
    code, _, err = checked(elsewhere, "--changed-since", "main")
    assert code == 2
    assert "needs a git repository" in err
