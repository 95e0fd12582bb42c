"""``python -m core users …`` and ``tokens create``: password twice on stdin, token printed once."""
from __future__ import annotations

import io

from core.accounts import service
from core.cli import main


def _run(monkeypatch, capsys, argv, stdin=""):
    monkeypatch.setattr("sys.stdin", io.StringIO(stdin))
    code = main(argv)
    out = capsys.readouterr()
    return code, out.out, out.err


def test_users_add_list_remove_and_a_token(monkeypatch, capsys):
    assert _run(monkeypatch, capsys, ["users", "add", "ann", "--role", "editor"], "s3cret pass\ns3cret pass\n")[0] == 0
    assert service.check_password(name="ann", password="s3cret pass").role == "editor"
    code, out, err = _run(monkeypatch, capsys, ["users", "add", "bob", "--role", "viewer"], "one\ntwo\n")
    assert code == 2 and "differ" in err and [u.name for u in service.list_users()] == ["ann"]
    code, out, err = _run(monkeypatch, capsys, ["users", "add", "ann", "--role", "owner"], "x\nx\n")
    assert code == 2 and "already exists" in err
    code, out, _ = _run(monkeypatch, capsys, ["users", "list"])
    assert out.split("\t")[:2] == ["ann", "editor"]
    code, out, _ = _run(monkeypatch, capsys, ["tokens", "create", "ann"])
    token = out.strip().splitlines()[-1]
    assert code == 0 and service.user_for_token(token=token).name == "ann"
    assert _run(monkeypatch, capsys, ["users", "grant", "ann", "--project", "7", "--role", "owner"])[0] == 0
    assert service.role_in(name="ann", project_id=7) == "owner" and service.role_in(name="ann", project_id=8) == "editor"
    assert _run(monkeypatch, capsys, ["users", "remove", "ann"])[0] == 0
    assert service.user_for_token(token=token) is None and service.list_users() == []
    code, _, err = _run(monkeypatch, capsys, ["tokens", "create", "ann"])
    assert code == 2 and "No user named 'ann'" in err
