"""Names the catalogue lacks: spot likely footballers in transfer news, and track them until confirmed.

The detector is pure (``detect(match, catalogue) -> list[ProvisionalCandidate]``) and deliberately
narrow: a false provisional player becomes noise in somebody's alerts, a missed one only waits for the
next article. A name is proposed only when it sits in one of these transfer/football shapes:

- ``club-position``: "<Club> <position> <Firstname Lastname>" ("Lens striker Joe Bloggs");
- ``age``: "<Firstname Lastname>, 23," in a sentence with a club or a transfer word;
- ``sign-from``: "sign <Name> from <Club>" (also "bid for", "move for", "swoop for" …);
- ``international``: "the <nationality> international <Name>" / "<Name>, the <nationality> international";
- ``scorer`` (match reports): "goals from <Name> and <Name>", "a header by <Name>".

and then only if it survives every filter: 2–3 capitalised tokens (particles such as van, de, da, dos,
di allowed between them), no token that is a month, a day, a position, a nationality, a sentence
word ("However", "The"), a competition word ("League", "Cup", "Serie") or a place; not an alias of
anything in the catalogue, not a non-player from ``seeds/people.toml``, not an outlet or journalist
from ``seeds/sources.toml``, no role word next to it ("sporting director", "agent", "head coach",
"tennis"…), never in a Title Case headline (where every word is capitalised, name ends are guesses).

``ProvisionalTracker`` is the pipeline side: it records each sighting (item, feed) and promotes a
provisional player to a regular one once two distinct feeds reported him or anyone follows him.
"""

from __future__ import annotations

import functools
import logging
import re
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

from bot.catalogue.model import Catalogue
from bot.catalogue.normalize import norm, slug
from bot.language.pack import DEFAULT_LANGUAGE, DEFAULT_SEEDS
from bot.language.reader import document_of
from bot.language.vocabulary import load_vocabulary
from bot.models import AliasKind, EntityKind, MatchResult, Mention

if TYPE_CHECKING:
    from bot.sources import SourceDirectory

log = logging.getLogger(__name__)

__all__ = ["ProvisionalCandidate", "ProvisionalDetector", "detect", "provisional_id"]

# ----------------------------------------------------------------------------- vocabulary

# Every upper-case (or title-case) letter Python knows, so that "Ødegaard" and "Çalhanoğlu" start names;
# ``re`` has no \p{Lu}.
_UPPER = "[" + "".join(re.escape(c) for c in map(chr, range(0x2000)) if c.isupper() or c.istitle()) + "]"
_CAP = rf"{_UPPER}[^\W\d_]*(?:['’\-]{_UPPER}?[^\W\d_]+)*"  # "Joe", "O'Brien", "Al-Dawsari", "Alexander-Arnold"
_PARTICLES = ("van", "von", "de", "da", "das", "do", "dos", "di", "du", "del", "della", "der", "den", "le", "la",
              "ten", "ter", "bin", "ibn", "al", "el", "y")
_PARTICLE = "(?:" + "|".join(_PARTICLES) + ")"
_SP = r"[ \u00a0]"
# 2-3 capitalised tokens, up to two particles before each later token ("Virgil van Dijk", "Matthijs de Ligt").
_NAME = rf"(?P<name>{_CAP}(?:{_SP}(?:{_PARTICLE}{_SP}){{0,2}}{_CAP}){{1,2}})"

# Positions, nationalities, months and days are the shared vocabulary (seeds/vocabulary/en/).
# The vocabulary alone: the English pack's wordings load when something is first read.
_VOCABULARY = load_vocabulary(DEFAULT_SEEDS / "vocabulary", DEFAULT_LANGUAGE)
_POSITIONS: dict[str, str | None] = _VOCABULARY.position_words()
_POSITION = "(?:" + "|".join(sorted((re.escape(p) for p in _POSITIONS), key=len, reverse=True)) + ")"
_ADJECTIVE = (r"(?:young|teenage|veteran|experienced|talented|prolific|promising|highly[- ]rated|in-form|"
              r"out-of-favour|out-of-favor|unsettled|left-footed|right-footed|versatile|star|loan|first-team|"
              r"\d{2}-year-old|rising|exciting|powerful|pacy|tall|new|rated)")

_NATIONALITIES = tuple(_VOCABULARY.country_of_demonym())
_NAT = "(?P<nat>" + "|".join(sorted(_NATIONALITIES, key=len, reverse=True)) + ")"

