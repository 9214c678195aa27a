"""Which files changed, according to git: for ``check --changed-since REF`` in CI.

Changed = every file that differs between the merge base of ``REF`` and ``HEAD`` and the working tree
(committed, staged or not), plus untracked files that are not ignored. Renames count as a deletion and an
addition, so both names are listed. Paths are absolute.
"""

from __future__ import annotations

import subprocess
from pathlib import Path

from comfy_contract.core.errors import ConfigError

__all__ = ["changed_since", "git_toplevel"]


def _git(args: list[str], cwd: Path) -> subprocess.CompletedProcess[str]:
    try:
        return subprocess.run(["git", *args], cwd=cwd, capture_output=True, text=True, check=False)
    except FileNotFoundError:
        raise ConfigError("--changed-since needs git, and no `git` executable was found on PATH",
                          hint="install git, or use --changed-files FILE... or --config NAME") from None


def git_toplevel(cwd: str | Path) -> Path:
    """The root of the git work tree containing ``cwd``; a usage error outside one."""
    proc = _git(["rev-parse", "--show-toplevel"], Path(cwd))
    if proc.returncode != 0:
        raise ConfigError(
            f"--changed-since needs a git repository, but {str(Path(cwd).resolve())!r} is not inside one",
            hint="run the check from your repository's checkout (in CI: check out with history, e.g. "
            "`fetch-depth: 0`), or drop --changed-since",
        )
    return Path(proc.stdout.strip())


def changed_since(ref: str, cwd: str | Path = ".") -> tuple[str, ...]:
    """Absolute paths of the files changed since ``ref`` (see the module docstring)."""
    top = git_toplevel(cwd)
    verify = _git(["rev-parse", "--verify", "--quiet", f"{ref}^{{commit}}"], top)
    if verify.returncode != 0:
        raise ConfigError(
            f"--changed-since: {ref!r} is not a commit in this repository",
            hint="fetch it first (e.g. `git fetch origin main`, or `fetch-depth: 0` in actions/checkout) and "
            "pass a branch, tag or commit such as origin/main",
        )
    base_proc = _git(["merge-base", ref, "HEAD"], top)
    base = base_proc.stdout.strip() if base_proc.returncode == 0 and base_proc.stdout.strip() else ref
    diff = _git(["diff", "--name-only", "--no-renames", "-z", base, "--"], top)
    if diff.returncode != 0:
        raise ConfigError(f"--changed-since: `git diff {base}` failed: {diff.stderr.strip()}")
    untracked = _git(["ls-files", "--others", "--exclude-standard", "-z"], top)
    names = [n for n in (diff.stdout + untracked.stdout).split("\0") if n]
    return tuple(sorted({(top / n).as_posix() for n in names}))
