"""Where the ``v1`` measuring operators keep results while a task runs, and how they publish them.

``v1`` results exist only in the upload's response (hume-api-v1.md §5, §8), so each response is written to a
staging prefix in S3 as soon as it arrives (one small JSON object per request, and one per finished file). A
retried task reads them back instead of paying for the same request again. The outputs are written last:
built in local temporary files, then each uploaded in one managed upload, which S3 makes visible only once
complete (a failed upload is aborted), so readers never see half an output. The staging objects are removed
once the outputs are written, unless a file failed (the retry needs them).
"""

from __future__ import annotations

import json
import tempfile
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from airflow_provider_hume._s3 import S3Uri
from airflow_provider_hume.client import HumeValidationError
from airflow_provider_hume.client.v1 import rows as v1_rows

#: Objects deleted per S3 ``DeleteObjects`` call (its limit).
DELETE_BATCH = 1000


class Staging:
    """JSON objects under ``s3://bucket/prefix``; a PUT is atomic, so an object is whole or absent."""

    def __init__(self, client: Any, location: S3Uri) -> None:
        self._client = client
        self.location = location
        self._existing: set[str] | None = None

    def _key(self, name: str) -> str:
        return f"{self.location.key}{name}"

    def names(self) -> set[str]:
        """The names staged (listed once, then kept up to date by :meth:`put`)."""
        if self._existing is None:
            pages = self._client.get_paginator("list_objects_v2").paginate(
                Bucket=self.location.bucket, Prefix=self.location.key
            )
            prefix = len(self.location.key)
            self._existing = {item["Key"][prefix:] for page in pages for item in page.get("Contents", [])}
        return self._existing

    def get(self, name: str) -> dict[str, Any] | None:
        """A staged object, or None."""
        if name not in self.names():
            return None
        body = self._client.get_object(Bucket=self.location.bucket, Key=self._key(name))["Body"]
        try:
            data = json.loads(body.read())
        finally:
            body.close()
        return data if isinstance(data, dict) else None

    def put(self, name: str, data: Mapping[str, Any]) -> None:
        body = json.dumps(data, ensure_ascii=False).encode("utf-8")
        self._client.put_object(
            Bucket=self.location.bucket, Key=self._key(name), Body=body, ContentType="application/json"
        )
        self.names().add(name)

    def clear(self) -> int:
        """Delete every object under the prefix; return how many."""
        pages = self._client.get_paginator("list_objects_v2").paginate(
            Bucket=self.location.bucket, Prefix=self.location.key
        )
        keys = [item["Key"] for page in pages for item in page.get("Contents", [])]
        for start in range(0, len(keys), DELETE_BATCH):
            batch = [{"Key": key} for key in keys[start : start + DELETE_BATCH]]
            self._client.delete_objects(Bucket=self.location.bucket, Delete={"Objects": batch, "Quiet": True})
        return len(keys)


@dataclass(frozen=True)
class Outputs:
    """Where the outputs go: the JSON Lines object, and the rows object when a table format is asked for."""

    lines: S3Uri
    table: S3Uri | None
    table_format: str | None
    staging: S3Uri

    @classmethod
    def plan(
        cls, output_uri: str, table_uri: str | None, table_format: str | None, staging_uri: str | None
    ) -> Outputs:
        lines = S3Uri.parse(output_uri, "output_uri")
        if lines.is_prefix:
            raise HumeValidationError(
                f"output_uri must name one object, s3://bucket/key.jsonl (got {output_uri!r})"
            )
        table = None
        if table_format is not None:
            table = S3Uri.parse(table_uri, "table_uri") if table_uri else _sibling(lines, table_format)
            if table.is_prefix or table == lines:
                raise HumeValidationError(
                    f"table_uri must name another object than output_uri (got {table.uri})"
                )
        if staging_uri:
            staging = S3Uri.parse(staging_uri, "staging_uri")
            staging = staging if staging.is_prefix else S3Uri(staging.bucket, f"{staging.key}/")
        else:
            staging = S3Uri(lines.bucket, f"{lines.key}.staging/")
        return cls(lines=lines, table=table, table_format=table_format, staging=staging)


def _sibling(lines: S3Uri, table_format: str) -> S3Uri:
    """``calls.jsonl`` gives ``calls.parquet``, ``calls.csv`` or ``calls.rows.jsonl``; other keys get the
    suffix appended."""
    base = lines.key[: -len(".jsonl")] if lines.key.endswith(".jsonl") else lines.key
    suffix = v1_rows.rows_format_suffix(table_format)
    return S3Uri(lines.bucket, f"{base}{'.rows' if suffix == '.jsonl' else ''}{suffix}")


def publish(
    s3_hook: Any,
    outputs: Outputs,
    lines: Iterable[Mapping[str, Any]],
    media: Literal["audio", "image"],
    on_line: Callable[[Mapping[str, Any]], None],
) -> int:
    """Write ``lines`` (one per file) and their rows, then upload each output whole; return the row count.

    ``on_line`` sees every line as it is written (for the task's summary).
    """
    with tempfile.TemporaryDirectory(prefix="hume-v1-out-") as folder:
        path = Path(folder) / "lines.jsonl"
        with path.open("w", encoding="utf-8", newline="\n") as out:
            for line in lines:
                out.write(json.dumps(line, ensure_ascii=False) + "\n")
                on_line(line)
        rows = 0
        if outputs.table is not None and outputs.table_format is not None:
            table_path = Path(folder) / "rows"
            rows = v1_rows.write_rows(_read_lines(path), table_path, outputs.table_format, media=media)
            s3_hook.load_file(
                str(table_path), key=outputs.table.key, bucket_name=outputs.table.bucket, replace=True
            )
        s3_hook.load_file(str(path), key=outputs.lines.key, bucket_name=outputs.lines.bucket, replace=True)
    return rows


def _read_lines(path: Path) -> Iterator[dict[str, Any]]:
    with path.open(encoding="utf-8") as lines:
        for text in lines:
            yield json.loads(text)
