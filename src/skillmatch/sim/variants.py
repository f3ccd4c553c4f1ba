"""Surface-form generators: synonyms, abbreviations, typos, colloquial Chinese, mixed language.

:func:`build_forms` splits the generated forms of every skill into two disjoint sets:

* the *held-out* variants (``World.skill_variants``), used only to evaluate skill matching;
* the *claim* forms (``World.claim_forms``), which simulated workers write in their profiles.

Neither set contains a skill's name, Chinese name or public alias, and a phrase that several
skills would produce is dropped, so every variant names exactly one skill. Rule-based forms are
shuffled between the two sets; typos come from two different random streams.
"""

from __future__ import annotations

import random
import re
from collections import Counter

import pandas as pd

from skillmatch.sim.taxonomy import norm

__all__ = ["VARIANT_KINDS", "build_forms", "kind_of", "typo"]

VARIANT_KINDS: tuple[str, ...] = ("synonym", "abbreviation", "typo", "zh", "mixed")
_SYNONYMS = {
    "operation": "operating",
    "maintenance": "servicing",
    "programming": "coding",
    "inspection": "checking",
    "assembly": "assembling",
    "testing": "tests",
    "installation": "installing",
    "analysis": "analytics",
    "management": "managing",
    "machining": "machine work",
    "welding": "weld work",
    "design": "designing",
    "commissioning": "start-up",
    "repair": "fixing",
    "control": "controls",
    "production": "manufacture",
    "processing": "treatment",
    "modelling": "modeling",
    "mould": "mold",
    "moulding": "molding",
    "aluminium": "aluminum",
    "fibre": "fiber",
    "colour": "color",
    "organisation": "organization",
    "calibration": "calibrating",
}
_ABBREVIATIONS = {
    "programming": "prog.",
    "maintenance": "maint.",
    "inspection": "insp.",
    "operation": "ops",
    "management": "mgmt",
    "manufacturing": "mfg",
    "engineering": "eng.",
    "equipment": "equip.",
    "technology": "tech",
    "installation": "install",
    "assembly": "assy",
    "control": "ctrl",
    "electrical": "elec.",
    "machine": "mach.",
    "process": "proc.",
    "system": "sys",
    "systems": "sys",
    "commissioning": "comm.",
    "quality": "qual.",
    "testing": "test",
}
_ZH_SUFFIXES = ("操作", "技术", "工艺", "作业", "管理", "应用", "维护", "规范")
_ZH_VERBS = (
    "编程",
    "操作",
    "维修",
    "维护",
    "调试",
    "检测",
    "测试",
    "安装",
    "焊接",
    "装配",
    "设计",
    "分析",
    "管理",
    "加工",
    "控制",
    "检验",
)
_ZH_PREFIXES = ("会", "熟悉", "懂")
_ZH_TAILS = ("经验", "技能", "相关工作")
_KEYBOARD = "qwertyuiopasdfghjklzxcvbnm"
_CJK = re.compile(r"[\u3400-\u9fff]")
_LATIN = re.compile(r"[A-Za-z]")


def kind_of(phrase: str) -> str:
    """Classify a phrase as ``zh``, ``mixed``, ``abbreviation`` or ``synonym``."""
    cjk, latin = bool(_CJK.search(phrase)), bool(_LATIN.search(phrase))
    if cjk:
        return "mixed" if latin else "zh"
    if phrase.replace("-", "").replace(" ", "").isupper() and len(phrase) <= 8:
        return "abbreviation"
    return "synonym"


def typo(text: str, rng: random.Random) -> str | None:
    """Drop, double, swap or mistype one letter of a word of ``text``; None if impossible.

    Examples
    --------
    >>> typo("welding", random.Random(1)) != "welding"
    True
    """
    words = text.split(" ")
    candidates = [i for i, w in enumerate(words) if len(w) >= 4 and w.isalpha()]
    if not candidates:
        return None
    i = rng.choice(candidates)
    word = words[i]
    pos = rng.randrange(1, len(word) - 1)
    op = rng.randrange(4)
    if op == 0:
        new = word[:pos] + word[pos + 1 :]
    elif op == 1:
        new = word[:pos] + word[pos] + word[pos:]
    elif op == 2:
        new = word[:pos] + word[pos + 1] + word[pos] + word[pos + 2 :]
    else:
        k = _KEYBOARD.find(word[pos].lower())
        new = word[:pos] + _KEYBOARD[(k + 1) % len(_KEYBOARD)] + word[pos + 1 :]
    if new == word:
        return None
    return " ".join(words[:i] + [new] + words[i + 1 :])


