"""``comfy-contract init [DIR]``: a starter project in a user's app repository.

Writes ``comfy-contract.yaml`` (the DevServer layout, found at ``schemas/`` or ``devserver/schemas/``, or
the app's own generator with ``--generator SPEC``; one backend on the bundled stock ComfyUI catalog),
``comfy-contract/catalogs/``, ``contracts/configs/``, ``legacy_snapshots/``, an empty baseline, and
``.comfy-contract/`` (fuzzing's working folder) in ``.gitignore``. Refuses to overwrite an existing file
unless ``--force``; prints what it wrote and the next commands.
"""

from __future__ import annotations

import argparse
import importlib.resources
import json
import re
import shutil
from pathlib import Path
from typing import Any, TextIO

from comfy_contract.check.project import generator_section
from comfy_contract.core.errors import ComfyContractError
from comfy_contract.core.jsonio import write_text_atomic

STOCK_CATALOG = "comfyui-0.3.75.json"
_MODE = re.compile(r"[A-Za-z0-9][\w.-]*")

PROJECT_TEMPLATE = """\
# comfy-contract project (docs/configuration.md). Paths are relative to this file.
{source}
modes: [{modes}]
backends:
  default:                     # one ComfyUI install; add one entry per install you deploy to
    catalogs:
      - comfy-contract/catalogs/{catalog}
      # - comfy-contract/catalogs/my-custom-nodes.json
    # without_models: [some/checkpoint.safetensors]
    # replace the stock catalog with your server's:
    #   comfy-contract catalog pull --url http://127.0.0.1:8188 -o comfy-contract/catalogs/{catalog}
snapshots: legacy_snapshots
contracts: contracts/configs
baseline: comfy-contract-baseline.yaml
"""

BASELINE_TEMPLATE = """\
# comfy-contract baseline: findings accepted on purpose. Each entry needs a reason; `expires`
# (YYYY-MM-DD) makes the gate fail again after that day. Format: docs/baseline.md
version: 1
entries: []
"""

CONTRACTS_README = """\
Per-config contracts: one YAML file per config family (format: docs/contracts.md).
`comfy-contract check` applies every contract whose `match` globs name a config.
"""

DEVSERVER_SOURCE = """\
layout: devserver
root: {root}                 # the app's schemas/ folder (configs/, pipelines/, chunks/)"""

GENERATOR_SOURCE = """\
generator:                     # the app's own code renders each config (docs/adapters.md)
{lines}"""

#: where a DevServer checkout keeps its schemas/ folder, tried in order when --root is not given
ROOT_CANDIDATES = ("schemas", "devserver/schemas")
GITIGNORE_ENTRY = ".comfy-contract/"

SNAPSHOTS_README = """\
Reference workflows, one JSON file per (config, mode). Record them with
`comfy-contract snapshot update` (or `pytest --comfy-contract --comfy-contract-snapshot-update`).
"""


def add_parser(sub: Any) -> None:
    p = sub.add_parser(
        "init",
        help="write a starter comfy-contract.yaml and folders into an app repository",
        description="Write a starter project (comfy-contract.yaml, catalogs, contracts, snapshots, baseline) "
        "into DIR. Existing files are kept unless --force. Exit 0 on success, 2 if a file exists.",
    )
    p.add_argument("dir", nargs="?", default=".", metavar="DIR", help="the app repository (default: .)")
    source = p.add_mutually_exclusive_group()
    source.add_argument("--root", metavar="PATH",
                        help="the DevServer's schemas/ folder, relative to DIR (default: schemas/ or "
                        "devserver/schemas/, whichever exists)")
    source.add_argument("--generator", metavar="SPEC",
                        help="the app's own generator instead of the DevServer layout: 'pkg.module:function' "
                        "(importable from DIR), 'cmd:COMMAND ARGS' or an http(s) URL (docs/adapters.md)")
    p.add_argument("--enumerate", metavar="SPEC",
                   help="with a 'module:function' generator: the function listing the config names (default: "
                   "'module:configs' when the module has one)")
    p.add_argument("--modes", metavar="NAMES",
                   help="the app's execution modes, comma-separated (default: eco,fast for the DevServer layout, "
                   "'default' for a generator)")
    p.add_argument("--force", action="store_true", help="overwrite files that exist")
    p.set_defaults(run=run)


def bundled_catalog() -> Path | None:
    """The stock ComfyUI catalog shipped with comfy-contract (wheel data, else the source checkout)."""
    candidates: list[Path] = []
    try:
        data = importlib.resources.files("comfy_contract") / "_data" / "catalogs" / STOCK_CATALOG
        candidates.append(Path(str(data)))
    except (ModuleNotFoundError, FileNotFoundError):  # pragma: no cover - package always importable
        pass
    candidates.append(Path(__file__).resolve().parents[3] / "contracts" / "catalogs" / STOCK_CATALOG)
    return next((c for c in candidates if c.is_file()), None)


