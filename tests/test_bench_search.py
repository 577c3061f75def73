"""`python -m bench search --passages N --json`: the fields other tools read, and a small
library's answers against the exact ones."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
FIELDS = ("passages", "p50_ms", "first_p50_ms", "knn_p50_ms", "first_pass_p50_ms", "numpy_p50_ms", "hnsw_p50_ms",
          "hnsw_recall_at_10", "hnsw_same_recall_p50_ms", "recall_at_10", "recall_kind_at_10", "recall_filter30_at_10",
          "recall_filter1_at_10", "rss_mb", "disk_ratio", "file_ratio")


def test_the_search_benchmark_reports_its_fields_and_exact_answers_on_a_small_library(tmp_path: Path) -> None:
    done = subprocess.run([sys.executable, "-m", "bench", "search", "--passages", "3000", "--json",
                           "--keep", str(tmp_path / "kept")], cwd=ROOT, capture_output=True, text=True, timeout=900)
    assert done.returncode == 0, done.stderr[-2000:]
    result = json.loads(done.stdout.strip().splitlines()[-1])
    assert set(FIELDS) <= result.keys()
    assert result["passages"] == 3000
    # 3,000 passages: every kind's part is scanned whole, so every answer is the exact one
    for name in ("recall_at_10", "recall_kind_at_10", "recall_filter30_at_10", "recall_filter1_at_10"):
        assert result[name] == 1.0, name
    assert result["first_pass_p50_ms"] > 0
    assert 1.0 < result["disk_ratio"] < 3.0 and result["file_ratio"] <= result["disk_ratio"]
    assert (tmp_path / "kept" / "search-3000-2" / "complete").is_file(), "the library is kept for the next run"
