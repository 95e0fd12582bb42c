"""JSON shapes the API answers with: jobs, media records (seed §10), projects, scenes, shots.

Pure functions from rows to dicts; nothing here reads the database except through the rows given.
"""
from __future__ import annotations

from typing import Any

from core.credentials import redact
from core.models import Character, Job, MediaAsset, Project, Scene, ScriptVersion, Shot

_FAILED = "failed"


def _scrub(value: Any) -> Any:
    if isinstance(value, str):
        return redact(value)
    if isinstance(value, list):
        return [_scrub(v) for v in value]
    if isinstance(value, dict):
        return {k: _scrub(v) for k, v in value.items()}
    return value


def job_view(job: Job) -> dict:
    """Return ``{"job_id", "status", "progress", "error", "media_id", "result", …}`` for a job.

    ``error`` is null, or ``{"code", "message", "retryable"}`` for a failed job (the provider's
    message, secrets redacted). ``result`` is ``{"media_id", "url"}`` once there is a result.
    """
    error = None
    if job.status == _FAILED or (job.error and job.status != "cancelled"):
        error = {"code": "provider_error" if job.status == _FAILED else "warning",
                 "message": redact(job.error or "failed"), "retryable": bool(job.error_retryable)}
    result = None
    if job.result_media_id:
        result = {"media_id": job.result_media_id, "url": f"/media/{job.result_media_id}/file"}
    request = job.request or {}
    return {
        "job_id": job.id,
        "status": job.status,
        "progress": float(job.progress or 0.0),
        "kind": job.kind,
        "provider": job.provider,
        "model": job.model,
        "project_id": job.project_id,
        "shot_id": job.shot_id,
        "character_id": job.character_id,
        "cache_hit": bool(request.get("cache_hit", False)),
        "error": error,
        "media_id": job.result_media_id,
        "result": result,
        "created_at": job.created_at.isoformat() if job.created_at else None,
        "updated_at": job.updated_at.isoformat() if job.updated_at else None,
    }


def asset_view(asset: MediaAsset) -> dict:
    """Return the unified metadata record (seed §10) plus the stored technical fields and a file URL."""
    data = asset.model_dump(mode="json")
    data["input_params"] = _scrub(data.get("input_params") or {})
    data["url"] = f"/media/{asset.media_id}/file"
    return data


def project_view(project: Project) -> dict:
    return project.model_dump(mode="json")


def version_view(version: ScriptVersion) -> dict:
    return version.model_dump(mode="json")


def shot_view(shot: Shot) -> dict:
    return shot.model_dump(mode="json")


def scene_view(scene: Scene, shots: list[Shot] | None = None) -> dict:
    data = scene.model_dump(mode="json")
    if shots is not None:
        data["shots"] = [shot_view(s) for s in shots]
    return data


def character_view(character: Character) -> dict:
    return character.model_dump(mode="json")
