# The official Airflow image plus this repository's package with its `amazon` and `emulator` extras, for
# docker-compose.yaml (see README.md, "Run on Docker"). The image already has the Celery provider.
ARG AIRFLOW_IMAGE=apache/airflow:3.3.2-python3.11
FROM ${AIRFLOW_IMAGE}

# Only what building the package needs (see also .dockerignore).
COPY --chown=airflow:root pyproject.toml README.md /opt/airflow-provider-hume/
COPY --chown=airflow:root airflow_provider_hume /opt/airflow-provider-hume/airflow_provider_hume

# Pinning the image's own Airflow version keeps pip from upgrading or downgrading it.
RUN pip install --no-cache-dir "apache-airflow==${AIRFLOW_VERSION}" "/opt/airflow-provider-hume[amazon,emulator]" \
    && mkdir -p /opt/airflow/logs
