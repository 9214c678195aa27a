"""``comfy-contract render``: write what the app would submit, one JSON file per (config, mode).

Exit 0 when every config was rendered (findings, including render errors of single configs, go to
``manifest.json``); 2 on usage or input errors (no project, a root that is not a DevServer tree, an
unknown config name, an unwritable output folder).
"""

from __future__ import annotations

import argparse
import json
import re
import time
from dataclasses import replace
from pathlib import Path
from typing import Any, TextIO

from comfy_contract.core.errors import ComfyContractError
from comfy_contract.core.jsonio import write_json_atomic
from comfy_contract.core.safetext import bounded_stem, printable
from comfy_contract.render.adapters import guarded_render
from comfy_contract.render.model import MODES, Generator, Rendered, RenderInputs

__all__ = ["add_parser", "file_stem", "run"]

_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")


def add_parser(sub: Any) -> None:
    p = sub.add_parser(
        "render",
        help="write the workflows the app would submit, per config and mode",
        description="Render every config (or those given with --config) in each execution mode and write one "
        "JSON file per submission plus OUT/manifest.json with each config's outcome and findings. Without "
        "--layout/--generator the project configuration (comfy-contract.yaml or [tool.comfy-contract]) is used. "
        "Exit 0 when rendering ran (findings are in the manifest), 2 on usage or input errors.",
    )
    source = p.add_mutually_exclusive_group()
    source.add_argument("--layout", choices=("devserver",), help="the app's file layout (with --root)")
    source.add_argument("--generator", metavar="SPEC",
                        help="the app's own generator: 'pkg.module:function', 'cmd:COMMAND ARGS' or an http(s) URL")
    p.add_argument("--root", metavar="DIR", help="the app's schemas/ folder (with --layout devserver)")
    p.add_argument("--project", metavar="FILE", help="project file (default: searched upwards from the cwd)")
    p.add_argument("--config", action="append", metavar="NAME", help="render only this config (repeatable)")
    p.add_argument("--mode", action="append", metavar="MODE",
                   help="execution mode (repeatable; default: the project's modes, else eco and fast)")
    p.add_argument("--seed", type=int, default=0, help="seed for 'random' values (default 0: reproducible)")
    p.add_argument("--output-config", metavar="NAME",
                   help="the output config the request names (as an app's UI does), instead of the config's own choice")
    p.add_argument("--param", action="append", metavar="KEY=VALUE", default=[],
                   help="a request value the app's UI sends (e.g. alpha_factor=0, combination_type=linear); numbers "
                   "and true/false are typed (repeatable)")
    p.add_argument("--stub-missing-nodes", action="store_true",
                   help="reproduce the later app version that adds a stub node for a mapping to a missing node")
    p.add_argument("--behaviour", action="append", metavar="KEY=VALUE", default=[],
                   help="pin a DevServer behaviour switch or setting over what the tree shows, e.g. gpu_service=up "
                   "or simple_image_api=false (repeatable; see --show-behaviour)")
    p.add_argument("--show-behaviour", action="store_true",
                   help="print the DevServer behaviour detected from the tree (with --behaviour pins) and exit")
    p.add_argument("--capture", action="store_true",
                   help="write what the app's own code really submits (the project's `capture:` section, "
                   "docs/capture.md) instead of the static rendering")
    p.add_argument("--list", action="store_true", help="print the config names and exit")
    p.add_argument("--out", metavar="DIR", help="output folder (required unless --list)")
    p.set_defaults(run=run)


def file_stem(config: str, mode: str) -> str:
    """A safe file name stem for a config: no separators, no traversal (``../x`` -> ``x``)."""
    cleaned = _UNSAFE.sub("_", config.replace("/", "__")).strip("._") or "config"
    return f"{bounded_stem(cleaned, config)}.{mode}"


def _generator(args: argparse.Namespace) -> tuple[Generator, tuple[str, ...]]:
    from comfy_contract.check.project import find_project_file, generator_section, load_project, split_command
    from comfy_contract.render.adapters import CallableGenerator, CommandGenerator, HttpGenerator
    from comfy_contract.render.devserver import DevserverGenerator, DevserverOptions

    options = DevserverOptions(stub_missing_nodes=args.stub_missing_nodes, behaviour=_pins(args.behaviour))
    if args.capture and (args.layout or args.generator):
        raise ComfyContractError("--capture uses the project file's `capture:` section",
                                 hint="drop --layout/--generator, or pass --project FILE")
    if args.layout:
        if not args.root:
            raise ComfyContractError("--layout devserver needs --root DIR (the app's schemas/ folder)")
        return DevserverGenerator(args.root, options), MODES
    if args.root:
        raise ComfyContractError("--root needs --layout devserver")
    spec: str | None = args.generator
    if spec:
        # the project's modes (and folder) when there is a project file, else the DevServer's two
        found = Path(args.project) if args.project else find_project_file()
        known = load_project(found) if found is not None else None
        modes = known.modes if known is not None else MODES
        base = known.file.resolve().parent if known is not None else Path.cwd()
        section = generator_section(spec)
        if "url" in section:
            return HttpGenerator(spec, base=str(base)), modes
        if "command" in section:
            return CommandGenerator(split_command(spec[4:], origin="--generator cmd:"), cwd=str(base)), modes
        return CallableGenerator(spec, base=base), modes
    project = load_project(args.project)
    static: Generator
    if (args.stub_missing_nodes or args.behaviour) and project.root is not None:
        pinned = {**project.render_options.behaviour, **options.behaviour}
        merged = replace(project.render_options, behaviour=pinned,
                         stub_missing_nodes=args.stub_missing_nodes or project.render_options.stub_missing_nodes)
        static = DevserverGenerator(project.root, merged)
    else:
        static = project.generator()
    if args.capture:
        from comfy_contract.live.capture import capture_from_project

        return capture_from_project(project, static=static, backends=project.backends()), project.modes
    return static, project.modes


