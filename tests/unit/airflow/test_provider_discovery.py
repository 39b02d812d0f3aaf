"""Airflow's providers manager finds the package through its entry point."""

from __future__ import annotations

from airflow_provider_hume import __version__


def test_providers_manager_discovers_the_package_and_connection_type() -> None:
    from airflow.providers_manager import ProvidersManager

    manager = ProvidersManager()
    assert manager.providers["airflow-provider-hume"].version == __version__
    hook = manager.hooks["hume"]
    assert hook is not None
    assert hook.hook_class_name == "airflow_provider_hume.hooks.hume.HumeHook"
    assert hook.connection_type == "hume"
