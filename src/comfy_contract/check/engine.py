"""The one engine behind ``comfy-contract check``, the pytest plugin and every report.

Given a :class:`Suite` (a generator, the backend catalogs, and the optional lints, contracts, snapshot store
and baseline), :class:`Engine` renders each selected config in each mode and runs the checks on it. The
checks are the rows of one table, :data:`CHECKS` (name -> :class:`Check`): whether a check runs once per
backend or once with backend ``any``, when a suite has it, which renders it applies to, and the function
that runs it. Adding a check is adding a row (and its function) there:

=========  =============  ===========================================================
check      backend        what it runs
=========  =============  ===========================================================
render     ``any``        the generator; its findings (R codes) and outcome
validate   each backend   ComfyUI's ``POST /prompt`` verdict for every submission
lint       each backend   the lints (L codes), plus the project-wide lints of the config
contract   ``any``        the config's contract (C codes), if the suite has contracts
snapshot   ``any``        the snapshot comparison (S codes), if the suite has a store
capture    ``any``        the captured submissions vs the static rendering (R019), if the suite captures
=========  =============  ===========================================================

A config that submits no ComfyUI workflow (text-only, hosted API, or a render that failed) gets only its
``render`` result (and its ``contract`` result: a contract may expect a workflow the config does not
produce). Findings the baseline accepts are moved out of the counted findings; at the end of a full run (no
config selection) the engine adds project results (config and mode ``"*"``) for stale baseline entries and
unused snapshots. :meth:`Engine.run` yields progress events and finally the :class:`Report`.
"""

from __future__ import annotations

import fnmatch
import shlex
import time
import traceback
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from types import MappingProxyType
from typing import Any, Protocol

from comfy_contract.check.locate import Locator
from comfy_contract.check.names import duplicate_config_names
from comfy_contract.check.results import (
    ANY_BACKEND,
    PROJECT,
    CheckResult,
    Graphs,
    Location,
    Report,
    Status,
    fails,
)
from comfy_contract.core.errors import ComfyContractError
from comfy_contract.core.findings import Finding, Severity
from comfy_contract.core.jsonio import json_pointer
from comfy_contract.core.shard import Shard
from comfy_contract.render.model import MODES, Generator, Rendered, RenderInputs, Submission
from comfy_contract.validation.catalog import Catalog
from comfy_contract.validation.validator import validate_request
from comfy_contract.validation.verdict import Verdict

__all__ = [
    "CHECKS",
    "CHECK_NAMES",
    "PER_BACKEND_CHECKS",
    "BaselineFilter",
    "Check",
    "ConfigChecked",
    "ContractChecker",
    "Engine",
    "Event",
    "Found",
    "LintFn",
    "ProjectLintFn",
    "RunFinished",
    "RunStarted",
    "Selection",
    "SnapshotChecker",
    "Suite",
]

LintFn = Callable[..., Sequence[Finding]]
"""``lint(submission, rendered, catalog, *, backend, backends) -> findings``."""
ProjectLintFn = Callable[[Sequence[Rendered]], Mapping[tuple[str, str], Sequence[Finding]]]
"""``project_lint(rendered_list) -> {(config, mode): findings}`` (lints across configs)."""


class ContractChecker(Protocol):
    """What the engine needs of :class:`comfy_contract.check.contracts.ContractSet`."""

    @property
    def problems(self) -> tuple[Finding, ...]: ...

    def check_rendered(self, rendered: Rendered, *, catalog: Catalog | None = None) -> tuple[Finding, ...]: ...

    def unused(self, configs: Iterable[str]) -> tuple[Finding, ...]: ...


class SnapshotChecker(Protocol):
    """What the engine needs of :class:`comfy_contract.snapshot.store.SnapshotStore`."""

    def check(self, config: str, mode: str, workflow: Mapping[str, Any]) -> Sequence[Finding]: ...

    def unused(self, seen: Iterable[tuple[str, str]]) -> Sequence[Finding]: ...

    def path_for(self, config: str, mode: str) -> Path: ...


class BaselineFilter(Protocol):
    """What the engine needs of :class:`comfy_contract.check.baseline.Baseline`."""

    def apply(self, findings_by_key: Mapping[tuple[str, ...], Sequence[Finding]], *,
              partial: bool = False) -> Any: ...


