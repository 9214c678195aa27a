"""The pytest plugin (entry point ``pytest11: comfy_contract``): contract tests as pytest items.

It is loaded in every pytest session of anyone who installs comfy-contract, so it does nothing unless
enabled with ``--comfy-contract`` or the ini option ``comfy_contract = true``. Enabled, it adds one item
per (config, mode, backend, check) to the collection, with ids such as
``test_contract[vector_fusion_linear_clip-eco-production-validate]``, plus two project items
(``test_project[baseline]``, ``test_project[unused-snapshots]``) when the project has a baseline/snapshots.
Items carry the markers ``comfy_check(name=...)`` and ``comfy_backend(name=...)``; a failing item shows
the same fixed blocks as ``comfy-contract check``. The fixtures ``comfy_project``, ``comfy_catalogs``,
``comfy_catalog``, ``render_config`` and ``comfy_validate`` work with or without ``--comfy-contract``.

Every item is computed by :class:`comfy_contract.check.engine.Engine`; this module only maps results to
pytest outcomes. One :class:`_ContractSession` per pytest session holds the engine, so each (config, mode)
is rendered and each check run once per process, whichever items ask. The project items need a full run
(which baseline entries matched nothing, which snapshots no config uses): it happens once per test
session - under pytest-xdist once for all workers: the first worker that needs it leaves the project
results in a folder the controller hands every worker (``pytest_configure_node``) and removes at
``pytest_sessionfinish``. Collection is deterministic (configs in the generator's order), so workers agree;
workers write nothing in the project (``--comfy-contract-snapshot-update`` refuses to run with ``-n``).
"""

from __future__ import annotations

import contextlib
import importlib.util
import json
import os
import shutil
import sys
import tempfile
import time
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

import pytest

from comfy_contract.check.results import ANY_BACKEND, FAIL_ON, CheckResult, parse_fail_on
from comfy_contract.core.errors import ComfyContractError
from comfy_contract.core.findings import Severity

if TYPE_CHECKING:  # names for annotations only: the plugin is imported in every pytest session
    from _pytest._code.code import TerminalRepr, TracebackStyle

    from comfy_contract.check.engine import Engine, Selection
    from comfy_contract.check.project import Project
    from comfy_contract.core.shard import Shard
    from comfy_contract.render.model import Rendered, RenderInputs, Submission
    from comfy_contract.validation.catalog import Catalog
    from comfy_contract.validation.verdict import Verdict

__all__ = ["ContractFailure", "ContractItem", "ProjectFailure", "ProjectItem"]

#: the prefix of the Hypothesis profiles defined (once) in :mod:`comfy_contract.fuzz.profiles`
_PROFILE_PREFIX = "comfy-contract-"
_SESSION_KEY = pytest.StashKey["_ContractSession"]()
#: ``workerinput`` key: the folder pytest-xdist workers share for the project results
_SHARED = "comfy_contract_shared"


# -- options ------------------------------------------------------------------------------------------


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("comfy-contract", "comfy-contract: contract tests of generated ComfyUI workflows")
    group.addoption("--comfy-contract", action="store_true", default=False, dest="comfy_contract",
                    help="collect one test per (config, mode, backend, check) of the comfy-contract project")
    group.addoption("--comfy-contract-project", "--comfy-contract-root", dest="comfy_contract_project",
                    metavar="PATH", default=None,
                    help="project file or folder (default: ini comfy_contract_project, else found from rootdir)")
    group.addoption("--comfy-contract-backend", action="append", default=[], dest="comfy_contract_backends",
                    metavar="NAME", help="only this backend (repeatable; default: every backend of the project)")
    group.addoption("--comfy-contract-mode", action="append", default=[], dest="comfy_contract_modes",
                    metavar="MODE", help="only this execution mode (repeatable)")
    group.addoption("--comfy-contract-config", action="append", default=[], dest="comfy_contract_configs",
                    metavar="NAME", help="only configs with this name or glob (repeatable)")
    group.addoption("--comfy-contract-shard", dest="comfy_contract_shard", metavar="I/N", default=None,
                    help="only shard I of N of the configs (SHA-256 of the name, as `comfy-contract check --shard`; "
                    "one CI job per shard)")
    group.addoption("--comfy-contract-fail-on", choices=FAIL_ON, default=None, dest="comfy_contract_fail_on",
                    help="lowest severity that fails an item (default: ini comfy_contract_fail_on, else error)")
    group.addoption("--comfy-contract-snapshot-update", action="store_true", default=False,
                    dest="comfy_contract_snapshot_update",
                    help="write missing and drifted snapshots instead of failing (not with -n)")
    if not _other_snapshot_plugin():
        # the short alias is only ours when no other snapshot plugin claims it
        group.addoption("--snapshot-update", action="store_true", default=False,
                        dest="comfy_contract_snapshot_update_alias",
                        help="alias of --comfy-contract-snapshot-update")
    group.addoption("--comfy-contract-profile", choices=("ci", "dev", "hunt"), default=None,
                    dest="comfy_contract_profile",
                    help="load the Hypothesis profile comfy-contract-ci (derandomized), -dev or -hunt")
    parser.addini("comfy_contract", "enable the comfy-contract items (like --comfy-contract)", type="bool",
                  default=False)
    parser.addini("comfy_contract_project", "the comfy-contract project file or folder", default="")
    parser.addini("comfy_contract_backends", "backends to check (default: all)", type="args", default=[])
    parser.addini("comfy_contract_fail_on", "lowest severity that fails an item", default="error")


