"""A keyframe carries its action line in a caption strip; clips drop it unless asked to keep it."""
import io

import numpy as np
from PIL import Image

from core.providers.local.animate import animate_keyframe
from core.providers.local.keyframe import draw_keyframe
from tests.media_frames import extract_frame


def _bottom(png: bytes, rows: int = 20) -> np.ndarray:
    img = np.asarray(Image.open(io.BytesIO(png)).convert("L"), dtype=np.float64)
    return img[-rows:]


def test_clip_drops_caption_strip_unless_kept(tmp_path):
    key = tmp_path / "k.png"
    key.write_bytes(draw_keyframe(prompt="a kitchen", location="kitchen", caption="MAYA opens the letter.",
                                  characters=["MAYA"], width=320, height=180))
    band = _bottom(key.read_bytes())
    kept = animate_keyframe(image=key, camera_move="static", duration_s=0.5, fps=12, width=320, height=180,
                            out_path=tmp_path / "kept.mp4", keep_caption=True)
    dropped = animate_keyframe(image=key, camera_move="static", duration_s=0.5, fps=12, width=320, height=180,
                               out_path=tmp_path / "dropped.mp4", keep_caption=False)
    diff_kept = np.abs(_bottom(extract_frame(video=kept, which="first")) - band).mean()
    diff_dropped = np.abs(_bottom(extract_frame(video=dropped, which="first")) - band).mean()
    assert diff_kept < 12 < diff_dropped
