# The same install and start commands as `make run`, in a slim image, as a non-root user.
FROM python:3.11-slim

# Production settings: WORKERS processes, no reload. Forwarded headers (client address, https) are
# honoured only from FORWARDED_ALLOW_IPS: set it to your proxy's address. HSTS=1 behind HTTPS.
# SITE_URL: the public address every absolute link uses (canonical, cards, share, QR, citations).
# Unset, links use the address served (http://127.0.0.1:$PORT, reachable only with -p PORT:PORT on
# this machine) and startup logs a warning saying so: `docker run -e SITE_URL=https://your.domain`.
ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    HOST=0.0.0.0 \
    PORT=8000 \
    WORKERS=2 \
    FORWARDED_ALLOW_IPS=127.0.0.1 \
    HSTS=0

RUN useradd --create-home --uid 10001 site
WORKDIR /srv/site

COPY pyproject.toml ./
COPY app ./app
# The app's bytecode, compiled once here: with PYTHONDONTWRITEBYTECODE nothing writes it at run
# time, and each start would compile every module again (about 0.1 s).
RUN pip install --no-cache-dir -e . \
    && python -m compileall -q app

COPY templates ./templates
COPY static ./static
COPY content ./content
COPY archive ./archive
COPY locales ./locales
COPY fonts ./fonts

# The build cache is filled here, so a container starts warm: each page's build, the search index
# and the site-wide documents (build/cache/). Its keys include the settings and the day, so pass
# the public address at build time (`--build-arg SITE_URL=https://your.domain`); a container run
# with other settings, or on a later day (the cite boxes' access date), builds again at start.
ARG SITE_URL=""
ENV SITE_URL=${SITE_URL}
RUN mkdir -p build && chown 10001 build
USER 10001
RUN python -m app build

EXPOSE 8000
HEALTHCHECK --interval=30s --timeout=3s --start-period=20s \
  CMD ["python", "-c", "import os,urllib.request; urllib.request.urlopen('http://127.0.0.1:%s/healthz' % os.environ.get('PORT','8000'), timeout=2)"]

# Validate content (exit non-zero with the list of problems) and build once (from the cache when
# nothing changed), then serve: no reload, proxy headers on.
CMD ["sh", "-c", "exec python -m app serve --host \"$HOST\" --port \"$PORT\" --workers \"$WORKERS\""]