def _source(args: argparse.Namespace, target: Path) -> tuple[str, list[str], str | None]:
    """The project file's source section, its default modes, and a note for the user (or ``None``)."""
    if args.generator:
        section = generator_section(args.generator)
        if "callable" in section:
            listing = args.enumerate or _guess_enumerate(args.generator, target)
            if listing:
                section["enumerate"] = listing
        elif args.enumerate:
            raise ComfyContractError("--enumerate goes with a 'module:function' generator",
                                     hint="for a command set generator.list_command, for a URL generator.configs_url")
        lines = "\n".join(f"  {key}: {json.dumps(value)}" for key, value in section.items())
        note = None if "enumerate" in section or "callable" not in section else (
            "the generator cannot list its configs: set generator.enumerate (or pass --enumerate), or give "
            "--config NAME to each command")
        return GENERATOR_SOURCE.format(lines=lines), ["default"], note
    if args.enumerate:
        raise ComfyContractError("--enumerate needs --generator 'module:function'")
    root = args.root or next((c for c in ROOT_CANDIDATES if (target / c).is_dir()), ROOT_CANDIDATES[0])
    note = None
    if not (target / root).is_dir():
        note = (f"{str(target / root)!r} does not exist yet; set `root:` in comfy-contract.yaml to your app's "
                "schemas/ folder, or pass --generator SPEC for an app of another shape")
    return DEVSERVER_SOURCE.format(root=root), ["eco", "fast"], note


def _guess_enumerate(spec: str, target: Path) -> str | None:
    """``module:configs`` when the generator's module (a file under ``target``) defines ``def configs(``."""
    module = spec.partition(":")[0]
    for candidate in (target / (module.replace(".", "/") + ".py"), target / module.replace(".", "/") / "__init__.py"):
        try:
            text = candidate.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError):
            continue
        if "\ndef configs(" in "\n" + text:
            return f"{module}:configs"
    return None


def _gitignore(target: Path, out: TextIO) -> None:
    """Add ``.comfy-contract/`` (fuzzing's examples and reproducers) to ``.gitignore``, keeping what is there."""
    path = target / ".gitignore"
    try:
        text = path.read_text(encoding="utf-8") if path.exists() else ""
    except (OSError, UnicodeDecodeError):
        return
    if any(line.strip() in (GITIGNORE_ENTRY, GITIGNORE_ENTRY.rstrip("/"), "/" + GITIGNORE_ENTRY)
           for line in text.splitlines()):
        return
    sep = "" if not text or text.endswith("\n") else "\n"
    write_text_atomic(path, f"{text}{sep}# comfy-contract's working folder (fuzzing examples, reproducers)\n"
                      f"{GITIGNORE_ENTRY}\n")
    out.write(f"{'updated' if text else 'wrote'} {path}\n")


def run(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    target = Path(args.dir)
    if target.exists() and not target.is_dir():
        raise ComfyContractError(f"{args.dir!r} is not a folder", hint="pass your app repository's folder")
    catalog = bundled_catalog()
    source, modes, note = _source(args, target)
    if args.modes:
        modes = [m.strip() for m in args.modes.split(",") if m.strip()]
        bad = [m for m in modes if not _MODE.fullmatch(m)]
        if bad or not modes:
            raise ComfyContractError(f"--modes {args.modes!r}: {bad[0]!r} is not a mode name" if bad else
                                     "--modes names no mode", hint="e.g. --modes draft,final")
        if not args.generator and any(m not in ("eco", "fast") for m in modes):
            raise ComfyContractError(f"--modes {args.modes!r}: the DevServer layout has the modes eco and fast",
                                     hint="other mode names go with --generator SPEC")
    texts: dict[Path, str] = {
        Path("comfy-contract.yaml"): PROJECT_TEMPLATE.format(source=source, modes=", ".join(modes),
                                                             catalog=STOCK_CATALOG),
        Path("comfy-contract-baseline.yaml"): BASELINE_TEMPLATE,
        Path("contracts/configs/README.md"): CONTRACTS_README,
        Path("legacy_snapshots/README.md"): SNAPSHOTS_README,
    }
    copies: dict[Path, Path] = {}
    if catalog is not None:
        copies[Path("comfy-contract/catalogs") / STOCK_CATALOG] = catalog
    existing = [p for p in (*texts, *copies) if (target / p).exists()]
    if existing and not args.force:
        names = ", ".join(repr(str(target / p)) for p in existing)
        raise ComfyContractError(f"not overwriting {names}", hint="pass --force to overwrite, or edit the files")
    for rel, text in texts.items():
        path = target / rel
        write_text_atomic(path, text)
        out.write(f"wrote {path}\n")
    for rel, copied in copies.items():
        path = target / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(copied, path)
        out.write(f"wrote {path} (stock ComfyUI 0.3.75 nodes)\n")
    _gitignore(target, out)
    if catalog is None:
        err.write("comfy-contract: no bundled catalog found; pull one with `comfy-contract catalog pull --url URL "
                  f"-o {target / 'comfy-contract/catalogs' / STOCK_CATALOG}`\n")
    if note:
        err.write(f"comfy-contract: note: {note}\n")
    out.write("next: comfy-contract check        (then: comfy-contract snapshot update, to record snapshots)\n")
    return 0
