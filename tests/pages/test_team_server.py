"""Team server in the app: sign-in (STORYREEL_AUTH=on) before any page; a viewer cannot generate,
an editor cannot delete a project, an owner can; without sign-in everything stays open; a share link
per render; spend per provider and user in the sidebar."""
from __future__ import annotations

import socket
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from streamlit.proto.TextInput_pb2 import TextInput as TextInputProto
from streamlit.testing.v1 import AppTest

from sqlmodel import select

from core.accounts import service
from core.accounts.identity import acting_as
from core.accounts.spend import set_project_budget
from core.api.app import app
from core.breakdowns import run_breakdown
from core.db import session
from core.errors import Forbidden
from core.media_assets import create_asset
from core.models import Job, Shot
from core.projects import create_project, get_project, update_project
from core.scripts import save_version
from core.settings import get_settings
from tests.pages.helpers import open_shot
from tests.pages.test_pages import SCRIPT
from tests.emulators.media import seeded_png

APP = str(Path(__file__).resolve().parents[2] / "app.py")


@pytest.fixture
def auth_on(monkeypatch):
    monkeypatch.setenv("STORYREEL_AUTH", "on")
    get_settings.cache_clear()
    for name, role in (("olga", "owner"), ("ed", "editor"), ("vic", "viewer")):
        service.add_user(name=name, password=f"{name}-pw", role=role)
    yield
    get_settings.cache_clear()


@pytest.fixture
def project():
    p = create_project(name="Lighthouse", target_length_s=30)
    save_version(project_id=p.id, text=SCRIPT)
    run_breakdown(project_id=p.id)
    return p


def _signed_in(name: str, password: str | None = None, project_id: int | None = None) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=60)
    if project_id is not None:
        at.session_state["project_id"] = project_id
    at.run()
    at.text_input(key="signin_name").input(name)
    at.text_input(key="signin_password").input(password or f"{name}-pw")
    at.button[0].click().run()
    assert not at.exception, [e.message for e in at.exception]
    return at


def test_the_sign_in_form_comes_before_any_page(auth_on, project):
    at = AppTest.from_file(APP, default_timeout=60).run()
    assert at.text_input(key="signin_name") and at.text_input(key="signin_password").proto.type == TextInputProto.PASSWORD
    assert not [b for b in at.button if b.key in ("create", "delete")] and "Lighthouse" not in str(at.selectbox)
    at = _signed_in("vic", "wrong")
    assert any("Wrong username or password" in e.value for e in at.error)
    assert at.text_input(key="signin_name")
    at = _signed_in("vic")
    assert not at.error and at.button(key="sign_out").label == "Sign out (vic)"
    assert at.session_state["project_id"] == project.id  # the app ran past the gate, sidebar and all


def test_first_start_creates_the_owner_account_and_signs_it_in(monkeypatch):
    monkeypatch.setenv("STORYREEL_AUTH", "on")
    get_settings.cache_clear()
    at = AppTest.from_file(APP, default_timeout=60).run()
    assert not at.exception and not [t for t in at.text_input if t.key == "signin_name"]
    assert at.text_input(key="setup_password").proto.type == TextInputProto.PASSWORD
    at.text_input(key="setup_name").input("olga")
    at.text_input(key="setup_password").input("lamp-pw")
    at.text_input(key="setup_password_again").input("lamp-pW")
    at.button[0].click().run()
    assert any("passwords differ" in e.value for e in at.error) and not service.has_users()
    at.text_input(key="setup_password_again").input("lamp-pw")
    at.button[0].click().run()
    assert not at.exception and not at.error, [e.value for e in at.error]
    assert at.button(key="sign_out").label == "Sign out (olga)"  # signed in, past the gate
    assert [(u.name, u.role) for u in service.list_users()] == [("olga", "owner")]
    assert service.check_password(name="olga", password="lamp-pw") is not None
    # Once an account exists, a new visitor gets the sign-in form, not the setup form.
    again = AppTest.from_file(APP, default_timeout=60).run()
    assert again.text_input(key="signin_name") and not [t for t in again.text_input if t.key == "setup_name"]
    with pytest.raises(Forbidden):
        service.create_first_owner(name="mallory", password="x")


