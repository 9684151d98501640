"""Direction of the rumours found (issue 9: "direction right on ≥ 0.95 of found pairs").

Run from the repository root::

    python -m bench.direction [--corpus tests/data/corpus.jsonl] [--errors]

Every item goes through the real matcher and rumour extractor, as in ``bench.eval``. Of the predicted
(player → to-club) pairs that match a labelled rumour, the report counts those whose ``from`` club also
matches the label (an extension's ``from`` is null on both sides). It also counts *reversed* pairs: a
predicted destination that is the labelled ``from`` club of a rumour about the same player (the
player's own club read as where he is going), a direction error the found-pair ratio cannot see.
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from bench.eval import DEFAULT_CORPUS, SEEDS, _Names, load_corpus
from bot.catalogue import Matcher, load_catalogue
from bot.language import extract_rumours
from bot.models import EntityKind
from bot.sources import load_sources


def direction(corpus_path: Path = DEFAULT_CORPUS) -> dict[str, Any]:
    """Found pairs, how many carry the labelled ``from``, reversed pairs, and one line per error."""
    catalogue = load_catalogue(SEEDS)
    matcher = Matcher(catalogue)
    directory = load_sources(SEEDS / "sources.toml")
    names = _Names(catalogue)
    found = right = reversed_pairs = 0
    errors: list[str] = []
    for item in load_corpus(corpus_path):
        match = matcher.match_item(item["title"], item["summary"])
        feed_source = directory.for_feed(None, item.get("feed"))
        rumours = extract_rumours(match, catalogue, sources=directory, feed_source=feed_source)
        gold: dict[tuple[str, str], str | None] = {}
        for label in item["rumours"]:
            player = names.id(EntityKind.PLAYER, label["player"])
            origin = names.id(EntityKind.CLUB, label["from"]) if label["from"] else None
            gold[(player, names.id(EntityKind.CLUB, label["to"]))] = origin
        origins = {(player, origin) for (player, _), origin in gold.items() if origin}
        for rumour in rumours:
            pair = (rumour.player_id, rumour.to_club_id)
            if pair in gold:
                found += 1
                if rumour.from_club_id == gold[pair]:
                    right += 1
                else:
                    wrong = f"from {rumour.from_club_id} (want {gold[pair]})"
                    errors.append(f"{item['id']}: {pair[0]} -> {pair[1]} {wrong}")
            elif pair in origins:
                reversed_pairs += 1
                errors.append(f"{item['id']}: reversed {pair[0]} -> {pair[1]} (labelled as his from club)")
    return {
        "found": found,
        "right": right,
        "accuracy": right / found if found else None,
        "reversed": reversed_pairs,
        "errors": errors,
    }


def main(argv: list[str] | None = None) -> int:
    """Print the direction report; exit status 0."""
    parser = argparse.ArgumentParser(prog="python -m bench.direction", description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS)
    parser.add_argument("--errors", action="store_true", help="list every wrong from club and reversed pair")
    args = parser.parse_args(argv)
    result = direction(args.corpus)
    accuracy = f"{result['accuracy']:.3f}" if result["accuracy"] is not None else "n/a"
    print(f"corpus: {args.corpus}")
    print(f"  found pairs {result['found']}, from right on {result['right']}: direction {accuracy}")
    print(f"  reversed pairs (destination = labelled from club): {result['reversed']}")
    if args.errors:
        for line in result["errors"]:
            print("  " + line)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
