"""Rumour extraction, rule by rule, on hand-built matches; then the seed article end to end."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from bot.language import Deal, Rumour, Stage, extract_rumours, highest_stage, split_sentences
from bot.language import fold_text as fold
from bot.models import Entity, EntityKind, MatchResult, Mention
from bot.sources import SourceDirectory, load_sources

ROOT = Path(__file__).resolve().parent.parent

CLUBS = {
    "club:ac-milan": ("AC Milan", ["AC Milan", "Milan", "Rossoneri"]),
    "club:inter": ("Inter", ["Inter"]),
    "club:tottenham": ("Tottenham", ["Tottenham", "Spurs"]),
    "club:as-roma": ("AS Roma", ["AS Roma", "Roma"]),
    "club:napoli": ("Napoli", ["Napoli"]),
    "club:genoa": ("Genoa", ["Genoa"]),
    "club:manchester-city": ("Manchester City", ["Manchester City", "City"]),
    "club:manchester-united": ("Manchester United", ["Manchester United", "United"]),
    "club:paris-saint-germain": ("Paris Saint-Germain", ["Paris Saint-Germain", "PSG"]),
    "club:juventus": ("Juventus", ["Juventus", "Juve"]),
    "club:chelsea": ("Chelsea", ["Chelsea"]),
    "club:barcelona": ("Barcelona", ["Barcelona"]),
}
PLAYERS = {
    "player:radu-dragusin": ("Radu Drăgușin", "club:tottenham", "Romania", ["Radu Drăgușin", "Drăgușin", "Dragusin"]),
    "player:nathan-ake": ("Nathan Aké", "club:manchester-city", "Netherlands", ["Nathan Aké", "Aké"]),
    "player:joshua-zirkzee": ("Joshua Zirkzee", "club:manchester-united", "Netherlands", ["Joshua Zirkzee", "Zirkzee"]),
    "player:randal-kolo-muani": ("Randal Kolo Muani", "club:tottenham", "France", ["Randal Kolo Muani", "Kolo Muani"]),
    "player:mike-maignan": ("Mike Maignan", "club:ac-milan", "France", ["Mike Maignan", "Maignan"]),
    "player:dusan-vlahovic": ("Dušan Vlahović", "club:juventus", "Serbia", ["Dušan Vlahović", "Vlahović"]),
}


class FakeCatalogue:
    """Just enough catalogue for the extractor: ``get`` by id."""

    def __init__(self) -> None:
        self.entities: dict[str, Entity] = {}
        for cid, (name, _aliases) in CLUBS.items():
            self.entities[cid] = Entity(id=cid, kind=EntityKind.CLUB, name=name)
        for pid, (name, club, country, _aliases) in PLAYERS.items():
            self.entities[pid] = Entity(id=pid, kind=EntityKind.PLAYER, name=name, club_id=club, country=country)

    def get(self, entity_id: str) -> Entity:
        return self.entities[entity_id]


CATALOGUE = FakeCatalogue()


def match_of(title: str, body: str = "") -> MatchResult:
    """A stand-in for the matcher: every alias occurrence on word boundaries, longest first."""
    text = f"{title}\n\n{body}" if body else title
    aliases = [(alias, cid) for cid, (_n, names) in CLUBS.items() for alias in names]
    aliases += [(alias, pid) for pid, (_n, _c, _k, names) in PLAYERS.items() for alias in names]
    aliases.sort(key=lambda pair: len(pair[0]), reverse=True)
    taken: list[tuple[int, int]] = []
    mentions: list[Mention] = []
    for alias, entity_id in aliases:
        for found in re.finditer(rf"(?<!\w){re.escape(alias)}(?!\w)", text):
            start, end = found.span()
            if any(s < end and start < e for s, e in taken):
                continue
            taken.append((start, end))
            mentions.append(Mention(entity_id, start, end, alias))
    return MatchResult(text=text, mentions=tuple(sorted(mentions, key=lambda m: m.start)))


@pytest.fixture(scope="module")
def sources() -> SourceDirectory:
    return load_sources(ROOT / "seeds" / "sources.toml")


def extract(sources: SourceDirectory, title: str, body: str = "") -> list[Rumour]:
    return extract_rumours(match_of(title, body), CATALOGUE, sources=sources)


def pairs(rumours: list[Rumour]) -> set[tuple[str, str]]:
    return {(r.player_id.split(":")[1], r.to_club_id.split(":")[1]) for r in rumours}


def only(rumours: list[Rumour]) -> Rumour:
    assert len(rumours) == 1, rumours
    return rumours[0]


# ----------------------------------------------------------------------------- sentences and stages


def test_sentences_survive_abbreviations_and_keep_citations() -> None:
    text = "Title line\n\nMr. Kobel met A.C. Milan officials at St. Pauli. Arsenal want him. (Mirror)\nNext line here."
    sentences = [text[a:b] for a, b in split_sentences(text)]
    assert sentences == [
        "Title line",
        "Mr. Kobel met A.C. Milan officials at St. Pauli.",
        "Arsenal want him. (Mirror)",
        "Next line here.",
    ]


def test_a_lower_case_word_after_a_full_stop_does_not_end_the_sentence() -> None:
    text = "He joined for approx. three million and stayed."
    assert len(split_sentences(text)) == 1


def test_stage_order_and_highest_stage() -> None:
    assert Stage.INTEREST.rank < Stage.TALKS.rank < Stage.BID.rank < Stage.MEDICAL.rank < Stage.OFFICIAL.rank
    assert highest_stage([Stage.TALKS, Stage.INTEREST, Stage.MEDICAL]) is Stage.MEDICAL
    assert highest_stage([Stage.OFFICIAL, Stage.DENIED]) is Stage.DENIED  # the news is that it is off
    assert highest_stage([]) is None
    assert Stage.COLLAPSED.is_negative and not Stage.HERE_WE_GO.is_negative


# ----------------------------------------------------------------------------- who goes where


def test_no_transfer_vocabulary_no_rumour(sources: SourceDirectory) -> None:
    assert extract(sources, "Drăgușin and Milan", "Drăgușin watched Milan on television.") == []


def test_direction_from_a_possessive_and_the_catalogue(sources: SourceDirectory) -> None:
    rumour = only(extract(sources, "Milan want Tottenham's Drăgușin"))
    assert (rumour.player_id, rumour.from_club_id, rumour.to_club_id) == (
        "player:radu-dragusin",
        "club:tottenham",
        "club:ac-milan",
    )
    assert rumour.stage is Stage.INTEREST and not rumour.negated


def test_several_suitors_for_one_player(sources: SourceDirectory) -> None:
    rumours = extract(sources, "Serie A race", "AS Roma and Napoli are tracking Drăgușin closely.")
    assert pairs(rumours) == {("radu-dragusin", "as-roma"), ("radu-dragusin", "napoli")}


def test_several_targets_for_one_club(sources: SourceDirectory) -> None:
    rumours = extract(sources, "Milan shortlist", "Milan are monitoring Drăgușin and Aké.")
    assert pairs(rumours) == {("radu-dragusin", "ac-milan"), ("nathan-ake", "ac-milan")}


@pytest.mark.parametrize(
    "body",
    [
        "Drăgușin, who scored against Roma on Sunday, is wanted by Napoli.",  # an opponent
        "Former Roma target Drăgușin is wanted by Napoli.",  # not a club of his
        "Napoli want Drăgușin, who impressed in the 2-1 win over Roma.",
    ],
)
def test_clubs_named_in_passing_are_not_suitors(sources: SourceDirectory, body: str) -> None:
    assert pairs(extract(sources, "Defender news", body)) == {("radu-dragusin", "napoli")}


def test_the_players_own_club_is_never_a_suitor(sources: SourceDirectory) -> None:
    rumours = extract(sources, "Spurs stance", "Tottenham value Drăgușin highly, while Milan want to sign him.")
    assert pairs(rumours) == {("radu-dragusin", "ac-milan")}


def test_the_text_overrides_the_catalogue_club_for_a_parent_club(sources: SourceDirectory) -> None:
    body = "Juventus have reopened talks with PSG for Randal Kolo Muani, who is currently on loan at Tottenham."
    rumour = only(extract(sources, "Juve return", body))
    assert (rumour.from_club_id, rumour.to_club_id) == ("club:paris-saint-germain", "club:juventus")
    assert rumour.stage is Stage.TALKS


def test_on_loan_at_x_from_y_makes_y_the_parent_club(sources: SourceDirectory) -> None:
    rumour = only(
        extract(sources, "Juve news", "Juventus want Randal Kolo Muani, who is on loan at Tottenham from PSG.")
    )
    assert (rumour.from_club_id, rumour.to_club_id) == ("club:paris-saint-germain", "club:juventus")


def test_the_loan_club_may_buy_the_player(sources: SourceDirectory) -> None:
    body = "Randal Kolo Muani is on loan at Chelsea from PSG. Chelsea want to make the move permanent."
    rumour = only(extract(sources, "Loan news", body))
    assert (rumour.from_club_id, rumour.to_club_id, rumour.deal) == (
        "club:paris-saint-germain",
        "club:chelsea",
        Deal.PERMANENT,
    )


def test_a_headline_to_construct_links_player_and_club(sources: SourceDirectory) -> None:
    rumour = only(extract(sources, "Zirkzee to Roma: here we go!"))
    assert rumour.to_club_id == "club:as-roma" and rumour.stage is Stage.HERE_WE_GO


# ----------------------------------------------------------------------------- descriptions and pronouns


def test_a_club_description_resolves_to_that_clubs_player_and_sets_from(sources: SourceDirectory) -> None:
    # Aké is the most recent player, but "the Tottenham centre-back" can only be Drăgușin.
    body = "Milan admire Radu Drăgușin and Nathan Aké. Napoli are tracking the Tottenham centre-back."
    assert pairs(extract(sources, "Defenders", body)) == {
        ("radu-dragusin", "ac-milan"),
        ("nathan-ake", "ac-milan"),
        ("radu-dragusin", "napoli"),
    }


def test_a_nationality_description_picks_the_player_of_that_nationality(sources: SourceDirectory) -> None:
    body = "Milan are watching Aké and Drăgușin. Roma are also keen on the Romanian international."
    found = pairs(extract(sources, "Roundup", body))
    assert ("radu-dragusin", "as-roma") in found
    assert ("nathan-ake", "as-roma") not in found


def test_a_pronoun_refers_to_the_last_named_player(sources: SourceDirectory) -> None:
    rumour = only(extract(sources, "Zirkzee latest", "Zirkzee is unhappy. Roma want to sign him in January."))
    assert rumour.to_club_id == "club:as-roma"


def test_one_player_items_attach_a_clubs_interest_to_him(sources: SourceDirectory) -> None:
    body = "Milan have opened talks for Drăgușin. Roma remain interested but have not made a move."
    assert pairs(extract(sources, "Drăgușin latest", body)) == {
        ("radu-dragusin", "ac-milan"),
        ("radu-dragusin", "as-roma"),
    }


# ----------------------------------------------------------------------------- stage, negation


@pytest.mark.parametrize(
    ("body", "stage"),
    [
        ("Milan have made contact with Tottenham over Drăgușin.", Stage.CONTACT),
        ("Milan held a lengthy meeting with the representatives of Drăgușin.", Stage.TALKS),
        ("Milan are closing in on Drăgușin.", Stage.ADVANCED_TALKS),
        ("Milan have submitted a bid for Drăgușin.", Stage.BID),
        ("Milan have agreed a fee with Tottenham for Drăgușin.", Stage.AGREEMENT),
        ("Drăgușin has agreed personal terms with Milan.", Stage.PERSONAL_TERMS),
        ("Drăgușin is in Milan for his medical with the Rossoneri.", Stage.MEDICAL),
        ("Drăgușin to Milan, here we go.", Stage.HERE_WE_GO),
        ("Milan have officially announced the signing of Drăgușin.", Stage.OFFICIAL),
    ],
)
def test_stage_cues(sources: SourceDirectory, body: str, stage: Stage) -> None:
    rumour = only(extract(sources, "Transfer news", body))
    assert rumour.to_club_id == "club:ac-milan" and rumour.stage is stage


def test_a_conditional_offer_is_not_a_bid(sources: SourceDirectory) -> None:
    rumour = only(extract(sources, "Milan news", "Milan could offer €20m for Drăgușin in the summer."))
    assert rumour.stage is Stage.INTEREST


@pytest.mark.parametrize(
    ("body", "stage"),
    [
        ("Napoli are not interested in Drăgușin.", Stage.DENIED),
        ("Napoli have ruled out a move for Drăgușin.", Stage.DENIED),
        ("Napoli have denied any interest in Drăgușin.", Stage.DENIED),
        ("Drăgușin's move to Napoli has collapsed.", Stage.COLLAPSED),
    ],
)
def test_negations(sources: SourceDirectory, body: str, stage: Stage) -> None:
    rumour = only(extract(sources, "Defender news", body))
    assert rumour.to_club_id == "club:napoli" and rumour.stage is stage and rumour.negated


def test_a_rejected_bid_stays_a_bid(sources: SourceDirectory) -> None:
    rumour = only(extract(sources, "Spurs say no", "Tottenham have rejected a €20m bid from Milan for Drăgușin."))
    assert (rumour.to_club_id, rumour.stage, rumour.rejected, rumour.negated) == (
        "club:ac-milan",
        Stage.BID,
        True,
        False,
    )


def test_the_seller_refusing_to_sell_negates_the_rumour(sources: SourceDirectory) -> None:
    body = "Napoli are tracking Drăgușin. Tottenham have no intention of selling the defender."
    rumour = only(extract(sources, "Napoli eye defender", body))
    assert rumour.to_club_id == "club:napoli" and rumour.negated and rumour.stage is Stage.DENIED


def test_negation_in_one_clause_does_not_leak_into_the_next(sources: SourceDirectory) -> None:
    body = "Napoli have ruled out a move for Drăgușin, but Roma are keen on him."
    by_club = {r.to_club_id: r for r in extract(sources, "Centre-backs", body)}
    assert by_club["club:napoli"].negated
    assert not by_club["club:as-roma"].negated


# ----------------------------------------------------------------------------- deal and fee


@pytest.mark.parametrize(
    ("body", "deal"),
    [
        ("Milan want Drăgușin on loan.", Deal.LOAN),
        ("Milan want Drăgușin on a loan with an option to buy.", Deal.LOAN_OPTION),
        ("Milan want Drăgușin on loan with an obligation to buy.", Deal.LOAN_OBLIGATION),
        ("Milan want Drăgușin on a free transfer.", Deal.FREE),
        ("Milan are close to a pre-contract agreement with Drăgușin.", Deal.PRE_CONTRACT),
        ("Milan have proposed a swap deal for Drăgușin.", Deal.SWAP),
        ("Milan want Drăgușin on a permanent deal.", Deal.PERMANENT),
        ("Milan want Drăgușin, whether as a loan with an option to buy or a permanent transfer.", Deal.LOAN_OPTION),
    ],
)
def test_deal_types(sources: SourceDirectory, body: str, deal: Deal) -> None:
    assert only(extract(sources, "Milan news", body)).deal is deal


def test_an_extension_is_a_rumour_with_the_players_own_club(sources: SourceDirectory) -> None:
    rumour = only(extract(sources, "Vlahović news", "Juventus have opened talks with Vlahović over a new contract."))
    assert (rumour.from_club_id, rumour.to_club_id, rumour.deal, rumour.stage) == (
        None,
        "club:juventus",
        Deal.EXTENSION,
        Stage.TALKS,
    )


@pytest.mark.parametrize(
    ("body", "fee"),
    [
        ("Milan have made a £55m bid for Drăgușin.", "£55m"),
        ("Milan have made a €25 million bid for Drăgușin.", "€25m"),
        ("Milan have made a $10m bid for Drăgușin.", "$10m"),
        ("Milan have made a bid of 30 million euros for Drăgușin.", "€30m"),
        ("Milan have signed Drăgușin for an undisclosed fee, the club announced.", "undisclosed"),
        ("Milan will offer Drăgușin £80,000-a-week to sign.", None),
    ],
)
def test_fees(sources: SourceDirectory, body: str, fee: str | None) -> None:
    assert only(extract(sources, "Milan news", body)).fee == fee


# ----------------------------------------------------------------------------- sources and digests


def test_source_is_the_cited_outlet_then_the_feed(sources: SourceDirectory) -> None:
    feed = sources.get("CaughtOffside")
    cited = extract_rumours(
        match_of("Milan news", "Milan want Drăgușin, according to Calciomercato."),
        CATALOGUE,
        sources=sources,
        feed_source=feed,
    )
    assert only(cited).source is not None and only(cited).source.name == "Calciomercato.com"
    uncited = extract_rumours(
        match_of("Milan news", "Milan want Drăgușin."), CATALOGUE, sources=sources, feed_source=feed
    )
    assert only(uncited).source is feed


def test_a_gossip_digest_gives_each_claim_its_own_source(sources: SourceDirectory) -> None:
    body = (
        "Milan are keen on Tottenham defender Radu Drăgușin. (Gazzetta dello Sport - in Italian)\n\n"
        "Juventus have made an approach for Manchester United striker Joshua Zirkzee. (Sun)\n\n"
        "Chelsea have opened talks with Mike Maignan. (Telegraph - subscription required)"
    )
    by_player = {r.player_id: r for r in extract(sources, "Wednesday's gossip", body)}
    assert {p: (r.to_club_id, r.source.name if r.source else None) for p, r in by_player.items()} == {
        "player:radu-dragusin": ("club:ac-milan", "La Gazzetta dello Sport"),
        "player:joshua-zirkzee": ("club:juventus", "The Sun"),
        "player:mike-maignan": ("club:chelsea", "The Telegraph"),
    }
    assert by_player["player:joshua-zirkzee"].stage is Stage.CONTACT


# ----------------------------------------------------------------------------- the seed article, end to end


def test_seed_article_end_to_end(sources: SourceDirectory) -> None:
    from bot.catalogue import Matcher, load_catalogue

    catalogue = load_catalogue(ROOT / "seeds")
    title, body = Path("/work/shared/seed-article.txt").read_text(encoding="utf-8").split("\n", 1)
    rumours = extract_rumours(Matcher(catalogue).match_item(title, body), catalogue, sources=sources)
    got = {(r.player_id, r.from_club_id, r.to_club_id): r for r in rumours}
    assert set(got) == {
        ("player:radu-dragusin", "club:tottenham", "club:ac-milan"),
        ("player:radu-dragusin", "club:tottenham", "club:as-roma"),
        ("player:radu-dragusin", "club:tottenham", "club:napoli"),
        ("player:nathan-ake", "club:manchester-city", "club:ac-milan"),
    }
    milan = got[("player:radu-dragusin", "club:tottenham", "club:ac-milan")]
    assert milan.stage is Stage.TALKS and milan.deal is Deal.LOAN_OPTION
    assert got[("player:radu-dragusin", "club:tottenham", "club:as-roma")].stage is Stage.INTEREST
    assert got[("player:radu-dragusin", "club:tottenham", "club:napoli")].stage is Stage.INTEREST
    assert got[("player:nathan-ake", "club:manchester-city", "club:ac-milan")].stage is Stage.INTEREST
    assert all(r.source is not None and r.source.name == "Calciomercato.com" for r in rumours)
    assert not any(r.negated for r in rumours)


# ----------------------------------------------------------------------------- companions, intent, price stances


@pytest.mark.parametrize(
    "body",
    [
        "Milan want Drăgușin as a replacement for Maignan.",
        "Milan want Drăgușin as cover for the injured Maignan.",
        "Milan want Drăgușin as the long-term successor to Maignan.",
        "Milan want Drăgușin to partner Aké at the back.",
        "Milan want Drăgușin, who would compete with Aké for a place.",
        "Milan want Drăgușin, who has been compared to Aké.",
        "Milan want Drăgușin to play alongside Aké.",
        "Milan want Drăgușin in place of Aké.",
        "Milan want Drăgușin to replace Aké.",
        "Milan want Drăgușin following Aké's departure.",
        "Milan want Drăgușin, Aké's former team-mate.",
        "Milan want Drăgușin as back-up for Maignan and Aké.",
    ],
)
def test_a_player_named_only_in_relation_to_the_subject_gets_no_rumour(sources: SourceDirectory, body: str) -> None:
    assert pairs(extract(sources, "Defender news", body)) == {("radu-dragusin", "ac-milan")}


def test_a_companion_only_item_gives_the_companion_no_rumour(sources: SourceDirectory) -> None:
    # Aké is the only catalogue player; the signing is someone the catalogue lacks.
    body = "Napoli are closing in on a new centre-back, who would arrive as a replacement for Aké."
    assert extract(sources, "Napoli close in", body) == []


def test_a_relative_clause_about_a_companion_is_his_own_rumour(sources: SourceDirectory) -> None:
    body = "Milan want Drăgușin as the successor to Aké, who remains a target for Juventus."
    assert pairs(extract(sources, "Succession", body)) == {("radu-dragusin", "ac-milan"), ("nathan-ake", "juventus")}


def test_a_club_named_after_a_companion_is_his_not_the_subjects(sources: SourceDirectory) -> None:
    body = "Chelsea, who lost Aké to Napoli in the summer, are tracking Drăgușin."
    assert pairs(extract(sources, "Chelsea look", body)) == {("radu-dragusin", "chelsea")}


def test_competing_for_a_players_signature_does_not_make_him_a_companion(sources: SourceDirectory) -> None:
    body = "With Roma and Napoli also circling, competition for Drăgușin's signature is intensifying."
    assert pairs(extract(sources, "Race", body)) == {("radu-dragusin", "as-roma"), ("radu-dragusin", "napoli")}


@pytest.mark.parametrize(
    "body",
    [
        "Milan are ready to offer €25m for Drăgușin.",
        "Milan are preparing an offer for Drăgușin.",
        "Milan are set to make an offer for Drăgușin.",
        "Milan plan a bid for Drăgușin.",
        "Milan will submit a formal offer for Drăgușin next week.",
        "Milan are lining up a €25m bid for Drăgușin.",
    ],
)
def test_an_offer_still_to_be_made_is_interest(sources: SourceDirectory, body: str) -> None:
    assert only(extract(sources, "Milan plan", body)).stage is Stage.INTEREST


def test_an_offer_made_is_still_a_bid(sources: SourceDirectory) -> None:
    assert only(extract(sources, "Milan move", "Milan have made a €25m offer for Drăgușin.")).stage is Stage.BID


@pytest.mark.parametrize(
    ("title", "body"),
    [
        ("Spurs accept Milan bid for Drăgușin", ""),
        ("Milan news", "Tottenham have accepted a €25m offer from Milan for Drăgușin."),
        ("Milan news", "Milan's €25m proposal for Drăgușin has been accepted by Tottenham."),
    ],
)
def test_an_accepted_offer_is_an_agreement(sources: SourceDirectory, title: str, body: str) -> None:
    rumour = only(extract(sources, title, body))
    assert (rumour.to_club_id, rumour.stage) == ("club:ac-milan", Stage.AGREEMENT)


def test_a_stage_still_to_come_is_not_reached(sources: SourceDirectory) -> None:
    body = "Tottenham have accepted Milan's offer for Drăgușin, who still has to agree personal terms."
    assert only(extract(sources, "Milan news", body)).stage is Stage.AGREEMENT


@pytest.mark.parametrize(
    "body",
    [
        "Tottenham will not let Drăgușin leave for less than €30m, with Milan tracking him.",
        "Tottenham won't sell Drăgușin unless their valuation is met, with Milan tracking him.",
    ],
)
def test_a_price_stance_is_not_a_denial(sources: SourceDirectory, body: str) -> None:
    rumour = only(extract(sources, "Spurs stance", body))
    assert rumour.to_club_id == "club:ac-milan" and not rumour.negated and rumour.stage is Stage.INTEREST


def test_a_plain_refusal_is_still_a_denial(sources: SourceDirectory) -> None:
    body = "Tottenham will not sell Drăgușin this month, with Milan tracking him."
    assert only(extract(sources, "Spurs stance", body)).stage is Stage.DENIED


def test_a_player_in_talks_with_a_club_would_join_it(sources: SourceDirectory) -> None:
    rumour = only(extract(sources, "Free agent", "Aké is in talks with Napoli after leaving Manchester City."))
    assert (rumour.from_club_id, rumour.to_club_id, rumour.stage) == (
        "club:manchester-city",
        "club:napoli",
        Stage.TALKS,
    )


def test_a_club_in_talks_with_a_club_is_buying_from_it(sources: SourceDirectory) -> None:
    rumour = only(extract(sources, "Milan move", "Milan are in talks with Tottenham over Drăgușin."))
    assert (rumour.from_club_id, rumour.to_club_id) == ("club:tottenham", "club:ac-milan")


@pytest.mark.parametrize(
    "body",
    [
        "Maignan will sign a new deal at Milan.",
        "Maignan is close to tying his future to Milan until 2030.",
        "Maignan has agreed fresh terms with Milan.",
    ],
)
def test_new_contract_wordings_are_extensions(sources: SourceDirectory, body: str) -> None:
    rumour = only(extract(sources, "Maignan future", body))
    assert (rumour.to_club_id, rumour.from_club_id, rumour.deal) == ("club:ac-milan", None, Deal.EXTENSION)


@pytest.mark.parametrize(
    ("body", "from_club", "to_club", "stage", "deal"),
    [
        # leaving one club for another: the second is the suitor, the first the club he leaves
        (
            "Vlahović is on the cusp of swapping Juventus for Barcelona.",
            "juventus",
            "barcelona",
            Stage.ADVANCED_TALKS,
            None,
        ),
        ("Vlahović will leave Juventus for Chelsea in the summer.", "juventus", "chelsea", Stage.INTEREST, None),
        # a first approach
        ("Napoli have made their first move for Aké.", "manchester-city", "napoli", Stage.CONTACT, None),
        (
            "Roma have taken the first concrete steps towards signing Aké.",
            "manchester-city",
            "as-roma",
            Stage.CONTACT,
            None,
        ),
        # scouting
        ("Juventus have had Aké watched twice this month.", "manchester-city", "juventus", Stage.INTEREST, None),
        ("Napoli sent two scouts to watch Aké against Chelsea.", "manchester-city", "napoli", Stage.INTEREST, None),
        # a pre-contract with the club he would join ("contract with" does not name his club here)
        (
            "Aké has agreed a pre-contract agreement with Juventus ahead of a free move in June.",
            "manchester-city",
            "juventus",
            Stage.AGREEMENT,
            Deal.PRE_CONTRACT,
        ),
        ("Aké agrees a pre-contract with Juventus.", "manchester-city", "juventus", Stage.AGREEMENT, Deal.PRE_CONTRACT),
        # a director meeting the player's camp: his club is the suitor
        (
            "Napoli director Giovanni Manna met Aké's agent in London on Monday.",
            "manchester-city",
            "napoli",
            Stage.TALKS,
            None,
        ),
    ],
)
def test_move_wordings_link_player_and_club(
    sources: SourceDirectory, body: str, from_club: str, to_club: str, stage: Stage, deal: Deal | None
) -> None:
    rumour = only(extract(sources, "Transfer news", body))
    assert (rumour.from_club_id, rumour.to_club_id, rumour.stage, rumour.deal) == (
        f"club:{from_club}",
        f"club:{to_club}",
        stage,
        deal,
    )


def test_a_meeting_with_the_players_camp_refines_the_clubs_pair(sources: SourceDirectory) -> None:
    body = "Juventus want Aké. Cristiano Giuntoli met the defender's representatives on Friday."
    rumour = only(extract(sources, "Juventus plans", body))
    assert (rumour.to_club_id, rumour.stage) == ("club:juventus", Stage.TALKS)


@pytest.mark.parametrize(
    ("body", "stage"),
    [
        ("Maignan is expected to commit his future to the Rossoneri.", Stage.ADVANCED_TALKS),
        ("Maignan has committed his long-term future to Milan.", Stage.OFFICIAL),
        ("Maignan is set to pen a new deal with Milan.", Stage.ADVANCED_TALKS),
        ("Maignan will prolong his contract at Milan until 2030.", Stage.ADVANCED_TALKS),
    ],
)
def test_committing_a_future_is_an_extension_with_his_own_club(
    sources: SourceDirectory, body: str, stage: Stage
) -> None:
    rumour = only(extract(sources, "Maignan future", body))
    assert (rumour.to_club_id, rumour.from_club_id, rumour.deal, rumour.stage) == (
        "club:ac-milan",
        None,
        Deal.EXTENSION,
        stage,
    )


@pytest.mark.parametrize(
    ("body", "deal"),
    [
        # a loan, completed a sentence later
        (
            "Roma are closing in on a loan deal for Zirkzee. The agreement includes an obligation to buy worth €30m.",
            Deal.LOAN_OBLIGATION,
        ),
        # no deal with the move; a clause naming the buying club (or nobody) gives it
        (
            "Roma are in talks with Manchester United for Zirkzee. Roma are pushing for a loan with a purchase option.",
            Deal.LOAN_OPTION,
        ),
        ("Roma want Zirkzee. The agreement would contain a buy option.", Deal.LOAN_OPTION),
        # the selling club's clause speaks for the only move
        ("Zirkzee to Roma, here we go! United accept €30m, a permanent deal.", Deal.PERMANENT),
        # a generic loan-to-buy is refined by the obligation the text spells out
        (
            "Roma agree loan-to-buy deal for Zirkzee. The obligation becomes mandatory once Roma avoid relegation.",
            Deal.LOAN_OBLIGATION,
        ),
        # an option the text rules out is a plain loan
        ("Roma want Zirkzee on loan. The loan would carry no option to buy.", Deal.LOAN),
        ("Roma want Zirkzee on a loan without a purchase option.", Deal.LOAN),
    ],
)
def test_a_deal_type_told_apart_from_the_move_applies_to_it(sources: SourceDirectory, body: str, deal: Deal) -> None:
    rumour = only(extract(sources, "Zirkzee move", body))
    assert (rumour.player_id, rumour.to_club_id, rumour.deal) == ("player:joshua-zirkzee", "club:as-roma", deal)


@pytest.mark.parametrize(
    "body",
    [
        "Roma want Zirkzee and Chelsea want Aké. The agreement would contain a buy option.",  # which deal?
        "Roma want Zirkzee. Napoli want Aké on loan with an option to buy.",  # another player's deal
        "Roma want Zirkzee. They also want Tomas Novak on loan with an option to buy.",  # an unknown player's
    ],
)
def test_a_deal_type_apart_from_the_move_is_not_guessed_when_ambiguous(sources: SourceDirectory, body: str) -> None:
    rumours = extract(sources, "Serie A plans", body)
    zirkzee = next(r for r in rumours if r.player_id == "player:joshua-zirkzee")
    assert zirkzee.deal is None


def test_the_only_catalogue_player_does_not_inherit_an_unknown_players_move(sources: SourceDirectory) -> None:
    body = "Napoli want to sign Tomas Novak from Genoa. Napoli also want Aké."
    rumour = only(extract(sources, "Napoli plans", body))
    assert (rumour.player_id, rumour.from_club_id, rumour.to_club_id) == (
        "player:nathan-ake",
        "club:manchester-city",  # not Genoa, the unknown player's club
        "club:napoli",
    )


def test_a_web_address_ends_a_sentence(sources: SourceDirectory) -> None:
    text = "Title\n\nMilan asked about Aké, says Calciomercato.com. Roma want Drăgușin."
    assert [text[a:b] for a, b in split_sentences(text)][1:] == [
        "Milan asked about Aké, says Calciomercato.com.",
        "Roma want Drăgușin.",
    ]


# ----------------------------------------------------------------------------- speed helpers stay exact


def _corpus_texts() -> list[str]:
    corpus = ROOT / "tests" / "data" / "corpus.jsonl"
    items = [json.loads(line) for line in corpus.read_text(encoding="utf-8").splitlines() if line.strip()]
    return [fold(item["title"] + "\n\n" + item["summary"]) for item in items]


def test_the_literal_prefilter_never_skips_a_pattern_that_matches() -> None:
    # The prefilter may only say "cannot match" when the pattern really cannot: check every
    # registered pattern on every sentence-sized window of the corpus.
    from bot.language.pack import language_pack

    pack = language_pack("en")
    patterns = [cues.pattern for cues in pack.wordings.sets.values() if pack.prefilter.number(cues.pattern) is not None]
    assert len(patterns) >= 20  # the cue battery is registered
    checked = 0
    for text in _corpus_texts():
        for start in range(0, len(text), 40):
            window = text[start : start + 120]
            present = pack.prefilter.present(window)
            for pattern in patterns:
                if pattern.search(window):
                    assert pack.may_match(pattern, present), (pattern.pattern[:60], window)
                    checked += 1
    assert checked > 1000


@pytest.mark.parametrize("text", ["€25m for Drăgușin", "Straße ß 😀 end", "😀", "", "a€b€", "Ødegaard’s “deal” – ½"])
def test_the_folded_offset_map_matches_its_definition(text: str) -> None:
    from bisect import bisect_left

    from bot.language import fold as fold_with_maps

    folded = fold_with_maps(text)
    starts = list(folded.to_original)
    assert len(starts) == len(folded.text) + 1 and starts[-1] == len(text)
    # each original index maps to the first folded character it produced (or the next one)
    assert list(folded.to_folded) == [bisect_left(starts[:-1], index) for index in range(len(text) + 1)]


def test_and_between_two_moves_keeps_them_apart(matcher, catalogue, sources: SourceDirectory) -> None:
    """ "A want X and B have bid for Y": X goes to A only, Y to B only; "Milan and Roma want X" stays whole."""
    text = (
        "Rangers boss Russell Martin wants Kieran Tierney back and Al-Hilal have made an offer for "
        "Kyogo Furuhashi, claims the Daily Record."
    )
    found = {
        (r.player_id, r.to_club_id)
        for r in extract_rumours(matcher.match_item("Gossip", text), catalogue, sources=sources)
    }
    assert found == {("player:kieran-tierney", "club:rangers"), ("player:kyogo-furuhashi", "club:al-hilal")}
    both = extract_rumours(
        matcher.match_item("Gossip", "AC Milan and Napoli want Jonathan David."), catalogue, sources=sources
    )
    assert {r.to_club_id for r in both} == {"club:ac-milan", "club:napoli"}
