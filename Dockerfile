# Airflow image with this provider (and its emulator) installed from the repository.
ARG AIRFLOW_IMAGE=apache/airflow:3.3.2-python3.11
FROM ${AIRFLOW_IMAGE}
COPY --chown=airflow:root pyproject.toml README.md /opt/airflow-provider-hume/
COPY --chown=airflow:root airflow_provider_hume /opt/airflow-provider-hume/airflow_provider_hume
RUN pip install --no-cache-dir "/opt/airflow-provider-hume[amazon,emulator]"
