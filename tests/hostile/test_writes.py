"""No data loss: every write is atomic, refuses special files and links, keeps the mode, cleans stale temps;
concurrent snapshot writers are serialised across real processes; a kill -9 never leaves a torn file (issue 13)."""

from __future__ import annotations

import json
import os
import signal
import stat
import subprocess
import sys
import time
from pathlib import Path

import pytest

from comfy_contract.core.errors import InputError
from comfy_contract.core.jsonio import write_json_atomic, write_text_atomic
from hostile.harness import STOCK, run, write_json

REPO = Path(__file__).resolve().parents[2]
LEGACY = REPO / "fixtures" / "sample_app" / "legacy"


def _writers(tmp_path: Path, target: Path) -> dict[str, tuple[str, ...]]:
    """Every command that writes a file the user names, writing to ``target``."""
    wf = next(LEGACY.glob("*.json"))
    return {
        "catalog merge -o": ("catalog", "merge", str(STOCK), "-o", str(target)),
        "catalog pull -o": ("catalog", "pull", "--url", "http://127.0.0.1:9", "-o", str(target)),
        "diff --delta": ("diff", str(wf), str(wf), "--delta", str(target)),
        "check --output": ("check", str(REPO / "comfy-contract.yaml"), "--config", "bauhaus", "--mode", "eco",
                           "--check", "render", "--output", str(target)),
        "check --write": ("check", str(REPO / "comfy-contract.yaml"), "--config", "bauhaus", "--mode", "eco",
                          "--check", "render", "--write", f"junit={target}"),
    }


@pytest.mark.parametrize("writer", ["catalog merge -o", "catalog pull -o", "diff --delta", "check --output",
                                    "check --write"])
def test_a_fifo_is_refused_not_replaced(tmp_path: Path, writer: str) -> None:
    fifo = tmp_path / "special"
    os.mkfifo(fifo)
    result = run(*_writers(tmp_path, fifo)[writer])
    result.assert_clean(2)
    assert "not a regular file" in result.err
    assert stat.S_ISFIFO(fifo.lstat().st_mode)  # still the special file


@pytest.mark.parametrize("writer", ["catalog merge -o", "diff --delta", "check --output"])
def test_a_symlink_is_refused_and_kept(tmp_path: Path, writer: str) -> None:
    real = tmp_path / "real.txt"
    real.write_text("keep me", encoding="utf-8")
    link = tmp_path / "link.json"
    link.symlink_to(real)
    result = run(*_writers(tmp_path, link)[writer])
    result.assert_clean(2)
    assert "symbolic link" in result.err
    assert link.is_symlink()
    assert real.read_text("utf-8") == "keep me"


def test_dev_full_is_refused_without_writing() -> None:
    """The device nodes of the issue (as root, ``-o /dev/full`` used to become a regular file)."""
    if not Path("/dev/full").exists():
        pytest.skip("no /dev/full here")
    result = run("catalog", "merge", str(STOCK), "-o", "/dev/full")
    result.assert_clean(2)
    assert stat.S_ISCHR(Path("/dev/full").stat().st_mode)


def test_the_mode_of_the_target_is_kept_and_new_files_follow_the_umask(tmp_path: Path) -> None:
    target = tmp_path / "out.json"
    target.write_text("{}", encoding="utf-8")
    target.chmod(0o640)
    write_json_atomic(target, {"a": 1})
    assert stat.S_IMODE(target.stat().st_mode) == 0o640
    fresh = tmp_path / "fresh.json"
    old = os.umask(0o022)
    try:
        write_json_atomic(fresh, {})
    finally:
        os.umask(old)
    assert stat.S_IMODE(fresh.stat().st_mode) == 0o644  # not mkstemp's 0600


def test_stale_temporary_files_of_dead_writers_are_cleaned(tmp_path: Path) -> None:
    target = tmp_path / "out.json"
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True,
                          check=True).stdout.strip()
    stale = tmp_path / f".out.json.{dead}.abc123.tmp"
    stale.write_text("", encoding="utf-8")
    mine = tmp_path / f".out.json.{os.getpid()}.def456.tmp"  # a live writer's (ours): kept
    mine.write_text("", encoding="utf-8")
    other = tmp_path / f".other.json.{dead}.x.tmp"  # another target's: not ours to judge
    other.write_text("", encoding="utf-8")
    write_json_atomic(target, {"ok": True})
    assert not stale.exists()
    assert mine.exists()
    assert other.exists()
    assert json.loads(target.read_text("utf-8")) == {"ok": True}


def test_lone_surrogates_are_written_as_json_escapes(tmp_path: Path) -> None:
    target = tmp_path / "s.json"
    write_json_atomic(target, {"name": "bad\ud800name"})
    assert "\\ud800" in target.read_text("utf-8")
    assert json.loads(target.read_text("utf-8")) == {"name": "bad\ud800name"}


def test_a_failed_write_leaves_the_old_file_and_no_temporary(tmp_path: Path) -> None:
    target = tmp_path / "r.xml"
    target.write_text("old report", encoding="utf-8")

    class Boom:
        def __str__(self) -> str:
            raise RuntimeError("boom")

    with pytest.raises(TypeError):
        write_json_atomic(target, {"x": Boom()})
    assert target.read_text("utf-8") == "old report"
    assert [p.name for p in tmp_path.iterdir()] == ["r.xml"]
    with pytest.raises(InputError, match="folder"):
        write_text_atomic(tmp_path, "x")