def _substitute(name: str, table: dict[str, str]) -> list[str]:
    words = name.split(" ")
    out = []
    for i, word in enumerate(words):
        replacement = table.get(word.lower())
        if replacement:
            out.append(" ".join(words[:i] + [replacement] + words[i + 1 :]).lower())
    return out[:2]


def _zh_forms(zh: str) -> list[str]:
    out = [f"{_ZH_PREFIXES[len(zh) % 3]}{zh}", f"{zh}{_ZH_TAILS[len(zh) % 3]}"]
    for suffix in _ZH_SUFFIXES:
        if zh.endswith(suffix) and len(zh) - len(suffix) >= 2:
            out.append(zh[: -len(suffix)])
    return out


def _mixed_forms(zh: str, aliases: list[str]) -> list[str]:
    acronyms = [a for a in aliases if kind_of(a) == "abbreviation"]
    latin = sorted((a for a in aliases if not _CJK.search(a)), key=len)
    out = [f"{acronyms[0]}{verb}" for verb in _ZH_VERBS if acronyms and zh.endswith(verb)]
    if latin:
        out.append(f"{zh}({latin[0]})")
    return out


def _rule_forms(name: str, zh: str, aliases: list[str], hand: list[str]) -> list[tuple[str, str]]:
    forms = [(p, "synonym") for p in _substitute(name, _SYNONYMS)]
    forms += [(p, "abbreviation") for p in _substitute(name, _ABBREVIATIONS)]
    forms += [(p, "zh") for p in _zh_forms(zh)]
    forms += [(p, "mixed") for p in _mixed_forms(zh, aliases)]
    return forms + [(p, kind_of(p)) for p in hand]


def _typos(name: str, aliases: list[str], rng: random.Random, n: int) -> list[tuple[str, str]]:
    sources = [name] + [a for a in aliases if not _CJK.search(a) and len(a) > 5]
    out = []
    for _ in range(3 * n):
        form = typo(rng.choice(sources), rng)
        if form is not None and form not in out:
            out.append(form)
        if len(out) == n:
            break
    return [(p, "typo") for p in out]


def _public_forms(skills: pd.DataFrame) -> set[str]:
    forms = {norm(s) for s in skills["name"]} | {norm(s) for s in skills["name_zh"]}
    return forms | {norm(a) for aliases in skills["aliases"] for a in aliases}


def build_forms(
    skills: pd.DataFrame, hand: list[list[str]], seed: int
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Return ``(held_out, claim_forms)``, both with columns ``phrase, skill_id, kind``."""
    held_rng, claim_rng, split_rng = (
        random.Random(f"{seed}:{k}") for k in ("held", "claim", "split")
    )
    candidates: list[tuple[str, str, str, bool]] = []  # phrase, skill_id, kind, is_held_out
    rows = zip(
        skills["skill_id"], skills["name"], skills["name_zh"], skills["aliases"], hand, strict=True
    )
    for skill_id, name, zh, aliases, hand_forms in rows:
        for phrase, kind in _rule_forms(name, zh, list(aliases), hand_forms):
            to_held = phrase in hand_forms or split_rng.random() < 0.6
            candidates.append((phrase, skill_id, kind, to_held))
        candidates += [(p, skill_id, k, True) for p, k in _typos(name, aliases, held_rng, 2)]
        candidates += [(p, skill_id, k, False) for p, k in _typos(name, aliases, claim_rng, 2)]
    public = _public_forms(skills)
    owners = Counter(key for key, _skill_id in {(norm(c[0]), c[1]) for c in candidates})
    held_phrases = {norm(c[0]) for c in candidates if c[3]}
    held: list[tuple[str, str, str]] = []
    claim: list[tuple[str, str, str]] = []
    seen: set[str] = set()
    for phrase, skill_id, kind, is_held in candidates:
        key = norm(phrase)
        if key in public or owners[key] > 1 or key in seen:
            continue
        if not is_held and key in held_phrases:
            continue
        seen.add(key)
        (held if is_held else claim).append((phrase, skill_id, kind))
    columns = ["phrase", "skill_id", "kind"]
    return pd.DataFrame(held, columns=columns), pd.DataFrame(claim, columns=columns)
