"""Text batches are bounded by tokens, and batching never changes a vector."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from nearby.core.inference import text_embedder
from nearby.core.inference.text_embedder import MAX_ROWS, TOKEN_BUDGET, TextEmbedder, token_batches


def test_batches_hold_at_most_the_token_budget_and_cover_every_text() -> None:
    rng = np.random.default_rng(2)
    lengths = rng.integers(1, 257, 500).tolist()
    batches = token_batches(lengths)
    assert sorted(i for b in batches for i in b) == list(range(500))
    for batch in batches:
        assert len(batch) <= MAX_ROWS and len(batch) * max(lengths[i] for i in batch) <= max(TOKEN_BUDGET, 256)
    assert len(token_batches([8] * 1000)) == 1000 // MAX_ROWS + 1, "short texts still go many at a time"


def test_vectors_do_not_depend_on_their_batch(models_dir: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    embedder = TextEmbedder()
    texts = ["tea", "A long passage about the harbour, the ferries and the winter timetable. " * 12,
             "the rent is due on the first", "", "Knead the dough, then bake the bread until golden."] * 3
    together = embedder.embed(texts)
    monkeypatch.setattr(text_embedder, "TOKENIZE_AT_ONCE", 4)  # tokenized in small groups too
    alone = np.stack([embedder.embed_one(t) for t in texts])
    assert np.allclose(together, alone, atol=1e-5)
    assert np.allclose(embedder.embed(texts), together, atol=1e-5)
