"""The pair features and the hard exclusions, by name.

Features
--------
semantic_fit
    Cosine of the worker's profile vector (skill claims + occupation) with the program's
    (skills taught + title) in a centred, CJK-aware space (see ``skillmatch.text.semantic``),
    rescaled from [0, 0.7] to [0, 1].
goal_fit
    How clearly the worker's stated goal names the program (0 without a goal): the goal is
    matched against each program's title, certificate trade, description and skills with the
    vocabulary's lexical + embedding fusion, and the score is sharpened against the goal's
    best match in the catalogue (see :mod:`skillmatch.core.goals`).
prereq_coverage
    Share of the program's required skills the worker claims (1 when it requires none).
skill_gain
    Growth next to what the worker has: ``4 * left * (1 - left) * m``. ``left`` is the share
    of the program still to learn (each skill taught counts ``1 - claimed level / 5``, all of
    it when the worker does not claim it, weighted by ``0.5 + 0.5 * d`` with ``d`` the demand
    for the skill in the worker's region along the chains), so the product is 1 when half of
    it is new and 0 when all of it is known (nothing to learn) or all new (nothing to build
    on); ``m`` is the mean of those weights over what it teaches (0.5 to 1; 1 without chains).
chain_industrial, chain_supply, chain_innovation
    Program alignment with the chain nodes in demand in the worker's region, adjacent to the
    worker's employer (suppliers and customers), and at an emerging innovation stage.
credential_uplift
    Levels gained: education levels for a credential, certificate levels for a certificate.
schedule_fit, hours_fit, modality_fit
    Sessions against the worker's shift pattern, weekly load against hours available,
    delivery mode against preference.
affordability
    ``cost_scale / (cost_scale + net_cost)``; the net cost is after public aid (for eligible
    workers) and employer or chain-partner sponsorship.
credit_transfer
    Share of what the program teaches that the worker already claims (recognised prior
    learning that shortens it).
sponsorship
    1 if the worker's employer node sponsors it, the supply-chain proximity of the sponsor
    otherwise (0.6 a direct supplier or customer, 0.25 two links away).
program_prior
    How well the program did with workers in the interaction logs (a smoothed enrolment rate,
    scaled so the best program is 1), from ``FeatureBuilder(program_prior=...)``; programs
    without a prior get the median. 0.5 for every program before any log is seen.

Exclusions (hard, never traded against score): education below the minimum, certificate
below the minimum, no capacity left, in-person program not offered in the worker's region, or
the worker already holds what the program awards.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np
from numpy.typing import NDArray

from skillmatch.core._types import FloatArray

__all__ = ["EXCLUSION_CODES", "FEATURE_NAMES", "PairFeatures"]


FEATURE_NAMES: tuple[str, ...] = (
    "semantic_fit",
    "goal_fit",
    "prereq_coverage",
    "skill_gain",
    "chain_industrial",
    "chain_supply",
    "chain_innovation",
    "credential_uplift",
    "schedule_fit",
    "hours_fit",
    "modality_fit",
    "affordability",
    "credit_transfer",
    "sponsorship",
    "program_prior",
)
#: Bit flags of the exclusion mask, in the order they are checked.
EXCLUSION_CODES: tuple[str, ...] = (
    "education_below_minimum",
    "certificate_below_minimum",
    "no_capacity",
    "not_offered_in_region",
    "already_holds_award",
)


class PairFeatures(NamedTuple):
    """Features of a block of workers against the catalogue.

    Attributes
    ----------
    values : ndarray of shape (n_workers, n_programs, n_features)
        Feature values in [0, 1], columns in :data:`FEATURE_NAMES` order.
    excluded : ndarray of shape (n_workers, n_programs), dtype uint8
        Bit ``i`` set when exclusion :data:`EXCLUSION_CODES` ``[i]`` applies; 0 = eligible.
    """

    values: FloatArray
    excluded: NDArray[np.uint8]

    @property
    def eligible(self) -> NDArray[np.bool_]:
        """Boolean mask of shape (n_workers, n_programs)."""
        return np.asarray(self.excluded == 0, dtype=np.bool_)