def test_a_viewer_cannot_generate_an_editor_can(auth_on, project):
    viewer = _signed_in("vic", project_id=project.id)
    viewer.switch_page("pages/world_cast.py").run()
    buttons = [b for b in viewer.button if b.key.startswith("portraits_")]
    assert buttons and all(b.disabled for b in buttons)
    assert "needs editor" in buttons[0].help
    editor = _signed_in("ed", project_id=project.id)
    editor.switch_page("pages/world_cast.py").run()
    assert all(not b.disabled for b in editor.button if b.key.startswith("portraits_"))


def test_an_editor_cannot_delete_a_project_an_owner_can(auth_on, project):
    editor = _signed_in("ed", project_id=project.id)
    editor.checkbox(key=f"confirm_delete_{project.id}").check().run()
    assert editor.button(key="delete").disabled and "needs owner" in editor.button(key="delete").help
    owner = _signed_in("olga", project_id=project.id)
    owner.checkbox(key=f"confirm_delete_{project.id}").check().run()
    assert not owner.button(key="delete").disabled
    service.set_member(project_id=project.id, name="ed", role="owner")  # owner of this project only
    editor.run()
    assert not editor.button(key="delete").disabled
    assert get_project(project_id=project.id).name == "Lighthouse"


def test_without_sign_in_nothing_is_asked_or_disabled(project):
    at = AppTest.from_file(APP, default_timeout=60)
    at.session_state["project_id"] = project.id
    at.run()
    assert not [t for t in at.text_input if t.key == "signin_name"]
    at.switch_page("pages/world_cast.py").run()
    assert all(not b.disabled for b in at.button if b.key.startswith("portraits_"))


def test_an_identity_provider_in_secrets_uses_streamlit_login(auth_on, monkeypatch, tmp_path):
    secrets = tmp_path / "secrets.toml"
    secrets.write_text('[auth]\nredirect_uri = "http://localhost:8501/oauth2callback"\ncookie_secret = "x"\n'
                       'client_id = "id"\nclient_secret = "s"\n'
                       'server_metadata_url = "https://idp.invalid/.well-known/openid-configuration"\n')
    monkeypatch.setattr("core.settings.SECRETS_FILE", secrets)
    at = AppTest.from_file(APP, default_timeout=60).run()
    assert not at.exception and at.button(key="oidc_login").label == "Log in"
    assert not [t for t in at.text_input if t.key == "signin_name"]


def _with_render(project) -> str:
    """Give the project a keyframe and a stored film render (bytes only); returns the render's media id."""
    key = create_asset(type="image", project_id=project.id, data=seeded_png(width=8, height=8, seed="k"),
                       mime="image/png")
    with session() as s:
        shot = s.exec(select(Shot).where(Shot.project_id == project.id)).first()
        shot.keyframe_media_id = key.media_id
        s.add(shot)
    film = create_asset(type="render", project_id=project.id, data=b"\x00\x00\x00\x18ftypmp42 film bytes",
                        mime="video/mp4", operation="film", width=640, height=360, duration_s=2.0)
    return film.media_id


def _shared_on_generate(project, media_id: str) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=60)
    at.session_state["project_id"] = project.id
    at.run()
    at.switch_page("pages/generate.py").run()
    at.button(key=f"film_share_{media_id}").click().run()
    assert not at.exception and not at.error, [e.value for e in at.error]
    return at


def test_generate_shows_a_copyable_share_link_that_opens_the_render(project, monkeypatch):
    media_id = _with_render(project)
    with socket.socket() as free:  # a port nothing listens on: the app alone, no API
        free.bind(("127.0.0.1", 0))
        port = free.getsockname()[1]
    monkeypatch.setenv("STORYREEL_PUBLIC_URL", f"http://127.0.0.1:{port}")
    get_settings.cache_clear()
    at = _shared_on_generate(project, media_id)
    url = at.code[0].value
    assert url.startswith(f"http://127.0.0.1:{port}/share/")
    assert "Opens without an account" in " ".join(c.value for c in at.caption)
    assert "python3 -m core serve" in at.warning[0].value  # the link would not open yet: the page says so
    with TestClient(app, client=("127.0.0.1", 50000), base_url="http://127.0.0.1") as client:
        opened = client.get("/share/" + url.rsplit("/share/", 1)[1])
    assert opened.status_code == 200 and opened.content.endswith(b"film bytes")


