"""AppTest drives Edit (voice-over, music, effects, gain), Preview (render, change a shot, partial
re-render) and Generate (final render to a downloadable MP4 with SRT/VTT)."""
import time
from pathlib import Path

import pytest

from core.render.service import active_render, list_renders
from core.timeline.store import list_items, project_timeline
from core.generation.voiceover import dialogue_lines
from tests.conftest import open_app, settle
from tests.pages.helpers import component_args



def open_page(page: str, project_id: int):
    return open_app(page, project_id)


def _settle(at, project_id: int) -> None:
    settle(at, project_id)


def _types(at) -> set:
    """Every element type on the page (images have no typed accessor in AppTest)."""
    out, stack = set(), [at._tree]
    while stack:
        node = stack.pop()
        out.add(getattr(node, "type", ""))
        stack.extend(getattr(node, "children", {}).values())
    return out


@pytest.fixture
def served(monkeypatch):
    """{file id: bytes} of every file a page hands to Streamlit's media storage (download buttons,
    videos): AppTest's mock runtime is gone after each run, so the bytes are recorded on the way in."""
    from streamlit.runtime.memory_media_file_storage import MemoryMediaFileStorage

    files: dict[str, bytes] = {}
    original = MemoryMediaFileStorage.load_and_get_id

    def record(self, path_or_data, *args, **kwargs):
        file_id = original(self, path_or_data, *args, **kwargs)
        files[file_id] = path_or_data if isinstance(path_or_data, bytes) else Path(path_or_data).read_bytes()
        return file_id

    monkeypatch.setattr(MemoryMediaFileStorage, "load_and_get_id", record)
    return files


def download_bytes(served: dict, button) -> bytes:
    """The bytes a download button serves."""
    file_id = button.proto.url.rsplit("/", 1)[-1].split(".")[0]
    return served[file_id]


def test_edit_preview_generate_to_downloadable_mp4(tmp_path, tools, served):
    p = tools.make_project(tmp_path, voices=False)

    # Edit: effects attached on arrival; voice one selected line with the local TTS; music; a gain.
    at = open_page("edit", p.id)
    settle(at, p.id)  # the effects of a first visit are queued; the workers attach them
    assert {"door", "wind"} <= {r.extra["effect"] for r in list_items(project_id=p.id, track="sfx")}
    first_key = dialogue_lines(project_id=p.id)[0].key
    at.multiselect(key="voice_pick").set_value([first_key]).run()
    at.button(key="voice_selected").click().run()  # queued: the worker places the line
    assert not at.exception and not at.error, [e.value for e in at.error]
    settle(at, p.id)
    voiced = list_items(project_id=p.id, track="voice")
    assert len(voiced) == 1 and voiced[0].extra["words"], "one line voiced, with word timings"
    at.button(key="make_music").click().run()  # queued: the worker puts the bed under the film
    settle(at, p.id)
    assert not at.error, [e.value for e in at.error]
    assert list_items(project_id=p.id, track="music")
    at.slider(key="music_gain").set_value(-14.0).run()
    assert list_items(project_id=p.id, track="music")[0].gain_db == -14.0
    assert "component_instance" in _types(at), "the interactive timeline is drawn"
    assert "1 voice lines" in " ".join(c.value for c in at.caption)

    # Preview: render, then lengthen one shot: only its segment is rendered again.
    at.switch_page("pages/preview.py")
    at.run()
    at.button(key="render_preview").click().run()  # queued: the page returns at once
    _settle(at, p.id)
    assert not at.exception, ["\n".join(e.stack_trace) for e in at.exception]
    assert "/media/" in component_args(at, "storyreel_player")["src"], "the animatic's player"
    shot_id = project_timeline(project_id=p.id).shots[1].id
    at.selectbox(key="edit_shot").set_value(shot_id).run()
    at.number_input(key=f"edit_duration_{shot_id}").set_value(2.5)
    at.button(key="apply_shot").click().run()
    _settle(at, p.id)
    assert not at.exception, [e.message for e in at.exception]
    assert "Re-rendered 1 of" in " ".join(c.value for c in at.caption)
    at.button(key=f"jump_{shot_id}").click().run()
    start = next(v.start_s for v in project_timeline(project_id=p.id).timeline.video if v.shot_id == str(shot_id))
    assert component_args(at, "storyreel_player")["start"] == round(start, 4) and start >= 1

    # Generate: final render at 360p with SRT/VTT; downloads appear with the MP4's bytes.
    at.switch_page("pages/generate.py")
    at.run()
    at.selectbox(key="gen_res").select("360p").run()
    at.button(key="render_film").click().run()
    _settle(at, p.id)
    assert not at.exception and not at.error, [e.value for e in at.error]
    # The page does not wait: while the render runs, Render film is disabled and Cancel is offered.
    running = active_render(project_id=p.id, operation="film")
    if running is not None:
        assert at.button(key="render_film").disabled
        assert at.button(key=f"cancel_{running.id}")
        deadline = time.monotonic() + 300
        while active_render(project_id=p.id, operation="film") is not None and time.monotonic() < deadline:
            time.sleep(0.5)
        at.run()
    assert not at.button(key="render_film").disabled
    assert not [b for b in at.button if str(b.key).startswith("cancel_")], "no dead Cancel after the render"
    [film] = list_renders(project_id=p.id, operation="film")
    buttons = {b.proto.label: b for b in at.get("download_button")}
    assert {"⬇️ MP4", "⬇️ SRT", "⬇️ VTT"} <= set(buttons)
    data = download_bytes(served, buttons["⬇️ MP4"])
    assert data[4:8] == b"ftyp" and len(data) > 10_000
    assert b"-->" in download_bytes(served, buttons["⬇️ SRT"])

    # Shorts: made from the page, each playable there (a video) and downloadable.
    at.number_input(key="short_count").set_value(2)
    at.selectbox(key="short_res").select("360p").run()
    at.button(key="make_shorts").click().run()
    deadline = time.monotonic() + 300  # the page does not wait: the shorts job runs on
    while active_render(project_id=p.id, operation="short") is not None and time.monotonic() < deadline:
        time.sleep(0.5)
    at.run()
    assert not at.exception and not at.error, [e.value for e in at.error]
    shorts = list_renders(project_id=p.id, operation="short")
    assert shorts and len(shorts) <= 2
    assert len(at.get("video")) >= len(shorts) + 1  # the film's player and one per short
    mp4s = [b for b in at.get("download_button") if b.proto.label == "⬇️ MP4"]
    assert len(mp4s) == len(shorts) + 1
    assert download_bytes(served, mp4s[-1])[4:8] == b"ftyp"

