"""Matching rules, on a small hand-built catalogue (each rule) and on the shipped one (the seed article)."""

from __future__ import annotations

import pytest

from bot.catalogue import Catalogue, Matcher, Person
from bot.catalogue.matcher import blank_boilerplate
from bot.models import Alias, AliasKind, Entity, EntityKind

S, P, C, X = AliasKind.STRONG, AliasKind.PLACE, AliasKind.CONFIRM, AliasKind.CONTEXT


def club(slug: str, name: str, *aliases: tuple[str, AliasKind], name_kind: AliasKind = S) -> tuple[Entity, list[Alias]]:
    entity_id = f"club:{slug}"
    return Entity(entity_id, EntityKind.CLUB, name), [Alias(name, entity_id, name_kind)] + [
        Alias(text, entity_id, kind) for text, kind in aliases
    ]


def player(slug: str, name: str, club_slug: str, *aliases: tuple[str, AliasKind]) -> tuple[Entity, list[Alias]]:
    entity_id = f"player:{slug}"
    entity = Entity(entity_id, EntityKind.PLAYER, name, club_id=f"club:{club_slug}")
    return entity, [Alias(name, entity_id, S)] + [Alias(text, entity_id, kind) for text, kind in aliases]


@pytest.fixture(scope="module")
def small() -> Matcher:
    parts = [
        club("ac-milan", "AC Milan", ("Milan", P), ("Rossoneri", S)),
        club("inter", "Inter", ("Inter Milan", S), ("Nerazzurri", S), name_kind=C),
        club("manchester-city", "Manchester City", ("City", C), ("Man City", S)),
        club("bristol-city", "Bristol City", ("City", C)),
        club("chelsea", "Chelsea", ("the Blues", C)),
        club("everton", "Everton", ("the Blues", C)),
        club("real-madrid", "Real Madrid", ("Real", C)),
        club("manchester-united", "Manchester United", ("United", C), ("Man Utd", S)),
        club("arsenal", "Arsenal", ("Gunners", S)),
        player("radu-dragusin", "Radu Drăgușin", "tottenham", ("Drăgușin", S)),
        player("milan-skriniar", "Milan Škriniar", "fenerbahce", ("Škriniar", S)),
        player("lautaro-martinez", "Lautaro Martínez", "inter", ("Lautaro", S), ("Martínez", X)),
        player("lisandro-martinez", "Lisandro Martínez", "manchester-united", ("Martínez", X)),
        player("declan-rice", "Declan Rice", "arsenal", ("Rice", X)),
        club("tottenham", "Tottenham", ("Spurs", S)),
        club("fenerbahce", "Fenerbahçe"),
    ]
    entities = [e for e, _ in parts]
    aliases = [a for _, al in parts for a in al]
    people = [Person("Pep Guardiola", "manager", ("Pep Guardiola", "Guardiola"))]
    return Matcher(Catalogue.build(entities, aliases, people))


def found(matcher: Matcher, text: str) -> list[tuple[str, str]]:
    return [(m.entity_id.split(":")[1], m.text) for m in matcher.match(text).mentions]


def test_longest_match_wins_inter_milan_is_inter(small: Matcher) -> None:
    """"Inter Milan" is Inter, never AC Milan."""
    assert found(small, "Inter Milan are keen") == [("inter", "Inter Milan")]


def test_partial_overlap_keeps_both(small: Matcher) -> None:
    """"Inter Milan Škriniar" keeps the club and the player that overlap without containing each other."""
    assert found(small, "the Inter Milan Škriniar deal") == [("inter", "Inter Milan"), ("milan-skriniar", "Milan Škriniar")]


def test_player_first_name_is_not_the_club(small: Matcher) -> None:
    """"Milan Škriniar" is a player, not AC Milan."""
    assert found(small, "Milan Škriniar signs") == [("milan-skriniar", "Milan Škriniar")]


def test_word_boundaries(small: Matcher) -> None:
    """Aliases inside longer words never match."""
    assert found(small, "A Milanese paper at Milanello; intermilan") == []


