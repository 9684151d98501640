# Mercato: one bot process, SQLite on the /data volume. See docs/operations.md (and compose.yaml).
#   docker build -t mercato .
#   docker run -e DISCORD_TOKEN=... -v mercato-data:/data mercato
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    MERCATO_DB=/data/mercato.sqlite3 \
    MERCATO_SEEDS=/app/seeds \
    MERCATO_HTTP_PORT=8080 \
    MPLCONFIGDIR=/app/.matplotlib

WORKDIR /app

# Dependencies first, exactly as locked (every package pinned, hashes checked): this layer is rebuilt
# only when the lockfile changes. `make lock` regenerates it.
COPY requirements.txt ./
RUN pip install --require-hashes -r requirements.txt

# Source last, so a code change does not reinstall the dependencies. The build backend (setuptools)
# comes from the lockfile too: no build isolation, nothing fetched unpinned.
COPY pyproject.toml README.md LICENSE ./
COPY bot ./bot
COPY cogs ./cogs
COPY seeds ./seeds
COPY setup.py ./
# setup.py compiles the reading code with mypyc (bot/native.py): a C compiler for this step only. Without
# one the build still succeeds, as pure Python (slower). matplotlib (heat charts) builds its font list
# once, here, where the mercato user may read and update it.
RUN apt-get update && apt-get install -y --no-install-recommends gcc libc6-dev \
    && pip install --no-deps --no-build-isolation . \
    && apt-get purge -y --auto-remove gcc libc6-dev && rm -rf /var/lib/apt/lists/* \
    && useradd --system --uid 10001 --home-dir /app mercato \
    && mkdir -p /data "$MPLCONFIGDIR" && python -c "import matplotlib.font_manager" \
    && chown mercato /data && chown -R mercato "$MPLCONFIGDIR"

USER mercato
VOLUME ["/data"]
# /healthz on 127.0.0.1:$MERCATO_HTTP_PORT: gateway connected, polls recent, deliveries not stuck.
HEALTHCHECK --interval=30s --timeout=5s --start-period=60s --retries=3 CMD ["mercato", "health"]
CMD ["mercato", "run"]