def _other_snapshot_plugin() -> bool:
    """syrupy or pytest-snapshot is installed: ``--snapshot-update`` and the ``snapshot`` fixture are theirs."""
    return any(importlib.util.find_spec(m) is not None for m in ("syrupy", "pytest_snapshot"))


def _enabled(config: pytest.Config) -> bool:
    return bool(config.getoption("comfy_contract", False)) or bool(config.getini("comfy_contract"))


def _snapshot_update(config: pytest.Config) -> bool:
    return bool(config.getoption("comfy_contract_snapshot_update", False)
                or config.getoption("comfy_contract_snapshot_update_alias", False))


@pytest.hookimpl(tryfirst=True)
def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers", "comfy_check(name): the comfy-contract check of an item (render, validate, lint, contract, "
        "snapshot, baseline); select with -m \"comfy_check(name='validate')\"")
    config.addinivalue_line(
        "markers", "comfy_backend(name): the backend of a comfy-contract item ('any' for backend-independent "
        "checks); select with -m \"comfy_backend(name='standalone')\"")
    profile = config.getoption("comfy_contract_profile", None)
    wanted = str(config.getoption("hypothesis_profile", None) or "")
    if profile or wanted.startswith(_PROFILE_PREFIX):
        from hypothesis import settings

        from comfy_contract.fuzz.profiles import register_profiles

        register_profiles()  # before Hypothesis's own plugin loads --hypothesis-profile
        if profile:
            settings.load_profile(f"{_PROFILE_PREFIX}{profile}")
    if not _enabled(config):
        return
    if _snapshot_update(config) and getattr(config.option, "numprocesses", None):  # set on workers too
        raise pytest.UsageError(
            "--comfy-contract-snapshot-update writes files and refuses to run under pytest-xdist (-n): parallel "
            "workers would race. Run the update without -n (or `comfy-contract snapshot update`).")
    config.stash[_SESSION_KEY] = _ContractSession(config)


def pytest_report_header(config: pytest.Config) -> str | None:
    session = config.stash.get(_SESSION_KEY, None)
    if session is None:
        return None
    try:
        engine = session.engine
    except pytest.UsageError:
        return None
    suite = engine.suite
    return (f"comfy-contract: {session.project_file} - {len(engine.configs())} configs, modes "
            f"{', '.join(suite.modes)}, backends {', '.join(suite.backends)}, fail on {session.fail_on_name}")


@pytest.hookimpl(tryfirst=True)
def pytest_collection(session: pytest.Session) -> None:
    """Build the engine and the item keys before any file is collected, so a bad option or project is a
    usage error (exit 4), not a collection error."""
    state = session.config.stash.get(_SESSION_KEY, None)
    if state is not None:
        state.prepare()