@pytest.mark.parametrize("text", ["Milan's defence", "Milan’s defence", "MILAN’S defence"])
def test_possessives_with_either_apostrophe(small: Matcher, text: str) -> None:
    """Possessives with ' and ’ match the club, reported as written without the suffix."""
    assert [m[0] for m in found(small, text)] == ["ac-milan"]


def test_diacritics_fold_both_ways(small: Matcher) -> None:
    """"Dragusin", "DRAGUSIN" and "Drăgușin" are the same player."""
    for text in ("Dragusin", "DRAGUSIN signs", "Drăgușin’s agent"):
        assert [m[0] for m in found(small, text)] == ["radu-dragusin"], text


@pytest.mark.parametrize("text", ["a meeting in Milan", "he flew to Milan on Monday", "talks held in Milan on Monday"])
def test_city_name_used_as_a_place_is_not_the_club(small: Matcher, text: str) -> None:
    """A city-like club name after place words is a place unless the club is otherwise named."""
    assert found(small, text) == []


def test_place_confirms_a_club_already_named(small: Matcher) -> None:
    """Once AC Milan is named as a club, "in Milan" also counts as it."""
    assert [m[0] for m in found(small, "AC Milan held a meeting in Milan")] == ["ac-milan", "ac-milan"]


def test_a_move_to_the_club_is_the_club(small: Matcher) -> None:
    """Plain "to"/"from" keep the club reading: "a move to Milan"."""
    assert found(small, "Drăgușin wants a move to Milan") == [("radu-dragusin", "Drăgușin"), ("ac-milan", "Milan")]


@pytest.mark.parametrize("text", ["City are tracking him", "United want a striker", "Real are keen", "Inter ready a bid"])
def test_generic_words_never_match_alone(small: Matcher, text: str) -> None:
    """City, United, Real and Inter need the club named elsewhere in the text."""
    assert found(small, text) == []


def test_generic_word_confirms_a_named_club(small: Matcher) -> None:
    """"City" counts as Manchester City when Manchester City is named in the item."""
    assert found(small, "Manchester City say no. City will not sell.") == [
        ("manchester-city", "Manchester City"),
        ("manchester-city", "City"),
    ]


def test_generic_word_shared_by_two_named_clubs_stays_unresolved(small: Matcher) -> None:
    """If Manchester City and Bristol City are both named, a bare "City" is left out."""
    names = [m[1] for m in found(small, "Manchester City and Bristol City met. City won.")]
    assert names == ["Manchester City", "Bristol City"]


def test_ambiguous_nickname_only_confirms(small: Matcher) -> None:
    """"The Blues" means nothing alone, and Everton when Everton is named."""
    assert found(small, "The Blues want him") == []
    assert [m[0] for m in found(small, "Everton are keen; the Blues want him")] == ["everton", "everton"]


def test_ambiguous_surname_needs_first_name_or_club(small: Matcher) -> None:
    """"Martínez" resolves only with a first name elsewhere, or his club in the same sentence."""
    assert found(small, "Martínez is wanted") == []
    assert [m[0] for m in found(small, "Lautaro Martínez scored. Martínez is wanted")][-1] == "lautaro-martinez"
    assert [m[0] for m in found(small, "Man Utd defender Martínez is injured.")] == ["manchester-united", "lisandro-martinez"]
    # The club in another sentence does not count.
    assert "lisandro-martinez" not in [m[0] for m in found(small, "Man Utd lost. Martínez is injured.")]


def test_common_word_surname_needs_context(small: Matcher) -> None:
    """"Rice" alone is a food; with Declan Rice or Arsenal in the sentence it is the player."""
    assert found(small, "Rice prices rose") == []
    assert [m[0] for m in found(small, "Arsenal star Rice is fit")] == ["arsenal", "declan-rice"]


def test_managers_are_not_players(small: Matcher) -> None:
    """A manager's name is swallowed, never reported."""
    assert found(small, "Pep Guardiola would not sanction it; Guardiola said no") == []