@dataclass(frozen=True)
class Suite:
    """Everything a run checks against. ``root`` is where reported file paths are relative to."""

    generator: Generator
    backends: Mapping[str, Catalog]
    modes: tuple[str, ...] = MODES
    root: Path = field(default_factory=Path.cwd)
    lint: LintFn | None = None
    project_lint: ProjectLintFn | None = None
    contracts: ContractChecker | None = None
    snapshots: SnapshotChecker | None = None
    baseline: BaselineFilter | None = None
    #: the project file and other files whose change affects every config (catalogs, baseline)
    project_file: str | None = None
    global_files: tuple[str, ...] = ()
    #: how to name the project on a ``Reproduce with:`` command line (``None``: it is found from the cwd)
    project_arg: str | None = None
    inputs: RenderInputs | None = None
    #: with capture (docs/capture.md): ``generator`` runs the app's real code and ``static`` is the model it
    #: is compared with (the ``capture`` check); renders get the static one's file metadata where they agree
    static: Generator | None = None

    @property
    def checks(self) -> tuple[str, ...]:
        """The checks this suite has (see :data:`CHECKS`), in table order."""
        return tuple(name for name, check in CHECKS.items() if check.present(self))


@dataclass(frozen=True)
class Selection:
    """Which part of the suite to run; empty tuples mean everything."""

    configs: tuple[str, ...] = ()  # names or shell-style globs
    modes: tuple[str, ...] = ()
    backends: tuple[str, ...] = ()
    checks: tuple[str, ...] = ()
    #: files changed (absolute or relative to the suite root); ``None`` means no change filter
    changed_files: tuple[str, ...] | None = None
    #: only the configs of this shard (``--shard i/n``; see :mod:`comfy_contract.core.shard`)
    shard: Shard | None = None

    @property
    def is_full(self) -> bool:
        return not self.configs and self.changed_files is None and self.shard is None


@dataclass(frozen=True)
class RunStarted:
    total: int  # (config, mode) pairs to check
    configs: tuple[str, ...]
    modes: tuple[str, ...]
    backends: tuple[str, ...]
    checks: tuple[str, ...]
    note: str | None = None


@dataclass(frozen=True)
class ConfigChecked:
    config: str
    mode: str
    done: int
    total: int
    results: tuple[CheckResult, ...]


@dataclass(frozen=True)
class RunFinished:
    report: Report


Event = RunStarted | ConfigChecked | RunFinished


def _status(findings: Sequence[Finding], fail_on: Severity | None) -> Status:
    return "fail" if fails(findings, fail_on) else "pass"



def _submission_of(finding: Finding, rendered: Rendered) -> Submission | None:
    return rendered.submissions[0] if len(rendered.submissions) == 1 and finding.node_id else None


def _submission_label(submission: Submission, index: int) -> str:
    return submission.chunk or submission.output_config or f"submission {index + 1}"


