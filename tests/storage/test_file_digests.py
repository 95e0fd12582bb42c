"""File digests (core.media.files.sha256_file): memoized by path, size and mtime, so a render hashes
each unchanged source once; a changed file is hashed again; the memo can be forgotten."""
import hashlib
import os

from core.media import files


def test_a_file_is_read_once_until_it_changes_or_the_memo_is_forgotten(tmp_path, monkeypatch):
    path = tmp_path / "clip.bin"
    path.write_bytes(b"first take" * 1000)
    opened = []
    real_open = open
    monkeypatch.setattr("builtins.open", lambda p, *a, **kw: opened.append(str(p)) or real_open(p, *a, **kw))
    files.forget_file_digests()
    digest = files.sha256_file(path)
    assert digest == hashlib.sha256(b"first take" * 1000).hexdigest()
    assert files.sha256_file(str(path)) == digest and opened.count(str(path)) == 1  # remembered
    path.write_bytes(b"second take" * 1000)
    os.utime(path, ns=(1, 1))  # a new mtime even on a coarse clock
    assert files.sha256_file(path) == hashlib.sha256(b"second take" * 1000).hexdigest()
    files.forget_file_digests()
    files.sha256_file(path)
    assert opened.count(str(path)) == 3