def pytest_collect_file(file_path: Path, parent: pytest.Collector) -> pytest.Collector | None:
    """The project file named as a path argument (``pytest comfy-contract.yaml::test_contract[...]``) or met
    while collecting a folder: its collector yields the contract items, narrowed by pytest as usual."""
    state = parent.config.stash.get(_SESSION_KEY, None)
    if state is None or not state.is_project_file(file_path):
        return None
    return ContractFile.from_parent(parent, path=file_path)


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(session: pytest.Session, config: pytest.Config, items: list[pytest.Item]) -> None:
    """Without path arguments (pytest's testpaths or the current folder) the contract items are added even
    when the project file is outside what pytest collects; with path arguments they come only from a
    project file they name or contain (the paths narrow the items, as for any test file)."""
    state = config.stash.get(_SESSION_KEY, None)
    if state is None or state.collected_by_path or config.args_source is pytest.Config.ArgsSource.ARGS:
        return
    items.extend(state.collect(session))


class _WorkerNode(Protocol):
    """What ``pytest_configure_node`` gets from pytest-xdist (its ``WorkerController``), as far as we use it."""

    config: pytest.Config
    workerinput: dict[str, Any]


@pytest.hookimpl(optionalhook=True)
def pytest_configure_node(node: _WorkerNode) -> None:
    """pytest-xdist, on the controller: tell each worker where the session's project results are shared."""
    state = node.config.stash.get(_SESSION_KEY, None)
    if state is not None:
        node.workerinput[_SHARED] = str(state.shared_folder())


def pytest_sessionfinish(session: pytest.Session) -> None:
    state = session.config.stash.get(_SESSION_KEY, None)
    if state is not None:
        state.remove_unused_snapshots()
        state.finish()


class _UpdateLog:
    """What ``--snapshot-update`` did in this session (contract items and the ``snapshot`` fixture)."""

    def __init__(self) -> None:
        self.new: list[str] = []
        self.updated: list[str] = []
        self.unchanged = 0
        self.removed: list[str] = []

    def add(self, report: Any, where: str = "") -> None:
        self.new.extend(f"{where}{c} [{m}]" for c, m in report.new)
        self.updated.extend(f"{where}{c} [{m}]" for c, m in report.updated)
        self.unchanged += len(report.unchanged)
        self.removed.extend(str(p) for p in report.pruned)

    def lines(self) -> list[str]:
        head = (f"snapshots: {len(self.new)} new, {len(self.updated)} updated, {self.unchanged} unchanged, "
                f"{len(self.removed)} removed")
        return [head, *(f"  new      {x}" for x in self.new), *(f"  updated  {x}" for x in self.updated),
                *(f"  removed  {x}" for x in self.removed)]


_UPDATE_LOG = pytest.StashKey[_UpdateLog]()


def _update_log(config: pytest.Config) -> _UpdateLog:
    log = config.stash.get(_UPDATE_LOG, None)
    if log is None:
        log = config.stash[_UPDATE_LOG] = _UpdateLog()
    return log


def pytest_terminal_summary(terminalreporter: Any, exitstatus: int, config: pytest.Config) -> None:
    """With ``--snapshot-update``: the counts (new, updated, unchanged, removed), then one line per change."""
    log = config.stash.get(_UPDATE_LOG, None)
    if log is None or not _snapshot_update(config):
        return
    terminalreporter.section("comfy-contract snapshot update")
    for line in log.lines():
        terminalreporter.write_line(line)


def pytest_assertrepr_compare(config: pytest.Config, op: str, left: object, right: object) -> list[str] | None:
    """``assert snapshot == workflow`` fails with the graph diff (or the missing snapshot's path)."""
    for side in (left, right):
        if op in ("==", "!=") and getattr(side, "_comfy_contract_snapshot", False):
            failure = getattr(side, "failure", None) or "the workflow differs from its snapshot"
            return [f"{side!r} {op} workflow", *str(failure).splitlines()]
    return None


# -- the session state ----------------------------------------------------------------------------------