def test_a_share_link_where_the_api_answers_carries_no_warning(project, monkeypatch):
    media_id = _with_render(project)
    server = ThreadingHTTPServer(("127.0.0.1", 0), BaseHTTPRequestHandler)  # answers (501) to anything
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        monkeypatch.setenv("STORYREEL_PUBLIC_URL", f"http://127.0.0.1:{server.server_address[1]}")
        get_settings.cache_clear()
        at = _shared_on_generate(project, media_id)
        assert "/share/" in at.code[0].value and not at.warning
    finally:
        server.shutdown()
        server.server_close()


def test_a_viewer_may_not_make_a_share_link(auth_on, project):
    media_id = _with_render(project)
    at = _signed_in("vic", project_id=project.id)
    at.switch_page("pages/generate.py").run()
    assert at.button(key=f"film_share_{media_id}").disabled
    assert at.button(key="render_film").disabled and "needs editor" in at.button(key="render_film").help


def test_the_sidebar_shows_spend_per_provider_and_user_and_the_budget(project):
    with session() as s:
        for user, usd, status in (("ed", 0.4, "succeeded"), ("vic", 0.1, "succeeded"), ("ed", 5.0, "failed")):
            s.add(Job(project_id=project.id, kind="generate", provider="google", model="veo", status=status,
                      created_by=user, request={"cost_estimate_usd": usd}))
    set_project_budget(project_id=project.id, usd=1.0)
    at = AppTest.from_file(APP, default_timeout=60)
    at.session_state["project_id"] = project.id
    at.run()
    captions = [c.value for c in at.sidebar.caption]
    assert "Budget: $0.50 of $1.00 used" in captions
    assert "By provider: google $0.50" in captions and "By user: ed $0.40 · vic $0.10" in captions


def test_start_shows_the_projects_activity_with_who_made_each_change(auth_on, project):
    with acting_as(name="ed"):
        update_project(project_id=project.id, logline="A keeper's last night")
        save_version(project_id=project.id, text=SCRIPT + "\nMAYA\nOne more night.\n")
    at = _signed_in("vic", project_id=project.id)
    assert not at.exception
    table = at.dataframe[0].value
    rows = list(zip(table["who"], table["what"], table["details"]))
    assert rows[0] == ("ed", "script", "script v2 (pasted)") and rows[1] == ("ed", "settings", "changed logline")
    assert ("(no sign-in)", "project", "created 'Lighthouse'") in rows and ("(no sign-in)", "script", "script v1 (pasted)") in rows
    at.selectbox(key=f"activity_who_{project.id}").select("ed").run()
    assert set(at.dataframe[0].value["who"]) == {"ed"}


def test_a_viewer_cannot_spend_anywhere_in_the_app(auth_on, project):
    viewer = _signed_in("vic", project_id=project.id)
    viewer.switch_page("pages/storyboard.py").run()
    assert not viewer.exception, [e.message for e in viewer.exception]
    with session() as s:
        shot_id = s.exec(select(Shot).where(Shot.project_id == project.id, Shot.dialogue != [])).first().id
    open_shot(viewer, shot_id)
    for key in ("batch_run", f"gen_kf_{shot_id}", f"cand_kf_{shot_id}", f"gen_clip_{shot_id}", f"tts_{shot_id}_0"):
        assert viewer.button(key=key).disabled and "needs editor" in viewer.button(key=key).help, key
    viewer.switch_page("pages/script.py").run()
    assert viewer.button(key="write").disabled
    viewer.switch_page("pages/media_lab.py").run()
    assert viewer.button(key="lab_generate").disabled
    with session() as s:
        assert s.exec(select(Job)).all() == []
    editor = _signed_in("ed", project_id=project.id)
    editor.switch_page("pages/storyboard.py").run()
    open_shot(editor, shot_id)
    assert not editor.button(key="batch_run").disabled and not editor.button(key=f"gen_kf_{shot_id}").disabled
