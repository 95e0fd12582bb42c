"""A bookmark or a refresh on a step's URL, right after the server starts, opens that step inside
the app (navigation, project picker) — not the bare page file that legacy pages/ routing would run."""
import re


def test_first_load_on_a_step_url_keeps_the_app_navigation(browser, fresh_app, shot):
    url, _ = fresh_app
    page = browser.new_page(viewport={"width": 1300, "height": 900})
    try:
        page.goto(f"{url}/storyboard")
        page.get_by_role("heading", name=re.compile("Storyboard")).first.wait_for(timeout=60_000)
        # The app's own navigation labels ("5 · Storyboard"), not file names ("storyboard").
        page.get_by_text("5 · Storyboard").first.wait_for(timeout=60_000)
        assert page.get_by_text("Voice Studio").count() >= 1
        assert page.url.rstrip("/").endswith("/storyboard")
        shot(page, "direct-url-storyboard")
    finally:
        page.close()
