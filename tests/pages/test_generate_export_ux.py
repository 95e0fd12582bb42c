"""Generate → Editing program: exporting the timeline runs as a job and offers the zip for download."""
import io
import time
import zipfile

from PIL import Image

from core.breakdowns import list_shots, run_breakdown, update_shot
from core.media_assets import asset_path, create_asset
from core.projects import create_project
from core.render.service import active_render, list_renders
from core.scripts import save_version

from tests.pages.helpers import app

SCRIPT = """INT. LIGHTHOUSE - NIGHT

MAYA climbs the spiral stairs with a lantern.

EXT. CLIFF - DAWN

Waves crash. TOM holds up a bottle.
"""


def test_export_timeline_from_the_generate_page():
    p = create_project(name="Light", target_length_s=15)
    save_version(project_id=p.id, text=SCRIPT, source="pasted")
    run_breakdown(project_id=p.id)
    for n, shot in enumerate(list_shots(project_id=p.id)):
        buf = io.BytesIO()
        Image.new("RGB", (64, 36), (40 * n % 255, 90, 160)).save(buf, format="PNG")
        a = create_asset(type="image", project_id=p.id, data=buf.getvalue(), mime="image/png", shot_id=shot.id)
        update_shot(shot_id=shot.id, keyframe_media_id=a.media_id, duration_s=1.0)
    at = app("generate", p.id)
    at.radio(key="export_format").set_value("edl").run()
    at.button(key="export_timeline").click().run()
    assert not at.exception, [e.message for e in at.exception]
    # The page does not wait for the export job; it lands in the list when done.
    deadline = time.monotonic() + 300
    while active_render(project_id=p.id, operation="export") is not None and time.monotonic() < deadline:
        time.sleep(0.3)
    at.run()
    assert not at.exception, [e.message for e in at.exception]
    exports = list_renders(project_id=p.id, operation="export")
    assert len(exports) == 1 and exports[0].input_params["format"] == "edl"
    names = zipfile.ZipFile(asset_path(media_id=exports[0].media_id)).namelist()
    assert "Light.edl" in names and any(n.startswith("media/") for n in names)