# Anchored shapes. Cue words are case-insensitive; names are not (``(?i:…)`` only around the cues).
_AFTER_CLUB = re.compile(
    rf"(?:['’]s?)?{_SP}+(?i:(?:{_ADJECTIVE}{_SP}+){{0,2}})(?P<pos>(?i:{_POSITION})){_SP}+{_NAME}"
)
_AGE = re.compile(rf"{_NAME},{_SP}+(?:aged{_SP}+)?(?P<age>1[6-9]|[23]\d|4[0-2]),")
_SIGN_FROM = re.compile(
    rf"\b(?i:sign|signs|signed|signing(?:{_SP}+of)?|signature{_SP}+of|land|lands|landed|landing|snap{_SP}+up|snapped{_SP}+up|bring{_SP}+in|"
    rf"brought{_SP}+in|recruit|recruited|poach|poached|capture|captured|(?:bid|bids|move|swoop|offer|deal|approach|"
    rf"push|race|battle|chase|interest|enquiry|inquiry|loan{_SP}+move){_SP}+for){_SP}+{_NAME}"
    rf"(?:{_SP}+(?i:on{_SP}+(?:a{_SP}+)?(?:loan|free(?:{_SP}+transfer)?|permanent{_SP}+deal)))?{_SP}+(?i:from)"
    rf"{_SP}+(?:(?i:the){_SP}+)?"
)
_INTERNATIONAL = re.compile(
    rf"\b{_NAT}{_SP}+(?i:(?:youth|under-2[01]|u-?2[01]|full|senior){_SP}+)?(?P<role>(?i:international|{_POSITION}))"
    rf"(?:{_SP}+(?i:{_POSITION}))?{_SP}+{_NAME}"
)
_NAME_2 = _NAME.replace("?P<name>", "")  # the same shape, without the group name (Python 3.11 f-strings)
# Match reports: "Goals from Bas Kuipers and Joris van Dalen", "a brace from …", "header by …".
_SCORER = re.compile(
    rf"\b(?i:goals?|brace|double|hat-trick|hat{_SP}+trick|strike|header|penalty|equali[sz]er|winner)"
    rf"{_SP}+(?i:from|by){_SP}+{_NAME}(?:{_SP}+(?i:and){_SP}+(?P<second>{_NAME_2}))?"
)
# Every match of _SCORER holds one of these (its cue words, lower-cased).
_SCORER_WORDS = ("goal", "brace", "double", "hat", "strike", "header", "penalty", "equali", "winner")
_INTERNATIONAL_AFTER = re.compile(
    rf"{_NAME},{_SP}+(?i:the|a|an){_SP}+(?:\d{{2}}-year-old{_SP}+)?{_NAT}{_SP}+(?i:international|{_POSITION})\b"
)

_AGE_HINT = re.compile(r",\s+(?:aged\s+)?\d\d,")
_NAT_HINT = re.compile(_NAT)

