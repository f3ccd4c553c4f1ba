"""``skillmatch serve``: run the HTTP ranking service under uvicorn.

The API key comes from ``--api-key`` or the ``SKILLMATCH_API_KEY`` environment variable; the
command line is the only place that reads it, the library takes it as an argument.

Signals: SIGTERM/SIGINT stop accepting connections, finish the requests in flight (up to
``--graceful-timeout`` seconds) and exit 0. SIGHUP reloads the model without dropping
requests: with one worker the new model is built in a thread and swapped in atomically; with
``--workers N`` uvicorn replaces the workers one by one, each new one ready before the old
one is retired.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import signal
import sys
import threading
from pathlib import Path
from typing import TYPE_CHECKING, Any

from skillmatch.cli._common import positive_int

if TYPE_CHECKING:
    from fastapi import FastAPI

__all__ = ["app_from_environment", "register", "run_server"]

_API_KEY_ENV = "SKILLMATCH_API_KEY"
_CONFIG_ENV = "SKILLMATCH_SERVE_CONFIG"  # hands the options to uvicorn's worker processes
_log = logging.getLogger("skillmatch.service.app")


def _port(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a port 0..65535, got {text!r}") from None
    if not 0 <= value <= 65535:
        raise argparse.ArgumentTypeError(f"expected a port 0..65535, got {text!r}")
    return value


def register(subparsers: Any) -> argparse.ArgumentParser:
    """Add the ``serve`` subcommand to ``subparsers`` (from ``parser.add_subparsers()``)."""
    p: argparse.ArgumentParser = subparsers.add_parser(
        "serve",
        help="run the HTTP ranking service (skillmatch[service])",
        description=__doc__.split("\n\n")[0] if __doc__ else None,
    )
    p.add_argument(
        "--bundle",
        type=Path,
        default=None,
        help="model bundle directory (default: the default model)",
    )
    p.add_argument("--host", default="127.0.0.1", help="interface to bind (127.0.0.1)")
    p.add_argument("--port", type=_port, default=8000, help="TCP port (8000)")
    p.add_argument("--workers", type=positive_int, default=1, help="worker processes (1)")
    p.add_argument(
        "--threads",
        type=positive_int,
        default=1,
        help="torch threads per worker process for encoding new phrases (1)",
    )
    p.add_argument(
        "--api-key",
        default=None,
        help=f"require this X-API-Key on /v1 requests (default: ${_API_KEY_ENV})",
    )
    p.add_argument("--max-batch", type=positive_int, default=100, help="workers per batch (100)")
    p.add_argument(
        "--max-body-bytes",
        type=positive_int,
        default=2 * 1024 * 1024,
        help="larger request bodies get 413 (2 MiB)",
    )
    p.add_argument(
        "--graceful-timeout",
        type=positive_int,
        default=30,
        help="seconds to finish in-flight requests on shutdown (30)",
    )
    p.add_argument(
        "--log-level", default="info", choices=("critical", "error", "warning", "info", "debug")
    )
    p.add_argument(
        "--openapi",
        action="store_true",
        help="print the OpenAPI document and exit (no model is loaded)",
    )
    p.set_defaults(func=_serve)
    return p


def _options(args: argparse.Namespace) -> dict[str, Any]:
    return {
        "bundle": None if args.bundle is None else str(args.bundle),
        "max_batch": args.max_batch,
        "max_body_bytes": args.max_body_bytes,
    }


def _serve(args: argparse.Namespace) -> int:
    from skillmatch.service.app import create_app, openapi_document

    if args.openapi:
        print(json.dumps(openapi_document(), indent=2, ensure_ascii=False))
        return 0
    api_key = args.api_key or os.environ.get(_API_KEY_ENV) or None
    if args.workers == 1:
        _configure_logging(args.log_level)
        _limit_torch_threads(args.threads)
        print(
            f"skillmatch serve: loading the model on http://{args.host}:{args.port} ...",
            file=sys.stderr,
        )
        app = create_app(api_key=api_key, **_options(args))
        return run_server(
            app,
            host=args.host,
            port=args.port,
            log_level=args.log_level,
            graceful_timeout=args.graceful_timeout,
        )
    return _serve_workers(args, api_key)


def _serve_workers(args: argparse.Namespace, api_key: str | None) -> int:
    import socket

    import uvicorn
    from uvicorn.supervisors import Multiprocess

    os.environ[_CONFIG_ENV] = json.dumps(
        {**_options(args), "log_level": args.log_level, "threads": args.threads}
    )
    if api_key is not None:
        os.environ[_API_KEY_ENV] = api_key
    config = uvicorn.Config(
        "skillmatch.cli.serve:app_from_environment",
        factory=True,
        host=args.host,
        port=args.port,
        workers=args.workers,
        access_log=False,
        log_level=args.log_level,
        timeout_graceful_shutdown=args.graceful_timeout,
        timeout_worker_healthcheck=900,
    )
    sock = config.bind_socket()
    # uvicorn.run(workers=N) binds a socket whose proto is 0, so asyncio does not set
    # TCP_NODELAY on accepted connections and every response (headers and body written
    # separately) stalls ~40 ms on Nagle + delayed ACK. Accepted sockets inherit it from here.
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    Multiprocess(config, sockets=[sock]).run()
    return 0


def app_from_environment() -> FastAPI:
    """App factory for uvicorn's worker processes (``skillmatch serve --workers N``)."""
    from skillmatch.service.app import create_app

    options = json.loads(os.environ.get(_CONFIG_ENV, "{}"))
    _configure_logging(options.pop("log_level", "info"))
    _limit_torch_threads(options.pop("threads", 1))
    return create_app(api_key=os.environ.get(_API_KEY_ENV) or None, **options)


