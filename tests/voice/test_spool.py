"""Crash-safe recording: the spool survives a 'reload' (a new session) and is recovered or
discarded; finished takes are never touched."""
import os
import time

import numpy as np
import pytest

from core.media_assets import asset_path
from core.recording import (
    SpoolWriter, commit_spool, discard_spool, list_takes, live_spools, orphaned_spools, own_spool, save_take,
)


def frames(sig, seconds, rate=48000):
    """Chunks like aiortc gives: 20 ms, interleaved stereo int16."""
    mono = (sig.speechlike(seconds, rate) * 32767).astype(np.int16)
    stereo = np.stack([mono, mono], axis=1)
    step = rate // 50
    return [stereo[i:i + step] for i in range(0, len(stereo), step)]


def test_stop_commits_spool_as_take_and_removes_it(project, sig):
    with SpoolWriter(project_id=project.id, owner="s1", key="rec", sample_rate=48000, character_id="maya",
                     shot_id=None, line_index=None) as w:
        for chunk in frames(sig, 1.0):
            w.append(chunk, 48000)
        assert w.duration_s == pytest.approx(1.0, abs=0.001)
    spool = own_spool(project_id=project.id, owner="s1", key="rec")
    take = commit_spool(project_id=project.id, spool=spool)
    assert take.duration_s == pytest.approx(1.0, abs=0.001) and take.character_id == "maya"
    assert own_spool(project_id=project.id, owner="s1", key="rec") is None
    assert not spool.path.exists() and not spool.path.with_suffix(".json").exists()
    assert commit_spool(project_id=project.id, spool=spool) is None, "a spool is committed once only"


def test_reload_mid_take_keeps_saved_takes_and_offers_the_partial_one(project, sig):
    saved = save_take(project_id=project.id, audio=sig.speechlike(0.7), sample_rate=48000, character_id="tom")
    saved_bytes = asset_path(media_id=saved.media_id).read_bytes()
    # The old page records 1.5 s, then 'reloads': its writer is gone without a stop (no commit).
    w = SpoolWriter(project_id=project.id, owner="old-page", key="rec", sample_rate=48000, character_id="tom")
    for chunk in frames(sig, 1.5):
        w.append(chunk, 48000)
    w.close()

    orphans = orphaned_spools(project_id=project.id, current_owner="new-page")
    assert len(orphans) == 1 and orphans[0].duration_s == pytest.approx(1.5, abs=0.001)
    assert orphaned_spools(project_id=project.id, current_owner="old-page") == [], "own spool is no orphan"
    assert [t.media_id for t in list_takes(project_id=project.id)] == [saved.media_id]
    assert asset_path(media_id=saved.media_id).read_bytes() == saved_bytes

    recovered = commit_spool(project_id=project.id, spool=orphans[0], label="Recovered")
    assert recovered.label == "Recovered" and recovered.character_id == "tom"
    assert recovered.duration_s == pytest.approx(1.5, abs=0.001)
    assert {t.media_id for t in list_takes(project_id=project.id)} == {saved.media_id, recovered.media_id}
    assert orphaned_spools(project_id=project.id, current_owner="new-page") == []


def test_discarding_an_orphan_leaves_takes_alone(project, sig):
    saved = save_take(project_id=project.id, audio=sig.speechlike(0.5), sample_rate=48000)
    with SpoolWriter(project_id=project.id, owner="old", key="rec", sample_rate=48000) as w:
        w.append(sig.speechlike(0.5), 48000)
    [orphan] = orphaned_spools(project_id=project.id, current_owner="new")
    discard_spool(spool=orphan)
    assert orphaned_spools(project_id=project.id, current_owner="new") == []
    assert [t.media_id for t in list_takes(project_id=project.id)] == [saved.media_id]


def test_a_live_recording_elsewhere_is_not_an_orphan_until_it_goes_stale(project, sig):
    w = SpoolWriter(project_id=project.id, owner="other-tab", key="rec", sample_rate=48000)
    try:
        w.append(sig.speechlike(0.5), 48000)
        assert orphaned_spools(project_id=project.id, current_owner="me") == []
        assert len(live_spools(project_id=project.id, current_owner="me")) == 1
        old = time.time() - 60  # the writer's page died without releasing its lock
        os.utime(w.path, (old, old))
        assert len(orphaned_spools(project_id=project.id, current_owner="me")) == 1
        assert live_spools(project_id=project.id, current_owner="me") == []
    finally:
        w.close()


def test_resumed_writer_appends_and_keeps_the_first_rate(project, sig):
    with SpoolWriter(project_id=project.id, owner="s", key="rec", sample_rate=48000) as w:
        w.append(sig.speechlike(0.5), 48000)
    with SpoolWriter(project_id=project.id, owner="s", key="rec", sample_rate=44100) as w:  # a rerun mid-take
        w.append(sig.speechlike(0.5, 44100), 44100)
        assert w.sample_rate == 48000 and w.duration_s == pytest.approx(1.0, abs=0.002)


def test_empty_orphans_are_dropped_and_short_spools_make_no_take(project):
    with SpoolWriter(project_id=project.id, owner="old", key="rec", sample_rate=48000) as w:
        w.append(np.zeros(100), 48000)
    assert orphaned_spools(project_id=project.id, current_owner="new") == []
    assert not w.path.exists()
    with SpoolWriter(project_id=project.id, owner="me", key="rec", sample_rate=48000) as w:
        w.append(np.zeros(100), 48000)
    assert commit_spool(project_id=project.id, spool=own_spool(project_id=project.id, owner="me", key="rec")) is None
    assert list_takes(project_id=project.id) == [] and not w.path.exists()


def test_a_second_writer_on_the_same_spool_is_refused_not_blocked(project):
    from core.errors import InvalidInput

    with SpoolWriter(project_id=project.id, owner="s", key="rec", sample_rate=48000):
        with pytest.raises(InvalidInput):
            SpoolWriter(project_id=project.id, owner="s", key="rec", sample_rate=48000)