_MONTHS = list(_VOCABULARY.months)
_DAYS = list(_VOCABULARY.days)
# Capitalised words that are never part of a player's name in news text: sentence openers, headline
# vocabulary, titles, competition and venue words, compass points, roles.
_STOPWORDS = frozenset(w.lower() for w in (*_MONTHS, *_DAYS, *"""
The A An This That These Those It Its He She They We I You His Her Their Our My Your Him Them
But And Or Nor So Yet If When While Whilst After Before Since As At In On Of For From To With Without By
About Against Despite Although Though However Meanwhile Elsewhere Also Now Then Today Yesterday Tomorrow
Tonight Last Next New Latest Breaking Exclusive Official Officially Confirmed Report Reports Reported Sources
Source Transfer Transfers News Gossip Rumour Rumours Rumor Rumors Deal Deals Done Here There Where Why How
What Who Whom Whose Which Sign Signs Signing Signed Watch Read Video Live Update Updates Club Clubs Football
Soccer League Leagues Cup Cups Serie Liga Ligue Premier Champions Europa Conference World Euro Euros Nations
Super Copa Trophy Shield Championship Division Bundesliga Eredivisie Primeira Ligue MLS Pro FC CF AFC SC AC AS
United City Real Athletic Atletico Sporting Stadium Park Arena Road Street Lane Ground Academy Mr Mrs Ms Sir
Dr Dame Lord Prince King Queen Saint St North South East West Northern Southern Eastern Western Central
Greater Upper Lower Old Great Little God Christmas Easter Window Deadline Day Days Week Weeks Month Months
Season Summer Winter Spring Autumn Bid Fee Loan Move Talks Medical Agreement Contract Offer Target Targets
Interest Swap Free Plan Plans Race Battle Blow Boost Shock Striker Strikers Forward Winger Midfielder Defender
Goalkeeper Keeper Manager Coach Boss Director Agent President Chairman Owner Star Ace Captain Youngster
Teenager International Internationals Player Players Fans Supporters Getty Images Photo Picture Reuters
AFP PA Press Association Sky Sports BBC ESPN Daily Mail Mirror Sun Times Telegraph Guardian Independent Express
Athletic Gazzetta Marca Kicker Bild Ligue One Two Three Four Five Six Seven Eight Nine Ten First Second Third
Every Each All Any Some Many Most More Much Several Both Either Neither Not No Yes Only Just Even Still
Should Could Would Will Can May Might Must Shall Did Does Do Has Have Had Is Are Was Were Be Been Being
Following Speaking Asked Talking According Per Via Ahead Amid Among Between Under Over Into Onto Upon Within
Because Unless Until Whether Once Twice Again Already Instead Otherwise Perhaps Maybe Indeed Overall Finally
Interestingly Crucially Notably Reportedly Sadly Unfortunately Fortunately Initially Ultimately Clearly
Europe European Africa African Asia Asian America Americas Olympic Olympics Games Group Stage Final Finals
Semi Quarter Round Derby Clasico Classico Grand Prix Open Masters Tour Team Squad Side Camp Board Fund
Saudi Arabia Emirates Gulf Middle Gold Golden Ballon Boot Award Awards Coupe Pokal Taca Taça Coppa Supercoppa
Journalist Reporter Correspondent Editor Columnist Writer Photographer Chairwoman CEO Executive Referee Pundit
Commentator Presenter Broadcaster Analyst Scout Physio Doctor Lawyer Spokesman Minister Mayor Legend Tennis Golf
Golfer Cricket Cricketer Rugby Boxer Driver NBA NFL
""".split()))
# Roles that make a name a non-player, and other sports.
_ROLE = (r"(?:manager|head\s+coach|coach|boss|director|sporting\s+director|technical\s+director|"
         r"football\s+director|agent|super-?agent|intermediary|journalist|reporter|correspondent|editor|columnist|"
         r"writer|photographer|president|vice-president|chairman|chairwoman|ceo|chief\s+executive|executive|"
         r"owner|co-owner|referee|pundit|commentator|presenter|broadcaster|analyst|scout|chief\s+scout|"
         r"physio|doctor|lawyer|spokes(?:man|woman|person)|minister|mayor|tennis|nba|nfl|nhl|mlb|f1|"
         r"formula\s+(?:one|1)|cricket(?:er)?|golf(?:er)?|rugby|basketball|baseball|boxer|boxing|ufc|mma|"
         r"snooker|darts|cyclist|cycling|sprinter|jockey|quarterback|driver|actor|actress|singer|rapper|"
         r"musician|politician)")
_ROLE_BEFORE = re.compile(rf"\b{_ROLE}(?:['’]s)?{_SP}+(?:[\w.'’-]+{_SP}+){{0,1}}$", re.IGNORECASE)
_ROLE_AFTER = re.compile(
    rf"^(?:,{_SP}*\d{{2}},?)?{_SP}*(?:,|\(|–|—|-|as\b|is\b|was\b){_SP}*"
    rf"(?:(?:the|a|an|new|their|our|who\s+(?:is|was)(?:\s+(?:the|a|an))?){_SP}+)?"
    rf"(?:[\w.'’-]+{_SP}+){{0,2}}{_ROLE}\b",
    re.IGNORECASE,
)
# A journalist's name is followed by his verb, or preceded by a citing cue.
_REPORTER_AFTER = re.compile(
    r"^\s*(?:(?:has|have)\s+)?(?:reports?|reported|writes|wrote|understands|tweeted|via\b)", re.IGNORECASE
)
_CITING_BEFORE = re.compile(r"\b(?:according\s+to|per|via|by|told|says|journalist|reporter|insider|"
                            r"appoint(?:s|ed)?|hire[sd]?|install(?:s|ed)?)\s+$",
                            re.IGNORECASE)
