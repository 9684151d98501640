"""The labelled corpus is well formed, and matching + extraction stay above their quality floors."""

from __future__ import annotations

import json
import tomllib
from collections import Counter
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest

import bench.eval
from bench.direction import direction
from bench.eval import DEFAULT_CORPUS, SEEDS, Counts, evaluate, load_corpus, main, story_keys
from bot.catalogue import Catalogue, load_catalogue
from bot.language import fold_text as fold
from bot.models import EntityKind

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

# Floors, not targets: raise them when the numbers move up for good. Measured when set (183 items):
# players P 0.980 R 0.996, clubs P 0.998 R 0.991, rumours P 0.908 R 0.969, provisional P 0.952 R 0.833.
# Rumours raised for issue 9 (226 items): measured P 0.978 R 0.996 (225/5/1), direction 0.996.
FLOORS = {
    ("players", "p"): 0.96,
    ("players", "r"): 0.97,
    ("clubs", "p"): 0.98,
    ("clubs", "r"): 0.97,
    ("rumours", "p"): 0.96,
    ("rumours", "r"): 0.98,
}
DIRECTION_FLOOR = 0.98  # of the corpus's found pairs, the share whose "from" club is right

# blind9a (tests/data/blind9a.jsonl, 77 English items in styles the corpus lacked). A TUNED set since
# issue 9: first run P 0.919 R 0.702 (113/10/48), stage 0.805, direction 0.973; measured when these
# floors were set: P 0.994 R 0.975 (157/1/4), stage 0.975, direction 1.000. Floors against regressions,
# not an estimate on unseen text (the sealed batch's job).
BLIND9A = DEFAULT_CORPUS.parent / "blind9a.jsonl"
BLIND9A_FLOORS = {("rumours", "p"): 0.96, ("rumours", "r"): 0.95}
BLIND9A_STAGE_FLOOR = 0.93
BLIND9A_DIRECTION_FLOOR = 0.98
# The provisional-player detector (bot.catalogue.provisional) is newer and still being tuned.
PROVISIONAL_FLOORS = {"p": 0.80, "r": 0.60}

# Italian (tests/data/italian.jsonl, 64 items read with seeds/wordings/it). A TUNED set: the Italian
# wordings were written against it, so these are floors against regressions, not an estimate of quality
# on unseen Italian (that is the sealed batch's job). First run with English rules only: rumours
# P 0.833 R 0.125, stage 0.100. Measured when set: players P 1.000 R 0.987, clubs P 1.000 R 0.993,
# rumours P 0.987 R 0.963 (77/1/3), stage 0.948.
ITALIAN = DEFAULT_CORPUS.parent / "italian.jsonl"
ITALIAN_FLOORS = {
    ("players", "p"): 0.97,
    ("players", "r"): 0.97,
    ("clubs", "p"): 0.97,
    ("clubs", "r"): 0.97,
    ("rumours", "p"): 0.95,
    ("rumours", "r"): 0.93,
}
ITALIAN_STAGE_FLOOR = 0.90

# Session 14's batches, TUNED since (the reading rules were then changed by class against their errors).
# First runs: blind9c P 0.910 R 0.894 (101/10/12); italian_c P 0.800 R 0.744 (32/8/11); blind9d P 0.897
# R 0.881 (52/6/7); italian_d P 0.944 R 0.919 (34/2/3). Measured when these floors were set: blind9c
# P 0.945 R 0.912; italian_c P 0.860 R 0.860; blind9d P 0.930 R 0.898; italian_d P 0.972 R 0.946.
# blind9e and italian_e (scored once after the last change) are deliberately not here.
TUNED_BATCH_FLOORS = {
    "blind9c.jsonl": {"p": 0.93, "r": 0.90},
    "italian_c.jsonl": {"p": 0.84, "r": 0.84},
    "blind9d.jsonl": {"p": 0.91, "r": 0.88},
    "italian_d.jsonl": {"p": 0.95, "r": 0.93},
    "blind9f.jsonl": {"p": 0.86, "r": 0.86},  # session 15: first run P 0.851 R 0.877, tuned 0.877 / 0.877
    "italian_f.jsonl": {"p": 0.85, "r": 0.87},  # first run and tuned P 0.867 R 0.886 (negation 0.949 -> 1.000)
}

