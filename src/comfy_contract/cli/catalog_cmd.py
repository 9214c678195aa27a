"""``comfy-contract catalog pull|merge|show``: make and inspect node catalogs."""

from __future__ import annotations

import argparse
from typing import Any, TextIO

from comfy_contract.core.jsonio import write_json_atomic
from comfy_contract.live.client import ComfyClient
from comfy_contract.validation.catalog import load_catalog, merge_catalogs, write_catalog


def add_parser(sub: Any) -> None:
    p = sub.add_parser("catalog", help="pull, merge and inspect node catalogs (/object_info snapshots)")
    csub = p.add_subparsers(dest="catalog_command", metavar="ACTION", required=True)

    pull = csub.add_parser("pull", help="snapshot a running ComfyUI's /object_info with its version")
    pull.add_argument("--url", required=True, help="ComfyUI base URL, e.g. http://127.0.0.1:8188")
    pull.add_argument("-o", "--output", required=True, metavar="FILE")
    pull.set_defaults(run=_pull)

    merge = csub.add_parser("merge", help="merge a stock catalog with custom-node packs into one file")
    merge.add_argument("catalogs", nargs="+", metavar="CATALOG", help="the first sets version and era")
    merge.add_argument("-o", "--output", required=True, metavar="FILE")
    merge.add_argument("--name", help="name of the merged install (e.g. production)")
    merge.set_defaults(run=_merge)

    show = csub.add_parser("show", help="summarise a catalog: version, era, node classes, model files")
    show.add_argument("catalog", metavar="CATALOG")
    show.set_defaults(run=_show)


def _pull(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    with ComfyClient(args.url) as client:
        envelope = client.catalog_envelope()
    write_json_atomic(args.output, envelope)
    out.write(
        f"wrote {args.output}: {len(envelope['object_info'])} node classes from ComfyUI "
        f"{envelope.get('comfyui_version') or '(version unknown)'} at {args.url}\n"
    )
    return 0


def _merge(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    catalog = merge_catalogs(args.catalogs, name=args.name)
    write_catalog(catalog, args.output)
    out.write(f"wrote {args.output}: {len(catalog)} node classes (era {catalog.era.id})\n")
    return 0


def _show(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    catalog = load_catalog(args.catalog)
    modules: dict[str, int] = {}
    models = 0
    for spec in catalog.nodes.values():
        top = spec.python_module.split(".")[0] or "(unknown)"
        modules[top] = modules.get(top, 0) + 1
        models += sum(len(i.choices) for i in spec.inputs.values() if i.lists_model_files)
    out.write(f"{args.catalog}\n  ComfyUI version: {catalog.comfyui_version or '(unknown)'}\n")
    out.write(f"  validation era:  {catalog.era.id} ({catalog.era.label})\n")
    out.write(f"  node classes:    {len(catalog)}\n")
    for mod, count in sorted(modules.items()):
        out.write(f"    {mod}: {count}\n")
    out.write(f"  model-file options listed by loaders: {models}\n")
    return 0
