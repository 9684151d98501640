"""A new language is a folder of data, not code.

A made-up language "xx" is added to a copy of the seeds as two folders of TOML (vocabulary and
wordings); with no code change it is detected from its text, chosen when a feed declares it, and read
with its own wordings. And no code names Italian: everything Italian is in ``seeds/``.
"""

from __future__ import annotations

import ast
import shutil
from pathlib import Path

import pytest

from bot.catalogue import Catalogue, Matcher
from bot.language import Document, extract_rumours
from bot.language.pack import DEFAULT_LANGUAGE, available_languages, language_pack
from bot.models import Stage
from bot.sources import load_sources

SEEDS = Path(__file__).resolve().parents[2] / "seeds"
BOT = Path(__file__).resolve().parents[2] / "bot"

XX_VOCABULARY = {
    "grammar.toml": """
function_words = ["zo", "ka", "mi", "vu", "ple"]
articles = ["zo"]
conjunctions = ["ka"]
of_words = ["ple"]
bare_from = ["zi"]
with_words = ["vu"]
""",
    "roles.toml": """
[positions]
DF = ["kluffer"]
""",
}
XX_WORDINGS = {
    "stage.toml": """
[[wording]]
id = "xx-interest-blurf"
category = "stage"
value = "interest"
direction = "in-clause"
pattern = '\\bblurf\\b'
examples = ["zo Milan blurf mi Name"]
counter_examples = ["blurfing"]

[[wording]]
id = "xx-bid-glorp"
category = "stage"
value = "bid"
direction = "in-clause"
pattern = '\\bglorp(?:a|en)?\\b'
examples = ["zo Roma glorpa ka Name"]
counter_examples = []
""",
    "club-role.toml": """
[[frame]]
category = "club-role"
value = "from"
prefix = ''
suffix = '\\s*(?:zo\\s+)?$'

[[wording]]
id = "xx-from-zi"
category = "club-role"
value = "from"
direction = "before"
pattern = '\\bzi'
examples = ["zi {x}"]
counter_examples = []
""",
}
TITLE = "Zo Milan blurf mi Drăgușin zi Tottenham"
BODY = "Zo Roma glorpa ka vu mi Radu Drăgușin ka zo kluffer ple Tottenham, mi vu zo ka."


@pytest.fixture(scope="module")
def seeds_with_xx(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The shipped wordings and vocabulary, plus the folders of language "xx"."""
    root = tmp_path_factory.mktemp("seeds")
    for kind, files in (("vocabulary", XX_VOCABULARY), ("wordings", XX_WORDINGS)):
        shutil.copytree(SEEDS / kind / DEFAULT_LANGUAGE, root / kind / DEFAULT_LANGUAGE)
        (root / kind / "xx").mkdir()
        for name, text in files.items():
            (root / kind / "xx" / name).write_text(text, encoding="utf-8")
    return root


def _read(doc: Document, matcher: Matcher, catalogue: Catalogue) -> list[tuple[str, str, Stage, list[str]]]:
    match = matcher.match_document(doc)
    rumours = extract_rumours(match, catalogue, sources=load_sources(SEEDS / "sources.toml"))
    return [(r.player_id, r.to_club_id, r.stage, [e.wording for e in r.evidence]) for r in rumours]


def test_a_new_language_folder_is_found_and_loaded(seeds_with_xx: Path) -> None:
    assert available_languages(seeds_with_xx) == ["en", "xx"]
    pack = language_pack("xx", seeds_with_xx)
    assert {w.id for w in pack.wordings} == {"xx-interest-blurf", "xx-bid-glorp", "xx-from-zi"}
    assert pack.description.pattern == "(?!)"  # a language may leave out what it does not need


def test_a_new_language_is_detected_declared_and_read(
    seeds_with_xx: Path, matcher: Matcher, catalogue: Catalogue
) -> None:
    detected = Document.of_item(TITLE, BODY, seeds=seeds_with_xx)
    declared = Document.of_item(TITLE, BODY, language="xx-YY", seeds=seeds_with_xx)
    assert (detected.language, declared.language) == ("xx", "xx")
    found = _read(detected, matcher, catalogue)
    assert found == _read(declared, matcher, catalogue)
    assert [(p, c, s) for p, c, s, _ in found] == [
        ("player:radu-dragusin", "club:ac-milan", Stage.INTEREST),
        ("player:radu-dragusin", "club:as-roma", Stage.BID),
    ]
    assert {w for *_, wordings in found for w in wordings} == {"xx-interest-blurf", "xx-bid-glorp"}
    # The same text read with English wordings finds nothing: it was the xx wordings that read it.
    english = Document.of_item(TITLE, BODY, language="en", seeds=seeds_with_xx)
    assert _read(english, matcher, catalogue) == []


def test_without_its_folder_a_language_falls_back_to_the_default(matcher: Matcher, catalogue: Catalogue) -> None:
    """The bundled seeds have no "xx": a feed declaring it is read in the language its text is in."""
    doc = Document.of_item("AC Milan want Radu Drăgușin", "Tottenham have rejected a bid.", language="xx")
    assert doc.language == "en"


def _code_strings(path: Path) -> set[str]:
    """The string constants of a module's code (docstrings aside)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    docstrings = {
        id(node.body[0].value)
        for node in ast.walk(tree)
        if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef)
        and node.body and isinstance(node.body[0], ast.Expr) and isinstance(node.body[0].value, ast.Constant)
    }
    return {
        node.value for node in ast.walk(tree)
        if isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in docstrings
    }


def test_no_code_names_a_language_but_the_default() -> None:
    """Italian (and any language after it) lives in seeds/: no module of bot/ names it."""
    others = set(available_languages()) - {DEFAULT_LANGUAGE}
    assert others, "the seeds hold a second language"
    named = {str(path.relative_to(BOT)): hits for path in BOT.rglob("*.py") if (hits := _code_strings(path) & others)}
    assert named == {}


def test_a_broken_language_folder_stops_the_start_with_its_problems(seeds_with_xx: Path, tmp_path: Path) -> None:
    """Every language is loaded at start-up (``open_app``): a broken file names itself, all problems at once."""
    from bot.errors import ConfigError
    from bot.language.pack import load_languages

    assert load_languages(seeds_with_xx) == ["en", "xx"]
    broken = tmp_path / "seeds"
    shutil.copytree(seeds_with_xx, broken)
    (broken / "wordings" / "xx" / "stage.toml").write_text(
        XX_WORDINGS["stage.toml"].replace('value = "bid"', 'value = "maybe"'), encoding="utf-8"
    )
    (broken / "vocabulary" / "xx" / "grammar.toml").write_text("function_words = 3\n", encoding="utf-8")
    with pytest.raises(ConfigError) as caught:
        load_languages(broken)
    assert "grammar.toml: function_words: must be a list of non-empty strings" in str(caught.value)
