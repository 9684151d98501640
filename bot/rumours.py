"""From a matched item to rumours: who (player) goes where (to club), how (deal), how far (stage).

The extractor is rule-based and works sentence by sentence (clause by clause inside a sentence):

1. The text is split into sentences (the title is its own sentence) and, for BBC-style gossip
   digests, into *claims*: runs of sentences each ending with a cited outlet "(Mirror)".
2. Players are the catalogue mentions plus descriptions that refer back to one ("the Tottenham
   centre-back", "the Romanian international", "the Dutchman", "the 23-year-old", "he"), resolved
   to the most recent fitting player of the claim (or the only player of the item).
3. A club is a *suitor* of a player only in a clause with a transfer cue (interest, talks, bid,
   medical, sign, join …) and only when nothing marks it as something else: the player's current
   club ("Tottenham's Drăgușin", "leave Spurs", "Aké of Manchester City", the catalogue club), a
   former club, an opponent ("against Roma", "Milan 2-1 Roma"), the club a player is on loan at.
4. Stage, deal type, fee and negation come from the cues of the clauses that link the pair; the
   source is what that sentence cites, else what the claim cites, else the feed's outlet.
5. Clauses that name only one side refine pairs found elsewhere in the same claim: a club-only
   clause ("Roma remain interested") links to the item's only player, or refines an existing pair;
   a player-only clause ("the Romanian will undergo medical tests") refines his only pair; a
   seller's refusal ("Spurs have no intention of selling him") negates all his pairs (of that
   deal type); a new contract with no club named is with his own club.
6. Background is blanked before cues are read ("joined from Metz in 2021", "last summer"), and a
   conditional offer ("could offer") is interest, not a bid.
7. A player named only in relation to the subject ("a replacement for X", "cover for X", "will
   partner X", "compared to X", "the brother of X", "following X's departure") is a *companion*: not
   the subject of the clause's transfer, and a club named right after him ("lost X to Liverpool")
   is his, not the subject's. A relative clause about him (", who remains a target for United")
   is read with him as its subject.
8. An offer still to be made ("ready to offer", "preparing a bid", "will submit an offer") is
   interest; an accepted offer ("have accepted a €25m bid", "the proposal has been accepted") is an
   agreement; a stage announced as still to come ("still has to agree personal terms") is not
   reached; a price stance ("will not let him leave for less than his clause") is no denial.
9. A player "in talks with <club>" negotiates with the club he would join (when a club is in talks
   with a club, the second one sells), and a clause naming a footballer the catalogue lacks does not
   hand his move to the item's only catalogue player.
10. Moves worded as a departure or a first approach link player and club: "on the brink of leaving
   X for Y" (Y buys, X sells; "the brink of Y" names no owner), "made a first move for", "have had the
   winger watched", "met the player's representatives"; "a pre-contract with Y" is with the club he joins.
   "Committing his future to" his club, "pen a new deal", "prolong his contract" are extensions.
11. A deal type told apart from the move ("The agreement includes a buy option", "the sellers
   accept €30m, a permanent deal") applies to the claim's only move, when the clause names no
   other club and no other player on the move; it completes a bare loan ("loan" → "loan with
   option"), an obligation spelt out refines a generic loan-to-buy, and an option ruled out ("would
   not include a purchase option") leaves a plain loan.

Speed: the cue patterns are long alternations; a clause is first scanned once for the literal words
they need (``_Prefilter``), clauses naming nobody skip the cue battery, and citations are looked up
lazily, once per claim where the sentence cannot cite anything else. Results are unchanged by these.

Every rule is about wording, never about a particular player or club; the labelled corpus in
``tests/data/`` (``python -m bench.eval``) measures them.

Pure: data in, data out; never imports ``discord``.
"""

from __future__ import annotations

import importlib
import itertools
import re
from bisect import bisect_left
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from functools import lru_cache
from typing import Any, Protocol

from bot.models import Deal, Entity, MatchResult, Mention, Rumour, Stage, highest_stage
from bot.sources import Source, SourceDirectory, fold, fold_with_map

__all__ = [
    "CatalogueLike",
    "Deal",
    "Rumour",
    "Stage",
    "extract_rumours",
    "highest_stage",
    "split_sentences",
]


class CatalogueLike(Protocol):
    """What the extractor needs from the catalogue."""

    def get(self, entity_id: str) -> Entity:
        """The entity with this id (may raise KeyError)."""
        ...


# ----------------------------------------------------------------------------- sentences

_ABBREVIATIONS = frozenset(
    "mr mrs ms dr st jr sr vs v no nos fc ac sc cf inc ltd co etc approx gen prof rev sen rep mt ft".split()
)
_SENTENCE_END = re.compile(r"[.!?]+['\"’”)]*(?=\s)")
_ENDS_SENTENCE = re.compile(r"[.!?)\"'’”]$")
_CITE_PAREN_END = re.compile(r"\)\s*(?=[A-Z0-9\"'‘“])")


def split_sentences(text: str) -> list[tuple[int, int]]:
    """Split ``text`` into sentence spans ``(start, end)``; every line is at least its own sentence.

    A full stop after an abbreviation ("Mr.", "St.", "A.C.", an initial "J.") does not end a sentence,
    and neither does one followed by "(" or a lower-case word. A parenthesised citation ("(Mirror)")
    that follows a full stop stays with the sentence before it.
    """
    spans: list[tuple[int, int]] = []
    line_start = 0
    for line in text.split("\n"):
        line_end = line_start + len(line)
        cuts = [line_start]
        for match in _SENTENCE_END.finditer(text, line_start, line_end):
            end = match.end()
            rest = text[end:line_end].lstrip()
            if not rest or not (rest[0].isupper() or rest[0].isdigit() or rest[0] in "\"'‘“"):
                continue
            if match.group(0).startswith(".") and _is_abbreviation(text[line_start : match.start()]):
                continue
            cuts.append(end)
        for match in _CITE_PAREN_END.finditer(text, line_start, line_end):
            opening = text.rfind("(", line_start, match.start())
            if opening != -1 and match.start() - opening <= 60:
                cuts.append(match.start() + 1)
        cuts = [*sorted(set(cuts)), line_end]
        for start, end in itertools.pairwise(cuts):
            s, e = _trim(text, start, end)
            if s < e:
                spans.append((s, e))
        line_start = line_end + 1
    return _merge_parentheticals(text, spans)


def _is_abbreviation(before: str) -> bool:
    word = re.search(r"([A-Za-z][A-Za-z.]*)$", before)
    if word is None:
        return False
    token = word.group(1)
    if "." in token:  # "A.C", "e.g"; but "Calciomercato.com." ends a sentence
        return all(len(part) <= 2 for part in token.split(".") if part)
    return token.lower() in _ABBREVIATIONS or (len(token) == 1 and token.isupper())


def _trim(text: str, start: int, end: int) -> tuple[int, int]:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end


