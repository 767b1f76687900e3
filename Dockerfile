# Common Ground: one image for `serve` (the default) and `worker`.
# Build: docker build -t commonground .   Run: see docker-compose.yml and the README's deploy guide.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PORT=3000 \
    COMMONGROUND_DATA_DIR=/home/commonground/data

RUN useradd --create-home --uid 10001 --shell /usr/sbin/nologin commonground
WORKDIR /app

# The same install as the README and the Makefile (`pip install -e .`, from the source tree, so that
# manifest.json at its root is found), without the dev tools.
COPY pyproject.toml README.md manifest.json Procfile ./
COPY flows ./flows
COPY bot ./bot
RUN pip install --quiet --upgrade pip && pip install --quiet -e . \
    && mkdir -p "$COMMONGROUND_DATA_DIR" && chown commonground "$COMMONGROUND_DATA_DIR"

USER commonground
EXPOSE 3000

# 200 when Redis answers (GET /healthz). The worker serves no HTTP: docker-compose.yml turns this off.
HEALTHCHECK --interval=30s --timeout=5s --start-period=60s --retries=3 \
    CMD ["python", "-c", "import os, urllib.request; urllib.request.urlopen('http://127.0.0.1:%s/healthz' % os.environ.get('PORT', '3000'), timeout=4)"]

CMD ["commonground", "serve"]