class Engine:
    """Runs the checks of a :class:`Suite`; caches renders so front ends can ask for single results."""

    def __init__(self, suite: Suite, *, fail_on: Severity | None = Severity.ERROR,
                 command: str = "comfy-contract check") -> None:
        self.suite = suite
        self.fail_on = fail_on
        self.command = command
        self.locator = Locator(suite.root)
        self._rendered: dict[tuple[str, str], Rendered | BaseException] = {}
        self._static: dict[tuple[str, str], Rendered | BaseException] = {}
        self._raw: dict[tuple[str, str, str, str], CheckResult | None] = {}
        self._project_lints: Mapping[tuple[str, str], Sequence[Finding]] | None = None
        self._listed: tuple[str, ...] = ()  # the generator's config names as listed (duplicates kept)
        self._configs: tuple[str, ...] | None = None
        self._all_nodes: Catalog | None = None
        self._command: list[str] | None = None

    # -- what there is ---------------------------------------------------------------------------

    def configs(self) -> tuple[str, ...]:
        if self._configs is None:
            self._listed = tuple(self.suite.generator.configs())
            self._configs = tuple(dict.fromkeys(self._listed))  # a name listed twice is R021, checked once
        return self._configs

    def resolve(self, selection: Selection) -> tuple[tuple[str, ...], tuple[str, ...], tuple[str, ...],
                                                     tuple[str, ...]]:
        """(configs, modes, backends, checks) of ``selection``; a usage error for names that do not exist."""
        known = self.configs()
        configs = known
        if selection.configs:
            picked: dict[str, None] = {}
            for pattern in selection.configs:
                matches = [c for c in known if fnmatch.fnmatchcase(c, pattern)]
                if not matches:
                    raise ComfyContractError(
                        f"no config matches {pattern!r}",
                        hint=f"known configs: {_sample(known)}; `comfy-contract check --list` lists them all",
                    )
                picked.update(dict.fromkeys(matches))
            configs = tuple(c for c in known if c in picked)
        if selection.shard is not None:
            configs = selection.shard.pick(configs)
        modes = _pick("mode", selection.modes, self.suite.modes, "--mode")
        backends = _pick("backend", selection.backends, tuple(self.suite.backends), "--backend")
        checks = _pick("check", selection.checks, self.suite.checks, "--check")
        return configs, modes, backends, checks

    def keys(self, selection: Selection = Selection()) -> list[tuple[str, str, str, str]]:
        """Every (config, mode, backend, check) the selection covers, in report order (no rendering)."""
        configs, modes, backends, checks = self.resolve(selection)
        out: list[tuple[str, str, str, str]] = []
        for config in configs:
            for mode in modes:
                for check in checks:
                    out.extend((config, mode, b, check) for b in CHECKS[check].backends(backends))
        return out

    # -- rendering -------------------------------------------------------------------------------

    def rendered(self, config: str, mode: str) -> Rendered | BaseException:
        """The render of (config, mode), or the exception the generator raised (cached)."""
        key = (config, mode)
        if key not in self._rendered:
            try:
                rendered = self.suite.generator.render(config, mode, self.suite.inputs)
                if self.suite.static is not None:
                    from comfy_contract.check.capturediff import merged

                    rendered = merged(rendered, self.static_rendered(config, mode))
                self._rendered[key] = rendered
            except ComfyContractError:
                raise
            except Exception as exc:
                self._rendered[key] = exc
        return self._rendered[key]

    def static_rendered(self, config: str, mode: str) -> Rendered | BaseException:
        """The static rendering of (config, mode) when the suite captures (cached), else :meth:`rendered`."""
        if self.suite.static is None:
            return self.rendered(config, mode)
        key = (config, mode)
        if key not in self._static:
            try:
                self._static[key] = self.suite.static.render(config, mode, self.suite.inputs)
            except ComfyContractError:
                raise
            except Exception as exc:
                self._static[key] = exc
        return self._static[key]

    def sources(self, config: str, mode: str) -> frozenset[str]:
        """Files (resolved, POSIX) that (config, mode) was rendered from, and its snapshot file (with capture:
        those of the static rendering, so selecting by change does not run the app)."""
        rendered = self.static_rendered(config, mode)
        if isinstance(rendered, BaseException):
            return frozenset()
        files = list(rendered.sources)
        if rendered.config_file:
            files.append(rendered.config_file)
        if self.suite.snapshots is not None:
            files.append(str(self.suite.snapshots.path_for(config, mode)))
        return frozenset(self._abs(f) for f in files)

    def _abs(self, file: str) -> str:
        path = Path(file)
        if not path.is_absolute():
            path = self.suite.root / path
        return path.resolve().as_posix()

    def touched(self, changed_files: Iterable[str], configs: Sequence[str], modes: Sequence[str]) -> tuple[str, ...]:
        """The configs among ``configs`` rendered (in any of ``modes``) from one of ``changed_files``."""
        return self.select_changed(changed_files, configs, modes)[0]

    def select_changed(self, changed_files: Iterable[str], configs: Sequence[str], modes: Sequence[str]
                       ) -> tuple[tuple[str, ...], str]:
        """The configs to check for ``changed_files``, and a note saying why (never silently nothing).

        A change to the project file or another global file or folder (a catalog, the baseline, the contracts)
        touches every config; a file a config was rendered from (declared by the adapter, or traced: the app's
        modules and the files it opened) touches that config. A changed file no config is known to read touches
        every config when the generator is an adapter (its dependencies may be incomplete) - unless it is
        documentation or an image (:data:`INERT_SUFFIXES`); with the built-in DevServer renderer, whose
        dependencies are complete, it touches none, and the note names it.
        """
        files = list(dict.fromkeys(changed_files))
        changed = {self._abs(f): self.locator.relative(f) for f in files}
        global_files = {self._abs(f) for f in (*self.suite.global_files,
                                               *((self.suite.project_file,) if self.suite.project_file else ()))}
        head = f"of {len(configs)} configs"
        hit_global = [f for c, f in changed.items() if any(c == g or c.startswith(g + "/") for g in global_files)]
        if hit_global:
            return tuple(configs), (f"{len(configs)} {head} touched by {len(files)} changed file(s) "
                                    f"({_few(hit_global)} affect every config)")
        sources = {(c, m): self.sources(c, m) for c in configs for m in modes}
        touched = tuple(c for c in configs if any(sources[(c, m)] & changed.keys() for m in modes))
        known = frozenset().union(*sources.values()) if sources else frozenset()
        unmapped = [f for c, f in changed.items() if c not in known]
        adapter = any(isinstance(r := self.static_rendered(c, m), Rendered) and r.adapter is not None
                      for c in configs for m in modes)
        if adapter:
            unknown = [f for f in unmapped if Path(f).suffix.lower() not in INERT_SUFFIXES]
            if unknown:
                return tuple(configs), (f"{len(configs)} {head} touched by {len(files)} changed file(s): no config "
                                        f"is known to read {_few(unknown)}, so every config is checked (return "
                                        "`sources` from the adapter to narrow it)")
        note = f"{len(touched)} {head} touched by {len(files)} changed file(s)"
        if unmapped:
            note += f"; not read by any config: {_few(unmapped)}"
        return touched, note

    # -- checks ----------------------------------------------------------------------------------

    def reproduce(self, config: str, mode: str, backend: str) -> str:
        if self._command is None:  # split once: this runs for every result
            self._command = shlex.split(self.command) + ([self.suite.project_arg] if self.suite.project_arg else [])
        parts = list(self._command)
        if config != PROJECT:
            parts += ["--config", config, "--mode", mode]
        if backend != ANY_BACKEND:
            parts += ["--backend", backend]
        return shlex.join(parts)

    def project_lints(self) -> Mapping[tuple[str, str], Sequence[Finding]]:
        """Lints across configs (e.g. a shared filename prefix), over every config in every mode."""
        if self._project_lints is None:
            if self.suite.project_lint is None:
                self._project_lints = {}
            else:
                rendered = [r for c in self.configs() for m in self.suite.modes
                            if isinstance(r := self.rendered(c, m), Rendered)]
                self._project_lints = self.suite.project_lint(rendered)
        return self._project_lints

    def result(self, config: str, mode: str, backend: str, check: str) -> CheckResult | None:
        """The result of one check after the baseline; ``None`` when the check does not apply (no workflow)."""
        raw = self.raw_result(config, mode, backend, check)
        return None if raw is None else self.apply_baseline([raw], partial=True)[0][0]

    def raw_result(self, config: str, mode: str, backend: str, check: str) -> CheckResult | None:
        """The result of one check before the baseline (``None`` when it does not apply); computed once."""
        key = (config, mode, backend, check)
        if key not in self._raw:
            self._raw[key] = self._run_check(config, mode, backend, check)
        return self._raw[key]

    def _run_check(self, config: str, mode: str, backend: str, name: str) -> CheckResult | None:
        check = CHECKS.get(name)
        if check is None:
            raise ComfyContractError(f"unknown check {name!r}", hint=f"use one of {', '.join(CHECKS)}")
        started = time.perf_counter()
        rendered = self.rendered(config, mode)
        if not check.applies(rendered):
            return None
        reproduce = self.reproduce(config, mode, backend)
        if isinstance(rendered, BaseException):
            return CheckResult(config, mode, backend, name, "error", reproduce=reproduce,
                               error=_crash("the generator", rendered))
        config_file = self._rel(rendered.config_file)
        try:
            found = check.run(self, rendered, backend)
        except ComfyContractError:
            raise
        except Exception as exc:
            return CheckResult(config, mode, backend, name, "error", reproduce=reproduce, config_file=config_file,
                               error=_crash(f"the {name} check", exc), duration_s=time.perf_counter() - started)
        # one CheckResult per result (dataclasses.replace costs as much as building one)
        findings = tuple(f for f, _ in found.pairs)
        locations = tuple(self._locate(f, sub, rendered) for f, sub in found.pairs)
        return CheckResult(config, mode, backend, name, _status(findings, self.fail_on), findings=findings,
                           locations=locations, verdicts=found.verdicts, reproduce=reproduce,
                           config_file=config_file, duration_s=time.perf_counter() - started,
                           responses=found.responses)

    def _rel(self, file: str | None) -> str | None:
        return None if file is None else self.locator.relative(file)

    def _locate(self, finding: Finding, sub: Submission | None, rendered: Rendered) -> Location | None:
        """The app file and pointer that caused ``finding``: the finding's own file, else the input
        mapping that wrote the value, else the node in the output chunk, else the config file."""
        if finding.file:
            return self.locator.locate(finding.file, finding.path, hint=finding.message)
        if sub is not None and finding.node_id is not None:
            for inj in sub.injections:
                if inj.file and inj.node_id == finding.node_id and (
                        finding.input is None or inj.field in (finding.input, f"inputs.{finding.input}")):
                    if inj.line is not None:  # the app's code line that wrote the value
                        return Location(self.locator.relative(inj.file), None, inj.line, None)
                    return self.locator.locate(inj.file, inj.pointer)
            if sub.chunk_file:
                path = finding.path or json_pointer(finding.node_id)
                return self.locator.locate(sub.chunk_file, "/workflow" + path)
        if rendered.adapter is not None:
            return self._locate_in_app(finding, rendered)
        if rendered.config_file:
            return self.locator.locate(rendered.config_file, None)
        return None

    def _locate_in_app(self, finding: Finding, rendered: Rendered) -> Location | None:
        """For an adapter's render: the line of the config's file holding the offending value, else the
        adapter's entry point (its function, or where it raised), else the config's file - never the project file."""
        if rendered.config_file and isinstance(finding.actual, str) and finding.actual.strip():
            line = self.locator.line_of(rendered.config_file, finding.actual)
            if line is not None:
                return Location(self.locator.relative(rendered.config_file), None, line, None)
        if rendered.entry_file:
            return Location(self.locator.relative(rendered.entry_file), None, rendered.entry_line, None)
        if rendered.config_file:
            return self.locator.locate(rendered.config_file, None)
        return None

    def all_nodes(self) -> Catalog | None:
        """Every backend's catalog merged (which classes exist anywhere, which are output nodes)."""
        if self._all_nodes is None and self.suite.backends:
            first, *rest = self.suite.backends.values()
            self._all_nodes = first.merge(*rest) if rest else first
        return self._all_nodes

    def apply_baseline(self, raws: Sequence[CheckResult], *, partial: bool) -> tuple[list[CheckResult],
                                                                                   tuple[Finding, ...]]:
        """The results with the baseline's accepted findings moved to ``accepted``, and its meta findings
        (B002 expired entries; B001 stale entries unless ``partial``)."""
        baseline = self.suite.baseline
        if baseline is None:
            return list(raws), ()

        def key(r: CheckResult) -> tuple[str, ...]:
            return (r.config, r.mode) if r.backend == ANY_BACKEND else (r.config, r.mode, r.backend)

        by_key: dict[tuple[str, ...], list[Finding]] = {}
        for r in raws:  # several checks share a key (render/contract/snapshot; validate/lint)
            by_key.setdefault(key(r), []).extend(r.findings)
        applied = baseline.apply(by_key, partial=partial)
        taken_all = {id(f) for found in applied.accepted.values() for f in found}
        out = []
        for raw in raws:
            taken = {id(f) for f in raw.findings if id(f) in taken_all}
            if not taken:
                out.append(raw)
                continue
            keep = [id(f) not in taken for f in raw.findings]
            if all(f.code == "V004" for f, k in zip(raw.findings, keep, strict=True) if k):
                keep = [False] * len(keep)  # V004 only restates node errors: accepted with them
            findings = tuple(f for f, k in zip(raw.findings, keep, strict=True) if k)
            locations = tuple(loc for loc, k in zip(raw.locations, keep, strict=True) if k)
            accepted = tuple(f for f, k in zip(raw.findings, keep, strict=True) if not k)
            status = raw.status if raw.status == "error" else _status(findings, self.fail_on)
            out.append(replace(raw, findings=findings, locations=locations, accepted=raw.accepted + accepted,
                               status=status))
        meta = tuple(f for f in applied.meta if not (partial and f.code == "B001"))
        return out, meta

    # -- a whole run -----------------------------------------------------------------------------

    def project_results(self, baseline_meta: tuple[Finding, ...] = (), *, full: bool = True
                        ) -> tuple[CheckResult, ...]:
        """Results about the whole project (config and mode ``"*"``): invalid or unused contracts and unused
        snapshots (full runs only), and the baseline's stale or expired entries."""
        out = []
        if duplicates := duplicate_config_names(self.suite.generator, self._listed or self.configs()):
            out.append(self._project_result("render", duplicates))
        if full and self.suite.contracts is not None:
            contracts = self.suite.contracts
            out.append(self._project_result("contract", (*contracts.problems, *contracts.unused(self.configs()))))
        if full and self.suite.snapshots is not None:
            seen = [(c, m) for c in self.configs() for m in self.suite.modes
                    if isinstance(r := self.rendered(c, m), Rendered) and r.outcome == "workflow"]
            out.append(self._project_result("snapshot", tuple(self.suite.snapshots.unused(seen))))
        if self.suite.baseline is not None and (full or baseline_meta):
            out.append(self._project_result("baseline", baseline_meta))
        return tuple(out)

    def _project_result(self, check: str, findings: tuple[Finding, ...]) -> CheckResult:
        locations = tuple(
            self.locator.locate(f.file, f.path, hint=f.message) if f.file else None for f in findings)
        return CheckResult(PROJECT, PROJECT, ANY_BACKEND, check, _status(findings, self.fail_on),
                           findings=findings, locations=locations,
                           reproduce=self.reproduce(PROJECT, PROJECT, ANY_BACKEND))

    def run(self, selection: Selection = Selection()) -> Iterator[Event]:
        """Check the selection; yields :class:`RunStarted`, one :class:`ConfigChecked` per (config, mode),
        then :class:`RunFinished` with the report."""
        shard = selection.shard
        configs, modes, backends, checks = self.resolve(replace(selection, shard=None))
        note = None
        if selection.changed_files is not None:
            configs, note = self.select_changed(selection.changed_files, configs, modes)
        if shard is not None:  # last: "shard 2/4: 6 of 23 configs; 23 of 100 configs touched by ..."
            picked = shard.pick(configs)
            said = shard.describe(len(picked), len(configs))
            note = said if note is None else f"{said}; {note}"
            configs = picked
        total = len(configs) * len(modes)
        yield RunStarted(total, configs, modes, backends, checks, note)
        results: list[CheckResult] = []
        done = 0
        for config in configs:
            for mode in modes:
                batch = []
                for check in checks:
                    for backend in CHECKS[check].backends(backends):
                        result = self.raw_result(config, mode, backend, check)
                        if result is not None:
                            batch.append(result)
                done += 1
                results.extend(batch)
                yield ConfigChecked(config, mode, done, total, tuple(batch))
        whole = (not selection.modes and not selection.checks and set(backends) == set(self.suite.backends))
        full = selection.is_full and whole
        if shard is not None:
            # a whole shard judges the baseline entries of its own configs as a full run does (_shard_meta);
            # the project-wide results come once, from shard 1: the shards' reports add up to the unsharded one
            sharded_full = whole and not selection.configs and selection.changed_files is None
            results, meta = self.apply_baseline(results, partial=not sharded_full)
            meta = self._shard_meta(meta, shard)
            if shard.index == 1:
                results.extend(self.project_results(meta, full=sharded_full))
            elif meta:  # expired or stale entries of this shard's configs
                results.append(self._project_result("baseline", meta))
        else:
            results, meta = self.apply_baseline(results, partial=not full)
            results.extend(self.project_results(meta, full=full))
        yield RunFinished(Report(
            tuple(results), fail_on=self.fail_on, backends=backends, modes=modes, checks=checks,
            root=str(self.suite.root), project_file=self._rel(self.suite.project_file), selection_note=note,
            command=self.command, graphs=self.graphs(configs, modes),
            comfyui={b: self.suite.backends[b].era_summary() for b in backends if b in self.suite.backends},
        ))

    def _shard_meta(self, meta: tuple[Finding, ...], shard: Shard) -> tuple[Finding, ...]:
        """The baseline's meta findings a shard can judge: a stale entry (B001) only when every config its
        glob matches is in this shard (one matching no config at all: in shard 1). An entry whose glob spans
        shards is judged stale only by an unsharded run; an expired one (B002) by each shard it matched in."""

        def judged(f: Finding) -> bool:
            if f.code != "B001" or not isinstance(f.expected, Mapping):
                return True
            glob = str(f.expected.get("config", "*"))
            matching = [c for c in self.configs() if fnmatch.fnmatchcase(c, glob)]
            return all(shard.owns(c) for c in matching) if matching else shard.index == 1

        return tuple(f for f in meta if judged(f))

    def graphs(self, configs: Sequence[str], modes: Sequence[str]) -> dict[tuple[str, str], Graphs]:
        """What the HTML report draws: each rendered (config, mode)'s first workflow and its snapshot's.
        Only renders the run already made are used (this never renders)."""
        out: dict[tuple[str, str], Graphs] = {}
        for config in configs:
            for mode in modes:
                rendered = self._rendered.get((config, mode))
                if rendered is None:
                    continue
                if not _has_workflow(rendered):
                    continue
                assert isinstance(rendered, Rendered)
                snap: Any = None
                load = getattr(self.suite.snapshots, "load", None)  # a SnapshotStore can; a stand-in need not
                if load is not None:
                    try:
                        snap = load(config, mode)
                    except ComfyContractError:
                        snap = None
                out[(config, mode)] = Graphs(
                    rendered.submissions[0].workflow,
                    snapshot=None if snap is None else snap.workflow,
                    normalisation=None if snap is None else snap.normalisation.to_dict())
        return out

    def report(self, selection: Selection = Selection(),
               on_event: Callable[[Event], None] | None = None) -> Report:
        """Run the selection to the end and return its report (``on_event`` sees every event)."""
        for event in self.run(selection):
            if on_event is not None:
                on_event(event)
            if isinstance(event, RunFinished):
                return event.report
        raise AssertionError("Engine.run ended without RunFinished")  # pragma: no cover


