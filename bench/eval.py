"""Precision/recall of matching and rumour extraction on the labelled corpus (``make eval``).

Run from the repository root::

    python -m bench.eval [--corpus tests/data/corpus.jsonl] [--errors]

For every corpus item the title and summary go through the real matcher and the real rumour
extractor, read in the item's ``lang`` when it has one (as production reads a feed's items in the
language the feed declares; without one the language is told from the text); predictions are
compared with the labels:

- players, clubs: the sets of catalogue entities mentioned in the item;
- rumours: the set of (player → to-club) pairs; on the pairs found, stage / deal / negation
  agreement is reported too (as accuracies, not part of the F1);
- stories: pairwise precision/recall of the stories the production decider (``bot.stories.decide``) forms
  against the ``story`` labels;
- provisional (only when ``bot.catalogue.provisional.detect`` exists): the names the detector proposes
  for footballers the catalogue lacks, compared (folded: case, diacritics and spacing ignored) with the
  items' ``provisional`` labels; a name proposed in an item without labels is a false positive.

Every measure is also counted per tag; the report prints precision and recall with their counts for
the spelling and difficulty tags (diacritics, nickname, ambiguous, provisional, non-top5, …) and for
every ``league:*`` tag.

``evaluate(path)`` returns the numbers as a dict for tests (``tests/test_eval.py``).
"""

from __future__ import annotations

import argparse
import importlib
import inspect
import json
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from itertools import combinations
from pathlib import Path
from typing import Any

from bot.catalogue import Catalogue, Matcher, load_catalogue
from bot.language import extract_rumours
from bot.language import fold_text as fold
from bot.models import EntityKind, ItemRumours, MatchResult, Rumour
from bot.reading import reported_rumour
from bot.sources import SourceDirectory, load_sources
from bot.stories import decide

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_CORPUS = ROOT / "tests" / "data" / "corpus.jsonl"
SEEDS = ROOT / "seeds"
# Tags whose player/club precision and recall the report prints (plus every ``league:*`` tag).
FOCUS_TAGS = ("diacritics", "no-diacritics", "nickname", "ambiguous", "provisional", "non-top5", "hard-negative")


@dataclass
class Counts:
    """True positives, false positives and false negatives of one measure."""

    tp: int = 0
    fp: int = 0
    fn: int = 0

    def add(self, predicted: set[Any], gold: set[Any]) -> None:
        self.tp += len(predicted & gold)
        self.fp += len(predicted - gold)
        self.fn += len(gold - predicted)

    def scores(self) -> dict[str, float | int]:
        # An empty measure (nothing predicted, nothing expected) is perfect, not undefined.
        precision = self.tp / (self.tp + self.fp) if self.tp + self.fp else 1.0
        recall = self.tp / (self.tp + self.fn) if self.tp + self.fn else 1.0
        f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
        return {"p": precision, "r": recall, "f1": f1, "tp": self.tp, "fp": self.fp, "fn": self.fn}


@dataclass
class _Agreement:
    right: int = 0
    total: int = 0

    def add(self, ok: bool) -> None:
        self.right += ok
        self.total += 1

    def value(self) -> float | None:
        return self.right / self.total if self.total else None


@dataclass
class _Tally:
    players: Counts = field(default_factory=Counts)
    clubs: Counts = field(default_factory=Counts)
    rumours: Counts = field(default_factory=Counts)
    provisional: Counts = field(default_factory=Counts)


def load_corpus(path: Path) -> list[dict[str, Any]]:
    """Read the JSONL corpus (one item per line; blank lines ignored)."""
    items = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if line.strip():
            try:
                items.append(json.loads(line))
            except json.JSONDecodeError as exc:
                raise SystemExit(f"{path}:{number}: invalid JSON: {exc}") from exc
    return items


class _Names:
    """Canonical label names → catalogue ids (diacritic- and case-insensitive)."""

    def __init__(self, catalogue: Catalogue) -> None:
        self._ids: dict[tuple[EntityKind, str], str] = {}
        for entity in catalogue.entities.values():
            self._ids.setdefault((entity.kind, fold(entity.name)), entity.id)
        self.unknown: set[str] = set()

    def id(self, kind: EntityKind, name: str) -> str:
        found = self._ids.get((kind, fold(name)))
        if found is None:
            self.unknown.add(f"{kind.value}: {name}")
            return f"unknown-{kind.value}:{name}"
        return found


