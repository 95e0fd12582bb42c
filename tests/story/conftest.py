"""Fixtures for the story-engine tests: the shared real-screenplay corpus."""
from __future__ import annotations

from pathlib import Path

import pytest

CORPUS = Path(__file__).resolve().parents[3] / "shared" / "corpus" / "screenplays"
if not CORPUS.is_dir():  # the repo may sit elsewhere; the shared corpus has a fixed home
    CORPUS = Path("/work/shared/corpus/screenplays")


@pytest.fixture(scope="session")
def corpus_text():
    """Return a loader: file name → text read through the real importer (BOM/CRLF handled)."""
    from core.story.importer import read_script_file

    cache: dict[str, str] = {}

    def load(name: str) -> str:
        if name not in cache:
            path = CORPUS / name
            if not path.exists():
                pytest.skip(f"corpus file {path} not available")
            cache[name] = read_script_file(name=name, data=path.read_bytes())
        return cache[name]

    return load
