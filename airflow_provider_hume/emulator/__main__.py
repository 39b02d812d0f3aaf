"""``python -m airflow_provider_hume.emulator`` runs the ``hume-emulator`` CLI."""

import sys

from airflow_provider_hume.emulator.cli import main

sys.exit(main())