# Sport words, searched in lower-cased text (three times faster than a case-insensitive regex).
_OTHER_SPORT = re.compile(
    r"\b(?:tennis|nba|nfl|nhl|mlb|f1|formula\s+(?:one|1)|grand\s+prix|cricket(?:er)?|golf(?:er)?|rugby|"
    r"basketball|baseball|boxing|boxer|ufc|mma|snooker|darts|cycling|cyclist|athletics|sprinter|jockey|"
    r"quarterback|wimbledon|atp|wta|pga|ipl|super\s+bowl|touchdown)\b"
)
_FOOTBALL = re.compile(
    rf"\b(?:football(?:er)?|soccer|transfer|window|loan|signing|sign(?:s|ed)?|fee|bid|contract|deal|"
    rf"{_POSITION.lower()}|goals?|league|serie\s+a|la\s?liga|bundesliga|ligue\s+1|eredivisie)\b"
)

_BEFORE_CLUB_FORMER = re.compile(r"\b(?:former|ex)[\s-]+$", re.IGNORECASE)
_POSSESSIVE = re.compile(r"['’]s?$")


def _other_sport(text: str) -> bool:
    return _OTHER_SPORT.search(text.lower()) is not None


def _football(text: str) -> bool:
    return _FOOTBALL.search(text.lower()) is not None


# ----------------------------------------------------------------------------- results


@dataclass(frozen=True, slots=True)
class ProvisionalCandidate:
    """A likely footballer the catalogue lacks, with the text that suggested him.

    ``start``/``end`` locate the name in the matched text; ``evidence`` is the whole cue as written
    ("Lens striker Joe Bloggs"), ``cue`` which of the four shapes it was.
    """

    name: str
    club_id: str | None
    evidence: str
    cue: str
    start: int
    end: int
    position: str | None = None
    nationality: str | None = None

    def __reduce__(self) -> tuple[type[ProvisionalCandidate], tuple[str, str | None, str, str, int, int, str | None,
                                                                     str | None]]:
        # Read in worker processes (bot.reading); compiled frozen classes unpickle by construction.
        return (ProvisionalCandidate, (self.name, self.club_id, self.evidence, self.cue, self.start, self.end,
                                       self.position, self.nationality))

    @property
    def entity_id(self) -> str:
        """The id the player gets when recorded: ``player:<slug>``."""
        return provisional_id(self.name)


def provisional_id(name: str) -> str:
    """The entity id of a provisional (or operator-added) player called ``name``."""
    return f"player:{slug(name)}"


# ----------------------------------------------------------------------------- detector