# -- the checks: one table ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Found:
    """What a check found in one render: each finding with the submission it is about (``None``: the
    render as a whole), and for ``validate`` ComfyUI's verdicts and (label, HTTP status) per submission."""

    pairs: Sequence[tuple[Finding, Submission | None]] = ()
    verdicts: tuple[Verdict, ...] = ()
    responses: tuple[tuple[str, int], ...] = ()


def _has_workflow(rendered: Rendered | BaseException) -> bool:
    return isinstance(rendered, Rendered) and rendered.outcome == "workflow" and bool(rendered.submissions)


def _always(suite_or_render: object) -> bool:
    return True


@dataclass(frozen=True)
class Check:
    """One row of :data:`CHECKS`.

    ``run(engine, rendered, backend)`` finds what is wrong with one render (``backend`` is ``"any"`` unless
    ``per_backend``); the engine turns that into a :class:`CheckResult` (status, locations, duration; the
    baseline later) and reports an exception raised by ``run`` as an ``error`` result. ``present(suite)``
    says whether a suite has the check at all; ``applies(rendered)`` whether it runs on a render (or on the
    exception the generator raised: only ``render`` does, and reports it); otherwise there is no result.
    """

    per_backend: bool
    run: Callable[[Engine, Rendered, str], Found]
    present: Callable[[Suite], bool] = _always
    applies: Callable[[Rendered | BaseException], bool] = _has_workflow

    def backends(self, selected: Sequence[str]) -> tuple[str, ...]:
        """The backends this check runs for, given the selected ones."""
        return tuple(selected) if self.per_backend else (ANY_BACKEND,)


