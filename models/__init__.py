"""Which models Nearby can run, described as data, and the offline install step."""
