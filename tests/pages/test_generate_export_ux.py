"""Generate → Editing program: exporting the timeline runs as a job and offers the zip for download."""
import time
import zipfile

from core.media_assets import asset_path
from core.render.service import active_render, list_renders

from tests.pages.helpers import app, broken_down

SCRIPT = """INT. LIGHTHOUSE - NIGHT

MAYA climbs the spiral stairs with a lantern.

EXT. CLIFF - DAWN

Waves crash. TOM holds up a bottle.
"""


def test_export_timeline_from_the_generate_page():
    p = broken_down(name="Light", script=SCRIPT, target_length_s=15, duration_s=1.0)
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