def _render(engine: Engine, rendered: Rendered, backend: str) -> Found:
    return Found([(f, None) for f in rendered.findings])


def _validate(engine: Engine, rendered: Rendered, backend: str) -> Found:
    catalog = engine.suite.backends[backend]
    pairs: list[tuple[Finding, Submission | None]] = []
    verdicts: list[Verdict] = []
    responses: list[tuple[str, int]] = []
    for i, sub in enumerate(rendered.submissions):
        verdict = validate_request(sub.body, catalog)
        verdicts.append(verdict)
        responses.append((_submission_label(sub, i), verdict.status))
        pairs += [(f, sub) for f in verdict.findings]
    return Found(pairs, tuple(verdicts), tuple(responses))


def _lint(engine: Engine, rendered: Rendered, backend: str) -> Found:
    lint = engine.suite.lint
    assert lint is not None
    pairs: list[tuple[Finding, Submission | None]] = []
    for sub in rendered.submissions:
        found = lint(sub, rendered, engine.suite.backends[backend], backend=backend, backends=engine.suite.backends)
        pairs += [(f, sub) for f in found]
    pairs += [(f, None) for f in engine.project_lints().get((rendered.config, rendered.mode), ())]
    return Found(pairs)


def _contract(engine: Engine, rendered: Rendered, backend: str) -> Found:
    contracts = engine.suite.contracts
    assert contracts is not None
    return Found([(f, _submission_of(f, rendered))
                  for f in contracts.check_rendered(rendered, catalog=engine.all_nodes())])


