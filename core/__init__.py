"""Nearby's core: extraction, inference, storage, indexing and search. Never imports Qt."""

import nearby.models  # noqa: F401  (sets the native runtime's no-telemetry switch first; see nearby.models.offline)