def _provisional_detect() -> Any | None:
    """``bot.catalogue.provisional.detect`` when it exists, else None."""
    try:
        module = importlib.import_module("bot.catalogue.provisional")
    except ImportError:
        return None
    detect = getattr(module, "detect", None)
    return detect if callable(detect) else None


def _name_key(name: str) -> str:
    """How provisional names are compared: folded (case, diacritics) with whitespace collapsed."""
    return " ".join(fold(name).split())


class _Provisional:
    """Runs the provisional-player detector; records why it was skipped instead of crashing the eval."""

    def __init__(self, catalogue: Catalogue, sources: SourceDirectory) -> None:
        self._detect = _provisional_detect()
        self._catalogue = catalogue
        self._sources = sources
        self.skipped: str | None = None if self._detect else "bot.catalogue.provisional.detect does not exist yet"

    def names(self, match: MatchResult) -> set[str] | None:
        """The folded names proposed for ``match``; None once the detector is known to be unusable."""
        if self._detect is None or self.skipped is not None:
            return None
        try:
            found = self._detect(match, self._catalogue, sources=self._sources)
            return {_name_key(candidate.name) for candidate in found}
        except Exception as exc:  # the contract is not settled: report, do not crash the eval
            self.skipped = f"bot.catalogue.provisional.detect{inspect.signature(self._detect)} failed: {exc!r}"
            return None


def story_keys(item: dict[str, Any]) -> list[str]:
    """An item's story keys: ``story`` is null, one key, or a list of keys (a digest reports several)."""
    story = item.get("story")
    if story is None:
        return []
    return [story] if isinstance(story, str) else list(story)


def _pairwise(groups: Iterable[Iterable[str]]) -> set[frozenset[str]]:
    pairs: set[frozenset[str]] = set()
    for group in groups:
        pairs.update(frozenset(pair) for pair in combinations(sorted(set(group)), 2))
    return pairs


def _story_scores(items: list[dict[str, Any]], predictions: dict[str, list[Rumour]]) -> dict[str, Any]:
    """Group the items into stories with the production decider and score the groups pairwise.

    Every item's rumours become reports exactly as ingest makes them (``bot.reading.reported_rumour``)
    and the whole corpus is one batch for ``bot.stories.decide`` — the function the ingest transaction
    calls. Two items form a gold pair when they share a ``story`` key; a predicted pair when the
    decider puts them in one story (an item in several stories pairs with the members of each).
    """
    batch = [
        ItemRumours(
            index,
            datetime.fromisoformat(item["published"].replace("Z", "+00:00")),
            tuple(reported_rumour(r, item["feed"], None) for r in predictions[item["id"]]),
        )
        for index, item in enumerate(items)
    ]
    decision = decide(batch, [], 1)
    members: dict[int, set[str]] = defaultdict(set)
    for report in decision.reports:
        members[report.story_id].add(items[report.item_id]["id"])
    groups = [sorted(group) for group in members.values() if len(group) > 1]
    gold: dict[str, list[str]] = defaultdict(list)
    for item in items:
        for key in story_keys(item):
            gold[key].append(item["id"])
    counts = Counts()
    counts.add(_pairwise(groups), _pairwise(gold.values()))
    return counts.scores()