FIELDS = {"id", "feed", "title", "summary", "published", "tags", "players", "clubs", "rumours", "story"}
OPTIONAL_FIELDS = {"provisional"}


def _women_file(path: Path) -> bool:
    return tomllib.loads(path.read_text(encoding="utf-8")).get("women") is True


# Every league the corpus must span: the ``seeds/clubs/<league>.toml`` stems (``other`` is not a league);
# the women's leagues (files with ``women = true``) are spanned by ``women.jsonl`` instead.
LEAGUES = {path.stem for path in (SEEDS / "clubs").glob("*.toml") if not _women_file(path)} - {"other"}
WOMEN_LEAGUES = {path.stem for path in (SEEDS / "clubs").glob("*.toml") if _women_file(path)}

# Issue #10: women's football and other sports, each a labelled batch written blind (tests/data/README.md).
DATA = DEFAULT_CORPUS.parent
BATCHES = {  # file -> minimum items
    "women.jsonl": 60,
    "othersport.jsonl": 30,
    "women_b.jsonl": 20,
    "othersport_b.jsonl": 10,
}
# Measured on women.jsonl when set (70 items, tuned on it): players P 0.990 R 0.990.
WOMEN_FLOORS = {("players", "p"): 0.95, ("players", "r"): 0.92}


@pytest.fixture(scope="module")
def corpus() -> list[dict[str, Any]]:
    return load_corpus(DEFAULT_CORPUS)


@pytest.fixture(scope="module")
def result() -> dict[str, Any]:
    return evaluate(DEFAULT_CORPUS)


@pytest.fixture(scope="module")
def catalogue() -> Catalogue:
    return load_catalogue(SEEDS)


# ----------------------------------------------------------------------------- corpus format


def test_corpus_is_big_and_varied_enough(corpus: list[dict[str, Any]]) -> None:
    assert len(corpus) >= 80
    tags = Counter(tag for item in corpus for tag in item["tags"])
    for tag in ("gossip", "negation", "loan", "no-rumour", "duplicate", "diacritics", "hard-negative", "official"):
        assert tags[tag] >= 3, tag
    assert sum(1 for item in corpus if not item["rumours"]) >= 10  # items that must produce nothing


def test_corpus_meets_the_issue_5_counts(corpus: list[dict[str, Any]]) -> None:
    """Issue #5 item 5: ≥ 150 items, ≥ 40 with players from outside the top five leagues, ≥ 20 with names
    the catalogue does not contain; spelling and difficulty tags present; every league represented."""
    tags = Counter(tag for item in corpus for tag in item["tags"])
    assert len(corpus) >= 150
    assert tags["non-top5"] >= 40
    assert tags["provisional"] >= 20
    assert sum(1 for item in corpus if item.get("provisional")) >= 20
    for tag in ("ambiguous", "nickname", "diacritics", "no-diacritics"):
        assert tags[tag] >= 10, tag
    missing = sorted(league for league in LEAGUES if tags[f"league:{league}"] == 0)
    assert not missing, f"no item for {missing}"


def test_every_item_has_the_documented_fields(corpus: list[dict[str, Any]]) -> None:
    ids = [item["id"] for item in corpus]
    assert len(ids) == len(set(ids)), "ids must be unique"
    for item in corpus:
        assert FIELDS <= set(item) <= FIELDS | OPTIONAL_FIELDS, item["id"]
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