class _ContractSession:
    """The state of one pytest session (per xdist worker, and on the controller): the engine, built on first
    use, and the project results of the one full run."""

    def __init__(self, config: pytest.Config) -> None:
        self.config = config
        self._engine: Engine | None = None
        fail_on = config.getoption("comfy_contract_fail_on", None) or config.getini("comfy_contract_fail_on")
        self.fail_on_name = str(fail_on or "error")
        try:
            self.fail_on: Severity | None = parse_fail_on(self.fail_on_name)
        except ComfyContractError as exc:
            raise pytest.UsageError(f"comfy_contract_fail_on: {exc}") from None
        self.snapshot_update = _snapshot_update(config)
        self.project_file = "?"
        self._project: dict[str, tuple[str, str]] | None = None
        self._own_folder: Path | None = None  # created here (the xdist controller); removed at the end
        #: --snapshot-update: the (config, mode) pairs of the snapshot items, those that ran, those that
        #: rendered a workflow and those whose rendering failed (their snapshots are kept)
        self.snapshot_items: set[tuple[str, str]] = set()
        self.full_selection = False
        #: --comfy-contract-shard I/N with nothing else narrowed: the shard's share of the project items
        self.shard: Shard | None = None
        self._keys: tuple[tuple[str, str, str, str], ...] | None = None
        #: the items were made (from the project file as a path, or added for a run without path arguments)
        self.collected_by_path = False
        self.snapshot_ran: set[tuple[str, str]] = set()
        self.snapshot_seen: set[tuple[str, str]] = set()
        self.snapshot_failed: set[tuple[str, str]] = set()

    @property
    def engine(self) -> Engine:
        if self._engine is None:
            self._engine = self.make_engine()
        return self._engine

    def make_engine(self) -> Engine:
        from comfy_contract.check.engine import Engine, suite_from_project

        project = load_project_for(self.config)
        self.project_file = _relative(project.file, self.config.rootpath)
        suite = suite_from_project(project, root=self.config.rootpath)
        if project.capture_spec:  # the app's own submissions are what is checked, as in `check` (docs/capture.md)
            from comfy_contract.live.capture import captured_suite

            suite = captured_suite(suite, project)
        return Engine(suite, fail_on=self.fail_on)

    def project_outcome(self, check: str) -> tuple[str, str] | None:
        """``(status, failure text)`` of the project result ``check`` of a full run (``None``: no such
        result). The full run happens once per test session, shared by all xdist workers."""
        if self._project is None:
            shared = getattr(self.config, "workerinput", {}).get(_SHARED)
            self._project = self._project_results() if shared is None else self._shared_project_results(Path(shared))
        return self._project.get(check)

    def _project_results(self) -> dict[str, tuple[str, str]]:
        # reuses what this process's contract items rendered and checked; a shard runs its own configs
        report = self.engine.report(self.selection()) if self.shard is not None else self.engine.report()
        return {r.check: (r.status, "" if r.status == "pass" else failure_text(r, self.fail_on))
                for r in report.results if r.is_project}

    def _shared_project_results(self, folder: Path) -> dict[str, tuple[str, str]]:
        """The project results of the first worker that computed them, else this worker's (then shared)."""
        results = folder / "project-results.json"
        with _exclusive(folder / "project-results.lock"):
            if results.is_file():
                return {k: (v[0], v[1]) for k, v in json.loads(results.read_text("utf-8")).items()}
            computed = self._project_results()
            partial = results.with_suffix(".partial")
            partial.write_text(json.dumps(computed), encoding="utf-8")
            os.replace(partial, results)
            return computed

    def shared_folder(self) -> Path:
        """The folder this session's xdist workers share (created on first use, removed by :meth:`finish`)."""
        if self._own_folder is None:
            self._own_folder = Path(tempfile.mkdtemp(prefix="comfy-contract-"))
        return self._own_folder

    def remove_unused_snapshots(self) -> None:
        """A full ``--snapshot-update`` (no selection, no deselected or unfinished snapshot item) removes the
        snapshots no config uses, as ``comfy-contract snapshot update`` does: only readable snapshot files of
        the store, never one of a config whose rendering failed."""
        if not (self.snapshot_update and self.full_selection and self.snapshot_items
                and self.snapshot_ran == self.snapshot_items and self._engine is not None):
            return
        store = self._engine.suite.snapshots
        if store is None or not hasattr(store, "prune"):
            return
        _update_log(self.config).add(store.prune(self.snapshot_seen | self.snapshot_failed))

    def finish(self) -> None:
        if self._own_folder is not None:
            shutil.rmtree(self._own_folder, ignore_errors=True)
            self._own_folder = None

    def selection(self) -> Selection:
        from comfy_contract.check.engine import Selection

        backends = self.config.getoption("comfy_contract_backends") or self.config.getini("comfy_contract_backends")
        from comfy_contract.core.shard import parse_shard

        shard = self.config.getoption("comfy_contract_shard", None)
        return Selection(configs=tuple(self.config.getoption("comfy_contract_configs") or ()),
                         modes=tuple(self.config.getoption("comfy_contract_modes") or ()),
                         backends=tuple(backends or ()),
                         shard=parse_shard(shard, flag="--comfy-contract-shard") if shard else None)

    def prepare(self) -> tuple[tuple[str, str, str, str], ...]:
        """The keys of the contract items (computed once); a bad option or project is a usage error."""
        if self._keys is None:
            try:
                engine = self.engine
                selection = self.selection()
                self._keys = tuple(engine.keys(selection))
            except ComfyContractError as exc:
                raise pytest.UsageError(f"comfy-contract: {exc}") from None
            self.full_selection = selection.is_full and not selection.modes and not selection.backends
            whole = not selection.configs and not selection.modes and not selection.backends
            self.shard = selection.shard if whole else None  # a whole shard has project items (items())
        return self._keys

    def is_project_file(self, path: Path) -> bool:
        if self._engine is None or not self._engine.suite.project_file:
            return False
        return Path(path).resolve() == Path(self._engine.suite.project_file).resolve()

    def collect(self, session: pytest.Session) -> list[pytest.Item]:
        path = Path(self.engine.suite.project_file or self.config.rootpath)
        return self.items(ContractFile.from_parent(session, path=path, nodeid=_relative(path, self.config.rootpath)))

    def items(self, parent: pytest.Collector) -> list[pytest.Item]:
        """The contract items (and, for a full selection, the project items) under ``parent``."""
        keys = self.prepare()
        self.collected_by_path = True
        engine = self.engine
        items: list[pytest.Item] = [ContractItem.from_parent(parent, name=f"test_contract[{'-'.join(key)}]",
                                                             key=key)
                                    for key in keys]
        self.snapshot_items = {(c, m) for c, m, _b, check in keys if check == "snapshot"}
        # a shard: the baseline entries of its own configs; unused snapshots in shard 1 (as `check --shard`)
        shard_one = self.shard is not None and self.shard.index == 1
        if self.full_selection or self.shard is not None:
            if engine.suite.baseline is not None:
                items.append(ProjectItem.from_parent(parent, name="test_project[baseline]", check="baseline"))
            if engine.suite.snapshots is not None and (self.full_selection or shard_one):
                items.append(ProjectItem.from_parent(parent, name="test_project[unused-snapshots]",
                                                     check="snapshot"))
        return items


