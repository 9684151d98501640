"""The reader's rules by class of error (issue 9): each test reads text through the real matcher and
catalogue, as the bot does, and checks the (player, from, to, stage) it reports."""

from __future__ import annotations

import pytest

from bot.catalogue import Catalogue, Matcher
from bot.language import extract_rumours
from bot.models import Rumour
from bot.sources import SourceDirectory, load_sources
from tests.conftest import SEEDS

Pair = tuple[str, str | None, str, str]  # player slug, from club slug (None: extension), to club slug, stage


@pytest.fixture(scope="module")
def sources() -> SourceDirectory:
    return load_sources(SEEDS / "sources.toml")


@pytest.fixture
def read(matcher: Matcher, catalogue: Catalogue, sources: SourceDirectory):  # type: ignore[no-untyped-def]
    def read(title: str, summary: str = "") -> list[Rumour]:
        return extract_rumours(matcher.match_item(title, summary), catalogue, sources=sources)

    return read


def pairs(rumours: list[Rumour]) -> set[Pair]:
    def slug(entity_id: str | None) -> str | None:
        return entity_id.split(":", 1)[1] if entity_id is not None else None

    return {(str(slug(r.player_id)), slug(r.from_club_id), str(slug(r.to_club_id)), r.stage.value) for r in rumours}


# ----------------------------------------------------------------------------- gossip shorthand


def test_clubs_listed_after_a_player_head_are_his_suitors(read) -> None:  # type: ignore[no-untyped-def]
    """"Player: Club, Club …" names suitors without a verb for each; the separator is the evidence."""
    rumours = read("Gossip", "Kevin Nisbet — Hibs, Motherwell, Dundee United. Aberdeen open to offers.")
    assert pairs(rumours) == {
        ("kevin-nisbet", "aberdeen", club, "interest") for club in ("hibernian", "motherwell", "dundee-united")
    }
    assert all(e.wording == "list-after-dash" for r in rumours for e in r.evidence)


def test_clubs_listed_before_a_player_are_his_suitors(read) -> None:  # type: ignore[no-untyped-def]
    """"Club, Club — Club's Player" and "Club v Club for Player" list suitors before the player."""
    assert pairs(read("Gossip", "Celtic, Rangers — Bristol City's Anis Mehmeti.")) == {
        ("anis-mehmeti", "bristol-city", "celtic", "interest"),
        ("anis-mehmeti", "bristol-city", "rangers", "interest"),
    }
    assert pairs(read("Gossip", "Arsenal v Real Madrid for Monaco's Lamine Camara, 22.")) == {
        ("lamine-camara", "monaco", "arsenal", "interest"),
        ("lamine-camara", "monaco", "real-madrid", "interest"),
    }


def test_a_clause_of_a_headed_line_is_about_its_player(read) -> None:  # type: ignore[no-untyped-def]
    """Clubs named later in the line with a cue but no player are the head player's suitors, or the
    clubs he turned down."""
    rumours = read("Round-up", "Pau Cubarsí: new deal talks ongoing at Barça; Chelsea and Manchester City rebuffed")
    assert pairs(rumours) == {
        ("pau-cubarsi", None, "barcelona", "talks"),
        ("pau-cubarsi", "barcelona", "chelsea", "denied"),
        ("pau-cubarsi", "barcelona", "manchester-city", "denied"),
    }


def test_a_match_report_headline_is_no_shorthand(read) -> None:  # type: ignore[no-untyped-def]
    """A score in the head: "Inter 2-1 AC Milan: Lautaro …" lists no suitor."""
    assert read("Inter 2-1 AC Milan: Lautaro Martínez settles the derby") == []


# ----------------------------------------------------------------------------- who a clause is about