def test_provisional_labels_are_names_in_the_text_that_the_catalogue_lacks(
    corpus: list[dict[str, Any]], catalogue: Catalogue
) -> None:
    known = {fold(alias.text) for alias in catalogue.aliases} | {fold(e.name) for e in catalogue.entities.values()}
    known |= {fold(alias) for person in catalogue.people for alias in (person.name, *person.aliases)}
    for item in corpus:
        names = item.get("provisional", [])
        assert isinstance(names, list), item["id"]
        # the tag and the labels go together: per-tag scores of "provisional" cover exactly these items
        assert bool(names) == ("provisional" in item["tags"]), item["id"]
        for name in names:
            assert isinstance(name, str) and len(name.split()) >= 2, (item["id"], name)
            assert name in item["title"] + "\n\n" + item["summary"], (item["id"], name)
            assert fold(name) not in known, (item["id"], name)  # a catalogue name belongs in players


def test_items_carry_the_league_tags_of_their_players_and_destinations(
    corpus: list[dict[str, Any]], catalogue: Catalogue
) -> None:
    """``league:<stem>`` for each labelled player's club and each rumour's destination (a player-less item:
    each named club); more league tags are allowed (a provisional player's club)."""
    by_name = {(e.kind, fold(e.name)): e for e in catalogue.entities.values()}
    league_of: dict[str, str] = {}  # club id -> league stem
    for path in (SEEDS / "clubs").glob("*.toml"):
        if path.stem != "other":
            for club in tomllib.loads(path.read_text(encoding="utf-8"))["club"]:
                league_of[by_name[(EntityKind.CLUB, fold(club["name"]))].id] = path.stem
    for item in corpus:
        tagged = {tag.removeprefix("league:") for tag in item["tags"] if tag.startswith("league:")}
        assert tagged <= LEAGUES, item["id"]
        club_ids = [by_name[(EntityKind.PLAYER, fold(name))].club_id for name in item["players"]]
        club_ids += [by_name[(EntityKind.CLUB, fold(r["to"]))].id for r in item["rumours"]]
        if not item["players"]:
            club_ids += [by_name[(EntityKind.CLUB, fold(name))].id for name in item["clubs"]]
        wanted = {league_of[cid] for cid in club_ids if cid in league_of}
        assert wanted <= tagged, (item["id"], sorted(wanted - tagged))


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


def _fake_detect(names_by_text: dict[str, list[str]]) -> Any:
    def detect(match: Any, catalogue: Any, *, sources: Any = None) -> list[SimpleNamespace]:
        return [SimpleNamespace(name=n) for key, names in names_by_text.items() if key in match.text for n in names]

    return detect


def _item(item_id: str, summary: str, tags: list[str], provisional: list[str] | None = None) -> dict[str, Any]:
    item: dict[str, Any] = {
        "id": item_id,
        "feed": "BBC Sport",
        "title": "News",
        "summary": summary,
        "published": "2026-01-29T09:00:00Z",
        "tags": tags,
        "players": [],
        "clubs": [],
        "rumours": [],
        "story": None,
    }
    if provisional is not None:
        item["provisional"] = provisional
    return item