def _typed(values: dict[str, Any]) -> dict[str, Any]:
    """Request values as JSON would carry them: ``0`` -> 0, ``4.5`` -> 4.5, anything else text."""
    out: dict[str, Any] = {}
    for key, value in values.items():
        try:
            out[key] = json.loads(value) if isinstance(value, str) else value
        except ValueError:
            out[key] = value
    return out


def _pins(items: list[str], flag: str = "--behaviour") -> dict[str, Any]:
    """``KEY=VALUE`` pins: true/false become booleans, anything else stays text (gpu_service=up)."""
    pins: dict[str, Any] = {}
    for item in items:
        key, sep, value = item.partition("=")
        if not sep or not key.strip():
            raise ComfyContractError(f"{flag} {item!r} is not KEY=VALUE", hint=f"e.g. {flag} gpu_service=up")
        pins[key.strip()] = {"true": True, "false": False}.get(value.strip().lower(), value.strip())
    return pins


def _shown(path: str | None) -> str | None:
    """Paths under the cwd are written relative to it, so manifests do not depend on the checkout."""
    if path is None:
        return None
    try:
        return Path(path).resolve().relative_to(Path.cwd().resolve()).as_posix()
    except ValueError:
        return path


def _entry(rendered: Rendered, files: list[str]) -> dict[str, Any]:
    return {
        "config": rendered.config,
        "mode": rendered.mode,
        "outcome": rendered.outcome,
        **({"route": rendered.route} if rendered.route else {}),
        "files": files,
        "transports": [s.transport for s in rendered.submissions],
        "findings": [
            {k: v for k, v in f.with_(file=_shown(f.file)).to_dict().items()
             if v is not None or k in ("node_id", "path")}
            for f in rendered.findings
        ],
        "sources": [_shown(s) for s in rendered.sources],
    }


def _write(rendered: Rendered, out: Path, taken: set[str]) -> list[str]:
    files = []
    stem = file_stem(rendered.config, rendered.mode)
    while stem in taken:  # two names that sanitise alike
        stem += "_"
    taken.add(stem)
    for index, submission in enumerate(rendered.submissions):
        name = f"{stem}.json" if len(rendered.submissions) == 1 else f"{stem}.{index + 1}.json"
        write_json_atomic(out / name, submission.body)
        files.append(name)
    return files


def run(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    generator, project_modes = _generator(args)
    try:
        return _run(args, out, err, generator, project_modes)
    finally:
        close = getattr(generator, "close", None)
        if callable(close):
            close()


def _run(args: argparse.Namespace, out: TextIO, err: TextIO, generator: Generator,
         project_modes: tuple[str, ...]) -> int:
    if args.show_behaviour:
        behaviour = getattr(generator, "behaviour", None)
        if behaviour is None:
            raise ComfyContractError("--show-behaviour needs the DevServer layout",
                                     hint="the app's own generator (an adapter) has no detected behaviour")
        out.write("\n".join(behaviour.describe() or ["(the layout as documented: no later behaviour detected)"]))
        out.write(f"\nsettings: {behaviour.settings}\n")
        return 0
    configs = list(args.config or generator.configs())
    if args.list:
        for name in configs:
            out.write(printable(name, newlines=False) + "\n")
        return 0
    if not args.out:
        raise ComfyContractError("render needs --out DIR", hint="e.g. `comfy-contract render --out rendered/`")
    modes = tuple(dict.fromkeys(args.mode or project_modes))
    folder = Path(args.out)
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise ComfyContractError(f"cannot create output folder {args.out!r}: {exc.strerror}") from None
    inputs = RenderInputs(seed=args.seed, output_config=args.output_config,
                          custom_placeholders=_typed(_pins(args.param, flag="--param")))
    entries: list[dict[str, Any]] = []
    taken: set[str] = set()
    total, started = len(configs) * len(modes), time.perf_counter()
    for config in configs:
        for mode in modes:
            rendered = guarded_render(generator, config, mode, inputs)  # one config's crash is its finding
            entries.append(_entry(rendered, _write(rendered, folder, taken)))
            if len(entries) % 10 == 0 or len(entries) == total:
                err.write(f"rendered {len(entries)}/{total}\n")
    write_json_atomic(folder / "manifest.json", {"configs": entries})
    counts: dict[str, int] = {}
    for entry in entries:
        counts[entry["outcome"]] = counts.get(entry["outcome"], 0) + 1
    summary = ", ".join(f"{n} {k}" for k, n in sorted(counts.items()))
    out.write(f"{total} renders ({summary}) in {time.perf_counter() - started:.2f} s -> {folder / 'manifest.json'}\n")
    return 0
