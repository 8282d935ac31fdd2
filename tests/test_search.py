"""The Swedish search index is built from worker threads too (federation
ingests received entries in threads), so stemming must be thread-safe."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

from core import search


def test_stemming_from_many_threads_gives_the_same_index_as_from_one() -> None:
    texts = [
        f"Föreningen{n} bjuder in till öppet hus, prova-på och fikastunder med spelningar{n} och tävlingarna{n}"
        for n in range(3000)
    ]
    search.stem.cache_clear()
    with ThreadPoolExecutor(max_workers=8) as pool:
        threaded = list(pool.map(search.index_text, texts))
    search.stem.cache_clear()
    assert threaded == [search.index_text(text) for text in texts]
    assert " tävling" in threaded[0]  # stemmed, not only the word as written