def _snapshot(engine: Engine, rendered: Rendered, backend: str) -> Found:
    snapshots = engine.suite.snapshots
    assert snapshots is not None
    # one snapshot per (config, mode): the first submission (the one the app posts first)
    return Found([(f, None) for f in snapshots.check(rendered.config, rendered.mode,
                                                     rendered.submissions[0].workflow)])


def _capture(engine: Engine, rendered: Rendered, backend: str) -> Found:
    from comfy_contract.check.capturediff import capture_drift

    static = engine.static_rendered(rendered.config, rendered.mode)
    return Found([(f, _submission_of(f, rendered)) for f in capture_drift(static, rendered)])


def _workflow_or_no_comfyui(rendered: Rendered | BaseException) -> bool:
    # a contract may expect a workflow the config does not produce (C002)
    no_comfyui = ("text", "api", "backend")
    return _has_workflow(rendered) or (isinstance(rendered, Rendered) and rendered.outcome in no_comfyui)


#: every check, in the order they run and are reported: the one place to add a check
CHECKS: Mapping[str, Check] = MappingProxyType({
    "render": Check(per_backend=False, run=_render, applies=_always),
    "validate": Check(per_backend=True, run=_validate, present=lambda suite: bool(suite.backends)),
    "lint": Check(per_backend=True, run=_lint, present=lambda suite: suite.lint is not None and bool(suite.backends)),
    "contract": Check(per_backend=False, run=_contract, present=lambda suite: suite.contracts is not None,
                      applies=_workflow_or_no_comfyui),
    "snapshot": Check(per_backend=False, run=_snapshot, present=lambda suite: suite.snapshots is not None),
    "capture": Check(per_backend=False, run=_capture, present=lambda suite: suite.static is not None,
                     applies=lambda rendered: isinstance(rendered, Rendered)),
})
#: the names of :data:`CHECKS`, in order (the ``--check`` choices)
CHECK_NAMES: tuple[str, ...] = tuple(CHECKS)
#: checks that run once per backend; the others run once with backend ``"any"``
PER_BACKEND_CHECKS: frozenset[str] = frozenset(name for name, check in CHECKS.items() if check.per_backend)