def test_a_digest_claim_naming_nobody_is_about_nobody(read) -> None:  # type: ignore[no-untyped-def]
    """The demo's gossip column: the Arsenal claim speaks of an unnamed winger, not of Aké."""
    rumours = read(
        "Thursday's gossip: Aké wanted in Italy, Arsenal eye a winger",
        "AC Milan admire Manchester City defender Nathan Aké and could test City's resolve before the deadline. "
        "(Gazzetta dello Sport) Arsenal are weighing up a late move for a winger after injuries. (Mirror)",
    )
    assert pairs(rumours) == {("nathan-ake", "manchester-city", "ac-milan", "interest")}


@pytest.mark.parametrize(
    "summary",
    [
        "Elsewhere, Arsenal are eyeing a new right-back.",
        "Manchester United are in the market for a goalkeeper and have asked about several options.",
    ],
)
def test_a_sentence_about_an_unnamed_player_is_not_about_the_named_one(read, summary: str) -> None:  # type: ignore[no-untyped-def]
    assert read("Jannik Vestergaard has played every minute for Leicester City this season.", summary) == []


# ----------------------------------------------------------------------------- two moves, one sentence


@pytest.mark.parametrize(
    ("title", "expected"),
    [
        (
            "Boro land McLean as Whittaker departs for Bournemouth",
            {("kenny-mclean", "norwich-city", "middlesbrough", "interest"),
             ("morgan-whittaker", "middlesbrough", "bournemouth", "interest")},
        ),
        (
            "Lille have agreed a fee with Monaco for Philipp Köhn and are in talks with Nice over Kevin Carlos.",
            {("philipp-kohn", "monaco", "lille", "agreement"), ("kevin-carlos", "nice", "lille", "talks")},
        ),
        (
            "Fenerbahçe have agreed fees with Celtic for Arne Engels and with FC Porto for Alan Varela.",
            {("arne-engels", "celtic", "fenerbahce", "agreement"), ("alan-varela", "porto", "fenerbahce", "agreement")},
        ),
    ],
)
def test_two_moves_in_one_sentence_keep_their_own_clubs(read, title: str, expected: set[Pair]) -> None:  # type: ignore[no-untyped-def]
    """A second subject starts a clause of its own; an elided subject is the first clause's; a club
    named next to the other player as his is not this player's suitor."""
    assert pairs(read(title)) == expected


def test_a_list_of_suitors_is_not_split(read) -> None:  # type: ignore[no-untyped-def]
    """"reports of Juventus and Napoli interest": both clubs are suitors, neither is his club."""
    rumours = read("Goretzka", "Bayern Munich say there has been no offer for Leon Goretzka, despite reports in "
                               "Italy of Juventus and Napoli interest.")
    assert pairs(rumours) == {
        ("leon-goretzka", "bayern-munich", "juventus", "interest"),
        ("leon-goretzka", "bayern-munich", "napoli", "interest"),
    }


def test_a_player_going_the_other_way_joins_the_first_ones_club(read) -> None:  # type: ignore[no-untyped-def]
    rumours = read("Stuttgart sign Manzambi", "VfB Stuttgart have signed Johan Manzambi from SC Freiburg, with "
                                              "Lorenz Assignon going the other way on loan.")
    assert pairs(rumours) == {
        ("johan-manzambi", "sc-freiburg", "vfb-stuttgart", "official"),
        ("lorenz-assignon", "vfb-stuttgart", "sc-freiburg", "official"),
    }


# ----------------------------------------------------------------------------- direction, completed moves


def test_a_move_the_catalogue_already_records_is_still_reported(read) -> None:  # type: ignore[no-untyped-def]
    """The seeds show Semenyo at City; the text says he is moving there from Bournemouth."""
    rumours = read("Semenyo undergoes Manchester City medical",
                   "Antoine Semenyo is having a medical at Manchester City ahead of his £65m move from Bournemouth.")
    assert pairs(rumours) == {("antoine-semenyo", "bournemouth", "manchester-city", "medical")}