_KILLED_WRITER = """
import sys
from comfy_contract.core.jsonio import write_json_atomic
big = {"data": "x" * 4_000_000}
print("ready", flush=True)
n = 0
while True:
    n += 1
    write_json_atomic(sys.argv[1], {**big, "n": n})
"""


def test_kill_9_during_writes_never_leaves_a_torn_file(tmp_path: Path) -> None:
    target = tmp_path / "snap.json"
    write_json_atomic(target, {"n": 0})
    proc = subprocess.Popen([sys.executable, "-c", _KILLED_WRITER, str(target)], stdout=subprocess.PIPE, text=True)
    assert proc.stdout is not None
    assert proc.stdout.readline().strip() == "ready"
    time.sleep(0.6)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    proc.stdout.close()
    data = json.loads(target.read_text("utf-8"))  # the old file or a new one, complete
    assert isinstance(data["n"], int)
    write_json_atomic(target, {"n": -1})  # the next write cleans what the killed writer left
    assert sorted(p.name for p in tmp_path.iterdir()) == ["snap.json"]


# --- two real processes on one snapshot folder -----------------------------------------------------------

_HOLD_LOCK = """
import sys, time
from comfy_contract.core.lock import folder_lock
with folder_lock(sys.argv[1], what="test"):
    print("locked", flush=True)
    time.sleep(float(sys.argv[2]))
"""


def _project(tmp_path: Path) -> Path:
    from checkproject import make_project

    make_project(tmp_path)
    return tmp_path


def test_a_busy_snapshot_folder_is_refused_clearly(tmp_path: Path) -> None:
    where = _project(tmp_path)
    holder = subprocess.Popen([sys.executable, "-c", _HOLD_LOCK, str(where / "snapshots"), "30"],
                              stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout is not None
        assert holder.stdout.readline().strip() == "locked"
        started = time.perf_counter()
        done = subprocess.run([sys.executable, "-m", "comfy_contract", "snapshot", "update", "--config", "bauhaus",
                               "--mode", "eco"], cwd=where, capture_output=True, text=True, timeout=60,
                              env={**os.environ, "COMFY_CONTRACT_LOCK_WAIT": "0.5"})
        assert done.returncode == 2, done.stderr
        assert "another comfy-contract process is writing the snapshots" in done.stderr
        assert "Traceback" not in done.stderr
        assert time.perf_counter() - started < 20
        assert not list((where / "snapshots").glob("*.json"))
    finally:
        holder.kill()
        holder.wait()
        if holder.stdout is not None:
            holder.stdout.close()


def test_two_concurrent_snapshot_updates_agree(tmp_path: Path) -> None:
    """Both render the same configs; for each snapshot exactly one process writes it ("new") and the other
    then sees it ("unchanged") - no lost update, no wrong "unchanged"."""
    where = _project(tmp_path)
    argv = [sys.executable, "-m", "comfy_contract", "snapshot", "update", "--mode", "eco",
            "--config", "bauhaus", "--config", "dada", "--config", "sdxl_base", "--config", "sd35_large"]
    procs = [subprocess.Popen(argv, cwd=where, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
             for _ in range(2)]
    outs = [p.communicate(timeout=120) for p in procs]
    assert [p.returncode for p in procs] == [0, 0], outs
    new = sum(o.count("  new ") for o, _e in outs)
    heads = [o.splitlines()[0] for o, _e in outs]
    unchanged = sum(int(h.split(", ")[2].split()[0]) for h in heads)
    assert new == 4, heads
    assert unchanged == 4, heads
    assert len(list((where / "snapshots").glob("*.json"))) == 4
    for path in (where / "snapshots").glob("*.json"):
        json.loads(path.read_text("utf-8"))
    assert not list((where / "snapshots").glob(".*"))


def test_baseline_writes_take_the_lock(tmp_path: Path) -> None:
    from comfy_contract.check.baseline import Baseline

    base = Baseline((), tmp_path / "b.yaml")
    holder = subprocess.Popen([sys.executable, "-c", _HOLD_LOCK, str(tmp_path), "30"], stdout=subprocess.PIPE,
                              text=True)
    try:
        assert holder.stdout is not None
        assert holder.stdout.readline().strip() == "locked"
        os.environ["COMFY_CONTRACT_LOCK_WAIT"] = "0.2"
        with pytest.raises(Exception, match="another comfy-contract process"):
            base.write()
    finally:
        os.environ.pop("COMFY_CONTRACT_LOCK_WAIT", None)
        holder.kill()
        holder.wait()
        if holder.stdout is not None:
            holder.stdout.close()
    base.write()
    assert (tmp_path / "b.yaml").is_file()


def test_json_report_after_a_crash_is_not_empty(tmp_path: Path) -> None:
    write_json(tmp_path / "x.json", {})
    target = tmp_path / "r.xml"
    target.write_text("previous", encoding="utf-8")
    result = run("check", str(tmp_path / "missing.yaml"), "--output", str(target))
    result.assert_clean(2)
    assert target.read_text("utf-8") == "previous"
