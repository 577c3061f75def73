"""Text in any script: Chinese and Japanese passages are cut to size and found by quoted
keywords, accents are optional in keywords, right-to-left text is kept and found as written."""

from __future__ import annotations

from pathlib import Path

from nearby.core.extract.passages import MAX_WORDS, split_section
from nearby.core.library import Library
from nearby.core.progress import run_to_end
from tests.documents import write_notes
from tests.fakes import FakeEmbedder


def test_japanese_without_spaces_is_cut_into_passages_at_its_full_stops() -> None:
    text = "明日は一日中雨の予報なので、出かけるときは傘を忘れないこと。" * 20
    passages = split_section(text)
    assert len(passages) > 5 and all(len(p) <= 2 * MAX_WORDS for p in passages)
    assert all(p.endswith("。") for p in passages[:-1])  # cut between sentences, not inside one
    assert "".join(passages).count("傘") >= 20  # nothing lost (overlap may repeat a sentence)


def test_quoted_keywords_work_in_every_script(tmp_path: Path) -> None:
    notes = {"sushi.txt": "寿司の作り方：酢飯を作り、魚を薄く切って、わさびを少し付けて握る。",
             "kyoto.txt": "桜の季節に京都へ旅行する。人気のホテルは早めに予約すること。",
             "cafe.txt": "Le café du coin ouvre à sept heures ; son crème brûlée est célèbre.",
             "arabic.txt": "موعد طبيب الأسنان يوم الخميس في الساعة العاشرة صباحا.",
             "plain.txt": "A plain English note about coffee and the dentist."}
    folder = write_notes(tmp_path / "notes", notes)
    library = Library(tmp_path / "lib.sqlite", FakeEmbedder(), with_media=False)
    run_to_end(library.index([folder]))

    def found(query: str) -> set[str]:
        return {Path(h.path).name for h in library.search(query, k=10)}

    assert found('"寿司"') == {"sushi.txt"}
    assert found('"わさび"') == {"sushi.txt"}
    assert found('"京都"') == {"kyoto.txt"}
    assert found('trip -"京都"') >= {"sushi.txt"} and "kyoto.txt" not in found('trip -"京都"')
    assert found('"cafe"') == {"cafe.txt"} and found('"creme brulee"') == {"cafe.txt"}  # accents optional
    assert found('"طبيب الأسنان"') == {"arabic.txt"}
    hit = library.search('"طبيب"', k=1)[0]
    assert "موعد طبيب الأسنان" in hit.snippet  # the right-to-left text comes back as written


def test_english_is_told_from_other_languages_and_a_mixed_library_gets_advice(tmp_path: Path) -> None:
    import json

    from nearby.core.extract.language import looks_english
    from nearby.core.inference.text_embedder import TextEmbedder

    documents = json.loads((Path(__file__).parents[1] / "data" / "eval" / "multilingual.json").read_text())["documents"]
    verdicts = {name: looks_english(text + " " + text) for name, text in documents.items()}
    assert all(verdicts[n] is True for n in documents if n.startswith("en-"))
    assert all(verdicts[n] is not True for n in documents if not n.startswith("en-"))
    assert looks_english("Short title") is None

    folder = write_notes(tmp_path / "notes", {name: text + " " + text for name, text in documents.items()})
    library = Library(tmp_path / "lib.sqlite", FakeEmbedder(), with_media=False)
    run_to_end(library.index([folder]))
    assert library.language_hint() is None  # a model the catalog does not know: no advice
    library.embedder = TextEmbedder()  # English only
    hint = library.language_hint()
    assert hint is not None and "nearby models use use-multilingual-v3" in hint and "%" in hint