def test_a_former_club_told_in_his_history_can_be_his_destination(read) -> None:  # type: ignore[no-untyped-def]
    rumours = read("Leverkusen consider bringing back Jonathan Tah",
                   "Bayer Leverkusen are considering a move to bring Jonathan Tah back to the BayArena. The "
                   "centre-back left the Werkself for Bayern Munich on a free in 2025.")
    assert pairs(rumours) == {("jonathan-tah", "bayern-munich", "bayer-leverkusen", "interest")}


def test_a_clubs_training_ground_is_where_he_is_not_his_club(read) -> None:  # type: ignore[no-untyped-def]
    rumours = read("Deadline day", "Gustavo Hamer is at Burnley's training ground to complete a medical ahead of "
                                   "his move from Sheffield United.")
    assert pairs(rumours) == {("gustavo-hamer", "sheffield-united", "burnley", "medical")}


# ----------------------------------------------------------------------------- refusals and negation scope


def test_a_rejection_names_the_club_it_rejects(read) -> None:  # type: ignore[no-untyped-def]
    """"rejects Manchester City and signs new Forest deal": City is denied, the new contract is signed."""
    rumours = read("Elliot Anderson rejects Manchester City and signs new Forest deal",
                   "Elliot Anderson has signed a new five-year contract with Nottingham Forest.")
    assert pairs(rumours) == {
        ("elliot-anderson", None, "nottingham-forest", "official"),
        ("elliot-anderson", "nottingham-forest", "manchester-city", "denied"),
    }


def test_a_new_contract_not_offered_is_no_rumour(read) -> None:  # type: ignore[no-untyped-def]
    assert read("Alphonso Davies: no renewal talks", "Bayern Munich have not opened talks with Alphonso Davies "
                                                     "over a new contract.") == []


def test_the_clubs_a_staying_player_turned_down_are_denied(read) -> None:  # type: ignore[no-untyped-def]
    rumours = read("Deadline day", "Jarrad Branthwaite is staying at Everton. Chelsea and Manchester United both "
                                   "asked, but the club have not budged.")
    assert {(p, to, stage) for p, _from, to, stage in pairs(rumours)} == {
        ("jarrad-branthwaite", "chelsea", "denied"),
        ("jarrad-branthwaite", "manchester-united", "denied"),
    }


@pytest.mark.parametrize(
    ("summary", "stage"),
    [
        (
            ("Newcastle United have agreed a deal with Lille for Hákon Arnar Haraldsson. Next step: personal terms, "
            "still to be discussed."),
            "agreement",
        ),
        ("Leicester defender Jannik Vestergaard is wanted by Celtic, but the Foxes are yet to receive an offer.",
         "interest"),
    ],
)
def test_a_step_still_to_come_does_not_count(read, summary: str, stage: str) -> None:  # type: ignore[no-untyped-def]
    assert {r.stage.value for r in read("Transfer news", summary)} == {stage}


def test_serie_a_ends_a_sentence(read) -> None:  # type: ignore[no-untyped-def]
    """"… in Serie A. Manchester United are …": the letter is no initial, so the second sentence (about an
    unnamed goalkeeper) is not read with Svilar."""
    summary = ("Mile Svilar is one of the best goalkeepers in Serie A. Manchester United are in the market for a "
               "goalkeeper and have asked about several options.")
    assert read("Keepers", summary) == []


# ----------------------------------------------------------------------------- a club's own voice


def test_the_club_on_its_own_site_is_that_club(matcher: Matcher, catalogue: Catalogue, sources: SourceDirectory) -> None:
    """A club-site announcement that never names its club: "the Club" is the feed's club."""
    text = ("Welcome, Nathan", ("The Club is delighted to confirm the arrival of Nathan Aké from Manchester City "
                               "on a three-year deal."))
    own_site = sources.for_feed("https://www.acmilan.com/en/news/rss", None)
    rumours = extract_rumours(matcher.match_item(*text), catalogue, sources=sources, feed_source=own_site)
    assert pairs(rumours) == {("nathan-ake", "manchester-city", "ac-milan", "official")}
    elsewhere = sources.for_feed("https://www.bbc.co.uk/sport/football/rss.xml", None)
    assert extract_rumours(matcher.match_item(*text), catalogue, sources=sources, feed_source=elsewhere) == []


