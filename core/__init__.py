"""Nearby's core: extraction, inference, storage, indexing and search. Never imports Qt."""
