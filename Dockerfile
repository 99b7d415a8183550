# syntax=docker/dockerfile:1
# The image of any one Plussa service. Build from the repository root, naming the service,
# its settings prefix and its port, for example:
#   docker build --build-arg SERVICE=cards --build-arg PREFIX=CARDS --build-arg PORT=8082 -t plussa-cards .
# (docker-compose.yml passes them for all six.)
FROM python:3.11-slim AS build
ARG SERVICE
RUN test -n "$SERVICE" || (echo "build with --build-arg SERVICE=<service>" >&2 && exit 1)
COPY --from=ghcr.io/astral-sh/uv:0.13.9 /uv /usr/local/bin/uv
ENV PIP_DISABLE_PIP_VERSION_CHECK=1 PIP_NO_CACHE_DIR=1
WORKDIR /src
# Dependencies first, from the lock file alone, so they stay cached while code changes.
COPY pyproject.toml uv.lock ./
COPY shared/pyproject.toml shared/
COPY services/identity/pyproject.toml services/identity/
COPY services/cards/pyproject.toml services/cards/
COPY services/points/pyproject.toml services/points/
COPY services/benefits/pyproject.toml services/benefits/
COPY services/notifications/pyproject.toml services/notifications/
COPY services/receipts/pyproject.toml services/receipts/
RUN uv export --frozen --no-dev --package "plussa-$SERVICE" --no-emit-workspace -o /tmp/requirements.txt \
 && python -m venv /app \
 && /app/bin/pip install --require-hashes -r /tmp/requirements.txt
COPY shared/ shared/
COPY services/${SERVICE}/ services/${SERVICE}/
RUN /app/bin/pip install --no-deps ./shared "./services/$SERVICE"

FROM python:3.11-slim
ARG SERVICE
ARG PREFIX
ARG PORT
RUN test -n "$PREFIX" && test -n "$PORT" || (echo "build with --build-arg PREFIX=<SERVICE> --build-arg PORT=<port>" >&2 && exit 1) \
 && useradd --system --no-create-home --uid 10001 --user-group plussa
COPY --from=build /app /app
ENV PATH=/app/bin:$PATH \
    PYTHONUNBUFFERED=1 \
    PYTHONDONTWRITEBYTECODE=1 \
    PLUSSA_SERVICE_MODULE=plussa_${SERVICE} \
    PLUSSA_SERVICE_PORT=${PORT} \
    PLUSSA_${PREFIX}_HOST=0.0.0.0 \
    PLUSSA_${PREFIX}_PORT=${PORT} \
    PLUSSA_${PREFIX}_LOG_FORMAT=json \
    PLUSSA_${PREFIX}_ENVIRONMENT=production
# Numeric, so Kubernetes can check runAsNonRoot.
USER 10001:10001
EXPOSE ${PORT}
HEALTHCHECK --interval=10s --timeout=3s --start-period=20s --retries=3 \
  CMD ["python", "-c", "import os, urllib.request; urllib.request.urlopen(f\"http://127.0.0.1:{os.environ['PLUSSA_SERVICE_PORT']}/health/live\", timeout=2)"]
# The shell only reads the module name; exec hands the process (and SIGTERM) to Python.
CMD ["/bin/sh", "-c", "exec python -m \"$PLUSSA_SERVICE_MODULE\""]