#: changed files that no renderer reads: documentation and images (``check --changed-since`` ignores them)
INERT_SUFFIXES = frozenset({".md", ".rst", ".adoc", ".png", ".jpg", ".jpeg", ".gif", ".svg", ".webp", ".ico",
                            ".pdf", ".lock"})


def _few(files: Sequence[str], n: int = 3) -> str:
    shown = ", ".join(repr(Path(f).as_posix()) for f in files[:n])
    return shown + (f" and {len(files) - n} more" if len(files) > n else "")


def _pick(what: str, asked: Sequence[str], known: Sequence[str], flag: str) -> tuple[str, ...]:
    if not asked:
        return tuple(known)
    unknown = [a for a in asked if a not in known]
    if unknown:
        raise ComfyContractError(
            f"unknown {what} {unknown[0]!r}",
            hint=f"this project has {what}s {', '.join(map(repr, known)) or '(none)'}; fix {flag}",
        )
    return tuple(dict.fromkeys(asked))


def _sample(names: Sequence[str], n: int = 8) -> str:
    shown = ", ".join(names[:n])
    return shown + (f", ... ({len(names)} in all)" if len(names) > n else "")


def _crash(what: str, exc: BaseException) -> str:
    frame = traceback.extract_tb(exc.__traceback__)[-1:] if exc.__traceback__ else []
    where = f" at {frame[0].filename}:{frame[0].lineno}" if frame else ""
    return (f"{what} raised {type(exc).__name__}: {exc}{where}; this is a bug in comfy-contract or in your "
            "adapter, not a finding about the config - please report it with this message")