def test_photo_credits_are_not_content() -> None:
    """Photo credits are blanked with spaces, keeping offsets."""
    text = "Milan want him (Photo by Justin Setterfield/Getty Images) today"
    blanked = blank_boilerplate(text)
    assert len(blanked) == len(text)
    assert "Getty" not in blanked and "Setterfield" not in blanked
    assert blanked.startswith("Milan want him") and blanked.endswith(" today")


def test_seed_article_exactly(matcher: Matcher, seed_article: tuple[str, str]) -> None:
    """The seed article: Drăgușin, Aké, AC Milan, Tottenham, AS Roma, Napoli, Manchester City; not Guardiola or Inter."""
    result = matcher.match_item(*seed_article)
    catalogue = matcher.catalogue
    names = {catalogue.get(e).name: result.spans_of(e) for e in result.entity_ids()}
    assert set(names) == {"Radu Drăgușin", "Nathan Aké", "AC Milan", "Tottenham", "AS Roma", "Napoli", "Manchester City"}
    assert "Drăgușin" in names["Radu Drăgușin"]
    assert {"AC Milan", "Milan", "Rossoneri"} <= set(names["AC Milan"])
    assert "Aké" in names["Nathan Aké"]


def test_seed_article_folded_to_ascii(matcher: Matcher, seed_article: tuple[str, str]) -> None:
    """The same article typed without diacritics ("dragusin") gives the same players and clubs."""
    from anyascii import anyascii

    title, body = seed_article
    plain = matcher.match_item(anyascii(title), anyascii(body).lower().replace("ac milan", "AC Milan"))
    original = matcher.match_item(title, body)
    assert plain.entity_ids() == original.entity_ids()
    assert "dragusin" in plain.spans_of("player:radu-dragusin")


def test_generic_word_confirms_the_club_of_a_named_player(small: Matcher) -> None:
    """"Inter have ruled out selling Lautaro": a named Inter player qualifies the bare "Inter"."""
    assert found(small, "Inter have ruled out selling Lautaro") == [("inter", "Inter"), ("lautaro-martinez", "Lautaro")]
    # A named player of another club does not qualify "City".
    assert [m[0] for m in found(small, "City want Lautaro")] == ["lautaro-martinez"]


def test_lower_case_place_name_is_never_the_club(matcher: Matcher) -> None:
    """"the Manchester derby" is a match, not Derby County; "Derby beat Leeds" is the club."""
    assert "club:derby-county" not in matcher.match("Before the Manchester derby, City trained.").entity_ids()
    assert "club:derby-county" in matcher.match("Derby beat Stoke on Saturday.").entity_ids()


def test_at_a_club_is_the_club(matcher: Matcher) -> None:
    """"his spell at Barcelona" names the club."""
    assert "club:barcelona" in matcher.match("During his spell at Barcelona he won the league.").entity_ids()


def test_strong_name_shared_as_a_word_prefers_the_named_club(matcher: Matcher) -> None:
    """"Rangers" is Rangers, unless the item names QPR, for whom it is a shared word."""
    assert "club:rangers" in matcher.match("Rangers want a striker").entity_ids()
    qpr = matcher.match("QPR beat Millwall. Rangers were superb.")
    assert qpr.entity_ids() == ["club:queens-park-rangers", "club:millwall"]


def test_surname_inside_another_full_name_is_not_the_player(matcher: Matcher) -> None:
    """"Tyler Brandt" is someone else; "Dortmund's Brandt", "Yesterday Brandt" and Title Case headlines are Julian Brandt."""
    assert "player:julian-brandt" not in matcher.match("Dortmund have signed Tyler Brandt from Hertha.").entity_ids()
    for text in ("Dortmund's Brandt is wanted", "Yesterday Brandt scored twice.", "Dortmund Star Brandt Wanted By Arsenal"):
        assert "player:julian-brandt" in matcher.match(text).entity_ids(), text
