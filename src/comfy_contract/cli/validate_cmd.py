"""``comfy-contract validate FILE... [--catalog CATALOG]``: ComfyUI's verdict, offline.

Without ``--catalog`` each file is validated against every backend of the project (as ``check`` does). A
``manifest.json`` written by ``comfy-contract render`` is refused (exit 2): it is not a workflow.

With ``--url URL`` each body is POSTed to that server instead and its answer printed; ``--compare`` also
answers offline (``--catalog``, else the server's own ``/object_info``) and reports every disagreement as a
``D020`` finding (compared as live/agreement.py does). Note that a real ComfyUI queues and runs what it accepts.
"""

from __future__ import annotations

import argparse
from typing import Any, TextIO

from comfy_contract.core.errors import ComfyContractError, InputError
from comfy_contract.core.findings import Finding, Severity
from comfy_contract.core.jsonio import dumps, read_json
from comfy_contract.core.schemas import structure_findings
from comfy_contract.report.common import era_line
from comfy_contract.report.text import verdict_text
from comfy_contract.validation.catalog import Catalog, merge_catalogs
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
    p.add_argument("--catalog", action="append", metavar="CATALOG",
                   help="object_info snapshot; repeat to merge custom-node packs into a stock dump (default: "
                   "each backend of the project, as `check` does)")
    p.add_argument("--project", metavar="FILE", help="project file whose backends to use without --catalog "
                   "(default: searched upwards from the cwd)")
    p.add_argument("--url", metavar="URL", help="POST each body to this ComfyUI (or stand-in) instead; it RUNS "
                   "what it accepts")
    p.add_argument("--compare", action="store_true",
                   help="with --url: also answer offline and report disagreements (D020)")
    p.add_argument("--timeout", type=float, default=60.0, metavar="SECONDS", help="with --url: per request")
    p.add_argument("--comfyui-version", metavar="V", help="validate with this version's rules (default: the catalog's)")
    p.add_argument("--format", choices=("text", "json"), default="text")
    p.set_defaults(run=run)


