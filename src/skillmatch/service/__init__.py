"""HTTP service layer: a FastAPI app over the ranking API (``pip install "skillmatch[service]"``).

The web framework is imported here and nowhere else in the package.
"""

from __future__ import annotations

from skillmatch.service.app import (
    DEFAULT_MAX_BODY_BYTES,
    ServerLimits,
    ServiceState,
    create_app,
    openapi_document,
)

__all__ = [
    "DEFAULT_MAX_BODY_BYTES",
    "ServerLimits",
    "ServiceState",
    "create_app",
    "openapi_document",
]
