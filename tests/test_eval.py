"""The labelled corpus is well formed, and matching + extraction stay above their quality floors."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from bench.eval import DEFAULT_CORPUS, Counts, evaluate, load_corpus, story_keys

STAGES = {
    "interest",
    "contact",
    "talks",
    "advanced_talks",
    "bid",
    "agreement",
    "personal_terms",
    "medical",
    "here_we_go",
    "official",
    "collapsed",
    "denied",
}
DEALS = {"permanent", "loan", "loan_option", "loan_obligation", "free", "swap", "pre_contract", "extension", None}

# Floors, not targets: raise them when the numbers move up for good.
FLOORS = {
    ("players", "p"): 0.95,
    ("players", "r"): 0.90,
    ("clubs", "p"): 0.95,
    ("clubs", "r"): 0.95,
    ("rumours", "p"): 0.80,
    ("rumours", "r"): 0.75,
}


@pytest.fixture(scope="module")
def corpus() -> list[dict[str, Any]]:
    return load_corpus(DEFAULT_CORPUS)


@pytest.fixture(scope="module")
def result() -> dict[str, Any]:
    return evaluate(DEFAULT_CORPUS)


# ----------------------------------------------------------------------------- corpus format


def test_corpus_is_big_and_varied_enough(corpus: list[dict[str, Any]]) -> None:
    assert len(corpus) >= 80
    tags = Counter(tag for item in corpus for tag in item["tags"])
    for tag in ("gossip", "negation", "loan", "no-rumour", "duplicate", "diacritics", "hard-negative", "official"):
        assert tags[tag] >= 3, tag
    assert sum(1 for item in corpus if not item["rumours"]) >= 10  # items that must produce nothing


def test_every_item_has_the_documented_fields(corpus: list[dict[str, Any]]) -> None:
    ids = [item["id"] for item in corpus]
    assert len(ids) == len(set(ids)), "ids must be unique"
    for item in corpus:
        assert set(item) == {
            "id",
            "feed",
            "title",
            "summary",
            "published",
            "tags",
            "players",
            "clubs",
            "rumours",
            "story",
        }
        assert item["published"].endswith("Z")
        for rumour in item["rumours"]:
            assert set(rumour) == {"player", "from", "to", "stage", "deal", "negated"}, item["id"]
            assert rumour["stage"] in STAGES and rumour["deal"] in DEALS, item["id"]
            assert rumour["player"] in item["players"], item["id"]
            # the destination is named in the text; a club-site item may leave the club itself unnamed
            assert rumour["to"] in item["clubs"] or "club-site" in item["tags"], item["id"]
            assert rumour["negated"] == (rumour["stage"] in {"denied", "collapsed"}), item["id"]


def test_story_keys_follow_the_rumours(corpus: list[dict[str, Any]]) -> None:
    for item in corpus:
        assert len(story_keys(item)) == len({(r["player"], r["to"]) for r in item["rumours"]}), item["id"]


def test_every_label_names_a_catalogue_entity(result: dict[str, Any]) -> None:
    assert result["unknown_labels"] == []


def test_corpus_file_is_one_json_object_per_line() -> None:
    for number, line in enumerate(DEFAULT_CORPUS.read_text(encoding="utf-8").splitlines(), 1):
        assert isinstance(json.loads(line), dict), number


# ----------------------------------------------------------------------------- scoring


def test_counts_scores() -> None:
    counts = Counts()
    counts.add({"a", "b", "c"}, {"b", "c", "d", "e"})
    scores = counts.scores()
    assert (scores["tp"], scores["fp"], scores["fn"]) == (2, 1, 2)
    assert scores["p"] == pytest.approx(2 / 3) and scores["r"] == pytest.approx(0.5)
    assert scores["f1"] == pytest.approx(2 * (2 / 3) * 0.5 / (2 / 3 + 0.5))
    assert Counts().scores()["p"] == 1.0  # nothing expected, nothing found: no error made


def test_evaluate_reads_any_corpus_path(tmp_path: Path) -> None:
    item = {
        "id": "x",
        "feed": "Sky Sports",
        "title": "Milan in talks for Drăgușin",
        "summary": "AC Milan have opened talks with Tottenham over Radu Drăgușin.",
        "published": "2026-01-29T09:00:00Z",
        "tags": ["t"],
        "players": ["Radu Drăgușin"],
        "clubs": ["AC Milan", "Tottenham"],
        "rumours": [
            {
                "player": "Radu Drăgușin",
                "from": "Tottenham",
                "to": "AC Milan",
                "stage": "talks",
                "deal": None,
                "negated": False,
            }
        ],
        "story": "radu-dragusin>ac-milan",
    }
    path = tmp_path / "one.jsonl"
    path.write_text(json.dumps(item, ensure_ascii=False) + "\n", encoding="utf-8")
    result = evaluate(path)
    assert result["items"] == 1
    assert result["rumours"]["tp"] == 1 and result["rumours"]["fp"] == 0
    assert result["tags"]["t"]["items"] == 1


# ----------------------------------------------------------------------------- quality floors


@pytest.mark.parametrize(("measure", "score"), sorted(FLOORS))
def test_quality_floor(result: dict[str, Any], measure: str, score: str) -> None:
    floor = FLOORS[(measure, score)]
    assert result[measure][score] >= floor, f"{measure} {score} = {result[measure][score]:.3f} < {floor}"
