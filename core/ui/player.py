"""A video player that starts exactly where asked: a Streamlit custom component in plain
JavaScript (``core/ui/video_player/``, committed as is — nothing to build on install).

``st.video`` takes its start time in whole seconds, so "play from this shot" landed up to a second
early (on the shot before) or late. This player sets the video element's ``currentTime`` to the
second and fraction asked for; the file is served by Streamlit's own media endpoint, as
``st.video`` serves it."""
from __future__ import annotations

from pathlib import Path

import streamlit.components.v1 as components
from streamlit import runtime

_FOLDER = Path(__file__).resolve().with_name("video_player")
_player = components.declare_component("storyreel_player", path=str(_FOLDER))


def _media_url(path: Path, *, mime: str, key: str) -> str:
    # Streamlit's media file manager is what st.video itself uses to serve a local file: the file
    # is kept while this session draws it (registered again on every run).
    return runtime.get_instance().media_file_mgr.add(str(path), mime, f"storyreel_player.{key}")


def video_player(*, path: Path, start_s: float, seek: int, key: str = "player", mime: str = "video/mp4") -> None:
    """Draw a player of the video at ``path`` with its playhead at ``start_s`` seconds (to the
    frame). Each new ``seek`` number moves the playhead to ``start_s`` again and plays from there
    (a jump the user asked for); the same number keeps the player where the user left it."""
    _player(src=_media_url(Path(path), mime=mime, key=key), start=round(float(start_s), 4), seek=int(seek),
            key=key, default=None)
