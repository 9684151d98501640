"""Serve bench feeds from a separate process on 127.0.0.1, as real feeds come from other machines.

    python -m bench.feedserver FOLDER   # serves FOLDER/<name>.xml at /<name>.xml; prints the port; ends at EOF

A comparison between two pollers is only fair when neither pays for the server: served from the
polling process itself, every response would cost Mercato's event loop CPU that a poller in another
process (``bench/versus_reader.py``) gets for free.
"""

from __future__ import annotations

import asyncio
import contextlib
import sys
import tempfile
from collections.abc import AsyncIterator
from pathlib import Path

from aiohttp import web


@contextlib.asynccontextmanager
async def feeds_served_elsewhere(bodies: dict[str, bytes]) -> AsyncIterator[int]:
    """Serve ``bodies`` (path -> bytes, paths like ``/feed-1.xml``) from a child process; yield its port."""
    with tempfile.TemporaryDirectory() as folder:
        for path, body in bodies.items():
            (Path(folder) / path.lstrip("/")).write_bytes(body)
        process = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "bench.feedserver", folder,
            stdin=asyncio.subprocess.PIPE, stdout=asyncio.subprocess.PIPE,
        )
        try:
            assert process.stdout is not None and process.stdin is not None
            port = int((await process.stdout.readline()).decode().strip() or 0)
            if not port:
                raise RuntimeError("the bench feed server did not start (see its error above)")
            yield port
        finally:
            if process.stdin is not None:
                process.stdin.close()
            try:
                await asyncio.wait_for(process.wait(), timeout=10)
            except TimeoutError:
                process.kill()
                await process.wait()


async def _serve(folder: Path) -> None:
    bodies = {f"/{path.name}": path.read_bytes() for path in folder.glob("*.xml")}

    async def serve(request: web.Request) -> web.Response:
        return web.Response(body=bodies[request.path], content_type="application/rss+xml")

    app = web.Application()
    for path in bodies:
        app.router.add_get(path, serve)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", 0).start()
    print(runner.addresses[0][1], flush=True)
    await asyncio.get_running_loop().run_in_executor(None, sys.stdin.read)  # until the parent closes stdin
    await runner.cleanup()


if __name__ == "__main__":
    asyncio.run(_serve(Path(sys.argv[1])))
