"""``comfy-contract validate FILE... --catalog CATALOG``: ComfyUI's verdict, offline."""

from __future__ import annotations

import argparse
from typing import Any, TextIO

from comfy_contract.core.errors import InputError
from comfy_contract.core.jsonio import dumps, read_json
from comfy_contract.core.schemas import structure_findings
from comfy_contract.report.text import verdict_text
from comfy_contract.validation.catalog import merge_catalogs
from comfy_contract.validation.validator import is_request_body, validate, validate_request


def add_parser(sub: Any) -> None:
    p = sub.add_parser(
        "validate",
        help="answer as ComfyUI's POST /prompt would, offline",
        description="Validate workflows (bare API-format workflows or whole /prompt bodies) against a node "
        "catalog, exactly as ComfyUI's POST /prompt would. Exit 0 if every file is accepted, 1 if any "
        "is rejected, 2 on usage or input errors.",
    )
    p.add_argument("files", nargs="+", metavar="FILE", help="workflow or /prompt body JSON files")
    p.add_argument("--catalog", action="append", required=True, metavar="CATALOG",
                   help="object_info snapshot; repeat to merge custom-node packs into a stock dump")
    p.add_argument("--comfyui-version", metavar="V", help="validate with this version's rules (default: the catalog's)")
    p.add_argument("--format", choices=("text", "json"), default="text")
    p.set_defaults(run=run)


def run(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    catalog = merge_catalogs(args.catalog, comfyui_version=args.comfyui_version)
    era = args.comfyui_version or None
    rejected = False
    input_errors = 0
    for path in args.files:
        try:
            data = read_json(path)
            if not isinstance(data, dict):
                raise InputError(
                    path, f"expected a JSON object (a workflow or a /prompt body), got {type(data).__name__}",
                    hint="ComfyUI itself would answer 400 no_prompt or 500 for such a body",
                )
        except InputError as exc:
            input_errors += 1
            print(f"comfy-contract: error: {exc}", file=err)
            continue
        is_body = is_request_body(data)
        verdict = validate_request(data, catalog, era=era) if is_body else validate(data, catalog, era=era)
        rejected = rejected or not verdict.accepted
        if args.format == "json":
            out.write(dumps({"file": path, "status": verdict.status, "body": verdict.body}) + "\n")
        else:
            out.write(verdict_text(path, verdict) + "\n")
            for note in structure_findings(data if is_body else {"prompt": data}):
                out.write(f"  note: {note.code} {note.message}\n")
    if input_errors:
        return 2
    return 1 if rejected else 0