# -- building a suite from the project configuration --------------------------------------------------


def suite_from_project(project: Any, *, project_arg: str | None = None, root: Path | None = None,
                       use_baseline: bool = True) -> Suite:
    """The :class:`Suite` a :class:`~comfy_contract.check.project.Project` describes.

    Lints always run; contracts, snapshots and the baseline when the project names them (a baseline file
    that does not exist yet is an empty baseline). ``root`` (default: the cwd) is where reported paths are
    relative to.
    """
    from comfy_contract.check.lints import run_lints, run_project_lints  # contracts, baseline: only when used

    where = root or Path.cwd()
    backends = project.backends()
    global_files = [str(c) for b in project.backend_specs.values() for c in b.catalogs]
    contracts = None
    if project.contracts is not None:
        global_files.append(str(project.contracts))
        if Path(project.contracts).is_dir():
            from comfy_contract.check.contracts import ContractSet

            contracts = ContractSet.load(project.contracts, root=where)
    baseline = None
    if use_baseline and project.baseline is not None:
        global_files.append(str(project.baseline))
        from comfy_contract.check.baseline import Baseline

        baseline = Baseline.load(project.baseline, missing_ok=True, label=_label(project.baseline, where))
    snapshots = None  # the store (and deepdiff behind it) is loaded only for a project with snapshots
    if hasattr(project, "snapshot_store"):
        snapshots = project.snapshot_store()
    elif project.snapshots is not None:
        from comfy_contract.snapshot.store import SnapshotStore

        snapshots = SnapshotStore(project.snapshots)
    return Suite(
        generator=project.generator(),
        backends=backends,
        modes=tuple(project.modes),
        root=where,
        lint=run_lints,
        project_lint=run_project_lints,
        contracts=contracts,
        snapshots=snapshots,
        baseline=baseline,
        project_file=str(project.file),
        global_files=tuple(global_files),
        project_arg=project_arg,
    )


def _label(path: Path, root: Path) -> str:
    try:
        return Path(path).resolve().relative_to(root.resolve()).as_posix()
    except ValueError:
        return Path(path).as_posix()
