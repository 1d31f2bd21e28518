# The production image: gunicorn for the web, the same image for the Celery worker and beat.
# Build: docker compose build. Run: docker compose up -d (see README, "Production-like stack").
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    DJANGO_SETTINGS_MODULE=protection.settings.production \
    PYTHONPATH=/app \
    PROTECTION_VAR_DIR=/app/var \
    STATIC_ROOT=/app/staticfiles

# gettext compiles the French and Arabic messages at build time; pango (with HarfBuzz) and
# fonts with Arabic glyphs let WeasyPrint render the data-subject report's PDF.
RUN apt-get update \
    && apt-get install -y --no-install-recommends gettext \
        libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fontconfig fonts-dejavu-core \
    && rm -rf /var/lib/apt/lists/* \
    && useradd --system --uid 10001 --create-home --home-dir /home/protection protection

WORKDIR /app

# Dependencies first, in their own layer: it is rebuilt only when pyproject.toml changes.
# (The project's packages are found later, so this step installs the dependencies only; the
# code runs from /app, where the templates, static files and reference lists live beside it.)
COPY pyproject.toml README.md ./
RUN pip install .

COPY . .

# Static files and compiled messages are part of the image. Production settings refuse to load
# without a secret, so the build passes a throw-away one that never reaches the running image.
RUN SECRET_KEY="build-only-$(python -c 'import secrets; print(secrets.token_urlsafe(64))')" \
    PROTECTION_FIELD_KEYS="build:$(python -c 'import os, base64; print(base64.b64encode(os.urandom(32)).decode())')" \
    ALLOWED_HOSTS=build.invalid WEBHOOK_EGRESS=direct \
    python manage.py collectstatic --noinput --verbosity 0 \
    && if find locale -name '*.po' | grep -q .; then \
        SECRET_KEY="build-only-$(python -c 'import secrets; print(secrets.token_urlsafe(64))')" \
        PROTECTION_FIELD_KEYS="build:$(python -c 'import os, base64; print(base64.b64encode(os.urandom(32)).decode())')" \
        ALLOWED_HOSTS=build.invalid WEBHOOK_EGRESS=direct \
        python manage.py compilemessages --verbosity 0; \
    fi \
    && mkdir -p /app/var/exports \
    && chown -R protection:protection /app/var

USER protection

EXPOSE 8000

# docker-compose.yml runs the worker and beat from this image with their own commands.
CMD ["gunicorn", "protection.wsgi:application", "--bind", "0.0.0.0:8000", "--access-logfile", "-"]
