"""Matching throughput: the Aho-Corasick matcher vs a per-alias regex loop (shipped and 50,000-alias catalogues)."""

from __future__ import annotations

import random
import re
import time
from pathlib import Path

from anyascii import anyascii

from bot.catalogue import Catalogue, Matcher, load_catalogue, norm
from bot.models import Alias, AliasKind, Entity, EntityKind

SEEDS = Path(__file__).resolve().parent.parent / "seeds"
FILLER = (
    "the club are understood to be weighing up a move before the window closes while sources close to the "
    "player suggest talks could accelerate next week as the coach wants reinforcements in defence and midfield "
    "according to reports in the local press the fee could rise with add-ons and a sell-on clause"
).split()
SYLLABLES = ["dra", "gu", "șin", "øde", "gaard", "ko", "vić", "mül", "ler", "san", "chez", "ło", "wski", "ber", "na",
             "rdo", "ța", "ğan", "ész", "ni", "ro", "al", "ves", "ki", "to", "ma", "ri", "el", "zo", "ju"]


def synthetic_catalogue(base: Catalogue, total_aliases: int, seed: int = 7) -> Catalogue:
    """The shipped catalogue plus generated players until it holds ``total_aliases`` aliases."""
    rng = random.Random(seed)
    entities = list(base.entities.values())
    aliases = list(base.aliases)
    n = 0
    while len(aliases) < total_aliases:
        first = "".join(rng.choice(SYLLABLES) for _ in range(2)).capitalize()
        last = "".join(rng.choice(SYLLABLES) for _ in range(3)).capitalize()
        entity_id = f"player:synthetic-{n}"
        entities.append(Entity(entity_id, EntityKind.PLAYER, f"{first} {last}"))
        aliases.append(Alias(f"{first} {last}", entity_id, AliasKind.STRONG))
        aliases.append(Alias(last, entity_id, AliasKind.STRONG))
        n += 1
    return Catalogue.build(entities, aliases, base.people)


ITEM_CHARS = 400  # a feed item's title + summary: titles run ~80 characters, RSS summaries 200-400


def articles(catalogue: Catalogue, count: int, seed: int = 11, size: int = ITEM_CHARS) -> list[str]:
    """Feed-item-size texts: filler with ~6% alias mentions, 30% ASCII-folded, 30% possessive."""
    rng = random.Random(seed)
    names = [a.text for a in catalogue.aliases]
    out = []
    for _ in range(count):
        words: list[str] = []
        while sum(len(w) + 1 for w in words) < size:
            if rng.random() < 0.06:
                name = rng.choice(names)
                name = anyascii(name) if rng.random() < 0.3 else name
                words.append(name + ("’s" if rng.random() < 0.3 else ""))
            else:
                words.append(rng.choice(FILLER))
        out.append(" ".join(words))
    return out


def regex_baseline(catalogue: Catalogue) -> list[tuple[re.Pattern[str], str]]:
    """The naive approach: one compiled word-bounded regex per alias, over folded text."""
    return [(re.compile(rf"(?<!\w){re.escape(norm(a.text))}(?!\w)"), a.entity_id) for a in catalogue.aliases]


def rate(fn: object, texts: list[str], budget_s: float) -> tuple[float, int]:
    """Articles per second over as many texts as fit in ``budget_s`` (at least one)."""
    call = fn  # type: ignore[assignment]
    start = time.perf_counter()
    done = 0
    for text in texts:
        call(text)  # type: ignore[operator]
        done += 1
        if time.perf_counter() - start > budget_s:
            break
    return done / (time.perf_counter() - start), done


def measure(label: str, catalogue: Catalogue, texts: list[str], budget_s: float) -> None:
    start = time.perf_counter()
    matcher = Matcher(catalogue)
    build = time.perf_counter() - start
    fast, fast_n = rate(matcher.match, texts, budget_s * 2)
    patterns = regex_baseline(catalogue)

    def slow(text: str) -> list[str]:
        folded = norm(text)
        return [eid for pattern, eid in patterns if pattern.search(folded)]

    base, base_n = rate(slow, texts, budget_s)
    print(f"{label}: {len(catalogue.aliases):,} aliases, matcher built in {build:.2f} s")
    print(f"  Aho-Corasick matcher : {fast:10,.0f} articles/s ({fast_n:,} articles)")
    print(f"  per-alias regex loop : {base:10,.1f} articles/s ({base_n:,} articles)  [baseline]")
    print(f"  ratio                : {fast / base:10,.0f}x the baseline")


def run(*, quick: bool = False) -> None:
    base = load_catalogue(SEEDS)
    texts = articles(base, 2_000 if quick else 20_000)
    measure("shipped catalogue", base, texts, 1.0 if quick else 3.0)
    big = synthetic_catalogue(base, 50_000)
    measure("synthetic catalogue", big, articles(big, 2_000 if quick else 20_000), 1.0 if quick else 3.0)
    print("  target: >= 10,000 articles/s at 50,000 aliases")