def load_project_for(config: pytest.Config) -> Project:
    """The project named by --comfy-contract-project / ini comfy_contract_project, else found from rootdir."""
    from comfy_contract.check.project import load_project

    given = config.getoption("comfy_contract_project", None) or config.getini("comfy_contract_project") or None
    try:
        if given is None:
            return load_project(start=config.rootpath)
        path = Path(given)
        if not path.is_absolute():
            path = config.rootpath / path
        return load_project(start=path) if path.is_dir() else load_project(path)
    except ComfyContractError as exc:
        raise pytest.UsageError(f"comfy-contract: {exc}") from None


@contextlib.contextmanager
def _exclusive(lock: Path) -> Iterator[None]:
    """Hold an exclusive lock on the file ``lock`` (released by the OS if the process dies)."""
    with lock.open("a+b") as handle:
        if sys.platform == "win32":
            import msvcrt

            while True:
                try:
                    msvcrt.locking(handle.fileno(), msvcrt.LK_NBLCK, 1)
                    break
                except OSError:
                    time.sleep(0.05)
            try:
                yield
            finally:
                handle.seek(0)
                msvcrt.locking(handle.fileno(), msvcrt.LK_UNLCK, 1)
        else:
            import fcntl

            fcntl.flock(handle.fileno(), fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(handle.fileno(), fcntl.LOCK_UN)


def _relative(path: Path, root: Path) -> str:
    try:
        return Path(path).resolve().relative_to(root.resolve()).as_posix()
    except ValueError:
        return Path(path).name


# -- collection nodes ---------------------------------------------------------------------------------


class ContractFile(pytest.File):
    """The project file as a collector of the contract items: collected by path when pytest meets it (a path
    argument or a folder it collects), else made by the plugin for a run without path arguments."""

    def collect(self) -> Iterator[pytest.Item]:
        yield from self.config.stash[_SESSION_KEY].items(self)


class ContractFailure(Exception):
    """A contract item failed: the result carries the findings."""

    def __init__(self, result: CheckResult) -> None:
        self.result = result
        super().__init__(result.id)


class ContractItem(pytest.Item):
    """One (config, mode, backend, check)."""

    def __init__(self, *, key: tuple[str, str, str, str], **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.key = key
        config, mode, backend, check = key
        self.add_marker(pytest.mark.comfy_check(name=check))
        self.add_marker(pytest.mark.comfy_backend(name=backend))
        self.user_properties.extend([("config", config), ("mode", mode), ("backend", backend), ("check", check)])

    @property
    def _session(self) -> _ContractSession:
        return self.config.stash[_SESSION_KEY]

    def runtest(self) -> None:
        config, mode, backend, check = self.key
        state = self._session
        engine = state.engine
        if check == "snapshot" and state.snapshot_update:
            self._update_snapshot(engine, config, mode)
            return
        result = engine.result(config, mode, backend, check)
        if result is None:
            pytest.skip(f"{config!r} ({mode}) submits no ComfyUI workflow: nothing to {check}")
        if result.status != "pass":
            raise ContractFailure(result)

    def _update_snapshot(self, engine: Engine, config: str, mode: str) -> None:
        from comfy_contract.render.model import Rendered
        from comfy_contract.snapshot.store import SnapshotStore

        state = self._session
        state.snapshot_ran.add((config, mode))
        rendered = engine.rendered(config, mode)
        if not isinstance(rendered, Rendered) or rendered.outcome == "error":
            state.snapshot_failed.add((config, mode))
        if not isinstance(rendered, Rendered) or not rendered.submissions:
            pytest.skip(f"{config!r} ({mode}) submits no ComfyUI workflow: no snapshot to write")
        state.snapshot_seen.add((config, mode))
        store = engine.suite.snapshots
        assert isinstance(store, SnapshotStore)  # suite_from_project builds one
        report = store.update([(config, mode, rendered.submissions[0].workflow)])
        _update_log(self.config).add(report)
        self.user_properties.append(("snapshot", report.summary()))

    def repr_failure(self, excinfo: pytest.ExceptionInfo[BaseException],
                     style: TracebackStyle | None = None) -> str | TerminalRepr:
        if isinstance(excinfo.value, ContractFailure):
            return failure_text(excinfo.value.result, self._session.fail_on)
        if isinstance(excinfo.value, ComfyContractError):
            return f"comfy-contract: {excinfo.value}"
        return super().repr_failure(excinfo, style=style)

    def reportinfo(self) -> tuple[Path, int | None, str]:
        return self.path, None, f"comfy-contract {'-'.join(self.key)}"


class ProjectFailure(Exception):
    """A project item failed: the text is the failure's fixed blocks (computed where the full run ran)."""


class ProjectItem(pytest.Item):
    """A result about the whole project: stale baseline entries or unused snapshots. Its full run happens
    once per test session (see :meth:`_ContractSession.project_outcome`), whichever item or worker asks."""

    def __init__(self, *, check: str, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.check = check
        self.add_marker(pytest.mark.comfy_check(name=check))
        self.add_marker(pytest.mark.comfy_backend(name=ANY_BACKEND))

    def runtest(self) -> None:
        outcome = self.config.stash[_SESSION_KEY].project_outcome(self.check)
        if outcome is not None and outcome[0] != "pass":
            raise ProjectFailure(outcome[1])

    def repr_failure(self, excinfo: pytest.ExceptionInfo[BaseException],
                     style: TracebackStyle | None = None) -> str | TerminalRepr:
        if isinstance(excinfo.value, ProjectFailure):
            return str(excinfo.value)
        if isinstance(excinfo.value, ComfyContractError):
            return f"comfy-contract: {excinfo.value}"
        return super().repr_failure(excinfo, style=style)

    def reportinfo(self) -> tuple[Path, int | None, str]:
        return self.path, None, f"comfy-contract project {self.check}"


def failure_text(result: CheckResult, fail_on: Severity | None) -> str:
    """The fixed blocks of a failed result, as ``comfy-contract check`` prints them."""
    from comfy_contract.report.common import context, redundant
    from comfy_contract.report.text import finding_block, response_line

    if result.status == "error":
        return f"{context(result)}: could not run\n  error: {result.error}\n  Reproduce with: {result.reproduce}"
    threshold = fail_on or Severity.WARNING
    blocks = [
        finding_block(f, context=context(result), reproduce=result.reproduce, location=result.location(i),
                      response=response_line(result, f))
        for i, f in enumerate(result.findings)
        if f.severity.at_least(threshold) and not redundant(result, f)
    ]
    return "\n\n".join(blocks)


# -- fixtures for users' own tests ---------------------------------------------------------------------


@pytest.fixture(scope="session")
def comfy_project(pytestconfig: pytest.Config) -> Project:
    """The comfy-contract :class:`~comfy_contract.check.project.Project` of this test session."""
    return load_project_for(pytestconfig)


@pytest.fixture(scope="session")
def comfy_catalogs(comfy_project: Project) -> Mapping[str, Catalog]:
    """Every backend's node catalog, by backend name."""
    return dict(comfy_project.backends())


@pytest.fixture(scope="session")
def comfy_catalog(pytestconfig: pytest.Config, comfy_catalogs: Mapping[str, Catalog]) -> Catalog:
    """The catalog of the first selected backend (``--comfy-contract-backend``), else the project's first."""
    wanted = pytestconfig.getoption("comfy_contract_backends") or list(comfy_catalogs)
    if not wanted:
        pytest.fail("comfy-contract: the project names no backends; add `backends:` to its file", pytrace=False)
    name = wanted[0]
    if name not in comfy_catalogs:
        pytest.fail(f"comfy-contract: unknown backend {name!r}; the project has {sorted(comfy_catalogs)}",
                    pytrace=False)
    return comfy_catalogs[name]


@pytest.fixture(scope="session")
def render_config(comfy_project: Project) -> Callable[..., Rendered]:
    """``render_config(config, mode="eco", inputs=None) -> Rendered`` with the project's generator."""
    generator = comfy_project.generator()

    def render(config: str, mode: str = "eco", inputs: RenderInputs | None = None) -> Rendered:
        return generator.render(config, mode, inputs)

    return render


@pytest.fixture(scope="session")
def comfy_validate(comfy_catalogs: Mapping[str, Catalog], comfy_catalog: Catalog) -> Callable[..., Verdict]:
    """``comfy_validate(workflow | Submission | Rendered, backend=None) -> Verdict``: ComfyUI's answer.

    A :class:`~comfy_contract.render.model.Rendered` is validated through its first submission.
    """
    from comfy_contract.render.model import Rendered, Submission
    from comfy_contract.validation.validator import validate, validate_request

    def check(target: Mapping[str, Any] | Submission | Rendered, backend: str | None = None) -> Verdict:
        catalog = comfy_catalog if backend is None else comfy_catalogs.get(backend)
        if catalog is None:
            pytest.fail(f"comfy_validate: unknown backend {backend!r}; the project has {sorted(comfy_catalogs)}",
                        pytrace=False)
        if isinstance(target, Rendered):
            if not target.submissions:
                pytest.fail(f"comfy_validate: {target.config!r} ({target.mode}) submits no ComfyUI workflow "
                            f"(outcome {target.outcome!r})", pytrace=False)
            target = target.submissions[0]
        if isinstance(target, Submission):
            return validate_request(target.body, catalog)
        return validate(target, catalog)

    return check


def _workflow_snapshot(request: pytest.FixtureRequest) -> Iterator[Any]:
    from comfy_contract.snapshot.assertion import WorkflowSnapshot

    name = request.node.name if request.cls is None else f"{request.cls.__name__}.{request.node.name}"
    snap = WorkflowSnapshot(Path(request.node.path), name, update=_snapshot_update(request.config))
    yield snap
    if snap.update:
        where = f"{_relative(Path(request.node.path), request.config.rootpath)}::"
        _update_log(request.config).add(snap.report, where=where)


#: ``assert comfy_snapshot == workflow``: a graph-aware snapshot of a workflow in the test's own
#: ``__snapshots__/<test file>/<test name>.json`` (written by ``--comfy-contract-snapshot-update``)
comfy_snapshot = pytest.fixture(name="comfy_snapshot")(_workflow_snapshot)

if not _other_snapshot_plugin():  # syrupy's own `snapshot` fixture wins when it is installed
    snapshot = pytest.fixture(name="snapshot")(_workflow_snapshot)
