"""Heat charts on /shortlist and /rumours, end to end: the PNG is uploaded with the reply and its embed shows it."""

from __future__ import annotations

import struct
import zlib
from datetime import timedelta
from io import BytesIO

from PIL import Image

from bot.charts.draw import HEIGHT_PX, WIDTH_PX
from tests.e2e.helpers import OLD_ITEM, START, Mercato, seed_item, start_mercato
from tests.fakediscord import FakeDiscord, InteractionRecord
from tests.fakediscord.server import UploadedFile

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def ihdr(data: bytes) -> tuple[int, int]:
    """The width and height a PNG's header chunk declares (after checking the signature and the chunk's CRC)."""
    assert data[:8] == PNG_SIGNATURE
    length, kind = struct.unpack(">I4s", data[8:16])
    assert (length, kind) == (13, b"IHDR")
    assert zlib.crc32(data[12:29]) == struct.unpack(">I", data[29:33])[0]
    return struct.unpack(">II", data[16:24])


def uploaded(m: Mercato, record: InteractionRecord) -> tuple[UploadedFile, ...]:
    """The files uploaded with the interaction's followup."""
    [post] = [r for r in m.fake.requests if r.matches("POST", "/webhooks/{}/{}") and r.match["webhook_token"] == record.token]
    return post.files


async def seed(m: Mercato) -> None:
    await m.primed_feed(OLD_ITEM)
    await m.publish(OLD_ITEM, seed_item())


async def test_shortlist_attaches_a_heat_chart_its_embed_shows(fake_discord: FakeDiscord, tmp_path) -> None:
    async with start_mercato(fake_discord, tmp_path) as m:
        await seed(m)
        record = await m.command("shortlist", {"club": "milan"})
        files = uploaded(m, record)

    [reply] = record.followups
    assert reply["content"].startswith("Players linked with **AC Milan**, hottest first:")
    [png] = files
    assert png.filename == "heat.png" and png.field == "files[0]"
    assert ihdr(png.data) == (WIDTH_PX, HEIGHT_PX) == (800, 440)
    with Image.open(BytesIO(png.data)) as image:
        image.verify()  # every chunk's CRC, to the end of the file
    [embed] = reply["embeds"]
    assert embed["image"]["url"] == "attachment://heat.png"
    assert [a["filename"] for a in reply["attachments"]] == ["heat.png"]
    assert reply["allowed_mentions"] == {"parse": []}


async def test_rumours_attaches_a_chart_and_a_club_without_stories_gets_none(fake_discord: FakeDiscord, tmp_path) -> None:
    async with start_mercato(fake_discord, tmp_path) as m:
        await seed(m)
        rumours = await m.command("rumours", {"player": "dragusin"})
        quiet = await m.command("shortlist", {"club": "Arsenal"})
        rumour_files, quiet_files = uploaded(m, rumours), uploaded(m, quiet)

    assert rumours.followups[0]["content"].startswith("Rumours about **Radu Drăgușin (Tottenham)**")
    [png] = rumour_files
    assert ihdr(png.data) == (800, 440)
    assert rumours.followups[0]["embeds"][0]["image"]["url"] == "attachment://heat.png"
    assert quiet.followups[0]["content"].startswith("No players linked with **Arsenal**")
    assert quiet_files == () and quiet.followups[0]["embeds"] == []


async def test_the_chart_is_drawn_again_only_when_a_story_changes(fake_discord: FakeDiscord, tmp_path) -> None:
    async with start_mercato(fake_discord, tmp_path) as m:
        await seed(m)
        first = await m.command("shortlist", {"club": "milan"})
        second = await m.command("shortlist", {"club": "milan"})
        drawn_before = m.bot.services.charts.drawn
        later = ("sky", "Milan in advanced talks with Tottenham for Radu Drăgușin",
                 "AC Milan are in advanced talks with Tottenham to sign Radu Drăgușin.", START + timedelta(minutes=2))
        await m.publish(OLD_ITEM, seed_item(), later)
        third = await m.command("shortlist", {"club": "milan"})
        drawn_after = m.bot.services.charts.drawn
        pngs = [uploaded(m, r)[0].data for r in (first, second, third)]

    assert drawn_before == 1  # the second /shortlist was served from the cache
    assert pngs[0] == pngs[1]
    assert drawn_after == 2 and pngs[2] != pngs[0]  # the new report changed the story: a new drawing
