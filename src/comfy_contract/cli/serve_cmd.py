"""``comfy-contract serve``: a stand-in ComfyUI on loopback that answers ``/prompt`` like the real one.

See docs/live.md. Prints ``comfy-contract serve: listening on URL ...`` once it accepts connections (with
``--port 0`` the port is picked by the system), then serves until interrupted (exit 0).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import signal
from pathlib import Path
from typing import Any, TextIO

from comfy_contract.core.errors import ComfyContractError


def add_parser(sub: Any) -> None:
    p = sub.add_parser(
        "serve",
        help="run a stand-in ComfyUI that validates /prompt offline and completes prompts with stub results",
        description="Serve ComfyUI's API (/prompt, /object_info, /history, /view, /upload/image, /ws, ...) on "
        "loopback, answering POST /prompt exactly as the ComfyUI of the catalog's era would, and completing "
        "accepted prompts with small generated files (or a configured execution error). Catalog: --catalog "
        "files, else --backend of the project, else the project's first backend, else the bundled stock catalog.",
    )
    src = p.add_mutually_exclusive_group()
    src.add_argument("--catalog", action="append", metavar="FILE",
                     help="object_info snapshot; repeat to merge custom-node packs into a stock dump")
    src.add_argument("--backend", metavar="NAME", help="the catalog of this backend of the project")
    p.add_argument("--project", metavar="PATH", help="project file or folder (default: found from the current one)")
    p.add_argument("--host", default="127.0.0.1", help="address to bind (default: 127.0.0.1)")
    p.add_argument("--port", type=int, default=8188, help="port (default: 8188; 0 picks a free one)")
    p.add_argument("--prefix", default="", metavar="PATH",
                   help="serve every route under this path too, e.g. /ComfyBackendDirect (a proxy's path)")
    p.add_argument("--result", choices=("auto", "image", "audio", "video", "error"), default="auto",
                   help="what executed prompts produce (auto: by output node class; error: an execution error)")
    p.add_argument("--error-node", metavar="ID_OR_CLASS", help="with --result error: the node that fails")
    p.add_argument("--error-message", default=None, metavar="TEXT", help="with --result error: its message")
    p.add_argument("--delay", type=float, default=0.0, metavar="SECONDS", help="time each prompt takes to run")
    p.add_argument("--record", metavar="FILE", help="append every POST /prompt (body and answer) to this JSONL file")
    p.add_argument("--files", metavar="DIR", help="folder for output/, input/ and temp/ (default: a temporary one)")
    p.add_argument("--max-body-mb", type=float, default=100.0, metavar="MB",
                   help="largest request body; bigger ones get HTTP 413 (default: 100, as ComfyUI)")
    p.add_argument("--max-history", type=int, default=1000, metavar="N",
                   help="history entries kept in memory (oldest dropped; default: 1000)")
    p.set_defaults(run=run)


def _catalog(args: argparse.Namespace) -> tuple[Any, str]:
    from comfy_contract.validation.catalog import load_catalog, merge_catalogs

    if args.catalog:
        return merge_catalogs(args.catalog), ", ".join(args.catalog)
    from comfy_contract.check.project import find_project_file, load_project

    path = Path(args.project) if args.project else None
    found = (load_project(start=path) if path is not None and path.is_dir() else load_project(path)
             if path is not None else load_project() if find_project_file() else None)
    if found is None:
        if args.backend:
            raise ComfyContractError("--backend needs a project file (comfy-contract.yaml) and none was found",
                                     hint="pass --project PATH, or --catalog FILE")
        from comfy_contract.cli.init_cmd import bundled_catalog

        bundled = bundled_catalog()
        if bundled is None:
            raise ComfyContractError("no catalog given and no project found", hint="pass --catalog FILE")
        return load_catalog(bundled), str(bundled)
    specs = found.backend_specs
    if not specs:
        raise ComfyContractError(f"{found.file}: the project names no backends", hint="pass --catalog FILE")
    name = args.backend or next(iter(specs))
    if name not in specs:
        raise ComfyContractError(f"no backend {name!r} in {found.file}",
                                 hint=f"backends: {', '.join(specs)}")
    return specs[name].catalog(), f"backend {name!r} of {found.file}"


def run(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    from comfy_contract.live.standin import StandinOptions, serve

    if not 0 <= args.port <= 65535:
        raise ComfyContractError(f"--port {args.port} is not a port number (0 picks a free one)")
    catalog, source = _catalog(args)
    try:
        options = StandinOptions(
            result=args.result, error_node=args.error_node,
            **({"error_message": args.error_message} if args.error_message else {}),
            delay=max(0.0, args.delay), max_body=int(args.max_body_mb * 1024 * 1024),
            max_history=max(1, args.max_history), record=Path(args.record) if args.record else None,
            files=Path(args.files) if args.files else None, prefix=args.prefix.rstrip("/"),
        )
    except ValueError as exc:
        raise ComfyContractError(str(exc)) from None

    def ready(url: str) -> None:
        out.write(f"comfy-contract serve: listening on {url} (ComfyUI {catalog.comfyui_version or '?'}, era "
                  f"{catalog.era.id}, {len(catalog)} node classes from {source}); Ctrl-C stops\n")
        out.flush()

    async def main() -> None:
        task = asyncio.current_task()
        assert task is not None
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGINT, signal.SIGTERM):
            with contextlib.suppress(NotImplementedError, RuntimeError):  # not the main thread / no signals
                loop.add_signal_handler(sig, task.cancel)
        await serve(catalog, options, host=args.host, port=args.port, ready=ready)

    try:
        asyncio.run(main())
    except asyncio.CancelledError:
        pass
    except OSError as exc:
        raise ComfyContractError(f"cannot listen on {args.host}:{args.port}: {exc.strerror or exc}",
                                 hint="pick another --port, or 0 for a free one") from None
    out.write("comfy-contract serve: stopped\n")
    return 0
