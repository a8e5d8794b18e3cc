# The web app for docker-compose.yml: gunicorn serving Django, static files through whitenoise.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    DJANGO_STATIC_ROOT=/app/staticfiles

WORKDIR /app
# libmagic: MIME types of uploads are sniffed from their content (python-magic)
RUN apt-get update \
    && apt-get install -y --no-install-recommends libmagic1 \
    && rm -rf /var/lib/apt/lists/*
COPY requirements.txt .
RUN pip install --no-cache-dir -r requirements.txt

COPY . .
RUN python manage.py collectstatic --no-input --verbosity 0 \
    && useradd --create-home --uid 1000 erp \
    && mkdir -p /app/var/media && chown -R erp /app/var

USER erp
EXPOSE 8000
# workers, threads, timeouts and the access log: gunicorn.conf.py (from the environment)
CMD ["gunicorn", "-c", "gunicorn.conf.py", "erp.wsgi:application"]
