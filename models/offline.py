"""Keeping the native libraries Nearby loads off the network.

onnxruntime 1.29 and later, on Linux and macOS, carry a telemetry client (1DS) that, unless told
otherwise, keeps a queue and a device id under ~/.cache/Microsoft/DeveloperTools/.onnxruntime and
looks up and posts to mobile.events.data.microsoft.com from worker threads during long runs
(seen with strace: DNS lookups a few times a minute while indexing). 1.28 and earlier carry none
(no collector host in their library). The client reads ``ORT_DISABLE_TELEMETRY`` once, when the
runtime first initialises, and with it set to 1 creates no uploader, no device id and no queue:
an index run of 70 s under strace then made no network system call at all.

So this switch must be set before onnxruntime is first loaded: importing ``nearby.models`` (and
so ``nearby.core``, ``nearby.desktop`` and the install step, which all import it) sets it.
A value the person set is overridden: Nearby promises that nothing leaves the computer.
"""

from __future__ import annotations

import logging
import os
import sys

log = logging.getLogger(__name__)

# Environment switches honoured by native libraries Nearby loads, each set before that library starts.
OFFLINE_ENV = {"ORT_DISABLE_TELEMETRY": "1"}


def keep_offline() -> None:
    """Set every switch that keeps a native library from reaching the network."""
    for name, value in OFFLINE_ENV.items():
        os.environ[name] = value
    if "onnxruntime" in sys.modules:  # another program embedding Nearby loaded it first
        log.warning("onnxruntime was loaded before Nearby could turn its telemetry off; "
                    "set ORT_DISABLE_TELEMETRY=1 before starting this program")
