"""Reading the cues of a clause: stage, deal type, negation, transfer vocabulary, fees, background.

Cues are read on the folded text with background blanked (``Context.cues``), through the language's
wordings; every function returns the wordings that fired as hits, so that a rumour can show them.
Answers are kept per span for the run (a clause is read several times).
"""

from __future__ import annotations

import re

from bot.language.context import Context, Hit
from bot.language.fold import blank_spans, fold_text
from bot.language.pack import LanguagePack
from bot.models import Deal, Stage

__all__ = [
    "BUY_AFTER_LOAN",
    "deal_cues",
    "fees",
    "mask_history",
    "negations",
    "offer_hit",
    "stage_hits",
    "stages",
    "weak_cue",
]

BUY_AFTER_LOAN = (Deal.LOAN_OPTION, Deal.LOAN_OBLIGATION)
_PENDABLE = frozenset({Stage.BID, Stage.AGREEMENT, Stage.PERSONAL_TERMS, Stage.MEDICAL})
StageHit = tuple[Stage, Hit]


def stage_hits(ctx: Context, start: int, end: int, *, title: bool = False) -> list[StageHit]:
    """The stage cues of the span ``[start, end)`` with the wordings behind them."""
    key = ("stages", start, end, title)
    found = ctx.memo.get(key)
    if found is None:
        found = ctx.memo[key] = _stage_hits(ctx, start, end, title)
    return found


def stages(ctx: Context, start: int, end: int, *, title: bool = False) -> list[Stage]:
    """The distinct stages the span reports."""
    return list(dict.fromkeys(stage for stage, _hit in stage_hits(ctx, start, end, title=title)))


def _stage_hits(ctx: Context, start: int, end: int, title: bool) -> list[StageHit]:
    lang = ctx.lang
    chunk = ctx.cues[start:end]
    present = ctx.present(start, end)
    hits: list[StageHit] = []
    for stage, cues in lang.stages:
        if not lang.may_match(cues, present):
            continue
        found = [m for m in cues.pattern.finditer(chunk) if not _is_pending(ctx, chunk, m, stage)]
        for match in found:
            hit = (cues.wording(match).id, start + match.start(), start + match.end())
            if stage is not Stage.BID:
                hits.append((stage, hit))
                continue
            # An offer the selling club accepted is an agreement between the clubs; an offer the
            # buyer is only getting ready to make is interest. Either way, not a bid on the table.
            kind, reading = _bid_kind(ctx, chunk, match, title=title)
            hits.append((kind, hit))
            if reading is not None:
                hits.append((kind, (reading, hit[1], hit[2])))
    headline_cues, scoop = lang.cues("headline"), lang.cues("scoop")
    if (
        title
        and lang.may_match(headline_cues, present)
        and not (lang.may_match(scoop, present) and scoop.pattern.search(chunk))
    ):
        headline = headline_cues.pattern.search(chunk)
        if headline is not None:
            wording = lang.cues("headline").wording(headline).id
            hits.append((Stage.OFFICIAL, (wording, start + headline.start(), start + headline.end())))
    return hits


def _bid_kind(ctx: Context, chunk: str, match: re.Match[str], *, title: bool) -> tuple[Stage, str | None]:
    """What one bid cue reports (a bid made, an offer accepted, one planned) and the wording that says so."""
    lang = ctx.lang
    before = chunk[max(0, match.start() - 60) : match.start()]
    after = chunk[match.end() : match.end() + 80]
    for value, text, anchored in (
        ("agreement", before, False),
        ("agreement-after", after, True),
        ("agreement-headline", before, False),
        ("interest", before, False),
    ):
        if value == "agreement-headline" and not title:
            continue
        cues = lang.cues("bid-reading", value)
        found = cues.pattern.match(text) if anchored else lang.search(cues, text)
        if found is not None:
            return (Stage.INTEREST if value == "interest" else Stage.AGREEMENT), cues.wording(found).id
    return Stage.BID, None


def _is_pending(ctx: Context, chunk: str, match: re.Match[str], stage: Stage) -> bool:
    """True for a late-stage cue the text says is still to come ("still has to agree personal terms",
    "personal terms, still to be discussed", "are yet to receive an offer")."""
    if stage not in _PENDABLE:
        return False
    start = match.start()
    if ctx.lang.cues("pending", "pending").pattern.search(chunk, max(0, start - 40), start) is not None:
        return True
    return ctx.lang.cues("pending", "after").pattern.match(chunk, match.end()) is not None