class ProvisionalDetector:
    """Finds provisional players in match results against one catalogue. Build once; ``detect`` is pure."""

    def __init__(self, catalogue: Catalogue, *, sources: SourceDirectory | None = None) -> None:
        self.catalogue = catalogue
        self._sources = sources
        self._known = {norm(a.text) for a in catalogue.aliases}
        self._people = {norm(alias) for person in catalogue.people for alias in person.aliases}
        places = {norm(a.text) for a in catalogue.aliases if a.kind is AliasKind.PLACE}
        countries = {norm(e.country) for e in catalogue.entities.values() if e.country}
        leagues = {norm(word) for e in catalogue.clubs() if e.league for word in e.league.split()}
        nationalities = {norm(word) for nat in _NATIONALITIES for word in nat.split()}
        self._bad_tokens = _STOPWORDS | places | countries | leagues | nationalities

    def detect(self, match: MatchResult) -> list[ProvisionalCandidate]:
        """Return the likely players in ``match.text`` that the catalogue does not know, first sighting first."""
        text = match.text
        if not text:
            return []
        clubs = [m for m in match.mentions if self._is_club(m.entity_id)]
        found: list[ProvisionalCandidate] = []
        for club in clubs:
            hit = _AFTER_CLUB.match(text, club.end)
            if hit is not None:
                current = None if _BEFORE_CLUB_FORMER.search(text, max(0, club.start - 12), club.start) else club
                position = _POSITIONS.get(" ".join(hit.group("pos").lower().split()))
                found.append(self._candidate(hit, text, "club-position", current, club.start, position=position))
        # Cheap guards first: the name-first patterns are costly to try at every offset of a long text.
        lowered = text.lower()
        for hit in _SIGN_FROM.finditer(text) if clubs and "from" in lowered else ():
            after = next((m for m in clubs if m.start == hit.end()), None)
            if after is not None:
                found.append(self._candidate(hit, text, "sign-from", after, hit.start(), end=after.end))
        for hit in _AGE.finditer(text) if _AGE_HINT.search(text) else ():
            found.append(self._candidate(hit, text, "age", self._club_near(hit, clubs, text), hit.start()))
        nationality_named = _NAT_HINT.search(text) is not None
        for pattern in (_INTERNATIONAL, _INTERNATIONAL_AFTER) if nationality_named else ():
            for hit in pattern.finditer(text):
                nat = hit.group("nat")
                found.append(
                    self._candidate(hit, text, "international", self._club_near(hit, clubs, text), hit.start(),
                                    nationality=nat)
                )
        scorer_words = any(word in lowered for word in _SCORER_WORDS)  # cheap guard for a costly pattern
        for hit in _SCORER.finditer(text) if scorer_words and (" from " in lowered or " by " in lowered) else ():
            for group in ("name", "second"):
                if hit.group(group):
                    found.append(self._candidate(hit, text, "scorer", None, hit.start(), group=group))
        return self._keep(found, match, clubs)

    # ------------------------------------------------------------------ internals

    def _is_club(self, entity_id: str) -> bool:
        entity = self.catalogue.find(entity_id)
        return entity is not None and entity.kind is EntityKind.CLUB

    @staticmethod
    def _candidate(
        hit: re.Match[str],
        text: str,
        cue: str,
        club: Mention | None,
        evidence_start: int,
        *,
        end: int | None = None,
        position: str | None = None,
        nationality: str | None = None,
        group: str = "name",
    ) -> ProvisionalCandidate:
        start, stop = hit.span(group)
        name = " ".join(hit.group(group).split())
        evidence = " ".join(text[evidence_start: end if end is not None else hit.end()].split())
        return ProvisionalCandidate(
            name, club.entity_id if club else None, evidence.rstrip(","), cue, start, stop, position,
            _country_of(nationality),
        )

    @staticmethod
    def _club_near(hit: re.Match[str], clubs: list[Mention], text: str) -> Mention | None:
        """A current club right next to the name: "Lens' Joe Bloggs", "Joe Bloggs of Lens", "… from Lens", "(Lens)"."""
        start, end = hit.span("name")
        for club in clubs:
            before = text[club.end:start]
            if 0 <= start - club.end <= 4 and re.fullmatch(r"['’]s?\s+", before):
                return club
            between = text[end:club.start]
            if 0 <= club.start - end <= 24 and re.fullmatch(
                r"(?:,\s*\d{2},)?\s*(?:\(|of\s+|at\s+|from\s+|,\s+(?:of|at|from)\s+)(?:the\s+)?", between
            ):
                return club
        return None

    def _keep(
        self, found: list[ProvisionalCandidate], match: MatchResult, clubs: list[Mention]
    ) -> list[ProvisionalCandidate]:
        if not found:
            return []
        text = match.text
        doc = document_of(match)
        other_sport_item = _other_sport(text)
        football_item = bool(clubs) or _football(text)
        out: dict[str, ProvisionalCandidate] = {}
        @functools.cache  # once per sentence, not per name in it (a long sentence made this quadratic)
        def says(test: Callable[[str], object], start: int, end: int) -> bool:
            return bool(test(text[start:end]))

        for raw in sorted(found, key=lambda c: c.start):
            candidate = self._trim(raw, text)
            if candidate is None or not football_item:
                continue
            s_start, s_end = doc.sentence_span(candidate.start)
            club_here = any(s_start <= m.start < s_end for m in clubs)
            if says(_other_sport, s_start, s_end) or (other_sport_item and not club_here):
                continue
            if candidate.cue == "age" and not (club_here or says(_football, s_start, s_end)):
                continue  # "Jane Doe, 34, was arrested": an age alone is no football cue
            if says(_title_case, s_start, s_end) or not self._plausible(candidate, match, text, s_start):
                continue
            key = norm(candidate.name)
            kept = out.get(key)
            if kept is None:
                out[key] = candidate
            elif kept.club_id is None and candidate.club_id is not None:
                out[key] = replace(kept, club_id=candidate.club_id)
        return list(out.values())

    def _trim(self, candidate: ProvisionalCandidate, text: str) -> ProvisionalCandidate | None:
        """Drop leading and trailing non-name words ("However Joe Bloggs" -> "Joe Bloggs"); None if < 2 left."""
        tokens = [(m.start(), m.end()) for m in re.finditer(r"\S+", text[candidate.start:candidate.end])]
        words = [text[candidate.start + s: candidate.start + e] for s, e in tokens]

        def bad(word: str) -> bool:
            return norm(_POSSESSIVE.sub("", word)) in self._bad_tokens

        first, last = 0, len(words)
        while first < last and (bad(words[first]) or words[first] in _PARTICLES):
            first += 1
        while last > first and (bad(words[last - 1]) or words[last - 1] in _PARTICLES):
            last -= 1
        kept = words[first:last]
        capitalised = [w for w in kept if w not in _PARTICLES]
        if not 2 <= len(capitalised) <= 3 or any(bad(w) for w in kept):
            return None
        start = candidate.start + tokens[first][0]
        end = candidate.start + tokens[last - 1][1]
        name = " ".join(kept)
        # The evidence quoted the untrimmed words ("January Joe Bloggs, 23"): quote the name as kept.
        evidence = candidate.evidence.replace(" ".join(words), name, 1)
        return replace(candidate, name=name, start=start, end=end, evidence=evidence)

    def _plausible(self, candidate: ProvisionalCandidate, match: MatchResult, text: str, s_start: int) -> bool:
        """Every precision filter on one name in its context."""
        folded = norm(candidate.name)
        tokens = folded.split()
        if folded in self._known or folded in self._people:
            return False
        if tokens[-1] in self._people:
            return False  # "Mr Guardiola", "Joe Romano": a non-player's surname ends the name
        for mention in match.mentions:
            overlaps = mention.start < candidate.end and candidate.start < mention.end
            if overlaps and not self._namesake(candidate, mention):
                return False  # part of a name or club the matcher already resolved
        if self._sources is not None and self._sources.lookup(candidate.name) is not None:
            return False
        if any(len(t) < 2 for t in tokens) or any(not w[0].isupper() for w in candidate.name.split()
                                                   if w not in _PARTICLES):
            return False
        before = text[max(s_start, candidate.start - 40):candidate.start]
        after = text[candidate.end:candidate.end + 60]
        if _ROLE_BEFORE.search(before) and not re.search(r"\b(?:of|for|representing|represents)\s+$", before,
                                                        re.IGNORECASE):
            return False
        if _CITING_BEFORE.search(before) or _REPORTER_AFTER.match(after):
            return False
        possessive = re.match(r"['’]", after) is not None
        return possessive or not _ROLE_AFTER.match(after)


    def _namesake(self, candidate: ProvisionalCandidate, mention: Mention) -> bool:
        """True if ``mention`` is only the surname of a *different* player ("Kofi Mensah" vs Gideon Mensah).

        The matcher resolves a bare surname to the catalogued player; when the text gives another first
        name (not even the same initial: "Alex" may be Alexander) and another club, it is someone else.
        """
        player = self.catalogue.find(mention.entity_id)
        if player is None or player.kind is not EntityKind.PLAYER:
            return False
        if not (candidate.start < mention.start and mention.end <= candidate.end):
            return False  # the mention covers the first name too
        given, known = norm(candidate.name).split(), norm(player.name).split()
        if len(known) < 2 or given[0][0] == known[0][0]:
            return False
        return candidate.club_id is None or candidate.club_id != player.club_id


