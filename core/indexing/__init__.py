"""indexing room."""
