"""``comfy-contract catalog pull|merge|show``: make and inspect node catalogs."""

from __future__ import annotations

import argparse
from typing import Any, TextIO

from comfy_contract.core.jsonio import check_writable_target, write_json_atomic
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

    diff = csub.add_parser("diff", help="drift between two catalogs (or a catalog and a server); exit 1 on drift",
                           description="Compare NEW (a catalog file, or the URL of a running ComfyUI) with OLD: "
                           "node classes, inputs, types, ranges, combo options (model files), outputs, version. "
                           "Each difference is a D finding (`comfy-contract explain D009`). Exit 0 when they "
                           "match, 1 on any drift, 2 on usage errors.")
    diff.add_argument("old", metavar="OLD", help="the catalog you validate against (e.g. the committed one)")
    diff.add_argument("new", metavar="NEW", help="another catalog file, or a ComfyUI base URL (http://...)")
    diff.add_argument("--format", choices=("text", "json"), default="text")
    diff.set_defaults(run=_diff)

    show = csub.add_parser("show", help="summarise a catalog: version, era, node classes, model files")
    show.add_argument("catalog", metavar="CATALOG")
    show.set_defaults(run=_show)


def _pull(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    check_writable_target(args.output)  # a device, link or folder is refused before the server is asked
    with ComfyClient(args.url) as client:
        envelope = client.catalog_envelope()
    write_json_atomic(args.output, envelope)
    out.write(
        f"wrote {args.output}: {len(envelope['object_info'])} node classes from ComfyUI "
        f"{envelope.get('comfyui_version') or '(version unknown)'} at {args.url}\n"
    )
    return 0


def _merge(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    check_writable_target(args.output)
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


def _diff(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    from comfy_contract.core.jsonio import dumps
    from comfy_contract.live.drift import catalog_drift

    old = load_catalog(args.old)
    if args.new.startswith(("http://", "https://")):
        with ComfyClient(args.new) as client:
            new = client.catalog()
    else:
        new = load_catalog(args.new)
    findings = catalog_drift(old, new)
    if args.format == "json":
        out.write(dumps({"old": args.old, "new": args.new, "findings": [f.to_dict() for f in findings]}) + "\n")
    else:
        for f in findings:
            out.write(f"{f.code} {f.severity}: {f.message}\n")
        by_severity = {s: sum(1 for f in findings if f.severity == s) for s in ("error", "warning", "info")}
        counts = ", ".join(f"{n} {s}" for s, n in by_severity.items() if n)
        out.write(f"{args.old} -> {args.new}: " + (f"{len(findings)} drift finding(s) ({counts})\n" if findings
                                                    else "no drift\n"))
    return 1 if findings else 0