# ----------------------------------------------------------------------------- session 14 (blind9c, italian_c)


def test_a_rival_that_pulled_out_does_not_end_the_live_move(read) -> None:  # type: ignore[no-untyped-def]
    """A nameless "but have since pulled out" ends the move of the clause's subject, not every move."""
    rumours = read("Fenerbahçe open talks for Emiliano Martínez",
                   "Fenerbahçe have opened talks with Aston Villa over Emiliano Martínez. Dibu keen on a new "
                   "challenge. Galatasaray also enquired earlier in the window but have since pulled out.")
    assert pairs(rumours) == {("emiliano-martinez", "aston-villa", "fenerbahce", "talks"),
                              ("emiliano-martinez", "aston-villa", "galatasaray", "collapsed")}


def test_going_nowhere_is_a_denial(read) -> None:  # type: ignore[no-untyped-def]
    rumours = read("Shankland stays",
                   "Hearts head coach Derek McInnes says Lawrence Shankland \"is going nowhere\" despite Sheffield "
                   "United's interest.")
    assert pairs(rumours) == {("lawrence-shankland", "heart-of-midlothian", "sheffield-united", "denied")}


def test_italian_suitors_listed_after_su_di_lui(read) -> None:  # type: ignore[no-untyped-def]
    rumours = read("Santiago Castro, su di lui Juve, Inter e Napoli",
                   "Santiago Castro è uno dei nomi caldi dell'estate: su di lui Juve, Inter e Napoli.")
    assert pairs(rumours) == {("santiago-castro", "bologna", club, "interest")
                              for club in ("juventus", "inter", "napoli")}


def test_a_rival_named_after_a_comma_starts_a_move_of_its_own(read) -> None:  # type: ignore[no-untyped-def]
    """", Fiorentina bid for …" and ", their city rivals Inter agreed …" start moves of their own."""
    assert pairs(read("Lazio want Javi Guerra, Fiorentina bid for Bryan Gil")) == {
        ("javi-guerra", "valencia", "lazio", "interest"), ("bryan-gil", "girona", "fiorentina", "bid")}
    rumours = read("News", "AC Milan completed the signing of Manu Koné from Roma, their city rivals Inter agreed "
                           "personal terms with Lazio's Nicolò Rovella.")
    assert pairs(rumours) == {("manu-kone", "as-roma", "ac-milan", "official"),
                              ("nicolo-rovella", "lazio", "inter", "personal_terms")}


def test_a_denied_contact_with_a_named_club_is_a_denied_move(read) -> None:  # type: ignore[no-untyped-def]
    """"no talks with Chelsea", "no negotiation between Chelsea and Juventus": the pair exists, denied."""
    assert pairs(read("Yildiz", "There is no negotiation between Chelsea and Juventus for Kenan Yildiz.")) == {
        ("kenan-yildiz", "juventus", "chelsea", "denied")}
    assert pairs(read("Adeyemi", "Dortmund say there has been no contact with Arsenal over Karim Adeyemi.")) == {
        ("karim-adeyemi", "borussia-dortmund", "arsenal", "denied")}
    assert pairs(read("Yildiz", "Chelsea have opened talks with Juventus for Kenan Yildiz.")) == {
        ("kenan-yildiz", "juventus", "chelsea", "talks")}  # no "no": a live move


def test_italian_no_negotiation_with_a_club_denies_a_move_to_it(read) -> None:  # type: ignore[no-untyped-def]
    """"Nessuna trattativa con il Chelsea per Leão": Chelsea is the denied suitor, not a seller to Milan."""
    rumours = read("Il Milan smentisce: nessuna trattativa con il Chelsea per Leão",
                   "Nessuna trattativa con il Chelsea per Rafael Leão. Il Milan smentisce le indiscrezioni.")
    assert pairs(rumours) == {("rafael-leao", "ac-milan", "chelsea", "denied")}