def negations(ctx: Context, start: int, end: int) -> tuple[bool, bool, bool, list[Hit]]:
    """Whether a span denies, reports a collapse, or reports a rejection; with the wordings."""
    key = ("negations", start, end)
    found = ctx.memo.get(key)
    if found is None:
        found = ctx.memo[key] = _negations(ctx, start, end)
    return found


def _negations(ctx: Context, start: int, end: int) -> tuple[bool, bool, bool, list[Hit]]:
    lang = ctx.lang
    chunk = ctx.cues[start:end]
    present = ctx.present(start, end)
    hits: list[Hit] = []
    flags: dict[str, bool] = {}
    stance = lang.cues("price-stance").pattern
    for value in ("denied", "collapsed", "rejected"):
        cues = lang.cues("negation", value)
        flags[value] = False
        if cues.bit and not cues.bit & present:
            continue
        for match in cues.pattern.finditer(chunk):
            if value == "denied" and stance.match(chunk, match.end()):
                continue  # a price stance ("won't sell for less than …") names terms, it refuses nothing
            flags[value] = True
            hits.append((cues.wording(match).id, start + match.start(), start + match.end()))
            if value != "denied":
                break
    return flags["denied"], flags["collapsed"], flags["rejected"], hits


def weak_cue(ctx: Context, start: int, end: int) -> Hit | None:
    """Generic transfer vocabulary ("deal", "move", "sign") in the span, if any."""
    cues = ctx.lang.cues("move")
    if not ctx.lang.may_match(cues, ctx.present(start, end)):
        return None
    found = cues.pattern.search(ctx.cues[start:end])
    return None if found is None else (cues.wording(found).id, start + found.start(), start + found.end())


def offer_hit(ctx: Context, start: int, end: int) -> tuple[str, Hit] | None:
    """The offer word of a span ("bid", "approach"), with its hit."""
    cues = ctx.lang.cues("offer")
    found = cues.pattern.search(ctx.cues[start:end]) if ctx.lang.may_match(cues, ctx.present(start, end)) else None
    if found is None:
        return None
    return found.group(0), (cues.wording(found).id, start + found.start(), start + found.end())


def deal_cues(ctx: Context, start: int, end: int) -> list[tuple[int, Deal, Hit]]:
    """Deal cues in order of appearance, with less specific cues inside more specific ones dropped."""
    key = ("deals", start, end)
    found = ctx.memo.get(key)
    if found is None:
        found = ctx.memo[key] = _deal_cues(ctx, start, end)
    return found


def _deal_cues(ctx: Context, start: int, end: int) -> list[tuple[int, Deal, Hit]]:
    lang = ctx.lang
    chunk = ctx.cues[start:end]
    present = ctx.present(start, end)
    excluded = lang.cues("deal-excluded").pattern
    taken: list[tuple[int, int]] = []
    found: list[tuple[int, Deal, Hit]] = []
    for deal, cues in lang.deals:
        if cues.bit and not cues.bit & present:
            continue
        for match in cues.pattern.finditer(chunk):
            if any(s < match.end() and match.start() < e for s, e in taken):
                continue
            taken.append((match.start(), match.end()))
            kind = deal
            if kind in BUY_AFTER_LOAN and excluded.search(chunk, max(0, match.start() - 40), match.start()):
                kind = Deal.LOAN  # an option (or obligation) the text rules out: a plain loan
            found.append((match.start(), kind, (cues.wording(match).id, start + match.start(), start + match.end())))
    found.sort(key=lambda item: item[0])
    return found


def mask_history(ctx: Context) -> tuple[str, list[tuple[int, int]]]:
    """Blank the parts of the text that tell the past ("who joined from Metz in 2021", "last summer").

    Parts are delimited by commas and sentence punctuation. Returns the masked text (same length, so
    offsets hold) and the masked spans; cues are read from the masked text, names from the original.
    """
    folded = ctx.folded
    cues = ctx.lang.cues("background")
    spans: list[tuple[int, int]] = []
    start = 0
    for end in [*(m.start() for m in _PART_END.finditer(folded)), len(folded)]:
        if end > start and ctx.search(cues, start, end):
            spans.append((start, end))
        start = end + 1
    return blank_spans(folded, spans), spans


_PART_END = re.compile(r"[,.;!?\n]|:(?=\s)")

