"""Drive the emulator's ``v1`` routes with Hume's own v1 SDK (``test_hume_v1_sdk.py`` runs it in a venv).

``python hume_v1_sdk_scenario.py PART BASE_URL API_KEY MEDIA_DIR`` with ``PART`` ``http`` (uploads, runs,
typed errors) or ``realtime`` (both sockets). It uses ``hume-expression-measurement`` 0.1.0 unmodified,
pointed at the emulator through ``ExpressionMeasurementClientEnvironment``, and prints one JSON summary line:

* ``problems``: every way the emulator disagreed with the SDK or with the documented behaviour
  (``hume-api-v1.md`` §4 to §8); the test fails on any.
* ``extra_fields``: fields the emulator sent that the SDK's models do not declare. Hume's models allow them,
  so they are not failures, but each is a field Hume is not known to send.
* ``omitted_optional``: optional fields the emulator left out (allowed; listed so nobody is surprised).
* ``not_served``: sockets whose handshake a valid key saw refused with 404, or with the 403 Starlette gives a
  websocket path that no route serves.

Every body the SDK parsed is parsed again from the raw JSON with the model's ``model_validate``, then walked
more strictly than pydantic's lax mode: values of the SDK's open enums (``Union[Literal[...], Any]``) must be
documented literals, numbers, strings and booleans must be JSON numbers, strings and booleans (no ``"5"`` for
an int), and datetimes must be RFC 3339 with an offset.
"""

from __future__ import annotations

import asyncio
import json
import sys
from pathlib import Path

from scenario_checks import Report
from scenario_http import http_main
from scenario_realtime import realtime_main


def main() -> None:
    part, base_url, api_key, media = sys.argv[1], sys.argv[2], sys.argv[3], Path(sys.argv[4])
    report = Report()
    if part == "http":
        http_main(base_url, api_key, media, report)
    else:
        pcm = (media / "live.pcm").read_bytes()
        jpegs = [path.read_bytes() for path in sorted(media.glob("face_*.jpg"))]
        asyncio.run(realtime_main(base_url, api_key, pcm, jpegs, report))
    print(json.dumps(report.summary(), default=str))


if __name__ == "__main__":
    main()
