"""``comfy-contract init [DIR]``: a starter project in a user's app repository.

Writes ``comfy-contract.yaml`` (DevServer layout, one backend on the bundled stock ComfyUI catalog),
``comfy-contract/catalogs/``, ``contracts/configs/``, ``legacy_snapshots/`` and an empty baseline. Refuses
to overwrite an existing file unless ``--force``; prints what it wrote and the next commands.
"""

from __future__ import annotations

import argparse
import importlib.resources
import shutil
from pathlib import Path
from typing import Any, TextIO

from comfy_contract.core.errors import ComfyContractError
from comfy_contract.core.jsonio import write_text_atomic

STOCK_CATALOG = "comfyui-0.3.75.json"

PROJECT_TEMPLATE = """\
# comfy-contract project (docs/configuration.md). Paths are relative to this file.
layout: devserver
root: {root}                 # the app's schemas/ folder (configs/, pipelines/, chunks/)
modes: [eco, fast]
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
    p.add_argument("--root", default="schemas", metavar="PATH",
                   help="the app's schemas/ folder, relative to DIR (default: schemas)")
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


def run(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    target = Path(args.dir)
    if target.exists() and not target.is_dir():
        raise ComfyContractError(f"{args.dir!r} is not a folder", hint="pass your app repository's folder")
    catalog = bundled_catalog()
    texts: dict[Path, str] = {
        Path("comfy-contract.yaml"): PROJECT_TEMPLATE.format(root=args.root, catalog=STOCK_CATALOG),
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
    for rel, source in copies.items():
        path = target / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(source, path)
        out.write(f"wrote {path} (stock ComfyUI 0.3.75 nodes)\n")
    if catalog is None:
        err.write("comfy-contract: no bundled catalog found; pull one with `comfy-contract catalog pull --url URL "
                  f"-o {target / 'comfy-contract/catalogs' / STOCK_CATALOG}`\n")
    if not (target / args.root).is_dir():
        err.write(f"comfy-contract: note: {str(target / args.root)!r} does not exist yet; set `root:` in "
                  "comfy-contract.yaml to your app's schemas/ folder\n")
    out.write("next: comfy-contract check        (then: comfy-contract snapshot update, to record snapshots)\n")
    return 0
