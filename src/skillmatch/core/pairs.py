"""From ranked pairs to what a worker reads: recommendations with reasons, and explanations.

Sentences are built only for the recommendations a worker actually sees; batch scoring keeps
the reason codes alone.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

from skillmatch.core.blocks import WorkerBlock
from skillmatch.core.explain import PairSkills, exclusion_fields, reason_context, served_nodes
from skillmatch.core.feature_names import FEATURE_NAMES, PairFeatures
from skillmatch.core.features import FeatureBuilder
from skillmatch.core.rank import Ranker
from skillmatch.core.reason_texts import ReasonContext
from skillmatch.core.reasons import RULES, exclusion_reasons, make_reason, reason_codes
from skillmatch.core.scoring import Ranked
from skillmatch.schema import Explanation, FeatureContribution, Recommendation, Worker

__all__ = ["RULE_FEATURE", "explanation", "pair_context", "recommendations", "shown_fees"]

#: Column of the feature behind each reason code.
RULE_FEATURE = {r.code: FEATURE_NAMES.index(r.feature) for r in RULES}


def shown_fees(fb: FeatureBuilder, ranked: Ranked) -> NDArray[np.float32]:
    """Net cost of each recommendation of a ranked block, shape (B, k) (0 where none)."""
    index = ranked.top.index
    cols, inverse = np.unique(np.maximum(index, 0), return_inverse=True)
    fees = fb.net_costs(ranked.block, cols)  # (B, distinct programs shown)
    out = np.take_along_axis(fees, inverse.reshape(index.shape), axis=1)
    return np.asarray(np.where(index >= 0, out, 0.0), dtype=np.float32)


def recommendations(
    fb: FeatureBuilder,
    ranked: Ranked,
    w: int,
    demand: NDArray[np.float32],
    fees: NDArray[np.float32] | None = None,
) -> list[Recommendation]:
    """The recommendations of worker ``w`` of a ranked block, with their reasons.

    ``fees`` is row ``w`` of :func:`shown_fees`, computed here when not given.
    """
    cat = fb.catalogue_
    k = ranked.top.index.shape[1]
    block = ranked.block
    # What every pair of this worker shares, computed once: chain weights (and fees).
    ctx = fb.chains_.context(block.chain_region[w : w + 1], block.employer[w : w + 1])
    weights = ctx.industrial[0] + ctx.supply[0]
    out = []
    for r in range(k):
        p = int(ranked.top.index[w, r])
        if p < 0:
            break
        codes = ranked.patterns[ranked.pattern_of[w * k + r]]
        fee = None if fees is None else float(fees[r])
        context = pair_context(
            fb, block, w, p, demand, ranked.values[w, r], node_weights=weights, fee=fee
        )
        reasons = [
            make_reason(c, ranked.contributions[w, r, RULE_FEATURE[c]], context) for c in codes
        ]
        out.append(
            Recommendation(
                program_id=cat.program_ids[p],
                rank=r + 1,
                score=float(ranked.top.score[w, r]),
                reasons=reasons,
            )
        )
    return out


def pair_context(
    fb: FeatureBuilder,
    block: WorkerBlock,
    w: int,
    p: int,
    demand: NDArray[np.float32],
    values: NDArray[np.float32],
    *,
    node_weights: NDArray[np.float32] | None = None,
    fee: float | None = None,
) -> ReasonContext:
    """What the reason sentences of worker ``w`` and program ``p`` may quote.

    ``node_weights`` (the worker's industrial + supply chain weights) and ``fee`` (the net
    cost of ``p`` to ``w``) may be passed when already known; they are computed otherwise.
    """
    cat = fb.catalogue_
    chains = fb.chains_
    if node_weights is None:
        ctx = chains.context(block.chain_region[w : w + 1], block.employer[w : w + 1])
        node_weights = ctx.industrial[0] + ctx.supply[0]
    if fee is None:
        fee = float(fb.net_cost(block, p)[w])
    nodes = served_nodes(chains, cat, p, node_weights)
    return reason_context(
        block=block,
        w=w,
        cat=cat,
        p=p,
        vocab=fb.vocabulary_,
        chains=chains,
        skills=PairSkills(block, w, cat, p, demand),
        nodes=nodes,
        net_cost=fee,
        credit_share=float(values[FEATURE_NAMES.index("credit_transfer")]),
    )


def explanation(fb: FeatureBuilder, ranker: Ranker, worker: Worker, p: int) -> Explanation:
    """Feature contributions, skills, chain nodes, eligibility, cost and reasons of a pair."""
    block = fb.block([worker])
    feats: PairFeatures = fb.compute(block)
    values = feats.values[0, p]
    contrib = ranker.contributions(values[None, :])[0]
    score = float(ranker.predict(values[None, :])[0])
    excluded = int(feats.excluded[0, p])
    cat = fb.catalogue_
    has_required = np.array([cat.n_required[p] > 0])
    goal_named = fb.goal_named(block, np.array([[p]]))[0]
    codes = reason_codes(values[None, :], contrib[None, :], has_required, goal_named)[0]
    demand = fb.skill_demand(block)[0]
    skills = PairSkills(block, 0, cat, p, demand)
    context = pair_context(fb, block, 0, p, demand, values)
    names = fb.vocabulary_.names
    no_weights = np.zeros(fb.chains_.n_nodes, dtype=np.float32)
    return Explanation(
        worker_id=worker.worker_id,
        program_id=cat.program_ids[p],
        eligible=excluded == 0,
        score=score,
        contributions=[
            FeatureContribution(name=n, value=float(values[j]), contribution=float(contrib[j]))
            for j, n in enumerate(FEATURE_NAMES)
        ],
        matched_skills=[names[i] for i in skills.matched],
        missing_skills=[names[i] for i in skills.missing],
        gained_skills=[names[i] for i in skills.gained],
        chain_nodes=[
            fb.chains_.node_ids[j] for j in served_nodes(fb.chains_, cat, p, no_weights, n=20)
        ],
        exclusions=exclusion_reasons(excluded, exclusion_fields(cat, p)),
        net_cost=round(context.net_cost, 2),
        aid_applied=bool(cat.aid_eligible[p]) and context.net_cost < float(cat.cost[p]),
        sponsor=cat.sponsor_name[p],
        reasons=[make_reason(c, contrib[RULE_FEATURE[c]], context) for c in codes],
    )
