"""Share links (API.md): ``POST /media/{media_id}/share`` answers ``url`` and ``expires_at``; the link
(``GET /share/{token}``) opens the file without an account until it expires or ``DELETE
/share/{token}`` revokes it: streamed, or with an S3 media store redirected to a short-lived presigned
URL of it. The logic is ``core.shares``."""
from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Request, Response
from fastapi.responses import FileResponse, RedirectResponse
from pydantic import BaseModel, Field

from core import shares
from core.api.security import ID_PATTERN

router = APIRouter()
IdPath = Annotated[str, Path(pattern=ID_PATTERN, max_length=64, examples=["3f2a9c0d1e2b4c5d8e9f00112233aabb"])]
TokenPath = Annotated[str, Path(pattern=r"^[A-Za-z0-9_-]{1,64}\.[0-9a-f]{32}$", max_length=100)]


class ShareRequest(BaseModel):
    """How long the link opens the file (seconds; default 7 days, at most 365 days)."""

    expires_in_s: int = Field(default=shares.DEFAULT_EXPIRY_S, ge=60, le=shares.MAX_EXPIRY_S, examples=[86400])


@router.post("/media/{media_id}/share", tags=["media"], status_code=201,
             summary="A link that opens the file without an account")
def post_share(media_id: IdPath, request: Request, body: ShareRequest | None = None) -> dict:
    """Return `url`, `expires_at` (ISO 8601, UTC) and `token` (for `DELETE /share/{token}`)."""
    token, expires_at = shares.create_share(media_id=media_id,
                                            expires_in_s=(body or ShareRequest()).expires_in_s)
    return {"url": shares.share_url(token=token, base_url=str(request.base_url)), "expires_at": expires_at.isoformat(),
            "token": token}


@router.get("/share/{token}", tags=["media"], summary="Open a share link (no account needed)",
            response_class=FileResponse, responses={200: {"content": {"application/octet-stream": {}}},
                                                    307: {"description": "To the file in the S3 media store"}})
def get_share(token: TokenPath) -> Response:
    """Stream the shared file, or with an S3 media store redirect (307) to a presigned URL of it that
    lives 15 minutes; 404 when the link is unknown, revoked or expired."""
    opened = shares.open_share(token=token)
    if opened.url is not None:
        return RedirectResponse(opened.url, status_code=307)
    return FileResponse(opened.path, media_type=opened.asset.mime_type or "application/octet-stream",
                        filename=opened.name)


@router.delete("/share/{token}", tags=["media"], status_code=204, summary="Revoke a share link")
def delete_share(token: TokenPath) -> Response:
    shares.revoke_share(token=token)
    return Response(status_code=204)
