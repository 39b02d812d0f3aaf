"""Airflow Assets for what the operators write, so that a DAG can be scheduled on "the predictions landed".

An operator that writes objects declares its destinations as outlets when it is built, unless its ``outlets``
are given:

* a destination written out in full (no template) is an :class:`~airflow.sdk.Asset` of that URI, and a DAG
  scheduled on ``Asset("s3://bucket/key")`` runs when it lands;
* a destination with a template in it (``hume/{{ ds }}/predictions.json``) is known only when the task runs,
  and an Asset's URI is fixed when the DAG is parsed, so the task declares one
  :class:`~airflow.sdk.AssetAlias` instead, named by :func:`output_alias` after the DAG and task
  (``hume:<dag_id>.<task_id>``). Each run adds an event of the destination it rendered to the alias, and a
  DAG scheduled on the alias runs.

Either way each event's ``extra`` says what landed: ``uris`` (every object written, e.g. one per model for CSV
tables) and what the operator adds (the Hume job id, the body, the format). Given ``outlets`` get the same
``extra``: an Asset the event, an AssetAlias one event per destination.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from airflow.sdk import Asset, AssetAlias, Context

_TEMPLATE_MARKS = ("{{", "{%")


def output_alias(dag_id: str, task_id: str) -> AssetAlias:
    """The alias a task with a templated destination adds its events to: schedule a DAG on it."""
    return AssetAlias(name=f"hume:{dag_id}.{task_id}")


def is_templated(value: str) -> bool:
    """Whether Jinja renders ``value`` when the task runs."""
    return any(mark in value for mark in _TEMPLATE_MARKS)


class OutputAssets:
    """Mixed into an operator that writes objects: declares their Assets and records what landed.

    The operator gives :meth:`destination_uris` (its destinations, templates rendered once it runs),
    ``output_uris`` (what ``execute`` wrote) and, optionally, :meth:`output_extra`.
    """

    outlets: list[Any]
    output_uris: Sequence[str]
    dag_id: str
    task_id: str

    def destination_uris(self) -> list[str]:
        """Where the task writes, one URI per Asset: templates before rendering, their values after."""
        raise NotImplementedError

    def output_extra(self) -> dict[str, Any]:
        """What the events carry besides ``uris``."""
        return {}

    def declare_output_assets(self, given: dict[str, Any]) -> None:
        """Set the default outlets (see the module) unless the operator was given ``outlets``."""
        if "outlets" in given:
            return
        uris = self.destination_uris()
        if any(is_templated(uri) for uri in uris):
            self.outlets = [output_alias(self.dag_id, self.task_id)]
            return
        try:
            self.outlets = [Asset(uri=uri) for uri in uris]
        except ValueError as err:
            raise ValueError(
                f"{self.task_id}: the destination {uris} is not a valid Asset URI ({err}); fix the "
                "destination, or give the task outlets=[...] of your own"
            ) from err

    def post_execute(self, context: Context, result: Any = None) -> None:
        """Record what landed on every outlet (Airflow runs this after a successful ``execute``)."""
        extra = {"uris": list(self.output_uris), **self.output_extra()}
        events = context["outlet_events"]
        for outlet in self.outlets:
            if isinstance(outlet, AssetAlias):
                for uri in self.destination_uris():
                    events[outlet].add(Asset(uri=uri), extra=extra)
            elif isinstance(outlet, Asset):
                events[outlet].extra.update(extra)
        super().post_execute(context, result)  # type: ignore[misc]
