"""Every wording's examples fire it and its counter-examples do not; loading reports every problem at once."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.errors import ConfigError
from bot.language import fold_text
from bot.language.pack import DEFAULT_SEEDS, available_languages, language_pack
from bot.language.vocabulary import load_vocabulary
from bot.language.wordings import Wording, load_wordings

CASES = [
    (language, wording)
    for language in available_languages()
    for wording in language_pack(language).wordings
]


def _fires(language: str, wording: Wording, example: str) -> bool:
    """Whether the wording's own (framed) pattern fires on the example, at the place its direction says."""
    pattern = language_pack(language).cues(wording.category, wording.value).single[wording.id]
    text = fold_text(example)
    if wording.direction == "before":
        return pattern.search(text.split("{x}")[0]) is not None
    if wording.direction == "after":
        return pattern.match(text.split("{x}", 1)[-1]) is not None
    if wording.direction == "between":
        between = text.split("{x}", 1)[-1].split("{y}")[0]
        return pattern.match(between) is not None
    return pattern.search(text.replace("{x}", "Name").replace("{y}", "Name")) is not None


def test_every_language_has_wordings() -> None:
    assert "en" in available_languages()
    assert len(CASES) > 300


@pytest.mark.parametrize(("language", "wording"), CASES, ids=[f"{lang}:{w.id}" for lang, w in CASES])
def test_examples_fire_and_counter_examples_do_not(language: str, wording: Wording) -> None:
    assert wording.examples, wording.id
    for example in wording.examples:
        assert _fires(language, wording, example), f"{wording.file}: {wording.id} does not fire on {example!r}"
    for counter in wording.counter_examples:
        assert not _fires(language, wording, counter), f"{wording.file}: {wording.id} fires on {counter!r}"


def test_loading_reports_every_problem_with_file_and_id(tmp_path: Path) -> None:
    folder = tmp_path / "wordings" / "xx"
    folder.mkdir(parents=True)
    (folder / "bad.toml").write_text(
        """
[[wording]]
id = "one"
category = "stage"
value = "maybe"
direction = "in-clause"
pattern = '\\bkeen('
examples = []

[[wording]]
id = "two"
category = "nonsense"
value = "x"
direction = "sideways"
pattern = 'x'
examples = ["x"]
extra = 1

[[wording]]
id = "three"
category = "stage"
value = "interest"
direction = "in-clause"
pattern = '\\bwatch(ing'
examples = ["watching"]

[[wording]]
id = "five"
category = "stage"
value = "bid"
direction = "in-clause"
pattern = 'bid of £'
examples = ["bid of gbp"]

[[frame]]
category = "stage"
value = "bid"
suffix = ' →$'

[[wording]]
id = "four"
category = "stage"
value = "interest"
direction = "in-clause"
pattern = '\\bkeen\\b'
examples = ["keen"]
""",
        encoding="utf-8",
    )
    vocabulary = load_vocabulary(DEFAULT_SEEDS / "vocabulary", "en")
    with pytest.raises(ConfigError) as caught:
        load_wordings(tmp_path / "wordings", "xx", vocabulary)
    problems = "\n".join(caught.value.problems)
    for expected in ("bad.toml: one: value 'maybe'", "one: pattern does not compile", "one: at least one example",
                     "two: unknown category", "two: direction must be", "two: unknown key 'extra'",
                     "bad.toml: three: pattern does not compile",  # a valid entry whose regex alone is broken
                     "five: has characters the folded text never contains", "frame stage/bid: suffix has characters"):
        assert expected in problems, expected
    assert "four" not in problems  # its set-mate is named, not the whole set


def test_a_space_in_a_pattern_is_any_whitespace_but_literal_in_a_lookbehind() -> None:
    from bot.language.wordings import compile_readable

    vocabulary = load_vocabulary(DEFAULT_SEEDS / "vocabulary", "en")
    assert compile_readable("close to (?<!not )a deal", vocabulary) == r"close\s+to\s+(?<!not )a\s+deal"
    assert compile_readable("[ ]x", vocabulary) == "[ ]x"


def test_wordings_that_cannot_share_one_pattern_are_reported(tmp_path: Path) -> None:
    """A description's named groups can be defined once per value: a second such wording is a load error."""
    folder = tmp_path / "wordings" / "xx"
    folder.mkdir(parents=True)
    entry = """
[[wording]]
id = "{id}"
category = "description"
value = "player"
direction = "in-clause"
pattern = '\\\\bthe (?P<role>striker)\\\\b'
examples = ["the striker"]
"""
    (folder / "description.toml").write_text(entry.format(id="one") + entry.format(id="two"), encoding="utf-8")
    vocabulary = load_vocabulary(DEFAULT_SEEDS / "vocabulary", "en")
    with pytest.raises(ConfigError) as caught:
        load_wordings(tmp_path / "wordings", "xx", vocabulary)
    assert "description/player (one, two): the wordings do not compile together" in "\n".join(caught.value.problems)