def test_provisional_measure_folds_names_and_counts_unlabelled_items(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    items = [
        _item("a", "Lens striker Joe Bloggs", ["provisional", "league:ligue-1"], ["Joé  Bloggs", "Jan Kowalski"]),
        _item("b", "Rangers manager Sam Jones", ["hard-negative"]),
    ]
    path = tmp_path / "p.jsonl"
    path.write_text("".join(json.dumps(item) + "\n" for item in items), encoding="utf-8")
    fake = _fake_detect({"Joe Bloggs": ["JOE BLOGGS"], "Sam Jones": ["Sam Jones"]})
    monkeypatch.setattr(bench.eval, "_provisional_detect", lambda: fake)
    result = evaluate(path)
    scores = result["provisional"]
    assert (scores["tp"], scores["fp"], scores["fn"]) == (1, 1, 1)  # folded match; b's name is a false alarm
    assert result["tags"]["provisional"]["provisional"]["fp"] == 0
    assert result["tags"]["hard-negative"]["provisional"]["fp"] == 1

    assert main(["--corpus", str(path)]) == 0
    report = capsys.readouterr().out
    assert "provisional  P 0.500  R 0.500" in report
    assert any(line.split()[:1] == ["league:ligue-1"] and "players P" in line for line in report.splitlines())


def test_provisional_measure_is_skipped_without_a_usable_detector(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "p.jsonl"
    path.write_text(json.dumps(_item("a", "Lens striker Joe Bloggs", ["t"], ["Joe Bloggs"])) + "\n", encoding="utf-8")
    monkeypatch.setattr(bench.eval, "_provisional_detect", lambda: None)
    assert "skipped" in evaluate(path)["provisional"]

    def broken(match: Any, catalogue: Any, *, sources: Any = None) -> list[Any]:
        raise TypeError("new signature")

    monkeypatch.setattr(bench.eval, "_provisional_detect", lambda: broken)
    result = evaluate(path)
    assert "new signature" in result["provisional"]["skipped"]
    assert "provisional" not in result["tags"]["t"]


# ----------------------------------------------------------------------------- women's football, other sports


@pytest.fixture(scope="module")
def batches() -> dict[str, list[dict[str, Any]]]:
    return {name: load_corpus(DATA / name) for name in BATCHES}


@pytest.fixture(scope="module")
def batch_results() -> dict[str, dict[str, Any]]:
    return {name: evaluate(DATA / name) for name in BATCHES}


@pytest.mark.parametrize("name", sorted(BATCHES))
def test_batches_are_big_enough_and_well_formed(
    name: str, batches: dict[str, list[dict[str, Any]]], catalogue: Catalogue
) -> None:
    items = batches[name]
    assert len(items) >= BATCHES[name]
    known = {(e.kind, fold(e.name)) for e in catalogue.entities.values()}
    for item in items:
        assert FIELDS <= set(item) <= FIELDS | OPTIONAL_FIELDS, item["id"]
        assert len(story_keys(item)) == len({(r["player"], r["to"]) for r in item["rumours"]}), item["id"]
        for rumour in item["rumours"]:
            assert rumour["stage"] in STAGES and rumour["deal"] in DEALS, item["id"]
            assert rumour["player"] in item["players"] and rumour["negated"] == (
                rumour["stage"] in {"denied", "collapsed"}
            ), item["id"]
        for player in item["players"]:
            assert (EntityKind.PLAYER, fold(player)) in known, (item["id"], player)
        for club in item["clubs"]:
            assert (EntityKind.CLUB, fold(club)) in known, (item["id"], club)
        tagged = {tag.removeprefix("league:") for tag in item["tags"] if tag.startswith("league:")}
        assert tagged <= LEAGUES | WOMEN_LEAGUES, item["id"]
        if "othersport" in item["tags"]:  # about another sport: no football entity in the labels
            assert not (item["players"] or item["clubs"] or item["rumours"]), item["id"]
    ids = [item["id"] for batch in batches.values() for item in batch]
    assert len(ids) == len(set(ids))


def test_women_batch_spans_every_women_league(batches: dict[str, list[dict[str, Any]]]) -> None:
    tags = Counter(tag for item in batches["women.jsonl"] for tag in item["tags"])
    assert not sorted(league for league in WOMEN_LEAGUES if tags[f"league:{league}"] == 0)
    for tag in ("namesake", "men-and-women", "here-we-go", "fee"):
        assert tags[tag] >= 3, tag


@pytest.mark.parametrize(("measure", "score"), sorted(WOMEN_FLOORS))
def test_women_quality_floor(batch_results: dict[str, dict[str, Any]], measure: str, score: str) -> None:
    value = batch_results["women.jsonl"][measure][score]
    assert value >= WOMEN_FLOORS[(measure, score)], f"women's {measure} {score} = {value:.3f}"


@pytest.mark.parametrize("name", ["othersport.jsonl", "othersport_b.jsonl"])
def test_no_football_name_is_matched_in_other_sports(batch_results: dict[str, dict[str, Any]], name: str) -> None:
    """Items about rugby, cricket, basketball … match no football club or player; football items that
    mention another sport's club in passing still match all their football clubs and players."""
    tags = batch_results[name]["tags"]
    other = tags["othersport"]
    assert (other["players"]["fp"], other["clubs"]["fp"], other["rumours"]["fp"]) == (0, 0, 0)
    mention = tags["othersport-mention"]
    assert mention["clubs"]["r"] == 1.0 and mention["players"]["r"] == 1.0


# ----------------------------------------------------------------------------- quality floors


@pytest.mark.parametrize(("measure", "score"), sorted(FLOORS))
def test_quality_floor(result: dict[str, Any], measure: str, score: str) -> None:
    floor = FLOORS[(measure, score)]
    assert result[measure][score] >= floor, f"{measure} {score} = {result[measure][score]:.3f} < {floor}"


@pytest.mark.parametrize("score", sorted(PROVISIONAL_FLOORS))
def test_provisional_quality_floor(result: dict[str, Any], score: str) -> None:
    scores = result["provisional"]
    if "skipped" in scores:
        pytest.skip(f"provisional detector not usable: {scores['skipped']}")
    floor = PROVISIONAL_FLOORS[score]
    assert scores[score] >= floor, f"provisional {score} = {scores[score]:.3f} < {floor}"


def test_direction_floor() -> None:
    """Of the corpus's rumours that match a label, nearly all leave the labelled club."""
    assert direction(DEFAULT_CORPUS)["accuracy"] >= DIRECTION_FLOOR


# ----------------------------------------------------------------------------- blind9a (tuned)


@pytest.fixture(scope="module")
def blind9a_result() -> dict[str, Any]:
    return evaluate(BLIND9A)


@pytest.mark.parametrize(("measure", "stat"), sorted(BLIND9A_FLOORS))
def test_blind9a_stays_above_its_floors(blind9a_result: dict[str, Any], measure: str, stat: str) -> None:
    value = blind9a_result[measure][stat]
    assert value >= BLIND9A_FLOORS[(measure, stat)], f"blind9a {measure} {stat} = {value:.3f}"


def test_blind9a_stages_and_directions_stay_above_their_floors(blind9a_result: dict[str, Any]) -> None:
    assert blind9a_result["agreement"]["stage"] >= BLIND9A_STAGE_FLOOR
    result = direction(BLIND9A)
    assert result["accuracy"] >= BLIND9A_DIRECTION_FLOOR and result["reversed"] == 0


@pytest.mark.parametrize("name", sorted(TUNED_BATCH_FLOORS))
def test_tuned_batches_stay_above_their_floors(name: str) -> None:
    rumours = evaluate(DATA / name)["rumours"]
    floors = TUNED_BATCH_FLOORS[name]
    assert rumours["p"] >= floors["p"] and rumours["r"] >= floors["r"], (name, rumours["p"], rumours["r"])


# ----------------------------------------------------------------------------- Italian


@pytest.fixture(scope="module")
def italian_result() -> dict[str, Any]:
    return evaluate(ITALIAN)


def test_the_italian_set_is_well_formed() -> None:
    items = load_corpus(ITALIAN)
    assert len(items) >= 50
    for item in items:
        assert item["lang"] == "it" and "lang:it" in item["tags"], item["id"]
        assert FIELDS <= set(item) <= FIELDS | OPTIONAL_FIELDS | {"lang"}, item["id"]
        for rumour in item["rumours"]:
            assert rumour["stage"] in STAGES and rumour["deal"] in DEALS, item["id"]


def test_every_italian_label_names_a_catalogue_entity(italian_result: dict[str, Any]) -> None:
    assert italian_result["unknown_labels"] == []


@pytest.mark.parametrize(("measure", "stat"), sorted(ITALIAN_FLOORS))
def test_italian_stays_above_its_floors(italian_result: dict[str, Any], measure: str, stat: str) -> None:
    """Italian items, each read in its ``lang`` by the reading production uses, stay above their floors."""
    value = italian_result[measure][stat]
    assert value >= ITALIAN_FLOORS[(measure, stat)], f"italian {measure} {stat} = {value:.3f}"


def test_italian_stages_stay_above_their_floor(italian_result: dict[str, Any]) -> None:
    assert italian_result["agreement"]["stage"] >= ITALIAN_STAGE_FLOOR
