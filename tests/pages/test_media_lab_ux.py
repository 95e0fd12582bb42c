"""Media Lab: a provider that is set up comes first, and Generate shows the result, not a Job dump."""
from core.projects import create_project

from tests.conftest import settle
from tests.pages.helpers import app


def test_local_provider_first_and_generate_shows_the_image():
    p = create_project(name="Lab")
    at = app("media_lab", p.id)
    at.selectbox(key="lab_media_type").set_value("image").run()
    provider = at.selectbox(key="lab_provider_image")
    assert provider.value == "local", "without keys the usable provider is the default"
    assert any("not set up" in o for o in provider.options)
    prompt = next(t for t in at.text_area if t.label.startswith("Prompt"))
    prompt.input("a red lighthouse at dawn").run()
    at.button(key="lab_generate").click().run()  # queued: the result shows when the job ends
    assert not at.exception, [e.message for e in at.exception]
    settle(at, p.id)
    assert not at.exception, [e.message for e in at.exception]
    assert not at.error, [e.value for e in at.error]
    assert any("Done" in s.value for s in at.success)
    assert at.get("image"), "the generated image is shown"
    assert not at.get("json"), "no raw Job dump"