def test_clubs_listed_after_a_former_club_are_former_clubs_too(read) -> None:  # type: ignore[no-untyped-def]
    rumours = read("Porto close to deal for Vitor Roque",
                   "Porto have offered €30m for the former Barcelona and Real Betis forward Vitor Roque.")
    assert {(p, t) for p, _f, t, _s in pairs(rumours)} == {("vitor-roque", "porto")}
    rumours = read("Dybala-Boca, avviati i contatti",
                   "Il Boca Juniors ha avviato i contatti con l'entourage di Paulo Dybala. La Joya, che in Italia ha "
                   "vestito anche le maglie di Palermo e Juventus, potrebbe tornare in Argentina.")
    assert {(p, t) for p, _f, t, _s in pairs(rumours)} == {("paulo-dybala", "boca-juniors")}


# ----------------------------------------------------------------------------- session 15 (blind9f, italian_f)


def test_a_bid_a_club_may_make_is_interest_not_a_bid(read) -> None:  # type: ignore[no-untyped-def]
    """"may make an offer", "might table a bid": a conditional bid is interest, as "will bid" is, not a bid on
    the table ("could bid" alone is no cue at all: the bid wording itself leaves it out)."""
    assert pairs(read("Chelsea might table a bid for Brighton's Carlos Baleba")) == {
        ("carlos-baleba", "brighton", "chelsea", "interest")
    }
    assert pairs(read("Chelsea may make an offer for Brighton's Carlos Baleba")) == {
        ("carlos-baleba", "brighton", "chelsea", "interest")
    }
    assert pairs(read("Chelsea have made an offer for Brighton's Carlos Baleba")) == {
        ("carlos-baleba", "brighton", "chelsea", "bid")
    }


def test_a_fixture_opponent_is_no_suitor(read) -> None:  # type: ignore[no-untyped-def]
    """"his new club's cup tie with Leeds": the opponent of a match is not where the player goes."""
    rumours = read("Napoli close in on McTominay", "Scott McTominay will have a medical at Juventus today and "
                   "could be available for their cup tie with Torino.")
    assert {(p, t) for p, _f, t, _s in pairs(rumours)} == {("scott-mctominay", "juventus")}


def test_a_past_move_told_with_before_and_its_year_is_background(read) -> None:  # type: ignore[no-untyped-def]
    """"before leaving for Millwall in 2023": a career note, not a move in the news."""
    rumours = read("Nisbet agrees to join Hibernian", "Kevin Nisbet has agreed a pre-contract with Hibernian. "
                   "He scored 43 goals in his first spell in Leith before leaving for Millwall in 2023.")
    assert {t for _p, _f, t, _s in pairs(rumours)} == {"hibernian"}


def test_italian_not_yet_is_no_denial(read) -> None:  # type: ignore[no-untyped-def]
    """"per ora nessun contatto ufficiale", "senza un'offerta non si muove nulla": nothing yet, not a refusal."""
    rumours = read("La Juventus pensa a Baleba", "La Juventus ha messo gli occhi su Carlos Baleba del Brighton. "
                   "Per ora nessun contatto con il club inglese.")
    assert [(r.to_club_id, r.negated) for r in rumours] == [("club:juventus", False)]
    rumours = read("Barella, l'Al-Hilal ci prova", "L'Al-Hilal è pronto a presentare un'offerta all'Inter per "
                   "Nicolò Barella. Senza una proposta ufficiale, a Milano non si muove nulla.")
    assert all(not r.negated for r in rumours) and rumours
    rumours = read("Barella, l'Al-Hilal ci prova", "L'Al-Hilal ha chiesto Nicolò Barella all'Inter, ma la "
                   "risposta è chiara: il centrocampista non si muove.")
    assert all(r.negated for r in rumours) and rumours  # a real refusal still is one