_FEE = re.compile(
    r"(?P<cur>£|€|\$|EUR\s?|GBP\s?|USD\s?)(?P<num>\d+(?:[.,]\d+)?)\s?(?P<unit>m\b|mn\b|million\b|bn\b|billion\b|k\b)?"
    r"|(?P<num2>\d+(?:[.,]\d+)?)\s?(?P<unit2>m|million)\s+(?P<cur2>euros?|pounds?|dollars?)\b"
    r"|(?P<undisclosed>\bundisclosed\s+(?:fee|sum|amount)\b)",
    re.IGNORECASE,
)
_HAS_DIGIT = re.compile(r"\d")
_WAGE_AFTER = re.compile(
    r"\s*(?:-a-week|a\s+week|per\s+week|p/?w|a\s+year|per\s+year|per\s+season|a\s+season|net)", re.IGNORECASE
)
_CURRENCY = {"eur": "€", "gbp": "£", "usd": "$"}
_CURRENCY_WORD = {"euro": "€", "euros": "€", "pound": "£", "pounds": "£", "dollar": "$", "dollars": "$"}
_UNIT = {"m": "m", "mn": "m", "million": "m", "bn": "bn", "billion": "bn", "k": "k"}
_THOUSANDS = re.compile(r"\d{1,3},\d{3}")


def fees(original: str, lang: LanguagePack | None = None) -> list[str]:
    """The transfer fees written in a text ("€25m", "£40million", "undisclosed"); wages are not fees.

    Symbol forms and English words are read in every language; ``lang``'s money words on top
    ("25 milioni di euro" → "€25m").
    """
    if not _HAS_DIGIT.search(original) and "undisclosed" not in original.lower() and (lang is None or lang.fee is None):
        return []  # every fee pattern needs a figure or "undisclosed": skip the case-insensitive scan
    found: list[tuple[int, str]] = []
    for match in _FEE.finditer(original):
        if match.group("undisclosed"):
            found.append((match.start(), "undisclosed"))
            continue
        if _WAGE_AFTER.match(original, match.end()):
            continue
        fee = _fee(match)
        if fee is not None:
            found.append((match.start(), fee))
    if lang is not None and lang.fee is not None:
        found.extend(_local_fees(original, lang))
        found.sort(key=lambda item: item[0])
    return [fee for _start, fee in found]


def _local_fees(original: str, lang: LanguagePack) -> list[tuple[int, str]]:
    """Fees in the language's own words ("25 milioni di euro", "20 mln", "cifra non divulgata")."""
    money, wages = lang.vocabulary.money, lang.fee_wages
    found: list[tuple[int, str]] = []
    for match in lang.fee.finditer(original) if lang.fee is not None else ():
        if match.group("undisclosed"):
            found.append((match.start(), "undisclosed"))
            continue
        if wages is not None and wages.match(original, match.end()):
            continue
        unit = " ".join(fold_text(match.group("unit")).split())
        code = "bn" if unit in _folded(money.billions) else "k" if unit in _folded(money.thousands) else "m"
        cur = match.group("sym") or _currency(money.currencies, match.group("cur")) or money.default_currency
        found.append((match.start(), f"{cur}{match.group('num').replace(',', '.')}{code}"))
    return found


def _folded(words: tuple[str, ...]) -> set[str]:
    return {" ".join(fold_text(w).split()) for w in words}


def _currency(currencies: dict[str, tuple[str, ...]], word: str | None) -> str | None:
    if word is None:
        return None
    folded = fold_text(word)
    return next((symbol for symbol, words in currencies.items() if folded in _folded(words)), None)


def _fee(match: re.Match[str]) -> str | None:
    if match.group("num"):
        cur = _CURRENCY.get(match.group("cur").strip().lower(), match.group("cur").strip())
        unit = (match.group("unit") or "").lower()
        raw = match.group("num")
        if not unit and _THOUSANDS.fullmatch(raw):
            return None  # "£200,000" with no unit is a wage or a small sum, not a transfer fee
        num = raw.replace(",", ".")
        if not unit and "." not in num and len(num) < 3:
            return None  # "$5" alone is not a transfer fee
        return f"{cur}{num}{_UNIT.get(unit, '')}"
    cur = _CURRENCY_WORD[match.group("cur2").lower()]
    return f"{cur}{match.group('num2').replace(',', '.')}m"
