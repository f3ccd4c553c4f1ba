"""``skillmatch serve``: run the HTTP ranking service under uvicorn.

The API key comes from ``--api-key`` or the ``SKILLMATCH_API_KEY`` environment variable; the
command line is the only place that reads it, the library takes it as an argument.

Limits (``--header-timeout``, ``--body-timeout``, ``--keep-alive-timeout``,
``--limit-concurrency``, ``--max-connections``, ``--backlog``, ``--max-body-bytes``,
``--max-inflight-body-bytes``) default to the values of
:class:`~skillmatch.service.limits.ServerLimits` and apply to each worker process, as does
``--phrase-cache-mb`` (the budget of the caches of request phrases, 256 MiB).

Signals: SIGTERM/SIGINT stop accepting connections, finish the requests in flight (up to
``--graceful-timeout`` seconds) and exit 0. SIGHUP reloads the model without dropping
requests: with one worker the new model is built in a thread and swapped in atomically; with
``--workers N`` uvicorn replaces the workers one by one, each new one ready before the old
one is retired. ``POST /v1/admin/reload`` reaches every worker through a generation file the
workers share (see :mod:`skillmatch.service.generation`).
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import shutil
import signal
import sys
import tempfile
import threading
from dataclasses import asdict, fields
from pathlib import Path
from typing import TYPE_CHECKING, Any

from skillmatch.cli._common import bundle_key_from_env, positive_int, sha256_hex
from skillmatch.core import PHRASE_CACHE_BYTES

if TYPE_CHECKING:
    from fastapi import FastAPI

    from skillmatch.service.limits import ServerLimits

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
    p.add_argument(
        "--bundle-sha256",
        type=sha256_hex,
        default=None,
        metavar="HEX",
        help="serve only a bundle whose manifest has this sha256, at start and on every "
        "reload; with $SKILLMATCH_BUNDLE_KEY set, the bundle must also be signed with it",
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
        "--no-page",
        action="store_true",
        help="do not serve the course-finder page at / (the API only)",
    )
    _add_limits(p)
    p.add_argument(
        "--phrase-cache-mb",
        type=positive_int,
        default=PHRASE_CACHE_BYTES >> 20,
        help="MiB for the caches of request phrases, least recently used evicted "
        f"({PHRASE_CACHE_BYTES >> 20})",
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


_LIMIT_HELP = {
    "max_body_bytes": "larger request bodies get 413, checked while they stream in",
    "max_inflight_body_bytes": "request body bytes held at once per worker; past it, 503",
    "header_timeout": "seconds to send a whole request head; then the connection closes",
    "body_timeout": "seconds to send a whole request body; then 408 and the connection closes",
    "keep_alive_timeout": "seconds an idle keep-alive connection stays open",
    "limit_concurrency": "connections or requests per worker past which requests get 503",
    "max_connections": "open connections per worker past which new ones are closed at once",
    "backlog": "connections the kernel queues before they are accepted",
}


def _positive_float(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a number > 0, got {text!r}") from None
    if not value > 0:
        raise argparse.ArgumentTypeError(f"expected a number > 0, got {text!r}")
    return value


def _add_limits(p: argparse.ArgumentParser) -> None:
    from skillmatch.service.limits import ServerLimits

    defaults = ServerLimits()
    for field in fields(ServerLimits):
        default = getattr(defaults, field.name)
        p.add_argument(
            "--" + field.name.replace("_", "-"),
            type=_positive_float if isinstance(default, float) else positive_int,
            default=default,
            help=f"{_LIMIT_HELP[field.name]} ({default})",
        )


def _limits(args: argparse.Namespace) -> ServerLimits:
    from skillmatch.service.limits import ServerLimits

    return ServerLimits(**{f.name: getattr(args, f.name) for f in fields(ServerLimits)}).check()


def _options(args: argparse.Namespace) -> dict[str, Any]:
    return {
        "bundle": None if args.bundle is None else str(args.bundle),
        "max_batch": args.max_batch,
        "bundle_sha256": args.bundle_sha256,
        "page": not args.no_page,
        "phrase_cache_bytes": args.phrase_cache_mb << 20,
    }


def _serve(args: argparse.Namespace) -> int:
    from skillmatch.service.app import create_app, openapi_document

    if args.openapi:
        print(json.dumps(openapi_document(), indent=2, ensure_ascii=False))
        return 0
    api_key = args.api_key or os.environ.get(_API_KEY_ENV) or None
    try:
        limits = _limits(args)
    except ValueError as exc:
        print(f"skillmatch serve: {exc}", file=sys.stderr)
        return 2
    if args.workers == 1:
        _configure_logging(args.log_level)
        _limit_torch_threads(args.threads)
        print(
            f"skillmatch serve: loading the model on http://{args.host}:{args.port} ...",
            file=sys.stderr,
        )
        app = create_app(
            api_key=api_key, limits=limits, bundle_key=bundle_key_from_env(), **_options(args)
        )
        if not args.no_page:
            print(
                f"skillmatch serve: the course-finder page is at http://{args.host}:{args.port}/",
                file=sys.stderr,
            )
        return run_server(
            app,
            host=args.host,
            port=args.port,
            log_level=args.log_level,
            graceful_timeout=args.graceful_timeout,
            limits=limits,
        )
    return _serve_workers(args, api_key, limits)


def _serve_workers(args: argparse.Namespace, api_key: str | None, limits: ServerLimits) -> int:
    import socket

    from uvicorn.supervisors import Multiprocess

    from skillmatch.service.server import uvicorn_config

    shared = Path(tempfile.mkdtemp(prefix="skillmatch-serve-")) / "generation.json"
    os.environ[_CONFIG_ENV] = json.dumps(
        {
            **_options(args),
            "limits": asdict(limits),
            "generation_file": str(shared),
            "log_level": args.log_level,
            "threads": args.threads,
        }
    )
    if api_key is not None:
        os.environ[_API_KEY_ENV] = api_key
    config = uvicorn_config(
        "skillmatch.cli.serve:app_from_environment",
        limits=limits,
        host=args.host,
        port=args.port,
        log_level=args.log_level,
        graceful_timeout=args.graceful_timeout,
        factory=True,
        workers=args.workers,
        timeout_worker_healthcheck=900,
    )
    sock = config.bind_socket()
    # uvicorn.run(workers=N) binds a socket whose proto is 0, so asyncio does not set
    # TCP_NODELAY on accepted connections and every response (headers and body written
    # separately) stalls ~40 ms on Nagle + delayed ACK. Accepted sockets inherit it from here.
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    try:
        Multiprocess(config, sockets=[sock]).run()
    finally:
        shutil.rmtree(shared.parent, ignore_errors=True)
    return 0


def app_from_environment() -> FastAPI:
    """App factory for uvicorn's worker processes (``skillmatch serve --workers N``)."""
    from skillmatch.service.app import create_app
    from skillmatch.service.limits import ServerLimits

    options = json.loads(os.environ.get(_CONFIG_ENV, "{}"))
    _configure_logging(options.pop("log_level", "info"))
    _limit_torch_threads(options.pop("threads", 1))
    limits = ServerLimits(**options.pop("limits", {}))
    return create_app(
        api_key=os.environ.get(_API_KEY_ENV) or None,
        limits=limits,
        bundle_key=bundle_key_from_env(),
        **options,
    )


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
    limits: ServerLimits | None = None,
) -> int:
    """Serve ``app`` with one uvicorn process; SIGHUP reloads, SIGTERM shuts down gracefully.

    ``limits`` (default: the app's own, else :class:`ServerLimits`'s defaults) sets the
    header and keep-alive timeouts, the concurrency and connection limits and the backlog.
    Returns 0 after a graceful shutdown.
    """
    import uvicorn

    from skillmatch.service.limits import ServerLimits
    from skillmatch.service.server import uvicorn_config

    _configure_logging(log_level)
    if limits is None:
        limits = getattr(app.state, "limits", None) or ServerLimits()
    config = uvicorn_config(
        app,
        limits=limits,
        host=host,
        port=port,
        log_level=log_level,
        graceful_timeout=graceful_timeout,
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
