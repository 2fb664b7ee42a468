# Production image: gunicorn serving the Django application, static files through whitenoise.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    DJANGO_ENV=production

WORKDIR /app
COPY pyproject.toml README.md ./
COPY registry ./registry
COPY core ./core
COPY territories ./territories
COPY structures ./structures
COPY smes ./smes
COPY demo ./demo
COPY web ./web
RUN pip install --upgrade pip && pip install .
COPY . .

# collectstatic needs settings that load; the real secret comes from the environment at run time.
RUN SECRET_KEY=build-only-not-secret ALLOWED_HOSTS=localhost python manage.py collectstatic --noinput

RUN useradd --create-home --uid 1000 app && mkdir -p /app/var && chown -R app /app/var
USER app

EXPOSE 8000
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
  CMD python -c "import urllib.request,sys; sys.exit(0 if urllib.request.urlopen('http://127.0.0.1:8000/healthz', timeout=4).status == 200 else 1)"
CMD ["gunicorn", "registry.wsgi:application", "--bind", "0.0.0.0:8000", "--workers", "3", "--access-logfile", "-"]