def _limit_torch_threads(n: int) -> None:
    """Few intra-op threads per process: with several workers on few cores, torch's thread
    pool contends with the other workers and a short encode gets many times slower."""
    try:
        import torch
    except ImportError:  # pragma: no cover - torch comes with sentence-transformers
        return
    torch.set_num_threads(n)


def _configure_logging(level: str) -> None:
    if not _log.handlers:
        handler = logging.StreamHandler(sys.stderr)
        handler.setFormatter(logging.Formatter("%(asctime)s %(name)s %(message)s"))
        _log.addHandler(handler)
        _log.propagate = False
    _log.setLevel(level.upper())


def _reload_in_background(app: FastAPI) -> None:
    def reload() -> None:
        try:
            result = app.state.skillmatch.reload()
        except Exception as exc:
            app.state.metrics.event("reloads", "error")
            _log.error(
                "SIGHUP reload failed (%s: %s); the previous model keeps serving",
                type(exc).__name__,
                exc,
            )
            return
        app.state.metrics.event("reloads", "ok")
        _log.info(
            "SIGHUP reload: model %s -> %s in %.1f s",
            result.previous_model[:12],
            result.model[:12],
            result.seconds,
        )

    threading.Thread(target=reload, name="skillmatch-reload", daemon=True).start()


def _exit_cleanly(signum: int, frame: object) -> None:
    raise SystemExit(0)


def run_server(
    app: FastAPI,
    *,
    host: str = "127.0.0.1",
    port: int = 8000,
    log_level: str = "info",
    graceful_timeout: int = 30,
) -> int:
    """Serve ``app`` with one uvicorn process; SIGHUP reloads, SIGTERM shuts down gracefully.

    Returns 0 after a graceful shutdown.
    """
    import uvicorn

    _configure_logging(log_level)
    config = uvicorn.Config(
        app,
        host=host,
        port=port,
        access_log=False,
        log_level=log_level,
        timeout_graceful_shutdown=graceful_timeout,
        lifespan="off",
    )
    server = uvicorn.Server(config)
    signal.signal(signal.SIGHUP, lambda signum, frame: _reload_in_background(app))
    # uvicorn re-raises the signal it stopped on after the graceful shutdown, with the handler
    # found before it started: make that handler a clean exit instead of death by signal.
    signal.signal(signal.SIGTERM, _exit_cleanly)
    signal.signal(signal.SIGINT, _exit_cleanly)
    try:
        server.run()
    except SystemExit as stop:
        return int(stop.code or 0)
    return 0