def _title_case(sentence: str) -> bool:
    """A headline in Title Case ("Arsenal Striker Joe Bloggs Set For Move"): name boundaries are guesses."""
    words = [w for w in re.findall(r"[^\W\d_][\w'’-]*", sentence) if len(w) >= 3]
    if len(words) < 4:
        return False
    capitalised = sum(1 for w in words if w[0].isupper())
    small = [w for w in words if w.lower() in ("for", "and", "the", "with", "set", "over", "from", "into", "after")]
    return capitalised / len(words) >= 0.8 and any(w[0].isupper() for w in small)


_COUNTRY_OF = _VOCABULARY.country_of_demonym()


def _country_of(nationality: str | None) -> str | None:
    """The seed files' country name for a demonym; None when unsure (better blank than a demonym)."""
    return _COUNTRY_OF.get(nationality) if nationality else None


_DETECTORS: list[tuple[Catalogue, SourceDirectory | None, ProvisionalDetector]] = []


def detect(
    match: MatchResult, catalogue: Catalogue, *, sources: SourceDirectory | None = None
) -> list[ProvisionalCandidate]:
    """Return the provisional players in ``match`` (see the module docstring for what qualifies).

    Pure. The detector built for a catalogue is kept, so a batch (``mercato match --jsonl``) builds it once.
    """
    for known_catalogue, known_sources, detector in _DETECTORS:
        if known_catalogue is catalogue and known_sources is sources:
            return detector.detect(match)
    detector = ProvisionalDetector(catalogue, sources=sources)
    _DETECTORS[:] = [*_DETECTORS[-3:], (catalogue, sources, detector)]  # a few catalogues per process at most
    return detector.detect(match)
