# Mercato: one bot process, SQLite on the /data volume.
#   docker build -t mercato .
#   docker run -e DISCORD_TOKEN=... -v mercato-data:/data mercato
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    MERCATO_DB=/data/mercato.sqlite3 \
    MERCATO_SEEDS=/app/seeds

WORKDIR /app

# Dependencies first, from the pins in pyproject.toml: this layer is rebuilt only when they change.
COPY pyproject.toml ./
RUN python -c "import tomllib; print('\n'.join(tomllib.load(open('pyproject.toml', 'rb'))['project']['dependencies']))" \
        > /tmp/requirements.txt \
    && pip install -r /tmp/requirements.txt

# Source last, so a code change does not reinstall the dependencies.
COPY README.md ./
COPY bot ./bot
COPY cogs ./cogs
COPY seeds ./seeds
RUN pip install --no-deps . \
    && useradd --system --uid 10001 --home-dir /app mercato \
    && mkdir -p /data && chown mercato /data

USER mercato
VOLUME ["/data"]
CMD ["mercato", "run"]
