"""Fake inference: deterministic predictions, artifacts and job views computed from a job's probed inputs."""
