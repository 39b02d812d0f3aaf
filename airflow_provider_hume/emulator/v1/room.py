"""The ``v1`` room's shared state over an :class:`EmulatorState`: its settings, runs and face-state signer.

One per app (``http.app.create_app``); the upload, runs and realtime routes all serve from it. The runs are
forgotten on ``POST /_emulator/reset``. The face-state secret is random per room, so a token from another
emulator is ignored like an altered one.
"""

from __future__ import annotations

import secrets

from airflow_provider_hume.emulator.backend.settings import V1Settings
from airflow_provider_hume.emulator.backend.state import EmulatorState
from airflow_provider_hume.emulator.v1.audio_measure import AudioMeasurer
from airflow_provider_hume.emulator.v1.face_state import FaceStateSigner
from airflow_provider_hume.emulator.v1.face_tracking import FaceTracker
from airflow_provider_hume.emulator.v1.faces import FaceMeasurer
from airflow_provider_hume.emulator.v1.runs import RunStore


class V1Room:
    """What every ``v1`` route needs, configured by the state's ``settings.v1``."""

    def __init__(self, state: EmulatorState) -> None:
        self.state = state
        self.settings: V1Settings = state.settings.v1
        self.seed = state.settings.seed
        self.runs = RunStore(
            state.now_ms,
            live_silence_ms=round(self.settings.live_silence_seconds * 1000),
            event_cap=self.settings.run_event_cap,
        )
        self.face_states = FaceStateSigner(
            secrets.token_bytes(32), self.settings.face_state_ttl_seconds, lambda: state.now_ms() / 1000
        )
        state.on_reset(self.runs.reset)

    def user_for_key(self, api_key: str) -> str | None:
        """The user (and organisation) of an accepted key, or ``None``."""
        return self.state.user_for_key(api_key)

    def audio_measurer(self, timer_ms: int) -> AudioMeasurer:
        """A measurer for one run's audio, with the room's seed and voice-activity settings."""
        return AudioMeasurer(
            timer_ms,
            self.seed,
            threshold_dbfs=self.settings.vad_threshold_dbfs,
            hangover_ms=self.settings.vad_hangover_ms,
        )

    def face_measurer(
        self, threshold: float, min_size: int, tracker: FaceTracker | None = None
    ) -> FaceMeasurer:
        """A measurer for one run's images, measuring the configured number of largest faces."""
        return FaceMeasurer(
            threshold, min_size, tracker, seed=self.seed, measured=self.settings.measured_faces
        )
