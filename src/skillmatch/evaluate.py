"""Evaluation under its historical import path: a module that is also the ``evaluate`` function.

``from skillmatch import evaluate`` has always given the function
:func:`skillmatch.learn.evaluate.evaluate`, and ``skillmatch.evaluate`` the module of
metrics, splitters and reports. The two names used to shadow each other, so
``skillmatch.evaluate.compute_metrics`` failed once the function had been imported. This
module is both: calling it calls the function, and its attributes are those of
:mod:`skillmatch.learn.evaluate`.

Examples
--------
>>> import pandas as pd
>>> import skillmatch
>>> run = pd.DataFrame({"worker_id": ["w1"], "program_id": ["p1"], "score": [1.0]})
>>> qrels = pd.DataFrame({"worker_id": ["w1"], "program_id": ["p1"], "relevance": [1.0]})
>>> skillmatch.evaluate({"m": run}, qrels, metrics=["mrr"])["value"].tolist()
[1.0]
>>> skillmatch.evaluate.compute_metrics is skillmatch.learn.compute_metrics
True
"""

from __future__ import annotations

import sys
import types
from typing import Any

from skillmatch.learn.evaluate import *  # noqa: F403
from skillmatch.learn.evaluate import __all__ as __all__
from skillmatch.learn.evaluate import evaluate as _evaluate


class _CallableModule(types.ModuleType):
    """A module whose call is :func:`skillmatch.learn.evaluate.evaluate`."""

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        return _evaluate(*args, **kwargs)


sys.modules[__name__].__class__ = _CallableModule