def evaluate(corpus_path: Path = DEFAULT_CORPUS, *, collect_errors: bool = False) -> dict[str, Any]:
    """Run the corpus through matcher and extractor; return overall, per-tag and story scores."""
    catalogue = load_catalogue(SEEDS)
    matcher = Matcher(catalogue)
    directory = load_sources(SEEDS / "sources.toml")
    names = _Names(catalogue)
    provisional = _Provisional(catalogue, directory)
    items = load_corpus(corpus_path)

    overall = _Tally()
    by_tag: dict[str, _Tally] = defaultdict(_Tally)
    stage, deal, negated = _Agreement(), _Agreement(), _Agreement()
    predictions: dict[str, list[Rumour]] = {}
    entities: dict[str, list[str]] = {}
    errors: list[str] = []
    by_wording: dict[str, dict[str, list[str]]] = defaultdict(lambda: {"false_alarms": [], "misses": []})

    for item in items:
        match = matcher.match_item(item["title"], item["summary"], language=item.get("lang"))
        feed_source = directory.for_feed(None, item.get("feed"))
        rumours = extract_rumours(match, catalogue, sources=directory, feed_source=feed_source)
        predictions[item["id"]] = rumours

        ids = match.entity_ids()
        entities[item["id"]] = ids
        got_players = {i for i in ids if i.startswith("player:")}
        got_clubs = {i for i in ids if i.startswith("club:")}
        got_pairs = {(r.player_id, r.to_club_id) for r in rumours}
        want_players = {names.id(EntityKind.PLAYER, n) for n in item["players"]}
        want_clubs = {names.id(EntityKind.CLUB, n) for n in item["clubs"]}
        gold = {
            (names.id(EntityKind.PLAYER, r["player"]), names.id(EntityKind.CLUB, r["to"])): r for r in item["rumours"]
        }

        got_names = provisional.names(match)
        want_names = {_name_key(name) for name in item.get("provisional", [])}

        for tally in [overall, *(by_tag[tag] for tag in item.get("tags", []))]:
            tally.players.add(got_players, want_players)
            tally.clubs.add(got_clubs, want_clubs)
            tally.rumours.add(got_pairs, set(gold))
            if got_names is not None:
                tally.provisional.add(got_names, want_names)

        for rumour in rumours:
            label = gold.get((rumour.player_id, rumour.to_club_id))
            if label is None:
                continue
            stage.add(rumour.stage.value == label["stage"])
            negated.add(rumour.negated == bool(label.get("negated")))
            got_deal = rumour.deal.value if rumour.deal is not None else None
            if label.get("deal") is not None:
                deal.add(got_deal == label["deal"])
            if collect_errors:
                checks: tuple[tuple[str, object, object], ...] = (
                    ("stage", rumour.stage.value, label["stage"]),
                    ("deal", got_deal, label.get("deal")),
                    ("negated", rumour.negated, bool(label.get("negated"))),
                )
                for what, value, expected in checks:
                    if value != expected and not (what == "deal" and expected is None):
                        pair = f"{rumour.player_id} -> {rumour.to_club_id}"
                        errors.append(f"{item['id']}: {what} {value} (want {expected}) for {pair}")

        if collect_errors:
            _group_by_wording(item["id"], rumours, set(gold), by_wording)
            sets: tuple[tuple[str, set[Any], set[Any]], ...] = (
                ("player", got_players, want_players),
                ("club", got_clubs, want_clubs),
                ("rumour", got_pairs, set(gold)),
                ("provisional", got_names or set(), want_names if got_names is not None else set()),
            )
            for kind, got, want in sets:
                errors.extend(f"{item['id']}: extra {kind} {extra}" for extra in sorted(map(str, got - want)))
                errors.extend(f"{item['id']}: missed {kind} {miss}" for miss in sorted(map(str, want - got)))

    stories = _story_scores(items, predictions)

    # A detector that failed part-way has partial counts: drop them rather than report them.
    skipped = provisional.skipped

    def _tag_scores(tag: str, tally: _Tally) -> dict[str, Any]:
        scores: dict[str, Any] = {
            "items": sum(tag in item.get("tags", []) for item in items),
            "players": tally.players.scores(),
            "clubs": tally.clubs.scores(),
            "rumours": tally.rumours.scores(),
        }
        if skipped is None:
            scores["provisional"] = tally.provisional.scores()
        return scores

    result: dict[str, Any] = {
        "items": len(items),
        "players": overall.players.scores(),
        "clubs": overall.clubs.scores(),
        "rumours": overall.rumours.scores(),
        "provisional": overall.provisional.scores() if skipped is None else {"skipped": skipped},
        "agreement": {"stage": stage.value(), "deal": deal.value(), "negated": negated.value()},
        "tags": {tag: _tag_scores(tag, tally) for tag, tally in sorted(by_tag.items())},
        "stories": stories,
        "unknown_labels": sorted(names.unknown),
    }
    if collect_errors:
        result["errors"] = errors
        result["errors_by_wording"] = dict(sorted(by_wording.items(), key=lambda kv: -sum(map(len, kv[1].values()))))
    return result


def _group_by_wording(
    item_id: str, rumours: list[Rumour], gold: set[tuple[str, str]], out: dict[str, dict[str, list[str]]]
) -> None:
    """File each false alarm under the wordings that produced it, and each miss under the wordings that
    made the player's other (wrong) pairs in the item, or ``(no wording fired)``."""
    got = {(r.player_id, r.to_club_id): r for r in rumours}
    for pair, rumour in got.items():
        if pair not in gold:
            for wording in {e.wording for e in rumour.evidence} or {"(no evidence)"}:
                out[wording]["false_alarms"].append(f"{item_id}: {pair[0]} -> {pair[1]}")
    for pair in gold - set(got):
        wordings = {e.wording for (p, _c), r in got.items() if p == pair[0] for e in r.evidence}
        for wording in wordings or {"(no wording fired)"}:
            out[wording]["misses"].append(f"{item_id}: {pair[0]} -> {pair[1]}")