def run(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    if args.url:
        return _run_live(args, out, err)
    if args.compare:
        raise ComfyContractError("--compare needs --url", hint="comfy-contract validate FILE --url URL --compare")
    catalogs = _catalogs(args)
    rejected = False
    input_errors = 0
    if args.format != "json":
        for backend, catalog in catalogs.items():
            out.write(era_line(catalog.era_summary(), None if backend is None else (backend,)) + "\n")
    for path in args.files:
        try:
            data = read_json(path)
            if not isinstance(data, dict):
                raise InputError(
                    path, f"expected a JSON object (a workflow or a /prompt body), got {type(data).__name__}",
                    hint="ComfyUI itself would answer 400 no_prompt or 500 for such a body",
                )
            if _is_render_manifest(data):
                raise InputError(
                    path, "this is the manifest.json of `comfy-contract render` (each config's outcome and files), "
                    "not a workflow", hint="validate the workflow files it lists (the other *.json files of the "
                    "render folder), or run `comfy-contract check`")
        except InputError as exc:
            input_errors += 1
            print(f"comfy-contract: error: {exc}", file=err)
            continue
        is_body = is_request_body(data)
        for backend, catalog in catalogs.items():
            verdict = validate_request(data, catalog) if is_body else validate(data, catalog)
            rejected = rejected or not verdict.accepted
            if args.format == "json":
                line: dict[str, Any] = {"file": path, "status": verdict.status, "body": verdict.body,
                                        "era": verdict.era}
                if backend is not None:
                    line["backend"] = backend
                out.write(dumps(line) + "\n")
            else:
                out.write(verdict_text(path if backend is None else f"{path} [backend {backend}]", verdict) + "\n")
        if args.format != "json":
            for note in structure_findings(data if is_body else {"prompt": data}):
                out.write(f"  note: {note.code} {note.message}\n")
    if input_errors:
        return 2
    return 1 if rejected else 0


def _catalogs(args: argparse.Namespace) -> dict[str | None, Catalog]:
    """``--catalog`` (merged, one unnamed catalog), else every backend of the project (as `check` uses); with
    ``--comfyui-version`` each validates with that version's (or era id's) rules."""
    if args.catalog:
        merged = merge_catalogs(args.catalog)
        return {None: merged.with_era(args.comfyui_version) if args.comfyui_version else merged}
    from comfy_contract.check.project import find_project_file, load_project

    if args.project is None and find_project_file() is None:
        raise ComfyContractError("validate needs --catalog (offline), a project with backends, or --url (a server)",
                                 hint="e.g. --catalog contracts/catalogs/comfyui-0.3.75.json")
    project = load_project(args.project)
    backends: dict[str | None, Catalog] = {}
    backends.update({name: catalog.with_era(args.comfyui_version) if args.comfyui_version else catalog
                     for name, catalog in project.backends().items()})
    if not backends:
        raise ComfyContractError(f"{project.file}: the project names no backends to validate against",
                                 hint="add `backends:` to the project file, or pass --catalog")
    return backends


def _is_render_manifest(data: dict[str, Any]) -> bool:
    """``{"configs": [...]}``: what ``comfy-contract render`` writes next to the workflows (no workflow has a
    node ``configs`` holding a list)."""
    return isinstance(data.get("configs"), list) and "prompt" not in data


def _read_body(path: str, err: TextIO) -> dict[str, Any] | None:
    try:
        data = read_json(path)
        if not isinstance(data, dict):
            raise InputError(path, f"expected a JSON object (a workflow or a /prompt body), got {type(data).__name__}")
    except InputError as exc:
        print(f"comfy-contract: error: {exc}", file=err)
        return None
    return data if is_request_body(data) else {"prompt": data, "client_id": "comfy-contract"}


def _run_live(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    from comfy_contract.live.agreement import differences
    from comfy_contract.live.client import ComfyClient

    rejected = disagreed = input_errors = 0
    with ComfyClient(args.url, timeout=args.timeout) as client:
        catalog = None
        if args.compare:
            catalog = (merge_catalogs(args.catalog, comfyui_version=args.comfyui_version) if args.catalog
                       else client.catalog())
        for path in args.files:
            body = _read_body(path, err)
            if body is None:
                input_errors += 1
                continue
            answer = client.post_prompt(body)
            rejected += answer.status != 200
            diffs: list[str] = []
            verdict = None
            if catalog is not None:
                verdict = validate_request(body, catalog, era=args.comfyui_version or None)
                diffs = differences(verdict.status, verdict.body, answer.status, answer.body)
                disagreed += bool(diffs)
            if args.format == "json":
                line: dict[str, Any] = {"file": path, "url": client.url, "status": answer.status, "body": answer.body}
                if verdict is not None:
                    line["offline"] = {"status": verdict.status, "body": verdict.body}
                    line["findings"] = [f.to_dict() for f in _disagreement(path, client.url, diffs)]
                out.write(dumps(line) + "\n")
            else:
                state = "accepted" if answer.status == 200 else "REJECTED"
                out.write(f"{path}: {client.url} answered HTTP {answer.status} ({state}) in {answer.elapsed_s:.3f}s\n")
                if answer.status != 200:
                    out.write("  " + dumps(answer.body) + "\n")
                for finding in _disagreement(path, client.url, diffs):
                    out.write(f"  {finding.code} {finding.message}\n")
                if verdict is not None and not diffs:
                    out.write(f"  offline verdict agrees (HTTP {verdict.status})\n")
    if input_errors:
        return 2
    return 1 if rejected or disagreed else 0


def _disagreement(path: str, url: str, diffs: list[str]) -> list[Finding]:
    if not diffs:
        return []
    return [Finding("D020", f"{url} answered differently from the offline verdict: {'; '.join(diffs)}",
                    Severity.ERROR, file=path)]
