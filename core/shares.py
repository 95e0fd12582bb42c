"""Share links: a signed, expiring URL to one stored file that opens without an account.

A link's token is ``<id>.<signature>``: the id of a ``ShareLink`` row (media id, expiry, revoked) and
an HMAC-SHA256 over id, media id and expiry with the share key (``STORYREEL_SHARE_KEY``, or a random
key kept in the data dir). A token is valid while its row exists, is not revoked, has not expired
and its signature matches — so a guessed or edited token opens nothing, and revoking is one update.

The link handed out is always the API's ``/share/<token>``, so revoking closes it at once. With an S3
media store (STORYREEL_MEDIA_URL=s3://…) opening it answers a redirect to a presigned URL of the file
that lives ``OPEN_LINK_S``: the film downloads straight from the bucket, not through the API. A
presigned URL cannot be taken back, so handing out one that lives until the link's expiry would make
revoking a promise the store does not keep; a short one per opening leaves a revoked link's last
viewer at most that long.
"""
from __future__ import annotations

import hashlib
import hmac
import os
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from pathlib import Path

import httpx

from core.accounts.activity import record
from core.accounts.identity import current_user
from core.credentials import get_setting
from core.db import session
from core.errors import InvalidInput, NotFound
from core.media.store import media_store
from core.media_assets import asset_path, get_asset
from core.models import MediaAsset, ShareLink, utcnow
from core.settings import get_settings

DEFAULT_EXPIRY_S = 7 * 24 * 3600
MAX_EXPIRY_S = 365 * 24 * 3600
KEY_FILE = "share_key"
# How long the presigned URL an opened link redirects to lives (a remote media store): long enough
# for a player to seek through a short film, short enough that a revoked link stops soon after.
OPEN_LINK_S = 15 * 60


def _key() -> bytes:
    """The signing key: STORYREEL_SHARE_KEY, else a random key created once in the data dir (mode 600)."""
    configured = get_setting(setting="STORYREEL_SHARE_KEY")
    if configured:
        return configured.encode("utf-8")
    path = get_settings().data_dir / KEY_FILE
    if not path.exists():
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as fh:
            fh.write(secrets.token_hex(32))
    return path.read_text().strip().encode("utf-8")


def _as_utc(moment: datetime) -> datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)


def _signature(link: ShareLink) -> str:
    message = f"{link.id}|{link.media_id}|{int(_as_utc(link.expires_at).timestamp())}".encode("utf-8")
    return hmac.new(_key(), message, hashlib.sha256).hexdigest()[:32]


def create_share(*, media_id: str, expires_in_s: int = DEFAULT_EXPIRY_S) -> tuple[str, datetime]:
    """Create a link to ``media_id`` valid for ``expires_in_s`` seconds; returns (token, expires_at).
    Raises NotFound (unknown media), InvalidInput (expiry outside 60 s … 365 days)."""
    if not 60 <= int(expires_in_s) <= MAX_EXPIRY_S:
        raise InvalidInput(f"expires_in_s must be between 60 and {MAX_EXPIRY_S} seconds.", field="expires_in_s")
    asset = get_asset(media_id=media_id)
    expires_at = (utcnow() + timedelta(seconds=int(expires_in_s))).replace(microsecond=0)
    link = ShareLink(media_id=media_id, expires_at=expires_at, created_by=current_user())
    with session() as s:
        s.add(link)
        record(s, project_id=asset.project_id, action="share", ref=media_id,
               subject=f"share link to {asset.label or asset.type} until {expires_at:%Y-%m-%d %H:%M} UTC")
    return f"{link.id}.{_signature(link)}", link.expires_at


def _link_for(token: str) -> ShareLink | None:
    link_id, _, signature = token.partition(".")
    with session() as s:
        link = s.get(ShareLink, link_id)
    if link is None or not hmac.compare_digest(signature, _signature(link)):
        return None
    return link


def _valid_link(token: str) -> ShareLink:
    """The link a token opens; raises NotFound (unknown, edited, revoked or expired — the message says
    which of revoked/expired)."""
    link = _link_for(token)
    if link is None:
        raise NotFound("No such share link.", field="token")
    if link.revoked:
        raise NotFound("This share link was revoked.", field="token")
    if _as_utc(link.expires_at) <= utcnow():
        raise NotFound("This share link has expired.", field="token")
    return link


@dataclass(frozen=True)
class OpenedShare:
    """What a valid link opens: the media record and the download's file name, and either where the
    media store serves the file itself (``url``: S3's presigned URL) or the local file the API
    streams (``path``)."""

    asset: MediaAsset
    name: str
    url: str | None = None
    path: Path | None = None


def open_share(*, token: str) -> OpenedShare:
    """Return what a valid link opens: with a remote media store a presigned URL of the file that
    lives ``OPEN_LINK_S`` (or until the link expires, if sooner), else the local file. Raises NotFound
    (unknown, edited, revoked or expired link — the message says which of revoked/expired),
    MediaStoreUnavailable."""
    link = _valid_link(token)
    asset = get_asset(media_id=link.media_id)
    name = f"{asset.label or asset.media_id}{Path(asset.file_path).suffix}".replace("/", "_")
    store = media_store()
    if not store.remote:
        return OpenedShare(asset=asset, name=name, path=asset_path(media_id=asset.media_id))
    left = max(1, int((_as_utc(link.expires_at) - utcnow()).total_seconds()))
    return OpenedShare(asset=asset, name=name, url=store.presigned_url(
        key=asset.file_path, expires_in_s=min(left, OPEN_LINK_S), filename=name,
        mime=asset.mime_type or "application/octet-stream"))


def revoke_share(*, token: str) -> None:
    """Revoke a link so it opens nothing any more; raises NotFound."""
    link = _link_for(token)
    if link is None:
        raise NotFound("No such share link.", field="token")
    with session() as s:
        row = s.get(ShareLink, link.id)
        row.revoked = True
        s.add(row)


def share_url(*, token: str, base_url: str | None = None) -> str:
    """Return the link's URL: STORYREEL_PUBLIC_URL (else ``base_url``, else the loopback API) +
    /share/<token>, whatever the media store (see the module's note on S3)."""
    base = get_setting(setting="STORYREEL_PUBLIC_URL") or base_url or "http://127.0.0.1:8000"
    return f"{base.rstrip('/')}/share/{token}"


def link_answers(*, url: str, timeout_s: float = 1.0) -> bool:
    """True when something answers HTTP at a share link's address (any status: the link itself is
    not opened, its film not downloaded); False when nothing listens there — the app alone, without
    the API (``python3 -m core serve``) the link is served by."""
    try:
        httpx.head(url, timeout=timeout_s, follow_redirects=False)
    except httpx.HTTPError:
        return False
    return True
