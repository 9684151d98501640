"""Folding: diacritics both ways, special letters, apostrophes, and offsets back to the original."""

import pytest

from bot.catalogue.normalize import fold, norm, slug


@pytest.mark.parametrize(
    ("written", "folded"),
    [
        ("Drăgușin", "dragusin"),
        ("DRAGUSIN", "dragusin"),
        ("Ødegaard", "odegaard"),
        ("Đoković", "dokovic"),
        ("Łukasz Fabiański", "lukasz fabianski"),
        ("Großkreutz", "grosskreutz"),
        ("Ærø", "aero"),
        ("Œuvre", "oeuvre"),
        ("Kadıköy", "kadikoy"),
        ("İlkay Gündoğan", "ilkay gundogan"),
        ("N’Golo Kanté", "n'golo kante"),
        ("AC\u00a0Milan", "ac milan"),
        ("Højlund", "hojlund"),
    ],
)
def test_fold_special_letters(written: str, folded: str) -> None:
    """Every Latin special letter folds the way English-language media spell it in ASCII."""
    assert norm(written) == folded


def test_offsets_map_back_to_the_text_as_written() -> None:
    """A span found in folded text maps back to the original characters, even after multi-char folds."""
    text = "Großkreutz and  Drăgușin’s move"
    folded = fold(text)
    start = folded.text.index("dragusin")
    a, b = folded.original_span(start, start + len("dragusin"))
    assert text[a:b] == "Drăgușin"
    start = folded.text.index("grosskreutz")
    a, b = folded.original_span(start, start + len("grosskreutz"))
    assert text[a:b] == "Großkreutz"


def test_plain_ascii_takes_the_identity_map() -> None:
    """ASCII text only changes case, so offsets are unchanged."""
    folded = fold("Milan want Dragusin")
    assert folded.text == "milan want dragusin"
    assert folded.original_span(11, 19) == (11, 19)


def test_slug() -> None:
    """Slugs are ASCII, lower-case, hyphenated."""
    assert slug("Radu Drăgușin") == "radu-dragusin"
    assert slug("1. FC Köln") == "1-fc-koln"
