"""Which models Nearby can run, described as data, and the offline install step."""

from nearby.models.offline import keep_offline

keep_offline()  # before anything here or above can load onnxruntime (see offline.py)
