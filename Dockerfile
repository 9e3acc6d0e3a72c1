# syntax=docker/dockerfile:1
# hotpapers: the bot (Slack, Discord, webhooks, scheduler) in a slim, non-root image.
#   docker build -t hotpapers .
#   docker run -d --restart unless-stopped -v hotpapers-data:/data -e SLACK_BOT_TOKEN=… -e SLACK_SIGNING_SECRET=… -p 3000:3000 hotpapers

# Build stage: the pinned dependencies and the project, in a virtual environment.
FROM python:3.11-slim AS build
ENV PIP_NO_CACHE_DIR=1 PIP_DISABLE_PIP_VERSION_CHECK=1
WORKDIR /src
RUN python -m venv /venv
COPY requirements.txt ./
RUN /venv/bin/pip install -r requirements.txt
COPY pyproject.toml README.md ./
COPY bot ./bot
COPY adapters ./adapters
COPY config ./config
COPY hotpapers ./hotpapers
# The runtime needs no installer: dropping pip and setuptools saves about 25 MB.
RUN /venv/bin/pip install --no-deps . \
    && /venv/bin/pip uninstall --yes setuptools pip

# Runtime stage: only the environment, a user without privileges, and a data volume.
FROM python:3.11-slim
ENV PATH=/venv/bin:$PATH \
    PYTHONUNBUFFERED=1 \
    HOTPAPERS_DATA_DIR=/data \
    HOTPAPERS_HTTP_PORT=3000
RUN useradd --system --uid 10001 --home-dir /data --shell /usr/sbin/nologin hotpapers \
    && mkdir -p /data && chown hotpapers /data
COPY --from=build /venv /venv
USER hotpapers
VOLUME ["/data"]
EXPOSE 3000
# /healthz answers 200 while the scheduler runs, with each platform's state and the last delivery.
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
    CMD ["python", "-c", "import os, urllib.request; urllib.request.urlopen('http://127.0.0.1:%s/healthz' % os.environ.get('HOTPAPERS_HTTP_PORT', '3000'), timeout=4)"]
ENTRYPOINT ["hotpapers"]
CMD ["run", "--server"]
