"""`mercato match --jsonl`: read a batch of articles, one JSON line in, one JSON line out, in input order.

Reading an article is CPU work, and a batch's articles are independent: a large batch read from a file is
shared among worker processes forked after the catalogue, the matcher and the language packs are loaded
(nothing is loaded twice, and the workers' output is the same as one process's, line for line). Standard
input, small batches, a single CPU or a platform without ``fork`` are read in this process, as a stream.
"""

from __future__ import annotations

import json
import multiprocessing
import os
import sys
from collections.abc import Iterable, Iterator
from typing import Any, TextIO

from bot.catalogue import Catalogue, Matcher
from bot.catalogue.provisional import detect
from bot.describe import match_to_dict, rumour_to_dict
from bot.heap import building, frozen
from bot.language import document_of, extract_rumours
from bot.language.pack import load_languages
from bot.sources import SourceDirectory
from bot.text import html_to_text

__all__ = ["describe_article", "match_batch"]

MIN_PARALLEL_LINES = 400  # below this, forking costs more than it saves
MAX_WORKERS = 4
_CHUNK = 32  # lines per task sent to a worker

# What the workers read with: set in the parent just before forking, inherited by the children.
_READER: tuple[Catalogue, Matcher, SourceDirectory] | None = None
_LANGUAGE: str | None = None  # `--lang`: every line's language (None: a line's "lang", else told from its text)


def describe_article(
    title: str, body: str, catalogue: Catalogue, matcher: Matcher, sources: SourceDirectory,
    *, language: str | None = None,
) -> dict[str, Any]:
    """Match one article, extract its rumours, and return the JSON view (with the language it was read in).

    ``language``: the article's ("it", "en"); None: told from the text, as for a feed that declares none.
    """
    match = matcher.match_item(title, body, language=language)
    rumours = extract_rumours(match, catalogue, sources=sources) if match.mentions else []
    provisional = detect(match, catalogue, sources=sources)  # likely players the catalogue lacks
    view = match_to_dict(match, catalogue, [rumour_to_dict(r, catalogue) for r in rumours], provisional)
    view["language"] = document_of(match).language
    return view


def _describe_line(
    numbered: tuple[int, str], reader: tuple[Catalogue, Matcher, SourceDirectory] | None = None
) -> tuple[str | None, str | None]:
    """One input line → (output line or None for a blank line, a problem for stderr or None)."""
    number, line = numbered
    if not line.strip():
        return None, None
    try:
        record = json.loads(line)
        title = html_to_text(str(record.get("title", "")))
        summary = html_to_text(str(record.get("summary", "")))
        declared = _LANGUAGE or (str(record["lang"]) if record.get("lang") else None)
    except (json.JSONDecodeError, AttributeError):
        problem = f"line {number}: not a JSON object with title and summary; skipped"
        return json.dumps({"error": f"line {number}: invalid JSON"}), problem
    chosen = reader if reader is not None else _READER
    assert chosen is not None, "set by match_batch before the workers fork"
    catalogue, matcher, sources = chosen
    view = describe_article(title, summary, catalogue, matcher, sources, language=declared)
    return json.dumps(view, ensure_ascii=False), None


def _workers() -> int:
    """How many processes may read (the CPUs this process may run on), 1 where ``fork`` is not safe."""
    if sys.platform != "linux" or "fork" not in multiprocessing.get_all_start_methods():
        return 1
    return max(1, min(MAX_WORKERS, len(os.sched_getaffinity(0))))


def match_batch(
    lines: TextIO, catalogue: Catalogue, matcher: Matcher, sources: SourceDirectory, *, from_file: bool,
    out: TextIO | None = None, err: TextIO | None = None, language: str | None = None,
) -> int:
    """Read every line of ``lines``; write one JSON line per article to ``out``; return the exit status.

    A line that is not a JSON object gets ``{"error": ...}`` and a note on ``err``, and the status is 1.
    Raises UnicodeDecodeError when the input is not UTF-8.
    """
    global _LANGUAGE
    _LANGUAGE = language  # set before any worker forks, like _READER
    out, err = out or sys.stdout, err or sys.stderr
    reader = (catalogue, matcher, sources)
    batch: list[str] | None = None
    if from_file and _workers() > 1:
        try:
            batch = lines.readlines()
        except UnicodeDecodeError:
            lines.seek(0)  # stream it as one process does: the lines before the bad bytes are still read
    if batch is not None and len(batch) >= MIN_PARALLEL_LINES:
        return _write(_in_parallel(batch, reader), out, err)
    numbered = enumerate(batch if batch is not None else lines, start=1)
    return _write((_describe_line(item, reader) for item in numbered), out, err)


def _in_parallel(batch: list[str], reader: tuple[Catalogue, Matcher, SourceDirectory]) -> Iterator[
    tuple[str | None, str | None]
]:
    global _READER
    _READER = reader
    with building():
        load_languages()  # once, here, rather than in every worker that meets an article in that language
    try:
        with frozen(), multiprocessing.get_context("fork").Pool(_workers()) as pool:
            yield from pool.imap(_describe_line, enumerate(batch, start=1), chunksize=_CHUNK)
    finally:
        _READER = None


def _write(results: Iterable[tuple[str | None, str | None]], out: TextIO, err: TextIO) -> int:
    status = 0
    for line, problem in results:
        if problem is not None:
            print(problem, file=err)
            status = 1
        if line is not None:
            out.write(line + "\n")
    return status
