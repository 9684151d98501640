"""transfermarkt-datasets clubs mapped to catalogue clubs by name and alias (their legal names set aside)."""

from __future__ import annotations

from bot.catalogue import Catalogue
from bot.catalogue.csvfiles import TmClub
from bot.catalogue.importer import map_clubs

# (name, club_code) as transfermarkt-datasets' clubs.csv writes them.
CLUBS = {
    5: ("Associazione Calcio Milan", "ac-mailand"),
    148: ("Tottenham Hotspur Football Club", "tottenham-hotspur"),
    398: ("Società Sportiva Lazio S.p.A.", "lazio-rom"),
    13: ("Club Atlético de Madrid S.A.D.", "atletico-madrid"),
    826: ("Racing Club de Lens", "rc-lens"),
    583: ("Paris Saint-Germain Football Club", "fc-paris-saint-germain"),
    46: ("Football Club Internazionale Milano S.p.A.", "inter-mailand"),
    99999: ("Example Town Rovers", "example-town-rovers"),
}


def test_legal_names_and_codes_map_to_catalogue_clubs(catalogue: Catalogue) -> None:
    """Names map without their legal words ("Football Club", "S.p.A."), or through the code; no guesswork."""
    mapping = map_clubs(catalogue, {i: TmClub(n, i, name, code) for n, (i, (name, code)) in enumerate(CLUBS.items())})
    assert mapping == {
        5: "club:ac-milan", 148: "club:tottenham", 398: "club:lazio", 13: "club:atletico-madrid",
        826: "club:lens", 583: "club:paris-saint-germain",
    }  # Inter's legal name names no alias (an operator adds one), and an unknown club maps to nothing
