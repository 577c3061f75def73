"""A user's own joint models (CLIP-style, CLAP-style) replace the class-name bridge, with no code
change: proven with tiny random models of that contract (tests/models/fixtures)."""

import json
import shutil
from pathlib import Path

import numpy as np
import pytest

from nearby.core.inference.text_embedder import TextEmbedder
from nearby.core.library import Library
from nearby.core.media.joint import JointAudioPipeline, JointImagePipeline
from nearby.core.media.pictures import PicturePipeline
from nearby.core.progress import IndexSummary, run_to_end
from nearby.models.manifest import ManifestError, find_joint_models, load_manifest

FIXTURES = Path(__file__).resolve().parent.parent / "models" / "fixtures"
EVAL = Path(__file__).resolve().parent.parent / "data" / "eval"


def index(library: Library, *folders: Path) -> IndexSummary:
    return run_to_end(library.index(list(folders)))


@pytest.fixture
def models_with_joint(tmp_path: Path, models_dir: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    root = tmp_path / "models"
    root.mkdir()
    for installed in models_dir.iterdir():
        (root / installed.name).symlink_to(installed, target_is_directory=True)
    shutil.copytree(FIXTURES / "tiny-clip", root / "tiny-clip")
    shutil.copytree(FIXTURES / "tiny-clap", root / "tiny-clap")
    monkeypatch.setenv("NEARBY_MODELS", str(root))
    return root


def test_manifests_load_and_broken_ones_are_explained(tmp_path: Path) -> None:
    clip = load_manifest(FIXTURES / "tiny-clip")
    assert (clip.kind, clip.dim, clip.settings["crop"]) == ("image", 32, 64)
    broken = tmp_path / "broken"
    shutil.copytree(FIXTURES / "tiny-clip", broken)
    (broken / "text.onnx").unlink()
    with pytest.raises(ManifestError, match="text.onnx"):
        load_manifest(broken)
    (tmp_path / "odd").mkdir()
    (tmp_path / "odd" / "nearby-model.json").write_text(json.dumps({"name": "odd", "kind": "video"}))
    found, problems = find_joint_models(tmp_path)
    assert found == [] and len(problems) == 2 and any("lacks" in p for p in problems)


def test_an_installed_clip_style_model_replaces_the_bridge(models_with_joint: Path, tmp_path: Path) -> None:
    library = Library(tmp_path / "lib.sqlite")
    assert isinstance(library.media["image"], JointImagePipeline)
    assert isinstance(library.media["song"], JointAudioPipeline)
    pictures = tmp_path / "pictures"
    shutil.copytree(EVAL / "images", pictures)
    (pictures / "notes.txt").write_text("A cat slept on the warm windowsill all afternoon.")
    summary = index(library, pictures)
    assert summary.added == 13 and not summary.failures
    store = library._new_store()  # noqa: SLF001 - looking at what was stored
    vector = store.item_embedding(store.item_by_path(str(pictures / "chelsea.jpg")).id, "image_vectors")  # type: ignore[union-attr]
    assert vector is not None and vector.shape == (32,) and np.linalg.norm(vector) == pytest.approx(1, abs=1e-5)
    hits = library.search("a photo of a cat", k=20)
    assert {h.kind for h in hits} == {"image", "document"} and all(0 <= h.score <= 1 for h in hits)
    assert len([h for h in hits if h.kind == "image"]) == 12
    similar = library.similar(pictures / "chelsea.jpg", k=3)
    assert len(similar) == 3 and all(h.kind == "image" for h in similar)


def test_joint_text_tower_gives_unit_vectors_and_pictures_are_preprocessed(models_with_joint: Path) -> None:
    clip = JointImagePipeline(load_manifest(models_with_joint / "tiny-clip"), TextEmbedder())
    texts = clip.embed_texts(["a cat", "a red car on the beach at sunset", ""])
    assert texts.shape == (3, 32) and np.allclose(np.linalg.norm(texts, axis=1), 1, atol=1e-5)
    from nearby.core.inference.image_embedder import to_tensor
    from nearby.core.media.images import open_picture

    tensor = to_tensor(open_picture(EVAL / "images" / "launch.jpg").image, clip.preprocessing())
    assert tensor.shape == (3, 64, 64) and abs(float(tensor.mean())) < 3


def test_an_installed_clap_style_model_reaches_songs(models_with_joint: Path, tmp_path: Path) -> None:
    library = Library(tmp_path / "lib.sqlite")
    music = tmp_path / "music"
    shutil.copytree(EVAL / "songs", music)
    assert index(library, music).added == 6
    hits = library.search("calm piano", k=6, kind="song")
    assert len(hits) == 6 and all(h.kind == "song" and h.snippet.startswith("Song (tiny-clap)") for h in hits)
    assert library.similar(music / "evening.ogg", k=1)[0].kind == "song"


def test_without_a_joint_model_the_bridge_is_used(models_dir: Path, tmp_path: Path) -> None:
    assert isinstance(Library(tmp_path / "lib.sqlite").media["image"], PicturePipeline)


def test_a_joint_model_installed_later_takes_over_an_existing_library(models_dir: Path, tmp_path: Path,
                                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    """A user who installs a CLIP-style model into a library built with the bridge gets it used for
    pictures on the next run (every picture analysed again, also in folders not named), searches
    keep working in between, and removing the model switches back."""
    root = tmp_path / "models"
    root.mkdir()
    for installed in models_dir.iterdir():
        (root / installed.name).symlink_to(installed, target_is_directory=True)
    monkeypatch.setenv("NEARBY_MODELS", str(root))
    pictures, more = tmp_path / "pictures", tmp_path / "more"
    shutil.copytree(EVAL / "images", pictures)
    more.mkdir()
    shutil.copy(EVAL / "images" / "launch.jpg", more / "rocket.jpg")
    path = tmp_path / "lib.sqlite"
    first = index(Library(path), pictures, more)
    assert first.added == 13

    shutil.copytree(FIXTURES / "tiny-clip", root / "tiny-clip")
    library = Library(path)
    assert isinstance(library.media["image"], JointImagePipeline)
    before = library.search("a rocket launch", k=3, kind="image")  # not re-indexed yet: the old vectors serve
    assert before and Path(before[0].path).name in {"launch.jpg", "rocket.jpg"}
    summary = index(library, pictures)  # only one folder named …
    assert summary.updated == 13 and not summary.failures  # … every picture moves to the new space
    store = library._new_store()  # noqa: SLF001 - looking at what was stored
    assert store.vector_model("image_vectors") == ("tiny-clip", 32)
    assert store.stale_paths(["image"]) == []
    vector = store.item_embedding(store.item_by_path(str(more / "rocket.jpg")).id, "image_vectors")  # type: ignore[union-attr]
    assert vector is not None and vector.shape == (32,)
    assert len(library.search("a rocket launch", k=20, kind="image")) == 13
    assert len(library.similar(pictures / "chelsea.jpg", k=3)) == 3

    shutil.rmtree(root / "tiny-clip")
    back = Library(path)
    assert isinstance(back.media["image"], PicturePipeline)
    assert index(back, pictures, more).updated == 13
    assert back._new_store().vector_model("image_vectors") == ("efficientnet-lite2", 1280)  # noqa: SLF001
    assert Path(back.search("a rocket launch", k=1, kind="image")[0].path).name in {"launch.jpg", "rocket.jpg"}


def indexed_eval_pictures(tmp_path: Path) -> tuple[Library, Path]:
    """A library of the 12 evaluation pictures, indexed; and their folder."""
    library = Library(tmp_path / "lib.sqlite")
    pictures = tmp_path / "pictures"
    shutil.copytree(EVAL / "images", pictures)
    assert index(library, pictures).added == 12
    return library, pictures


def test_pictures_waiting_for_a_new_model_say_so_and_are_finished_by_the_next_run(
        models_with_joint: Path, tmp_path: Path) -> None:
    from nearby.core.errors import NotIndexed
    from nearby.core.progress import CancelToken

    library, pictures = indexed_eval_pictures(tmp_path)
    store = library._new_store()  # noqa: SLF001 - set the scene: as if the model had just been switched
    assert store.switch_model("image", "tiny-clip", "0", 32) == 12
    with pytest.raises(NotIndexed, match="analysed again"):
        library.similar(pictures / "chelsea.jpg")
    cancel = CancelToken()
    run = library.index([tmp_path / "elsewhere"], cancel)  # a run over nothing still takes the waiting ones
    for progress in run:
        if progress.phase == "indexing" and progress.done == 3:
            cancel.cancel()
    waiting = len(store.stale_paths(["image"]))
    assert 0 < waiting < 12, "the pictures analysed before the cancel are kept"
    assert index(library).updated == waiting
    assert store.stale_paths(["image"]) == []
    assert len(library.similar(pictures / "chelsea.jpg", k=3)) == 3


def test_pictures_bridged_the_old_way_are_analysed_again_and_stay_findable_meanwhile(
        models_dir: Path, tmp_path: Path) -> None:
    library, pictures = indexed_eval_pictures(tmp_path)
    store = library._new_store()  # noqa: SLF001 - set the scene: a library made by a release with the old bridge
    pipeline = library.media["image"]
    assert pipeline.version.endswith("+" + PicturePipeline.bridge_revision)
    with store.transaction():
        store.conn.execute("UPDATE vector_tables SET model_version = 'imagenet1k-0.1.0' WHERE name = 'image_vectors'")
    assert store.adopt_model("image", pipeline.name, pipeline.version, pipeline.dim) == 12
    assert len(store.stale_paths(["image"])) == 12
    assert len(library.similar(pictures / "chelsea.jpg", k=3)) == 3, "look-alikes work while waiting"
    assert index(library).updated == 12
    assert store.stale_paths(["image"]) == []
    assert store.vector_version("image_vectors") == pipeline.version
    assert index(library).updated == 0, "analysed again once, not every run"
