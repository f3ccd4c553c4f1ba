"""uvicorn settings of the HTTP service: every :class:`ServerLimits` applied to the server.

:func:`uvicorn_config` is the one place the command line (``skillmatch serve``) and embedders
get a uvicorn configuration from, with one or several worker processes.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import uvicorn

from skillmatch.service._protocol import GuardedH11Protocol
from skillmatch.service.limits import ServerLimits

__all__ = ["LimitedConfig", "uvicorn_config"]


class LimitedConfig(uvicorn.Config):
    """A uvicorn config that also carries the limits uvicorn has no setting for.

    It is pickled to worker processes as it is, so the limits reach every worker.
    """

    header_timeout: float
    max_connections: int


def uvicorn_config(
    app: Any | Callable[[], Any] | str,
    *,
    limits: ServerLimits,
    host: str = "127.0.0.1",
    port: int = 8000,
    log_level: str = "info",
    graceful_timeout: int = 30,
    **options: Any,
) -> LimitedConfig:
    """A uvicorn config that enforces ``limits``.

    Parameters
    ----------
    app : ASGI app, or an import string such as ``"pkg.mod:factory"``
        What uvicorn serves; extra ``options`` (``factory=True``, ``workers=N``) go to uvicorn.
    limits : ServerLimits
        Header timeout and connection cap (in the h11 protocol), keep-alive timeout,
        concurrency limit and backlog (uvicorn's own settings).
    host, port, log_level, graceful_timeout
        As uvicorn's ``host``, ``port``, ``log_level`` and ``timeout_graceful_shutdown``.

    Returns
    -------
    LimitedConfig

    Examples
    --------
    >>> config = uvicorn_config("m:app", limits=ServerLimits(keep_alive_timeout=2))
    >>> config.timeout_keep_alive, config.limit_concurrency, config.header_timeout
    (2, 512, 10.0)
    """
    config = LimitedConfig(
        app,
        host=host,
        port=port,
        http=GuardedH11Protocol,
        loop="skillmatch.service._protocol:GuardedEventLoop",
        access_log=False,
        log_level=log_level,
        timeout_graceful_shutdown=graceful_timeout,
        timeout_keep_alive=limits.keep_alive_timeout,
        limit_concurrency=limits.limit_concurrency,
        backlog=limits.backlog,
        **options,
    )
    config.header_timeout = limits.header_timeout
    config.max_connections = limits.max_connections
    return config