def _merge_parentheticals(text: str, spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Glue a sentence that is only "(Outlet)" onto the sentence before it, on the same line."""
    merged: list[tuple[int, int]] = []
    for start, end in spans:
        piece = text[start:end]
        if merged and re.fullmatch(r"\([^()]{1,60}\)\.?", piece) and "\n" not in text[merged[-1][1] : start]:
            merged[-1] = (merged[-1][0], end)
        else:
            merged.append((start, end))
    return merged


# ----------------------------------------------------------------------------- cues (folded text)

# Stage cues, matched on folded text (ASCII, lower case). The weakest ("deal", "move", "sign")
# only make a club a suitor; the strong ones also set the stage.
_STAGE_CUES: tuple[tuple[Stage, re.Pattern[str]], ...] = tuple(
    (stage, re.compile(pattern))
    for stage, pattern in (
        (
            Stage.INTEREST,
            (
                r"\binterest(?:ed)?\b|\bkeen\b|\bwant(?:s|ed|ing)?\b|\beye(?:s|d|ing)?\b|\bmonitor\w*|\btrack(?:s|ed|ing)\b"
                r"|\btarget\w*|\bshortlist\w*|\badmire\w*|\badmirers?\b|\bradar\b|\bcircling\b|\blink(?:ed|ing)\b|\blinks?\s+(?:with|to)\b"
                r"|\bconsider\w*\b|\bscout\w*|\bcourt(?:ing|ed)\b|\bpursu\w+|\bchas(?:e|es|ing)\b|\brace\s+for\b|\bbattle\s+for\b"
                r"|\bsignature\b|\bmove\s+(?:for|to)\b|\bswoop\w*|\bkeeping\s+tabs\b|\bplot\w*\b|\bsights\b|\bdream\b"
                r"|\bwould\s+like\b|\blooking\s+at\b|\bweigh\w*\s+up\b|\bpriority\b|\bsidelines\b|\blurking\b|\bin\s+the\s+wings\b"
                r"|\bon\s+(?:red\s+)?alert\b|\bwish\s?list\b|\b(?:top|head)\s+of\s+(?:their|the|his|its)\s+(?:\S+\s+)?list\b"
                r"|\bearmarked\b|\bidentified\b|\bha(?:d|s|ve)\s+(?:\S+\s+){1,3}(?:watched|observed)\b|\bsent\s+(?:\S+\s+){1,3}to\s+(?:watch|observe)\b|\bwatching\s+brief\b|\b(?:first|top|preferred)\s+(?:choice|option)\b|\boffered\s+to\b(?!\s+(?:pay|buy|sign)\b)|\bfollow(?:s|ing|ed)?\s+(?:\S+\s+){0,4}closely\b|\bcredited\b|\bwanted\b"
            ),
        ),
        (
            Stage.CONTACT,
            (
                r"\bapproach(?:ed|es)?\b|\bcontact(?:ed|s)?\b|\benquir\w+|\binquir\w+|\bsounded\s+out\b|\bsound\s+out\b"
                r"|\brequest(?:ed)?\s+information\b|\basked\s+(?:\w+\s+){0,3}(?:about|for\s+information)\b"
                r"|\bsp(?:o|ea)ken?\s+(?:\S+\s+){0,2}to\s+(?:\S+\s+){0,3}(?:agents?|representatives|entourage|camp|father|brother)\b"
                r"|\b(?:tak\w*|took|made|mak\w*)\s+(?:a|the|their|its)\s+(?:\S+\s+)?first\s+(?:\S+\s+)?(?:steps?|moves?)\b"
            ),
        ),
        (
            Stage.TALKS,
            (
                r"\btalks\b|\bnegotiat\w+|\bdiscussions?\b|\bmeeting\b|\bmet\s+with\b|\bsat\s+down\s+with\b"
                r"|\bin\s+dialogue\b|\bopened\s+(?:talks|discussions|dialogue)|\bdiscuss(?:ed|es|ing)?\b"
                r"|\b(?:met|meets?)\s+(?:\S+\s+){0,3}(?:officials|directors|executives|representatives|chiefs|agents?|entourage|intermediar\w+)\b"
            ),
        ),
        (
            Stage.ADVANCED_TALKS,
            (
                r"\badvanced\b|\bclos(?:e|ing)\s+in\s+on\b"
                r"|\bclose\s+to\s+(?:a\s+deal|an\s+agreement|agreeing|signing|completing|sealing|tying|extending|renewing|committing|penning)"
                r"|\bwill\s+(?:sign|join|extend|renew|complete|pen|prolong|commit)\b"
                r"|\bedg(?:e|es|ing)\s+closer\b|\bnearing\b|\bon\s+the\s+(?:verge|brink|cusp)\b|\bfinal\s+details\b|\bfinalis\w+|\bfinaliz\w+"
                r"|\b(?:set|poised|expected|due|likely|primed)\s+to\s+(?:join|sign|complete|seal|move|land|finalise|finalize|extend|renew|pen|prolong|commit)\b"
                r"|\bfinal\s+stages\b"
            ),
        ),
        (
            Stage.BID,
            (
                # "could/would offer", "could make an offer" are intentions (interest), and a player
                # "offered to" a club is his agent knocking on doors, not a bid.
                # (The lookbehinds follow the word boundary: the same test at the same position, but
                # the engine can then skip non-word positions quickly.)
                r"\b(?<!could )(?<!would )(?<!might )(?<!could make an )(?<!would make an )"
                r"(?:bid|bids|bidding|offer|offers)\b"
                r"|\boffered\b(?!\s+to\b)|\btabled?\b|\bsubmitted\b|\bpropos(?:al|ed|es)\b"
            ),
        ),
        (
            Stage.AGREEMENT,
            (
                r"\b(?<!pre-contract )(?<!precontract )agreement\b|\bagreed\b"
                r"|\bagree(?:s)?\s+(?:an?\s+)?(?:\S+\s+){0,2}?(?:fee|deal|terms|pre-?contract|pre-?agreement)\b|\breach(?:ed)?\s+(?:an\s+)?agreement\b"
                r"|\bdeal\s+(?:is\s+)?in\s+place\b|\bfee\s+agreed\b"
            ),
        ),
        (
            Stage.PERSONAL_TERMS,
            (r"\bpersonal\s+terms\b|\bterms\s+with\s+the\s+player\b|\bcontract\s+terms\b"),
        ),
        (
            Stage.MEDICAL,
            (r"\bmedicals?\b|\bmedical\s+tests\b"),
        ),
        (
            Stage.HERE_WE_GO,
            (r"\bhere\s+we\s+go\b|\bdone\s+deal\b|\bdeal\s+(?:is\s+)?done\b|\bsigned\s+and\s+sealed\b"),
        ),
        (
            Stage.OFFICIAL,
            (
                r"\bofficial(?:ly)?\b|\b(?<!to )(?<!be )announc(?:e|es|ed)\b"
                r"|\bconfirm(?:s|ed)?\s+(?:the\s+)?(?:signing|arrival|transfer|departure|loan|capture)"
                r"|\b(?:has|have)\s+(?:officially\s+)?(?:signed|joined|completed)\b|\bunveil\w*"
                r"|\b(?:has|have)\s+(?:now\s+|officially\s+)?(?:committed|tied)\s+(?:his|her|their)\s+(?:long-term\s+)?future\b"
                r"|\b(?<!to )complet(?:es|ed)\s+(?:his\s+|her\s+|a\s+|the\s+)?(?:\w+\s+)?"
                r"(?:move|transfer|switch|signing|loan)\b"
                r"|\bwelcome[sd]?\s+(?:\S+\s+){1,4}to\b|\bwelcome\s+to\b|\b(?:pleased|delighted|happy|proud|thrilled)\s+to\s+(?:announce|confirm)"
            ),
        ),
    )
)

# Present-tense headlines report done deals ("Zirkzee joins Roma"); in a body "joins" is as often a
# plan ("he joins on loan with an option"), and next to "here we go" it is the journalist's scoop.
_HEADLINE_OFFICIAL = re.compile(r"\bjoins\b|\bsigns\b|\bcompletes\b")
_HERE_WE_GO = re.compile(r"\bhere\s+we\s+go\b")

# Transfer vocabulary too generic to set a stage ("a deal", "the move", "sign"): enough to link a
# player and a club named together, not enough to pin a club on a player named elsewhere.
_WEAK_CUES = re.compile(
    r"\boffer\w*|\bsell(?:s|ing)?\b|\bsale\b|\bsign(?:ing|s|ed)?\b|\bdeal\b|\btransfer\b(?!\s+(?:window|market|news|gossip|ban|deadline))|\bswitch\b|\bmove\b"
    r"|\bjoin(?:ing|s|ed)?\b|\bleav(?:e|es|ing)\s+(?:\S+\s+){1,4}?for\b|\bpen(?:s|ned|ning)?\s+(?:a|an|his|her|the|their)\b|\bopen(?:s|ed|ing)?\s+the\s+door\b|\blure\b|\bprise\b|\bprising\b|\bpoach\w*|\bsnap\s+up\b|\bbring\b|\barrival\b|\breplace\b"
)

_DENIED = re.compile(
    r"\bnot\s+(?:be\s+)?available\b|\b(?:do|does|did)\s+not\s+want\s+to\s+(?:sell|lose)\b|\bdon'?t\s+want\s+to\s+(?:sell|lose)\b|\b(?:decided|opted)\s+against\b|\bwill\s+stay\s+at\b|\bis\s+staying\s+at\b|\b(?:have|has|had)\s+not\s+(?:yet\s+)?(?:opened|started|begun|held|made|submitted|offered|approached|contacted)\b"
    r"|\bnot\s+yet\s+offered\b|\bno\s+(?:talks|contact|offer|bid|approach)\s+(?:has|have|had)\b|\bden(?:y|ies|ied|ying)\b|\brul(?:ed|es|ing|e)\s+out\b|\bnot\s+(?:be\s+)?interested\b|\bno\s+(?:longer\s+)?interest(?:ed)?\b"
    r"|\bno\s+longer\s+interested\b|\bno\s+intention\s+of\s+(?:selling|sell|leaving|letting|signing|parting)"
    r"|\bnot\s+for\s+sale\b|\bnot\s+(?:be\s+)?sold\b|\b(?:will|would)\s+not\s+(?:be\s+)?(?:sell|sold|sign|join|leave|move|pursue|let)"
    r"|\bwon'?t\s+(?:be\s+)?(?:sell|sold|sign|join|leave|move|pursue|let)|\bdismiss\w*\s+(?:the\s+)?(?:reports?|rumou?rs?|speculation|talk|links?)"
    r"|\bno\s+truth\b|\bnot\s+(?:be\s+)?pursu\w+|\b(?:ended|end|ends|cooled|abandoned?)\s+(?:their\s+|its\s+|his\s+)?(?:interest|pursuit)"
    r"|\boff\s+the\s+table\b|\b(?:shut|closed)\s+the\s+door\b|\bno\s+plans?\s+to\s+(?:sell|sign|move|leave|let)"
    r"|\bstaying\s+put\b|\bnot\s+(?:going\s+to\s+)?leav(?:e|ing)\b|\bnothing\s+to\s+(?:it|the\s+(?:reports?|rumou?rs?))\b"
    r"|\brefuse[sd]?\s+to\s+(?:sell|let)\b|\bnot\s+on\s+the\s+agenda\b|\bnot\s+(?:a\s+)?target\b|\bturned\s+(?:their|his)\s+attention\s+elsewhere"
)
_COLLAPSED = re.compile(
    r"\bcollaps(?:e|es|ed)\b|\bbr(?:oke|oken|eak|eaks)\s+down\b|\bf(?:e|a)ll(?:en|s)?\s+through\b|\bpull(?:ed|s|ing)?\s+out\b"
    r"|\bwalk(?:ed|s)?\s+away\b|\bcalled\s+off\b|\bscrapped\b|\bfail(?:ed|s)\s+(?:a\s+|his\s+)?medical\b|\b(?:deal|move)\s+is\s+off\b"
)
_REJECTED = re.compile(
    r"\breject(?:ed|s)?\b|\bturn(?:ed|s)?\s+down\b|\bsnub(?:bed|s)?\b|\bknock(?:ed|s)?\s+back\b|\brebuff(?:ed|s)?\b|\brefused\b"
)
_OFFER_WORD = re.compile(r"\b(?:bid|bids|offer|offers|offered|proposal|approach|approaches)\b")

# "ready to offer £15m", "preparing an offer", "will submit a formal bid", "lining up a £30m offer",
# "open to offers": an offer that is planned (or invited) has not been made.
_INTENT_BEFORE = re.compile(
    r"(?:\bto|\bwill|\bplan|\bplans|\b(?:prepar|readi|ready|plann|plott|mull|consider|contemplat|lin(?:e|es|ing)\s+up)\w*)"
    r"\s+(?:(?:make|table|submit|launch|lodge|put\s+in|send|present|prepare|test\s+\S+\s+(?:resolve\s+)?with)\s+)?"
    r"(?:(?:an?|the|their|his|its|another|fresh|new|formal|opening|first|second|improved|official|concrete|bumper|club-record"
    r"|initial|(?:£|€|\$)\S+|\S+m)\s+){0,4}$"
)
# "have accepted a €25m offer", "agreed to accept a proposal"; "the offer has been accepted by Lazio".
_ACCEPTED_BEFORE = re.compile(
    r"\b(?<!not )(?<!never )(?:accepted|agreed\s+to\s+accept|agree\s+to\s+accept)\s+(?:\S+\s+){0,4}$"
)
_ACCEPTED_AFTER = re.compile(r"^[^.;]{0,60}?\b(?:has|have|was|were|had)\s+been\s+accepted\b")
_ACCEPT_HEADLINE = re.compile(r"\baccepts?\s+(?:\S+\s+){0,4}$")
# A late stage the text announces as still to come is not reached yet.
_PENDING_BEFORE = re.compile(
    r"\b(?:still\s+(?:has|have|had|needs?|need)\s+to|yet\s+to|must\s+(?:still\s+|now\s+|first\s+)?|needs?\s+to|has\s+to|have\s+to)"
    r"\s+(?:\S+\s+){0,2}$"
)
_PENDABLE = frozenset({Stage.AGREEMENT, Stage.PERSONAL_TERMS, Stage.MEDICAL})
# A price stance ("will not let him leave for less than his clause", "won't sell unless …") names
# the terms of a sale; it does not refuse one.
_PRICE_STANCE_AFTER = re.compile(  # used with match(text, pos): no "^"
    r"[^.;]{0,60}?\b(?:for\s+(?:less\s+than|under|below|anything\s+(?:less|below|under))|less\s+than|below\s+(?:£|€|\$|\d|their|the|his)"
    r"|unless|cheaply|on\s+the\s+cheap|at\s+a\s+discount|without\s+(?:\S+\s+){0,2}(?:fee|clause|price|valuation))\b"
)

# Deal cues, most specific first; a less specific cue inside a more specific one is dropped
# ("loan" inside "loan with an option to buy").
_DEAL_CUES: tuple[tuple[Deal, re.Pattern[str]], ...] = tuple(
    (deal, re.compile(pattern))
    for deal, pattern in (
        (
            Deal.LOAN_OBLIGATION,
            (
                r"\bloan\s+with\s+(?:an?\s+)?(?:conditional\s+)?obligation\b(?:\s+to\s+(?:buy|purchase|sign))?|\bobligation\s+to\s+(?:buy|purchase|sign)\b"
                r"|\bobligat\w+\s+(?:purchase|buy)\b|\bobligation\b(?=[^.;]{0,60}?\b(?:trigger\w*|kicks?\s+in|activat\w*|becomes?\s+(?:mandatory|binding)))|\bmandatory\s+(?:purchase|buy|option)\b|\bbuy\s+obligation\b|\bobbligo\b"
            ),
        ),
        (
            Deal.LOAN_OPTION,
            (
                r"\bloan\s+with\s+(?:an?\s+)?option\b(?:\s+to\s+(?:buy|purchase|sign))?|\boption\s+to\s+(?:buy|purchase|sign|make\s+(?:the\s+)?(?:deal|move|loan)\s+permanent)\b"
                r"|\b(?:purchase|buy|buying)\s+option\b|\bloan-to-buy\b|\bdiritto\s+di\s+riscatto\b"
            ),
        ),
        (Deal.PRE_CONTRACT, r"\bpre-?contract\b|\bpre-?agreement\b"),
        (
            Deal.FREE,
            (
                r"\bfree\s+transfer\b|\bon\s+a\s+free\b|\bfree\s+agent\b|\bfor\s+free\b|\bbosman\b|\bout\s+of\s+contract\b"
                r"|\bwhen\s+his\s+(?:\S+\s+)?(?:contract|deal)\s+(?:expires|runs\s+out|ends)\b"
            ),
        ),
        (Deal.SWAP, r"\bswap\b|\bplayer-plus-cash\b|\bexchange\s+deal\b|\bpart-exchange\b|\bmakeweight\b"),
        (
            Deal.EXTENSION,
            (
                r"\bnew\s+(?:long-term\s+|improved\s+|bumper\s+|\w+-year\s+)?(?:contract|deal|terms)\b|\bcontract\s+(?:extension|renewal|talks)\b"
                r"|\b(?:fresh|improved)\s+(?:long-term\s+|\w+-year\s+)?(?:contract|deal|terms)\b"
                r"|\bt(?:ie|ies|ied|ying)\s+(?:his|her|their)\s+(?:long-term\s+)?future\s+to\b"
                r"|\bextend(?:ed|s|ing)?\s+(?:his\s+|their\s+|the\s+)?(?:contract|deal|stay)\b|\bextension\b|\brenew(?:al|ed|s|ing)?\b"
                r"|\bcommit(?:s|ted|ting)?\s+(?:his\s+|her\s+|their\s+)?(?:long-term\s+)?future\b|\bprolong\w*\s+(?:his\s+|her\s+|their\s+|the\s+)?(?:contract|deal|stay)\b"
            ),
        ),
        (Deal.PERMANENT, r"\bpermanent(?:ly)?\b|\boutright\b"),
        (
            Deal.LOAN,
            r"\bloan(?:ed)?\b(?!\s+(?:at|with|spell|from)\b)|\btemporary\s+(?:move|deal|switch|basis)\b",
        ),
    )
)

# "would not include a purchase option", "without an obligation to buy", "no option to buy": a plain loan.
_NO_OPTION_BEFORE = re.compile(
    r"(?:\bno|\bwithout|\bnot\s+(?:\S+\s+)?(?:include|including|contain|have|come\s+with|carry)|\bexclud\w*)"
    r"\s+(?:an?\s+|any\s+)?(?:\S+\s+)?$"
)
_BUY_AFTER_LOAN = (Deal.LOAN_OPTION, Deal.LOAN_OBLIGATION)

_FEE = re.compile(
    r"(?P<cur>£|€|\$|EUR\s?|GBP\s?|USD\s?)(?P<num>\d+(?:[.,]\d+)?)\s?(?P<unit>m\b|mn\b|million\b|bn\b|billion\b|k\b)?"
    r"|(?P<num2>\d+(?:[.,]\d+)?)\s?(?P<unit2>m|million)\s+(?P<cur2>euros?|pounds?|dollars?)\b"
    r"|(?P<undisclosed>\bundisclosed\s+(?:fee|sum|amount)\b)",
    re.IGNORECASE,
)
_HAS_DIGIT = re.compile(r"\d")
_WAGE_AFTER = re.compile(
    r"^\s*(?:-a-week|a\s+week|per\s+week|p/?w|a\s+year|per\s+year|per\s+season|a\s+season|net)", re.I
)

# Background, not news: "signed a new contract last summer", "joined from Metz in 2021".
_HISTORY = re.compile(
    r"\blast\s+(?:summer|season|year|january|window)\b|\byears?\s+ago\b"
    r"|\b(?:joined|signed|arrived|moved|came|paid|bought|sold|left)\b[^.;,]{0,60}\b(?:in|since)\s+(?:19|20)\d\d\b"
)

_CLAUSE_BREAK = re.compile(r";|,?\s+\b(?:but|while|whereas|although|though|however|meanwhile)\b,?\s+")

# ----------------------------------------------------------------------------- players by description

_ROLES = (
    r"centre-back|center-back|centre-half|cb|gk|defender|midfielder|striker|forward|winger|goalkeeper|keeper|goalie"
    r"|full-back|fullback|left-back|right-back|wing-back|playmaker|attacker|youngster|teenager|wonderkid|star"
    r"|player|international|captain|skipper|stopper|frontman|marksman|centre-forward|defensive\s+midfielder|number\s+nine"
)
_DEMONYMS: dict[str, tuple[str, ...]] = {
    "romanian": ("romania",),
    "dutch": ("netherlands",),
    "dutchman": ("netherlands",),
    "english": ("england",),
    "englishman": ("england",),
    "french": ("france",),
    "frenchman": ("france",),
    "spanish": ("spain",),
    "spaniard": ("spain",),
    "italian": ("italy",),
    "german": ("germany",),
    "portuguese": ("portugal",),
    "brazilian": ("brazil",),
    "argentine": ("argentina",),
    "argentinian": ("argentina",),
    "belgian": ("belgium",),
    "croatian": ("croatia",),
    "croat": ("croatia",),
    "serbian": ("serbia",),
    "serb": ("serbia",),
    "polish": ("poland",),
    "pole": ("poland",),
    "swedish": ("sweden",),
    "swede": ("sweden",),
    "danish": ("denmark",),
    "dane": ("denmark",),
    "norwegian": ("norway",),
    "swiss": ("switzerland",),
    "austrian": ("austria",),
    "scottish": ("scotland",),
    "scot": ("scotland",),
    "welsh": ("wales",),
    "welshman": ("wales",),
    "irish": ("ireland", "republic of ireland"),
    "nigerian": ("nigeria",),
    "senegalese": ("senegal",),
    "ivorian": ("ivory coast", "cote d'ivoire"),
    "moroccan": ("morocco",),
    "algerian": ("algeria",),
    "egyptian": ("egypt",),
    "ghanaian": ("ghana",),
    "cameroonian": ("cameroon",),
    "uruguayan": ("uruguay",),
    "colombian": ("colombia",),
    "mexican": ("mexico",),
    "american": ("united states", "usa"),
    "canadian": ("canada",),
    "japanese": ("japan",),
    "korean": ("south korea", "korea republic"),
    "turkish": ("turkey", "turkiye"),
    "turk": ("turkey", "turkiye"),
    "georgian": ("georgia",),
    "ukrainian": ("ukraine",),
    "slovenian": ("slovenia",),
    "slovak": ("slovakia",),
    "czech": ("czech republic", "czechia"),
    "hungarian": ("hungary",),
    "greek": ("greece",),
    "albanian": ("albania",),
    "ecuadorian": ("ecuador",),
    "chilean": ("chile",),
    "paraguayan": ("paraguay",),
    "venezuelan": ("venezuela",),
    "peruvian": ("peru",),
    "australian": ("australia",),
    "malian": ("mali",),
    "guinean": ("guinea",),
    "tunisian": ("tunisia",),
    "finnish": ("finland",),
    "icelandic": ("iceland",),
    "montenegrin": ("montenegro",),
    "kosovan": ("kosovo",),
    "bosnian": ("bosnia and herzegovina",),
    "uzbek": ("uzbekistan",),
    "jamaican": ("jamaica",),
}
_COUNTRY_ADJ: dict[str, tuple[str, ...]] = {
    country: (country,) for countries in _DEMONYMS.values() for country in countries if "'" not in country
} | {"guinea": ("guinea",), "holland": ("netherlands",), "turkey": ("turkey", "turkiye")}
_DEMONYM_RE = "|".join(sorted(_DEMONYMS, key=len, reverse=True))
_NATION_RE = "|".join(sorted(set(_DEMONYMS) | set(_COUNTRY_ADJ), key=len, reverse=True))
_DESCRIPTION = re.compile(
    rf"\bthe\s+(?:(?:\d{{1,2}})-year-old\s+)?(?:(?P<dem>{_NATION_RE})\s+)?"
    rf"(?:(?:former|new|young|experienced|towering|veteran|talented|versatile|left-footed|right-footed)\s+)?"
    rf"(?P<role>{_ROLES})s?\b(?!-)"
    rf"|\bthe\s+\d{{1,2}}-year-old\b"
    rf"|\bthe\s+(?P<dem2>{_DEMONYM_RE})\b(?!\s+(?:giants|side|club|outfit|champions|team|rivals|federation|league|top\s+flight"
    rf"|capital|press|media|outlet|newspaper|daily|sources|football|market|window|game|cup)\b)"
)
_AFTER_CLUB_ROLE = re.compile(
    rf"^(?:'s?)?\s+(?:\d{{1,2}}-year-old\s+)?(?:(?P<dem>{_NATION_RE})\s+)?"
    rf"(?:(?:former|new|young|experienced|towering|veteran|talented|versatile|left-footed|right-footed)\s+)?(?P<role>{_ROLES})\b(?!-)"
)
_PRONOUN = re.compile(r"\b(?:he|him|his)\b")
# "Gasperini has already spoken to the Dutchman": the buyer in touch with the player himself.
_CONTACT_PLAYER = re.compile(
    rf"\b(?:sp(?:o|ea)ke?n?|talked|phoned|called)\s+(?:\S+\s+){{0,2}}(?:to|with)\s+"
    rf"(?:him\b|the\s+player\b|the\s+(?:\d{{1,2}}-year-old|{_NATION_RE})\b|the\s+(?:\S+\s+)?(?:{_ROLES})\b)"
)

# A player named only in relation to the subject of the clause is not the subject of its transfer:
# "as a replacement for X", "cover for the injured X", "will partner X", "compared to X", "the brother
# of Liverpool midfielder X", "alongside X", "in place of X", "to replace X", "reunite him with X".
_COMPANION_CUES = (
    r"(?:replacement|successor|heir|understudy|deputy|stand-in|cover|back-?up|alternative|partner"
    r"|brother|sister|cousin|son|nephew|team-?mate|club-?mate)s?\s+(?:for|to|of)"
    r"|(?:provid\w*|offer\w*|add\w*|giv\w*)\s+(?:\S+\s+)?competition\s+(?:for|to)"
    r"|replac(?:e|es|ing)|succeed(?:s|ing)?|partner(?:s|ing)?|challeng(?:e|es|ing)|emulat(?:e|es|ing)|unseat|usurp|displace"
    r"|(?:compared|likened|comparisons?|comparable)\s+(?:to|with)(?:\s+(?:that|those)\s+of)?"
    r"|(?:compet(?:e|es|ing)|battl(?:e|es|ing)|vie|vying|fight(?:ing)?)\s+with"
    r"|(?:deputis\w*|deputiz\w*|stand(?:s|ing)?\s+in|step(?:s|ping)?\s+in|fill(?:s|ing)?\s+in|cover(?:s|ing)?|compensate)\s+for"
    r"|alongside|beside|instead\s+of|in\s+place\s+of|next\s+to|together\s+with|the\s+same\s+\w+\s+as"
    r"|in\s+the\s+(?:mould|style)\s+of|the\s+likes\s+of|(?:gap|void|hole|vacancy|shoes)\s+(?:left\s+by|of)"
    r"|(?:following|after|since|in\s+the\s+wake\s+of)\s+(?:the\s+)?(?:departure|exit|sale|loss|injury|absence|retirement)\s+of"
    r"|lost|brother|sister|cousin|team-?mates?|join(?:s|ing)?(?:\s+compatriots?)?|reunit\w*\s+(?:\S+\s+){0,5}?with"
)
_COMPANION_DESCRIPTORS = (
    rf"(?:(?:the|his|her|their|fellow|older|younger|elder|twin|injured|departed|departing|outgoing|veteran|captain|skipper"
    rf"|first-choice|established|current|compatriot|countryman|former|club|international)\s+)*"
    rf"(?:(?:[\w'-]+\s+){{0,3}}(?:{_ROLES})s?\s+)?"
)
_COMPANION_BEFORE = re.compile(rf"\b(?:{_COMPANION_CUES})\s+{_COMPANION_DESCRIPTORS}$")
# "will compete with Geovany Quenda and Francisco Trincão": a name list after the cue (the names before
# "and" must be capitalised in the original text).
_COMPANION_LIST_BEFORE = re.compile(
    rf"\b(?:{_COMPANION_CUES})\s+(?P<names>(?:[\w'-]+\s+){{1,3}})(?:and|or|&)\s+{_COMPANION_DESCRIPTORS}$"
)
_COMPANION_CONJUNCTION = re.compile(r"\s*(?:,|and|or|&|as\s+well\s+as)\s*(?:,\s*)?(?:and\s+)?(?:the\s+)?")
# "competition for Drăgușin's signature": he is what the clubs compete for, not a rival of the subject.
_OBJECT_AFTER = re.compile(
    r"'s?\s+(?:signature|services|transfer|move|future|situation|representatives|agents?|camp)\b"
)
_COMPANION_CLUB_GAP = re.compile(r"[^,;.()]{0,40}")
# "X's former team-mate", "X's replacement", "to take X's place"; "following X's departure".
_COMPANION_AFTER = re.compile(
    r"'s?\s+(?:former\s+|ex-\s*|old\s+|current\s+|international\s+|club\s+)?(?:team-?mates?|club-?mates?|brother|sister|cousin|son"
    r"|father|replacement|successor|heir|understudy|deputy|back-?up|stand-in|strike\s+partner|partner|shoes|place|position|spot"
    r"|shirt|footsteps|compatriot|countryman)\b"
)
_AFTER_EVENT = re.compile(r"\b(?:following|after|since|in\s+the\s+wake\s+of)\s+$")
_EVENT_AFTER = re.compile(r"'s?\s+(?:\w+\s+)?(?:departure|exit|sale|injury|absence|retirement)\b")
_RELATIVE_AFTER = re.compile(r"\s*,\s*(?:who|whose)\b")
_COMPANION_TO = re.compile(r"\s+to\s+(?:the\s+)?")

# ----------------------------------------------------------------------------- club roles

_SUITOR_FROM = re.compile(
    r"\b(?:interest|bid|bids|offer|offers|approach|enquiry|enquiries|proposal|contact|talks|attention|admirers?|competition"
    r"|advances|swoop|pursuit|suitors?)\s+(?:\w+\s+){0,2}from\s+(?:the\s+)?$"
    r"|\b(?:brink|verge|cusp|radar|shortlist|wish\s?list)\s+of\s+(?:the\s+)?$"
)
_FROM_BEFORE = re.compile(
    r"(?:\bfrom|\bleav(?:e|es|ing)|\bleft|\bquit(?:ting)?|\bexit\s+(?:from\s+)?|\baway\s+from|\bsold\s+by|\breleased\s+by"
    r"|\bdepart(?:ure)?\s+from|\bparent\s+club|\bowned\s+by|\bunder\s+contract\s+(?:at|with|until\s+\d{4}\s+at)|\b(?<!pre-)contract\s+(?:at|with)"
    r"|\bcurrently\s+at|\bplays\s+for|\bplaying\s+for|\b(?<!medical )(?<!arrive )(?<!arrived )at|\bof)"
    r"\s+(?:the\s+|his\s+|current\s+club\s+)?$"
)
# The counterpart of a negotiation is the selling club: "talks with Tottenham for Drăgușin",
# "an offer of €45m to Dortmund", "asked Juventus for information", "agreement with Atalanta".
_SELLER_BEFORE = re.compile(
    r"(?:\b(?:talks|negotiations|discussions|agreement|contact|dialogue|meeting|agreed|deal)\s+with"
    r"|\b(?:offer|bid|proposal|approach|enquiry|request|proposed|pay|paid)\b[^.;]{0,25}?\bto"
    r"|\b(?:contacted|asked|approached|informed|pay|pays|paid|paying))\s+(?:the\s+)?$"
)
# "loan from Manchester United", "buy Højlund from Manchester United": the owner, named as such.
_PARENT_BEFORE = re.compile(
    r"(?:\bon\s+loan\s+(?:at|with)\s+[^,.;]{1,40}?\bfrom|\bloan\s+from|\b(?:buy|sign|signing|purchase|acquire|acquisition|capture)\b[^.;]{0,40}?\bfrom)\s+(?:the\s+)?$"
)
_NOT_SUITOR_BEFORE = re.compile(
    r"(?:\bformer|\bex-|\bex|\bold|\bboyhood|\bprevious|\bagainst|\bvs\.?|\bv\.?|\bversus|\bbeat(?:ing|en|s)?|\bdefeat\w*"
    r"|\bfac(?:e|es|ed|ing)|\bhost(?:s|ed|ing)?|\bvisit(?:s|ed|ing)?|\bdraw\s+(?:with|against|at)|\bdrew\s+(?:with|against|at)"
    r"|\bwin\s+(?:over|against|at)|\bloss\s+(?:to|against|at)|\blost\s+(?:to|against|at)|\blose\s+(?:to|against)|\bthan"
    r"|\bspells?\s+(?:at|with)|\btime\s+at|\bcareer\s+at|\bcame\s+through\s+(?:at|the\s+ranks\s+at)|\bacademy\s+(?:at|of)"
    r"|\bplayed\s+for|\bscored\s+(?:for|against|twice\s+against|twice\s+for)|\bdebut\s+(?:for|against)|\bon\s+loan\s+(?:at|with)"
    r"|\bloan\s+spell\s+(?:at|with)|\bclash\s+with|\bderby\s+(?:against|with)|\bvictory\s+over|\btrip\s+to"
    r"|\bwin\s+at|\bwin\s+over|\bon\s+loan\s+from\s+\S+\s+at)\s+(?:the\s+|his\s+)?$"
)
_UNKNOWN_NAME_AFTER = re.compile(
    rf"\b(?:(?:{_ROLES})|sign|signing|buy|land|capture|bring\s+in|want(?:s|ed)?|target(?:s|ing)?|eye(?:s|ing)?"
    rf"|chas(?:e|es|ing)|pursu(?:e|es|ing)|lure|snap\s+up)\s+(?=\S)"
)
_CAPITALISED_NAME = re.compile(r"[A-Z][\w'’-]+(?:\s+(?:(?:de|da|van|von|der|den|dos|del|di|le|la)\s+)?[A-Z][\w'’-]+)+")
_ARTICLE_END = re.compile(r"\b(?:a|an)\s+$")
_FORMER_END = re.compile(r"\b(?:former|ex-?)\s*$")
_ON_LOAN_END = re.compile(r"\bon\s+loan\s+(?:at|with)\s+(?:the\s+)?$")
_SCORE_AFTER = re.compile(r"^\s*\d+\s*[-–]\s*\d+")
_SCORE_NEAR = re.compile(r"\d+\s*[-–]\s*\d+")
_TO_CONSTRUCT = re.compile(r"^\s*(?:'s?\s+(?:move|switch|transfer|loan)\s+)?(?:to|->|→|>)\s+(?:the\s+)?$")


# ----------------------------------------------------------------------------- literal prefilters

# The cue patterns are long alternations that Python's regex engine tries at every position of a
# clause. Each alternative needs some literal word ("bid", "offer", "agreed"); checking those with
# ``in`` (a C substring search) first skips most patterns on most clauses. The literals are read off
# the compiled patterns, so they cannot drift from them; if the parser is unavailable, nothing is
# skipped.
try:
    _SRE_PARSER: Any = importlib.import_module("re._parser")
except ImportError:  # pragma: no cover - a Python without re._parser: no prefilter
    _SRE_PARSER = None


def _required(items: Any) -> frozenset[str] | None:
    """Literals one of which every match of the parsed sequence ``items`` contains, or None."""
    best: frozenset[str] | None = None
    run: list[str] = []

    def consider(found: frozenset[str] | None) -> None:
        nonlocal best
        if found and (best is None or min(map(len, found)) > min(map(len, best))):
            best = found

    for op, av in items:
        name = str(op)
        if name == "LITERAL":
            run.append(chr(av))
            continue
        if run:
            consider(frozenset({"".join(run)}))
            run = []
        if name == "SUBPATTERN":
            consider(_required(av[-1]))
        elif name == "BRANCH":
            alternatives = [_required(alt) for alt in av[1]]
            if all(alternatives):
                consider(frozenset().union(*(a for a in alternatives if a)))
        elif name in ("MAX_REPEAT", "MIN_REPEAT", "POSSESSIVE_REPEAT") and av[0] >= 1:
            consider(_required(av[2]))
    if run:
        consider(frozenset({"".join(run)}))
    return best


def _literals_of(pattern: re.Pattern[str]) -> tuple[str, ...] | None:
    """The prefilter literals of ``pattern`` (None: always run it)."""
    if _SRE_PARSER is None or pattern.flags & re.IGNORECASE:
        return None
    try:
        found = _required(_SRE_PARSER.parse(pattern.pattern, pattern.flags))
    except Exception:  # pragma: no cover - an unexpected parser shape: no prefilter
        return None
    if not found:
        return None
    # "offer" already covers "offered": keep the shortest literals only.
    return tuple(sorted(lit for lit in found if not any(o != lit and o in lit for o in found)))


class _Prefilter:
    """Which cue patterns can match a text, from one Aho-Corasick pass over it.

    Every registered pattern whose literals are all at least three characters long gets its literals
    into one automaton; a pattern with a shorter literal ("at", "of") is always run. The answer for
    a text is remembered (a clause is read several times).
    """

    def __init__(self) -> None:
        self._filtered: dict[re.Pattern[str], int] = {}
        self._automaton: Any = None
        self._cache: dict[str, frozenset[int]] = {}

    def register(self, patterns: Iterable[re.Pattern[str]]) -> None:
        """Build the automaton over the literals of ``patterns``."""
        words: dict[str, set[int]] = {}
        for pattern in patterns:
            literals = _literals_of(pattern)
            if literals is None or min(map(len, literals)) < 3 or pattern in self._filtered:
                continue
            index = self._filtered[pattern] = len(self._filtered)
            for literal in literals:
                words.setdefault(literal, set()).add(index)
        if _AHOCORASICK is None or not words:
            self._filtered.clear()
            return
        automaton = _AHOCORASICK.Automaton()
        for word, indexes in words.items():
            automaton.add_word(word, frozenset(indexes))
        automaton.make_automaton()
        self._automaton = automaton

    def present(self, text: str) -> frozenset[int]:
        """The registered patterns one of whose literals occurs in ``text``."""
        found = self._cache.get(text)
        if found is None:
            if len(self._cache) >= 8192:
                self._cache.clear()  # a crude bound: texts come back within one item, rarely later
            hits: set[int] = set()
            for _end, indexes in self._automaton.iter(text):
                hits |= indexes
            found = self._cache[text] = frozenset(hits)
        return found

    def may_match(self, pattern: re.Pattern[str], text: str) -> bool:
        """A necessary condition for ``pattern.search(text)`` (always True for unregistered patterns)."""
        index = self._filtered.get(pattern)
        return index is None or index in self.present(text)

    def index(self, pattern: re.Pattern[str]) -> int | None:
        """The pattern's number in ``present`` answers, or None when it is always run."""
        return self._filtered.get(pattern)


try:
    _AHOCORASICK: Any = importlib.import_module("ahocorasick")
except ImportError:  # pragma: no cover - the dependency is required by bot.sources anyway
    _AHOCORASICK = None
_PREFILTER = _Prefilter()  # patterns are registered at the end of the module, once all are defined


def _may_match(pattern: re.Pattern[str], text: str) -> bool:
    """A cheap necessary condition for ``pattern.search(text)``: one of its literals occurs in ``text``."""
    return _PREFILTER.may_match(pattern, text)


def _search(pattern: re.Pattern[str], text: str) -> re.Match[str] | None:
    """``pattern.search(text)``, skipped when the prefilter says it cannot match."""
    return pattern.search(text) if _may_match(pattern, text) else None


# ----------------------------------------------------------------------------- internals


@dataclass(slots=True)
class _Evidence:
    """What the text says about one (player, club) pair, accumulated clause by clause."""

    stages: list[Stage] = field(default_factory=list)
    deals: list[Deal] = field(default_factory=list)
    fee: str | None = None
    negated: bool = False
    rejected: bool = False
    source: Source | None = None
    order: int = 0
    claims: set[int] = field(default_factory=set)


@dataclass(slots=True)
class _Clause:
    start: int  # folded offsets
    end: int
    sentence: int
    title: bool = False
    subject: str | None = None  # the companion player a relative clause (", who …") is about


@dataclass(slots=True)
class _Context:
    """Everything one extraction run needs, with the text folded once."""

    text: str
    folded: str
    to_folded: list[int]
    to_original: list[int]
    mentions: list[Mention]
    catalogue: CatalogueLike
    sources: SourceDirectory
    entities: dict[str, Entity] = field(default_factory=dict)
    player_ids: list[str] = field(default_factory=list)  # distinct players mentioned in the item
    cues: str = ""  # ``folded`` with background ("joined in 2021") blanked: where cues are read
    past: list[tuple[int, int]] = field(default_factory=list)  # the blanked spans
    companions: dict[int, int] = field(default_factory=dict)  # folded start → end of companion player mentions
    # The mentions as (folded start, position in ``mentions``, folded end, mention), by folded start,
    # and those starts: a clause finds its mentions by bisection instead of scanning them all.
    spans: list[tuple[int, int, int, Mention]] = field(default_factory=list)
    span_starts: list[int] = field(default_factory=list)

    def index_spans(self) -> None:
        """Fold every mention's span once."""
        self.spans = sorted((self.to_folded[m.start], i, self.to_folded[m.end], m) for i, m in enumerate(self.mentions))
        self.span_starts = [span[0] for span in self.spans]

    def within(self, start: int, end: int) -> list[tuple[int, int, Mention]]:
        """The mentions starting in ``[start, end)`` as (folded start, folded end, mention), in ``mentions`` order."""
        found = self.spans[bisect_left(self.span_starts, start) : bisect_left(self.span_starts, end)]
        return [(s, e, m) for s, _i, e, m in sorted(found, key=lambda span: span[1])]

    def entity(self, entity_id: str) -> Entity | None:
        if entity_id not in self.entities:
            try:
                self.entities[entity_id] = self.catalogue.get(entity_id)
            except KeyError:
                return None
        return self.entities.get(entity_id)

    def fspan(self, mention: Mention) -> tuple[int, int]:
        return self.to_folded[mention.start], self.to_folded[mention.end]

    def original(self, start: int, end: int) -> str:
        return self.text[self.to_original[start] : self.to_original[end]]


class _LazySource:
    """The source a sentence (or claim) rests on, looked up only when a pair first needs it.

    Finding citations is the costliest step per sentence, and most sentences add no new pair: the
    lookup waits until one does, then is remembered. A sentence that cites nobody falls back on its
    claim's source.

    A sentence cites a source only with a cue next to its name, and that cue is still next to it in
    the claim the sentence belongs to. So when the claim cites at most one source, the sentence cites
    that one or nobody, and either way ends up with the claim's source: its own lookup is skipped.
    This holds when the sentence meets its neighbours at sentence punctuation (``clean``); a bare
    line break could sit inside a name ("Sky" / "Sports News").
    """

    __slots__ = ("_cited", "_fallback", "_sources", "_text", "_value", "clean")

    def __init__(
        self, sources: SourceDirectory, text: str, fallback: _LazySource | None, *, clean: bool = False
    ) -> None:
        self._sources = sources
        self._text = text
        self._fallback = fallback
        self._cited: list[Source] | None = None
        self._value: Source | bool | None = False  # False: not looked up yet
        self.clean = clean

    def cited(self) -> list[Source]:
        """Every source the text cites, in order (looked up once)."""
        if self._cited is None:
            self._cited = self._sources.cited(self._text)
        return self._cited

    def get(self) -> Source | None:
        """The first source the text cites, else the fallback's."""
        if self._value is False:
            claim = self._fallback
            if claim is None:
                cited = self.cited()
                self._value = cited[0] if cited else None
            elif self.clean and len(claim.cited()) <= 1:
                self._value = claim.get()
            else:
                own = self.cited()
                self._value = own[0] if own else claim.get()
        return self._value if isinstance(self._value, Source) else None


@dataclass(slots=True)
class _Ref:
    """A player reference in a clause: explicit mention or a resolved description."""

    player_id: str
    start: int
    end: int
    explicit: bool


def _is_player(entity_id: str) -> bool:
    return entity_id.startswith("player:")


def _is_club(entity_id: str) -> bool:
    return entity_id.startswith("club:")


_NON_ASCII_CHAR = re.compile(r"[^\x00-\x7f]")


def _folded_index(text: str) -> tuple[str, list[int], list[int]]:
    """Fold ``text``; return the folded text and maps original → folded and folded → original."""
    folded, starts = fold_with_map(text)
    if len(folded) == len(text) and starts == list(range(len(text) + 1)):
        return folded, starts, starts  # one-to-one fold: both maps are the identity
    # Each original index maps to the first folded char it produced (or the next one, if none):
    # the first position in ``starts[:-1]`` whose original index is >= it. Only non-ASCII characters
    # can fold to more or fewer than one character ("€" → "EUR", an emoji → nothing), so the map is
    # looked up at those characters and their successors and is linear in between (ASCII runs).
    produced = starts[:-1]
    anchors = sorted({0, len(text), *(i for m in _NON_ASCII_CHAR.finditer(text) for i in (m.start(), m.end()))})
    to_folded: list[int] = []
    for anchor, following in itertools.pairwise(anchors):
        first = bisect_left(produced, anchor)
        to_folded.extend(range(first, first + following - anchor))
    to_folded.append(bisect_left(produced, len(text)))
    return folded, to_folded, starts


# ``SourceDirectory.lookup`` compares a name with every alias; the same parentheses come back in item
# after item ("(Photo by …/Getty Images)", "(Mirror)"). Answers are kept per directory (held here, so
# that its id cannot be reused while its answers are).
_SOURCE_NAMES: dict[int, tuple[SourceDirectory, dict[str, bool]]] = {}


def _names_source(sources: SourceDirectory, name: str) -> bool:
    """True when ``name`` is, in full, a source of the directory."""
    entry = _SOURCE_NAMES.get(id(sources))
    if entry is None:
        if len(_SOURCE_NAMES) >= 8:
            _SOURCE_NAMES.clear()
        entry = _SOURCE_NAMES[id(sources)] = (sources, {})
    answers = entry[1]
    found = answers.get(name)
    if found is None:
        if len(answers) >= 8192:
            answers.clear()
        found = answers[name] = sources.lookup(name) is not None
    return found


def _claims(text: str, sentences: list[tuple[int, int]], sources: SourceDirectory, title_end: int) -> list[list[int]]:
    """Group sentence indexes into claims. A gossip digest has several sentences ending "(Outlet)"."""
    cite_ends = []
    for index, (start, end) in enumerate(sentences):
        if start < title_end:
            continue
        paren = re.search(r"\(([^()]{1,60})\)\.?\s*$", text[start:end])
        if paren and _names_source(sources, re.split(r"\s+[-–]\s+|,", paren.group(1))[0]):
            cite_ends.append(index)
    if len(cite_ends) < 2:
        return [list(range(len(sentences)))]
    claims: list[list[int]] = []
    current: list[int] = []
    for index, (start, _end) in enumerate(sentences):
        if start < title_end:
            claims.append([index])
            continue
        current.append(index)
        if index in cite_ends:
            claims.append(current)
            current = []
    if current:
        claims.append(current)
    return claims


def _deal_cues(folded: str) -> list[tuple[int, Deal]]:
    """Deal cues in order of appearance, with less specific cues inside more specific ones dropped."""
    return list(_deal_cues_cached(folded))


@lru_cache(maxsize=4096)
def _deal_cues_cached(folded: str) -> tuple[tuple[int, Deal], ...]:
    # A clause is read several times (evidence, deal type, extension check): cache by its text.
    taken: list[tuple[int, int]] = []
    found: list[tuple[int, Deal]] = []
    present = _PREFILTER.present(folded)
    for deal, pattern, index in _DEAL_CUES_INDEXED:
        if index is not None and index not in present:
            continue
        for match in pattern.finditer(folded):
            if any(s < match.end() and match.start() < e for s, e in taken):
                continue
            taken.append((match.start(), match.end()))
            if deal in _BUY_AFTER_LOAN and _NO_OPTION_BEFORE.search(folded, max(0, match.start() - 40), match.start()):
                deal = Deal.LOAN  # an option (or obligation) the text rules out: a plain loan
            found.append((match.start(), deal))
    found.sort()
    return tuple(found)


def _fees(original: str) -> list[str]:
    if not _HAS_DIGIT.search(original) and "undisclosed" not in original.lower():
        return []  # every fee pattern needs a figure or "undisclosed": skip the case-insensitive scan
    fees: list[str] = []
    for match in _FEE.finditer(original):
        if match.group("undisclosed"):
            fees.append("undisclosed")
            continue
        if _WAGE_AFTER.match(original[match.end() :]):
            continue
        if match.group("num"):
            cur = {"eur": "€", "gbp": "£", "usd": "$"}.get(
                match.group("cur").strip().lower(), match.group("cur").strip()
            )
            unit = (match.group("unit") or "").lower()
            raw = match.group("num")
            if not unit and re.fullmatch(r"\d{1,3},\d{3}", raw):
                continue  # "£200,000" with no unit is a wage or a small sum, not a transfer fee
            num = raw.replace(",", ".")
            if not unit and "." not in num and len(num) < 3:
                continue  # "$5" alone is not a transfer fee
            suffix = {"m": "m", "mn": "m", "million": "m", "bn": "bn", "billion": "bn", "k": "k"}.get(unit, "")
        else:
            cur = {"euro": "€", "euros": "€", "pound": "£", "pounds": "£", "dollar": "$", "dollars": "$"}[
                match.group("cur2").lower()
            ]
            num, suffix = match.group("num2").replace(",", "."), "m"
        fees.append(f"{cur}{num}{suffix}")
    return fees


# ----------------------------------------------------------------------------- extraction


def extract_rumours(
    match: MatchResult,
    catalogue: CatalogueLike,
    *,
    sources: SourceDirectory,
    feed_source: Source | None = None,
) -> list[Rumour]:
    """The rumours an item carries: one per (player, to-club) pair, in order of first evidence."""
    text = match.text
    folded, to_folded, to_original = _folded_index(text)
    ctx = _Context(text, folded, to_folded, to_original, list(match.mentions), catalogue, sources)
    ctx.index_spans()
    ctx.companions = _companions(ctx)
    # A player named only as someone else's replacement, partner or brother is not in the item's cast.
    players_in_item = list(
        dict.fromkeys(
            m.entity_id for m in match.mentions if _is_player(m.entity_id) and ctx.fspan(m)[0] not in ctx.companions
        )
    )
    ctx.player_ids = players_in_item
    ctx.cues, ctx.past = _mask_history(folded)
    if not players_in_item:
        return []

    sentences = split_sentences(text)
    title_end = text.find("\n\n") if "\n\n" in text else len(text)
    state = _State()
    for claim_index, claim in enumerate(_claims(text, sentences, sources, title_end)):
        claim_text = " ".join(text[sentences[i][0] : sentences[i][1]] for i in claim)
        claim_source = _LazySource(sources, claim_text, None)
        # Sentences of the claim that end at sentence punctuation (the last one needs none).
        ends_clean = [
            position == len(claim) - 1 or bool(_ENDS_SENTENCE.search(text, *sentences[i]))
            for position, i in enumerate(claim)
        ]
        recent: list[str] = []  # players of this claim, most recent last
        state.last_group = []
        for position, sentence_index in enumerate(claim):
            o_start, o_end = sentences[sentence_index]
            clean = ends_clean[position] and (position == 0 or ends_clean[position - 1])
            source = _LazySource(sources, text[o_start:o_end], claim_source, clean=clean)
            carried: list[str] = []
            title = o_start < title_end
            clauses = _split_clauses(folded, to_folded[o_start], to_folded[o_end], sentence_index, title=title)
            for clause in _split_relatives(ctx, _split_coordinated(ctx, clauses)):
                state.clauses.append((claim_index, clause))
                carried = _read_clause(ctx, state, clause, claim_index, recent, players_in_item, source, carried)

    # Clauses about a club but no named player may refine a pair established elsewhere in the claim.
    for claim_index, player_id, club_id, clause in state.deferred:
        known = state.evidence.get((player_id, club_id))
        if known is not None and claim_index in known.claims:
            chunk = ctx.cues[clause.start : clause.end]
            _add_evidence(ctx, known, clause, _stages(chunk, title=clause.title), *_negations(ctx, clause))
    # Clauses about a player but no club refine that player's only pair in the claim
    # ("Milan agree fee for X. The Romanian will undergo medical tests on Wednesday.").
    for claim_index, player_id, clause in state.player_only:
        _from, own_clubs = _own_clubs(ctx, state, player_id)
        own = [
            ev
            for (p, c), ev in state.evidence.items()
            if p == player_id and claim_index in ev.claims and (c not in own_clubs or Deal.EXTENSION in ev.deals)
        ]
        if len(own) == 1:
            chunk = ctx.cues[clause.start : clause.end]
            _add_evidence(ctx, own[0], clause, _stages(chunk, title=clause.title), *_negations(ctx, clause))
    for claim_index, player_id, club_ids, deals, negation in state.negations:
        for (p, c), ev in state.evidence.items():
            if p != player_id or claim_index not in ev.claims or (club_ids and c not in club_ids):
                continue
            if deals and not deals & set(ev.deals or _claim_deals(ctx, state, p, c, ev)):
                continue  # "no intention of selling him permanently" leaves the loan talks alone
            _negate(ev, negation)

    rumours: list[Rumour] = []
    for (player_id, club_id), ev in sorted(state.evidence.items(), key=lambda item: item[1].order):
        if not ev.deals:
            ev.deals = _claim_deals(ctx, state, player_id, club_id, ev)
        elif _pick_deal(ev.deals) in (Deal.LOAN, Deal.LOAN_OPTION):
            # "close to a loan for X. The agreement includes a buy option": the structure is
            # often completed a sentence later.
            more = _claim_deals(ctx, state, player_id, club_id, ev)
            ev.deals.extend(d for d in more if d in _BUY_AFTER_LOAN and d not in ev.deals)
        rumour = _build(ctx, state, player_id, club_id, ev, feed_source)
        if rumour is not None:
            rumours.append(rumour)
    return rumours


@dataclass(slots=True)
class _State:
    """What one extraction run has learnt so far."""

    evidence: dict[tuple[str, str], _Evidence] = field(default_factory=dict)
    from_text: dict[str, str] = field(default_factory=dict)  # player → club the text says he is at / leaves
    sellers: dict[str, str] = field(default_factory=dict)  # player → club negotiated with (the seller)
    loan_hosts: dict[str, set[str]] = field(default_factory=dict)
    deferred: list[tuple[int, str, str, _Clause]] = field(default_factory=list)
    # claim, player, clubs concerned (empty: all), deal types concerned (empty: all), negative stage
    negations: list[tuple[int, str, frozenset[str], frozenset[Deal], Stage]] = field(default_factory=list)
    last_group: list[str] = field(default_factory=list)  # players of the last clause naming any, in order
    came_from: dict[str, set[str]] = field(default_factory=dict)  # "joined from X", "his deal at X": not a suitor
    clauses: list[tuple[int, _Clause]] = field(default_factory=list)  # every clause, with its claim
    # clause start → the players and clubs it names
    mentioned: dict[int, tuple[frozenset[str], frozenset[str]]] = field(default_factory=dict)
    player_only: list[tuple[int, str, _Clause]] = field(default_factory=list)


def _stages(chunk: str, *, title: bool = False) -> list[Stage]:
    """The stage cues present in a (folded) clause."""
    return list(_stages_cached(chunk, title))


@lru_cache(maxsize=4096)
def _stages_cached(chunk: str, title: bool) -> tuple[Stage, ...]:
    stages: list[Stage] = []
    present = _PREFILTER.present(chunk)  # one automaton pass instead of a regex per stage
    for stage, pattern, index in _STAGE_CUES_INDEXED:
        if index is not None and index not in present:
            continue
        found = [m for m in pattern.finditer(chunk) if not _is_pending(chunk, m.start(), stage)]
        if not found:
            continue
        if stage is Stage.BID:
            # An offer the selling club accepted is an agreement between the clubs; an offer the
            # buyer is only getting ready to make is interest. Either way, not a bid on the table.
            kinds = {_bid_kind(chunk, m, title=title) for m in found}
            if Stage.AGREEMENT in kinds:
                stages.append(Stage.AGREEMENT)
            stage = Stage.BID if Stage.BID in kinds else Stage.INTEREST
        if stage not in stages:
            stages.append(stage)
    if Stage.CONTACT not in stages and _may_match(_CONTACT_PLAYER, chunk) and _CONTACT_PLAYER.search(chunk):
        stages.append(Stage.CONTACT)
    if title and _search(_HEADLINE_OFFICIAL, chunk) and not _search(_HERE_WE_GO, chunk):
        stages.append(Stage.OFFICIAL)
    return tuple(stages)


def _bid_kind(chunk: str, match: re.Match[str], *, title: bool) -> Stage:
    """What one bid cue reports: a bid made, an offer accepted (agreement) or one planned (interest)."""
    before = chunk[max(0, match.start() - 60) : match.start()]
    after = chunk[match.end() : match.end() + 80]
    if _search(_ACCEPTED_BEFORE, before) or _ACCEPTED_AFTER.match(after):
        return Stage.AGREEMENT
    if title and _search(_ACCEPT_HEADLINE, before):
        return Stage.AGREEMENT  # "Feyenoord accept Marseille offer": headlines use the present
    if _search(_INTENT_BEFORE, before):
        return Stage.INTEREST
    return Stage.BID


def _is_pending(chunk: str, start: int, stage: Stage) -> bool:
    """True for a late-stage cue the text says is still to come ("still has to agree personal terms")."""
    return stage in _PENDABLE and bool(_PENDING_BEFORE.search(chunk, max(0, start - 40), start))


def _negations(ctx: _Context, clause: _Clause) -> tuple[bool, bool, bool]:
    """Whether a clause denies, reports a collapse, or reports a rejection."""
    return _negations_cached(ctx.cues[clause.start : clause.end])


@lru_cache(maxsize=4096)
def _negations_cached(chunk: str) -> tuple[bool, bool, bool]:
    # A clause is read again when it refines pairs found elsewhere: cache by its text.
    return _is_denial(chunk), _is_collapse(chunk), _may_match(_REJECTED, chunk) and bool(_REJECTED.search(chunk))


def _is_denial(chunk: str) -> bool:
    """True when a (folded) clause refuses or denies a move, price stances aside."""
    return _may_match(_DENIED, chunk) and any(
        not _PRICE_STANCE_AFTER.match(chunk, m.end()) for m in _DENIED.finditer(chunk)
    )


def _is_collapse(chunk: str) -> bool:
    """True when a (folded) clause reports a move that fell through."""
    return _may_match(_COLLAPSED, chunk) and bool(_COLLAPSED.search(chunk))


def _has_weak_cue(chunk: str) -> bool:
    """True when a (folded) clause has generic transfer vocabulary ("deal", "move", "sign")."""
    return _may_match(_WEAK_CUES, chunk) and bool(_WEAK_CUES.search(chunk))


def _negate(ev: _Evidence, stage: Stage) -> None:
    ev.negated = True
    ev.stages.append(stage)


def _read_clause(
    ctx: _Context,
    state: _State,
    clause: _Clause,
    claim_index: int,
    recent: list[str],
    players_in_item: list[str],
    source: _LazySource,
    carried: list[str],
) -> list[str]:
    """Collect the evidence of one clause; return the suitors a following clause may inherit."""
    refs, described_from = _player_refs(ctx, clause, recent, players_in_item, state.last_group)
    inside = ctx.within(clause.start, clause.end)
    clubs = [m for _s, _e, m in inside if _is_club(m.entity_id)]
    if not refs and not clubs:
        # Nobody named or described: the clause can only deny or end pairs found elsewhere in the
        # claim ("There is no truth in the reports"). Skip the cue battery unless it does.
        return _read_empty_clause(ctx, state, clause, claim_index, recent, carried)
    # With one player in the item, "The club will pay Manchester United €30m" is about him too, unless
    # the clause names a footballer the catalogue lacks ("Rangers want to sign Kacper Nowicki").
    only_player = len(players_in_item) == 1 and not _names_unknown_player(ctx, clause)
    owners = refs or ([_Ref(players_in_item[0], clause.start, clause.start, explicit=False)] if only_player else [])
    roles = _club_roles(ctx, clause, clubs, owners)
    for player_id, club_id in [*described_from, *roles.from_pairs]:
        state.from_text.setdefault(player_id, club_id)
    for player_id, club_id in roles.weak_from:
        state.came_from.setdefault(player_id, set()).add(club_id)
        entity = ctx.entity(player_id)
        if entity is None or entity.club_id is None:
            state.from_text.setdefault(player_id, club_id)
    for player_id, club_id in roles.sellers:
        state.sellers.setdefault(player_id, club_id)
        state.from_text.setdefault(player_id, club_id)
    for club_id in roles.loan_hosts:
        for ref in refs:
            state.loan_hosts.setdefault(ref.player_id, set()).add(club_id)

    chunk = ctx.cues[clause.start : clause.end]
    for mention in clubs:
        if ctx.companions and _after_companion(ctx, ctx.fspan(mention)[0], clause):
            roles.excluded.add(mention.entity_id)  # the companion's club, not the subject's suitor
        if any(a <= ctx.fspan(mention)[0] < b for a, b in ctx.past):
            # a club named in the player's past ("who joined from VfB Stuttgart in 2021") is no suitor
            # here; it may still be one elsewhere ("close to joining City a year ago … City want him")
            roles.excluded.add(mention.entity_id)
    stages = _stages(chunk, title=clause.title)
    has_deal = bool(_deal_cues(chunk))
    linked = bool(stages) or has_deal or _has_weak_cue(chunk)
    denied, collapsed, rejected = _negations(ctx, clause)
    player_ids = list(dict.fromkeys(r.player_id for r in refs))
    state.mentioned[clause.start] = (frozenset(player_ids), frozenset(m.entity_id for m in clubs))
    if player_ids:
        state.last_group = player_ids
    suitors = [c for c in roles.suitors if c not in roles.excluded]
    to_pairs = _to_constructs(ctx, refs, clubs)
    recent.extend(player_ids)

    if not linked and not to_pairs:
        # No transfer vocabulary: at most a denial about pairs found elsewhere in the claim
        # ("Spurs have no intention of selling him"), never a new pair.
        if denied or collapsed:
            negation = Stage.COLLAPSED if collapsed else Stage.DENIED
            for player_id in player_ids or recent[-1:]:
                state.negations.append((claim_index, player_id, frozenset(suitors), frozenset(), negation))
        return suitors or carried

    rivals = [c for c in suitors if not any(c in _own_clubs(ctx, state, p)[1] for p in player_ids)]
    deals = frozenset(deal for _pos, deal in _deal_cues(chunk))
    if player_ids and not rivals and not to_pairs and (denied or collapsed) and not carried:
        # "Tottenham have no intention of selling the defender": the seller says no to every suitor,
        # or to every suitor of that kind of deal; a collapsed *extension* concerns his own club only.
        negation = Stage.COLLAPSED if collapsed else Stage.DENIED
        if Deal.EXTENSION not in deals:
            for player_id in player_ids:
                state.negations.append((claim_index, player_id, frozenset(), deals, negation))
    if player_ids and not suitors and not to_pairs:
        if carried:
            suitors = carried  # "Milan have ruled out X, but remain keen on Y": the subject carries over
        elif any(deal is Deal.EXTENSION for _pos, deal in _deal_cues(chunk)) and all(
            any(m.entity_id in _own_clubs(ctx, state, p)[1] for p in player_ids) for m in clubs
        ):
            # "The French defender has signed a new deal until 2030", "will sign a new deal at Celtic
            # Park": a new contract with no other club named is with his own club.
            suitors = [c for p in player_ids if (c := _current_club(ctx, state, p)) is not None]
        elif not (denied or collapsed):
            state.player_only.extend((claim_index, player_id, clause) for player_id in player_ids)
    if not player_ids and suitors:
        if stages and only_player:
            player_ids = players_in_item  # one player in the whole item: "Roma are also interested" is about him
        elif recent:
            for club_id in suitors:
                state.deferred.append((claim_index, recent[-1], club_id, clause))

    pairs = [(p, c) for p in player_ids for c in suitors] + to_pairs
    for player_id, club_id in dict.fromkeys(pairs):
        ev = state.evidence.setdefault((player_id, club_id), _Evidence(order=len(state.evidence)))
        ev.claims.add(claim_index)
        _add_evidence(ctx, ev, clause, stages, denied, collapsed, rejected)
        if ev.source is None:
            ev.source = source.get()
    return suitors or carried


def _read_empty_clause(
    ctx: _Context, state: _State, clause: _Clause, claim_index: int, recent: list[str], carried: list[str]
) -> list[str]:
    """``_read_clause`` for a clause that names no player and no club (the same outcome, fewer regexes)."""
    state.mentioned[clause.start] = (frozenset(), frozenset())
    chunk = ctx.cues[clause.start : clause.end]
    collapsed = _is_collapse(chunk)
    if not collapsed and not _is_denial(chunk):
        return carried
    linked = bool(_stages(chunk, title=clause.title)) or bool(_deal_cues(chunk)) or _has_weak_cue(chunk)
    if not linked:
        negation = Stage.COLLAPSED if collapsed else Stage.DENIED
        for player_id in recent[-1:]:
            state.negations.append((claim_index, player_id, frozenset(), frozenset(), negation))
    return carried


def _mask_history(folded: str) -> tuple[str, list[tuple[int, int]]]:
    """Blank the parts of the text that tell the past ("who joined from Metz in 2021", "last summer").

    Parts are delimited by commas and sentence punctuation. Returns the masked text (same length, so
    offsets hold) and the masked spans; cues are read from the masked text, names from the original.
    """
    spans: list[tuple[int, int]] = []
    start = 0
    for end in [*(m.start() for m in re.finditer(r"[,.;!?\n]", folded)), len(folded)]:
        if _may_match(_HISTORY, folded[start:end]) and _HISTORY.search(folded, start, end):
            spans.append((start, end))
        start = end + 1
    masked = list(folded)
    for a, b in spans:
        masked[a:b] = " " * (b - a)
    return "".join(masked), spans


def _current_club(ctx: _Context, state: _State, player_id: str) -> str | None:
    entity = ctx.entity(player_id)
    return state.from_text.get(player_id) or (entity.club_id if entity is not None else None)


def _claim_deals(ctx: _Context, state: _State, player_id: str, club_id: str, ev: _Evidence) -> list[Deal]:
    """Deal cues of the pair's claims in clauses that speak for its move, for pairs with none (or a bare loan).

    "Zirkzee to Roma, here we go. United accepted a loan with an obligation to buy": the deal type is
    often told in a sentence of its own. A clause speaks for the move when it names (or describes)
    the player and no other player on the move; or, when the pair is the only move of the claim,
    when it names no other club than the two of the move and his own ("The agreement includes a buy
    option", "United accept €30m, a permanent deal", "Roma are pushing for a loan").
    """
    found: list[Deal] = []
    single_player = len({p for p, _c in state.evidence}) == 1 and len(ctx.player_ids) == 1
    moving = _moving_pairs(ctx, state)
    own = _own_clubs(ctx, state, player_id)[1] | {club_id}
    for claim_index, clause in state.clauses:
        if claim_index not in ev.claims:
            continue
        players, clubs = state.mentioned.get(clause.start, (frozenset(), frozenset()))
        movers = {p for p, _c, claims in moving if claim_index in claims}
        if (players - {player_id}) & movers:
            continue  # another player's deal
        chunk = ctx.cues[clause.start : clause.end]
        if player_id in players or (club_id in clubs and single_player):
            pass
        elif (
            [(p, c) for p, c, claims in moving if claim_index in claims] == [(player_id, club_id)]
            and clubs <= own
            and _deal_cues(chunk)
            and not _names_unknown_player(ctx, clause)
        ):
            pass  # the claim's only move, in a clause naming nobody else on the move
        else:
            continue
        found.extend(deal for _pos, deal in _deal_cues(chunk) if deal not in found)
    return found


def _moving_pairs(ctx: _Context, state: _State) -> list[tuple[str, str, set[int]]]:
    """The pairs that are moves (or extensions), not a player's own club: (player, club, claims)."""
    return [
        (p, c, ev.claims)
        for (p, c), ev in state.evidence.items()
        if Deal.EXTENSION in ev.deals or c not in _own_clubs(ctx, state, p)[1]
    ]


def _own_clubs(ctx: _Context, state: _State, player_id: str) -> tuple[str | None, set[str | None]]:
    """The club a player would leave, and the clubs that cannot be his suitors."""
    player = ctx.entity(player_id)
    current = player.club_id if player is not None else None
    from_club = state.from_text.get(player_id, current)
    seller = state.sellers.get(player_id)
    # When the text names a different selling club, the catalogue may already show the move
    # ("Lookman, Atlético" after his transfer), so the catalogue club may be the buyer.
    own = {from_club} if seller is not None and seller != current else {current, from_club}
    return from_club, own


_BUYING_DEALS = (Deal.PERMANENT, Deal.LOAN_OPTION, Deal.LOAN_OBLIGATION)


def _pick_deal(deals: Sequence[Deal]) -> Deal | None:
    """The first deal type mentioned, refined when a later cue specifies it ("loan" → "loan with option" →
    "obligation")."""
    if not deals:
        return None
    first = deals[0]
    if first is Deal.LOAN:
        return next((d for d in deals if d in _BUY_AFTER_LOAN), first)
    if first is Deal.LOAN_OPTION and Deal.LOAN_OBLIGATION in deals:
        return Deal.LOAN_OBLIGATION  # "a loan-to-buy … the obligation becomes mandatory if": the specific one
    return first


def _build(
    ctx: _Context, state: _State, player_id: str, club_id: str, ev: _Evidence, feed_source: Source | None
) -> Rumour | None:
    """Turn a pair's evidence into a Rumour, or None when the club turns out not to be a suitor."""
    from_club, own_clubs = _own_clubs(ctx, state, player_id)
    deal = _pick_deal(ev.deals)
    is_stay = club_id in own_clubs
    if is_stay:
        if Deal.EXTENSION not in ev.deals:
            return None  # the player's own club is never a suitor, except for a new contract
        deal = Deal.EXTENSION
    if not is_stay and deal is Deal.EXTENSION:
        deal = next((d for d in ev.deals if d is not Deal.EXTENSION), None)  # a rival's "new deal" is a move
    if club_id in state.came_from.get(player_id, set()) and deal is not Deal.EXTENSION:
        return None  # "who joined City from Milan": Milan is where he was, not where he goes
    if club_id in state.loan_hosts.get(player_id, set()) and deal not in _BUYING_DEALS:
        return None  # "on loan at Tottenham": where he plays now, not where he goes (unless it buys him)
    stage = highest_stage(ev.stages) or Stage.INTEREST
    if ev.negated and not stage.is_negative:
        stage = Stage.DENIED
    return Rumour(
        player_id=player_id,
        from_club_id=None if is_stay else from_club,
        to_club_id=club_id,
        stage=stage,
        deal=deal,
        fee=ev.fee,
        negated=ev.negated,
        rejected=ev.rejected,
        source=ev.source or feed_source,
    )


def _add_evidence(
    ctx: _Context,
    ev: _Evidence,
    clause: _Clause,
    stages: Sequence[Stage],
    denied: bool,
    collapsed: bool,
    rejected: bool,
) -> None:
    """Add one clause's stage, negation, deal and fee cues to a pair's evidence."""
    chunk = ctx.cues[clause.start : clause.end]
    positive = list(stages)
    offer = _search(_OFFER_WORD, chunk)
    if rejected and offer:
        ev.rejected = True  # a turned-down bid is still a bid: the rumour lives on
        positive.append(Stage.CONTACT if offer.group(0).startswith("approach") else Stage.BID)
    elif rejected:
        denied = True  # "X rejected a move to Y": the player said no
    if collapsed:
        ev.negated = True
        positive.append(Stage.COLLAPSED)
    elif denied:
        ev.negated = True
        positive.append(Stage.DENIED)
    ev.stages.extend(positive)
    ev.deals.extend(deal for _pos, deal in _deal_cues(chunk) if deal not in ev.deals)
    if ev.fee is None:
        fees = _fees(ctx.original(clause.start, clause.end))
        if fees:
            ev.fee = fees[0]


def _companions(ctx: _Context) -> dict[int, int]:
    """The player mentions that only relate to another player ("a replacement for X"): folded start → end."""
    found: dict[int, int] = {}
    folded = ctx.folded
    last_end = -1  # end of the previous companion mention, for lists ("cover for X and Y")
    for mention in sorted(ctx.mentions, key=lambda m: m.start):
        if not _is_player(mention.entity_id):
            continue
        start, end = ctx.fspan(mention)
        before = folded[max(0, start - 90) : start]
        after = folded[end : end + 40]
        if _OBJECT_AFTER.match(after):
            continue
        listed = _search(_COMPANION_LIST_BEFORE, before)
        if (
            _search(_COMPANION_BEFORE, before)
            or _COMPANION_AFTER.match(after)
            or (_search(_AFTER_EVENT, before) and _EVENT_AFTER.match(after))
            or (last_end >= 0 and _COMPANION_CONJUNCTION.fullmatch(folded, last_end, start) is not None)
            or (
                listed is not None
                and _capitalised(
                    ctx, start - len(before) + listed.start("names"), start - len(before) + listed.end("names")
                )
            )
        ):
            found[start] = end
            last_end = end
    return found


def _capitalised(ctx: _Context, start: int, end: int) -> bool:
    """True when every word of the folded span ``[start, end)`` starts with a capital in the original."""
    words = ctx.original(start, end).split()
    return bool(words) and all(word[0].isupper() for word in words)


def _after_companion(ctx: _Context, club_start: int, clause: _Clause) -> bool:
    """True for a club named right after a companion ("lost Isak to Liverpool", "his brother X plays for Inter")."""
    return any(
        clause.start <= c_start and c_end <= club_start and _COMPANION_CLUB_GAP.fullmatch(ctx.folded, c_end, club_start)
        for c_start, c_end in ctx.companions.items()
    )


def _split_relatives(ctx: _Context, clauses: list[_Clause]) -> list[_Clause]:
    """Give a relative clause about a companion its own clause, with him as its subject.

    "… a successor to Baleba, who remains a target for Manchester United": Baleba is no subject of
    the main clause, but he is the subject of the relative one.
    """
    if not ctx.companions:
        return clauses
    result: list[_Clause] = []
    for clause in clauses:
        for mention in ctx.mentions:
            start, end = ctx.fspan(mention)
            if start not in ctx.companions or not clause.start <= start < clause.end:
                continue
            relative = _RELATIVE_AFTER.match(ctx.folded, end)
            if relative is None or relative.end() >= clause.end:
                continue
            result.append(_Clause(clause.start, end, clause.sentence, clause.title, clause.subject))
            clause = _Clause(relative.end(), clause.end, clause.sentence, clause.title, mention.entity_id)
        result.append(clause)
    return result


def _split_clauses(folded: str, start: int, end: int, sentence: int, *, title: bool = False) -> list[_Clause]:
    """Split a sentence at clause breaks ("; ", ", but", " while " …) so that cues stay local."""
    clauses: list[_Clause] = []
    cursor = start
    breaks = _CLAUSE_BREAK.finditer(folded, start, end) if _may_match(_CLAUSE_BREAK, folded[start:end]) else ()
    for match in breaks:
        if match.start() > cursor:
            clauses.append(_Clause(cursor, match.start(), sentence, title))
        cursor = match.end()
    if cursor < end:
        clauses.append(_Clause(cursor, end, sentence, title))
    return clauses


_AND = re.compile(r",?\s+and\s+(?:the\s+)?")


def _split_coordinated(ctx: _Context, clauses: list[_Clause]) -> list[_Clause]:
    """Split "X want A and Y have made an offer for B" into two clauses, so neither move borrows the other's.

    Only at an "and" that starts a new subject (a club or player is named right after it), when each
    side names a player or club pair of its own and carries a transfer word: "Milan and Roma want X"
    and "Drăgușin and Aké are on Milan's list" stay whole.
    """
    out: list[_Clause] = []
    for clause in clauses:
        cursor = clause.start
        for found in _AND.finditer(ctx.folded, clause.start, clause.end):
            after = ctx.within(found.end(), found.end() + 1)
            if not after:
                continue
            left, right = (cursor, found.start()), (found.end(), clause.end)
            if all(_independent(ctx, *side) for side in (left, right)):
                out.append(replace(clause, start=cursor, end=found.start()))
                cursor = found.end()
        out.append(replace(clause, start=cursor) if cursor != clause.start else clause)
    return out


def _independent(ctx: _Context, start: int, end: int) -> bool:
    """A stretch that could stand as its own transfer clause: a player, a club, and a transfer word."""
    named = [m.entity_id for _s, _e, m in ctx.within(start, end)]
    if not (any(_is_player(e) for e in named) and any(_is_club(e) for e in named)):
        return False
    chunk = ctx.cues[start:end]
    return bool(_stages(chunk)) or _WEAK_CUES.search(chunk) is not None


def _player_refs(
    ctx: _Context, clause: _Clause, recent: list[str], players_in_item: list[str], last_group: Sequence[str] = ()
) -> tuple[list[_Ref], list[tuple[str, str]]]:
    """Player references in a clause (mentions and descriptions) and "from" clubs implied by them."""
    inside = ctx.within(clause.start, clause.end)
    refs = [
        _Ref(m.entity_id, start, end, explicit=True)
        for start, end, m in inside
        if _is_player(m.entity_id) and start not in ctx.companions
    ]
    if clause.subject is not None:
        refs.insert(0, _Ref(clause.subject, clause.start, clause.start, explicit=False))  # ", who …"
    from_pairs: list[tuple[str, str]] = []
    chunk = ctx.folded[clause.start : clause.end]
    history = recent + [r.player_id for r in refs]

    # "the Tottenham centre-back", "Tottenham CB", "Spurs' Romanian defender"
    for m_start, m_end, mention in inside:
        if not _is_club(mention.entity_id):
            continue
        role = _AFTER_CLUB_ROLE.match(ctx.folded[m_end : clause.end])
        if role is None or any(r.explicit and r.start >= m_end and r.start <= m_end + role.end() + 1 for r in refs):
            continue
        before = ctx.folded[max(clause.start, m_start - 12) : m_start]
        if _ARTICLE_END.search(before):
            continue  # "is a Rossoneri player": where he goes, not where he is
        former = bool(_FORMER_END.search(before))
        player_id = _resolve(
            ctx, history, players_in_item, club_id=None if former else mention.entity_id, dem=role.group("dem")
        )
        if player_id is not None:
            refs.append(_Ref(player_id, m_start, m_end + role.end(), explicit=False))
            if not former:
                from_pairs.append((player_id, mention.entity_id))

    for desc in _DESCRIPTION.finditer(chunk):
        d_start, d_end = clause.start + desc.start(), clause.start + desc.end()
        if any(r.start <= d_start < r.end or d_start <= r.start < d_end for r in refs):
            continue
        dem = desc.group("dem") or desc.group("dem2")
        # A description refers back: to players named before it, not to one named later in the clause.
        earlier = recent + [r.player_id for r in refs if r.start < d_start]
        player_id = _resolve(ctx, earlier, players_in_item, club_id=None, dem=dem)
        if player_id is not None:
            refs.append(_Ref(player_id, d_start, d_end, explicit=False))

    if not refs and history:
        pronoun = _PRONOUN.search(chunk)
        if pronoun is not None:
            # "he"/"him" is the first (subject-most) player of the last clause that named players:
            # "Conte sees Mainoo as the replacement for Lobotka, but United won't sell him" → Mainoo.
            target = last_group[0] if last_group else history[-1]
            refs.append(_Ref(target, clause.start + pronoun.start(), clause.start + pronoun.end(), explicit=False))
    refs.sort(key=lambda r: r.start)
    return refs, from_pairs


def _resolve(
    ctx: _Context, history: list[str], players_in_item: list[str], *, club_id: str | None, dem: str | None
) -> str | None:
    """The player a description refers to: the most recent one that fits (club, nationality)."""
    candidates = list(reversed(list(dict.fromkeys(reversed(history))))) or []
    if not candidates and len(players_in_item) == 1:
        candidates = players_in_item  # cataphora: the only player of the item
    if not candidates:
        return None
    ordered = list(reversed(candidates))  # most recent first

    def fits(player_id: str) -> bool:
        entity = ctx.entity(player_id)
        if entity is None:
            return False
        if club_id is not None and entity.club_id != club_id:
            return False
        if dem is not None and entity.country:
            countries = _DEMONYMS.get(dem) or _COUNTRY_ADJ.get(dem, ())
            if countries and fold(entity.country) not in countries:
                return False
        return True

    # Nobody fits: better no reference than the wrong player ("the Tottenham centre-back" is not
    # the Manchester City defender named just before).
    fitting = [p for p in ordered if fits(p)]
    return fitting[0] if fitting else None


@dataclass(slots=True)
class _Roles:
    suitors: list[str] = field(default_factory=list)
    excluded: set[str] = field(default_factory=set)
    from_pairs: list[tuple[str, str]] = field(default_factory=list)
    loan_hosts: list[str] = field(default_factory=list)
    sellers: list[tuple[str, str]] = field(default_factory=list)
    weak_from: list[tuple[str, str]] = field(default_factory=list)


def _club_roles(ctx: _Context, clause: _Clause, clubs: list[Mention], refs: list[_Ref]) -> _Roles:
    """Decide for each club of a clause whether it can be a suitor, and which are "from" clubs."""
    roles = _Roles()
    folded = ctx.folded
    hosts = {
        m.entity_id
        for m in clubs
        if _ON_LOAN_END.search(folded[max(clause.start, ctx.fspan(m)[0] - 40) : ctx.fspan(m)[0]])
    }
    for mention in clubs:
        club_id = mention.entity_id
        start, end = ctx.fspan(mention)
        before = folded[max(clause.start, start - 60) : start]
        after = folded[end : min(clause.end, end + 40)]
        if _SCORE_NEAR.search(folded[max(clause.start, start - 8) : start]) or _SCORE_AFTER.match(after):
            roles.excluded.add(club_id)  # "Milan 2-1 Roma": a match, not a transfer
            continue
        if _ON_LOAN_END.search(before):
            roles.loan_hosts.append(club_id)
            roles.excluded.add(club_id)
            continue
        if _search(_NOT_SUITOR_BEFORE, before):
            roles.excluded.add(club_id)
            continue
        if _search(_PARENT_BEFORE, before):
            roles.excluded.add(club_id)
            roles.sellers.extend((ref.player_id, club_id) for ref in refs)
            continue
        seller_cue = _search(_SELLER_BEFORE, before)
        if seller_cue is not None and _player_negotiates(ctx, clause, clubs, refs, seller_cue, start - len(before)):
            seller_cue = None  # "James Rodríguez is in talks with Club América": the club he would join
        if seller_cue is not None:
            roles.excluded.add(club_id)
            # The seller is the player's club, unless his own club is named here as well (a swap:
            # "a swap deal to Chelsea involving Garnacho and Højlund" sells only Garnacho).
            others = {m.entity_id for m in clubs if m.entity_id != club_id} - hosts
            for ref in refs:
                entity = ctx.entity(ref.player_id)
                if entity is None or entity.club_id not in others:
                    roles.sellers.append((ref.player_id, club_id))
            continue
        if any(not r.explicit and r.start == start and r.end > end for r in refs):
            roles.excluded.add(club_id)  # "Lazio's captain", "the Tottenham centre-back": his club
            continue
        # "Tottenham's Drăgușin", "Aké of Manchester City", "leave Spurs", "from Genoa"
        owner_of = next(
            (r for r in refs if r.explicit and r.start >= end and re.fullmatch(r"\s*'s?\s*", folded[end : r.start])),
            None,
        )
        player_before = next(
            (
                r
                for r in refs
                if r.end <= start and re.fullmatch(r"\s*(?:of|\(|,\s*of)\s*(?:the\s+)?", folded[r.end : start])
            ),
            None,
        )
        from_cue = _search(_FROM_BEFORE, before) if not _search(_SUITOR_FROM, before) else None
        if owner_of is not None or player_before is not None or from_cue:
            roles.excluded.add(club_id)
            targets = (
                [owner_of.player_id]
                if owner_of
                else [player_before.player_id]
                if player_before
                else [r.player_id for r in refs]
            )
            # A bare "from X" / "at X" is often history ("his move from Leipzig", "joined from Metz"):
            # it never overrides the catalogue club, it only fills in when the catalogue has none.
            cue_text = from_cue.group(0).strip() + " " if from_cue is not None else ""
            weak = (
                owner_of is None
                and player_before is None
                and bool(re.fullmatch(r"(?:from|at)\s+(?:\w+\s+)?", cue_text))
            )
            (roles.weak_from if weak else roles.from_pairs).extend((p, club_id) for p in targets)
            continue
        if club_id not in roles.suitors:
            roles.suitors.append(club_id)
    # A club excluded in one place but a suitor in another of the same clause stays a suitor
    # ("Milan, who beat Roma, want Frattesi" never excludes Milan itself).
    if roles.excluded.intersection(roles.suitors):
        roles.excluded -= {
            c for c in roles.suitors if any(m.entity_id == c for m in clubs if _is_suitor_mention(ctx, m, clause))
        }
    return roles


def _player_negotiates(
    ctx: _Context, clause: _Clause, clubs: list[Mention], refs: list[_Ref], cue: re.Match[str], offset: int
) -> bool:
    """True when the party of "talks with <club>" is the player himself, not a buying club.

    "Milan are in talks with Tottenham": Tottenham sells. "Lloris has opened discussions with Nice":
    the player (or his camp) negotiates with the club he would join. The party is the entity named
    nearest before the cue in the clause.
    """
    if not cue.group(0).rstrip().endswith("with"):
        return False  # "an offer to Dortmund", "contacted Juventus": always the seller
    cue_start = offset + cue.start()
    player_end = max((r.end for r in refs if r.start < r.end <= cue_start), default=-1)  # named or described
    club_end = max((e for m in clubs if (e := ctx.fspan(m)[1]) <= cue_start), default=-1)
    return player_end > club_end and clause.start <= player_end


def _names_unknown_player(ctx: _Context, clause: _Clause) -> bool:
    """True when the clause names a footballer who is not a catalogue mention.

    The shapes are the provisional detector's: a full name after a role ("winger Unai Gorostiza") or
    after a signing verb ("sign Kacper Nowicki from Lech").
    """
    for found in _UNKNOWN_NAME_AFTER.finditer(ctx.folded, clause.start, clause.end):
        name_start = found.end()
        original = ctx.original(name_start, min(clause.end, name_start + 60))
        name = _CAPITALISED_NAME.match(original)
        if name is None:
            continue
        name_end = name_start + len(fold(name.group(0)))
        if not any(ctx.fspan(m)[0] < name_end and name_start < ctx.fspan(m)[1] for m in ctx.mentions):
            return True
    return False


def _is_suitor_mention(ctx: _Context, mention: Mention, clause: _Clause) -> bool:
    start, _end = ctx.fspan(mention)
    before = ctx.folded[max(clause.start, start - 60) : start]
    return not (
        _search(_NOT_SUITOR_BEFORE, before) or (_search(_FROM_BEFORE, before) and not _search(_SUITOR_FROM, before))
    )


def _to_constructs(ctx: _Context, refs: list[_Ref], clubs: list[Mention]) -> list[tuple[str, str]]:
    """Headline style "Drăgușin to Milan", "Aké's move to Milan": a direct player → club link."""
    pairs: list[tuple[str, str]] = []
    for ref in refs:
        for mention in clubs:
            start, _end = ctx.fspan(mention)
            if start >= ref.end and _TO_CONSTRUCT.match(ctx.folded[ref.end : start]):
                pairs.append((ref.player_id, mention.entity_id))
    return pairs


_PREFILTER.register(
    [
        *(pattern for _stage, pattern in _STAGE_CUES),
        *(pattern for _deal, pattern in _DEAL_CUES),
        _WEAK_CUES,
        _DENIED,
        _COLLAPSED,
        _REJECTED,
        _HISTORY,
        _CONTACT_PLAYER,
        _CLAUSE_BREAK,
        _NOT_SUITOR_BEFORE,
        _PARENT_BEFORE,
        _SELLER_BEFORE,
        _FROM_BEFORE,
        _SUITOR_FROM,
        _COMPANION_BEFORE,
        _COMPANION_LIST_BEFORE,
        _AFTER_EVENT,
        _ACCEPTED_BEFORE,
        _INTENT_BEFORE,
        _ACCEPT_HEADLINE,
        _HEADLINE_OFFICIAL,
        _HERE_WE_GO,
        _OFFER_WORD,
    ]
)
# The stage and deal loops test each pattern's number against one ``present`` answer per clause.
_STAGE_CUES_INDEXED = tuple((stage, pattern, _PREFILTER.index(pattern)) for stage, pattern in _STAGE_CUES)
_DEAL_CUES_INDEXED = tuple((deal, pattern, _PREFILTER.index(pattern)) for deal, pattern in _DEAL_CUES)