def _fmt(scores: dict[str, Any]) -> str:
    counts = f"tp {scores['tp']} fp {scores['fp']} fn {scores['fn']}"
    return f"P {scores['p']:.3f}  R {scores['r']:.3f}  F1 {scores['f1']:.3f}  ({counts})"


def _pr(scores: dict[str, Any]) -> str:
    """Precision and recall with their counts, compactly: ``P 0.950 R 1.000 (19/0/1)`` = tp/fp/fn."""
    return f"P {scores['p']:.3f} R {scores['r']:.3f} ({scores['tp']}/{scores['fp']}/{scores['fn']})"


def focus_tags(result: dict[str, Any]) -> list[str]:
    """The tags the report details: ``FOCUS_TAGS`` present in the corpus, every held-out batch, every league."""
    tags = result["tags"]
    return (
        [t for t in FOCUS_TAGS if t in tags]
        + sorted(t for t in tags if t.startswith("heldout"))
        + sorted(t for t in tags if t.startswith("league:"))
    )


def main(argv: list[str] | None = None) -> int:
    """Print the evaluation report; exit status 0."""
    parser = argparse.ArgumentParser(prog="python -m bench.eval", description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS)
    parser.add_argument("--errors", action="store_true", help="list every false positive and false negative")
    parser.add_argument("--json", action="store_true", help="print the result as JSON")
    args = parser.parse_args(argv)
    result = evaluate(args.corpus, collect_errors=args.errors)
    if args.json:
        print(json.dumps(result, indent=2, ensure_ascii=False))
        return 0
    print(f"corpus: {args.corpus} ({result['items']} items)")
    for measure in ("players", "clubs", "rumours"):
        print(f"  {measure:<8} {_fmt(result[measure])}")
    provisional = result["provisional"]
    print(
        f"  provisional  {provisional['skipped']}"
        if "skipped" in provisional
        else f"  provisional  {_fmt(provisional)} (detected names vs labels, folded)"
    )
    agreement = result["agreement"]
    print(
        "  on matched rumours: "
        + ", ".join(f"{k} {v:.3f}" if v is not None else f"{k} n/a" for k, v in agreement.items())
    )
    stories = result["stories"]
    print(f"  stories  {stories['skipped']}" if "skipped" in stories else f"  stories  {_fmt(stories)} (pairwise)")
    other = result["tags"].get("othersport")
    if other is not None:  # labelled with no football entity: every match is a football name wrongly found
        found = other["players"]["fp"] + other["clubs"]["fp"]
        print(f"  other sports: {found} football players/clubs matched in {other['items']} other-sport items")
    print("\nper tag (F1; an F1 of 0 with no fn means false alarms on items that carry no rumour):")
    for tag, scores in result["tags"].items():
        print(
            f"  {tag:<18} n={scores['items']:<3} rumours {scores['rumours']['f1']:.3f}"
            f" (fp {scores['rumours']['fp']:<2} fn {scores['rumours']['fn']:<2})"
            f"  players {scores['players']['f1']:.3f}  clubs {scores['clubs']['f1']:.3f}"
        )
    print("\nplayers and clubs by tag (P R (tp/fp/fn)):")
    for tag in focus_tags(result):
        scores = result["tags"][tag]
        line = f"  {tag:<28} n={scores['items']:<3} players {_pr(scores['players']):<27} clubs {_pr(scores['clubs'])}"
        names = scores.get("provisional")
        if names is not None and names["tp"] + names["fp"] + names["fn"]:
            line += f"  provisional {_pr(names)}"
        print(line)
    if result["unknown_labels"]:
        print("\nlabels not in the catalogue: " + "; ".join(result["unknown_labels"]))
    if args.errors:
        print("\nerrors:")
        for line in result["errors"]:
            print("  " + line)
        print("\nrumour errors by wording (false alarms it produced; misses where it made the player's other pairs):")
        for wording, found in result["errors_by_wording"].items():
            print(f"  {wording}: {len(found['false_alarms'])} false alarm(s), {len(found['misses'])} miss(es)")
            for line in found["false_alarms"]:
                print(f"      false alarm  {line}")
            for line in found["misses"]:
                print(f"      missed       {line}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
