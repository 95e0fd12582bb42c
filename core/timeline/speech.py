"""Who speaks when in a shot: its voice lines (their files) and turns "LIN:0.30-2.10;DEV:2.50-4.00"
in seconds from the shot's start, in the same order — what the animator needs to move the
speakers' mouths with their voices."""
from __future__ import annotations

from core.timeline.model import Timeline


def shot_turns(*, timeline: Timeline, shot_id: str) -> tuple[list[str], str]:
    """Return (voice files, speaking turns) of a shot's lines that have a speaker, in time order;
    ([], "") when nobody speaks in it. The i-th turn starts where the i-th file is heard.
    Raises NotFound for an unknown shot."""
    video = timeline.item(f"video:{shot_id}")
    paths, turns = [], []
    for line in timeline.audio("voice"):
        if line.shot_id != str(shot_id) or not line.speaker:
            continue
        a = max(0.0, line.start_s - video.start_s)
        b = min(video.duration_s, a + line.duration_s)
        if b - a > 0.05:
            paths.append(line.path)
            turns.append(f"{line.speaker}:{a:.2f}-{b:.2f}")
    return paths, ";".join(turns)
