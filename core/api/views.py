"""JSON shapes the API answers with: jobs, media records (seed §10), projects, scenes, shots.

Pure functions from rows to dicts; nothing here reads the database except through the rows given.
"""
from __future__ import annotations


from core.accounts.activity import Entry
from core.credentials import redact
from core.media_assets import asset_record
from core.models import FAILED, UNKNOWN_OUTCOME, Character, Job, MediaAsset, Project, Scene, ScriptVersion, Shot

_FAILED = FAILED


def job_view(job: Job) -> dict:
    """Return ``{"job_id", "status", "progress", "error", "media_id", "result", …}`` for a job.

    ``error`` is null, or ``{"code", "message", "retryable"}`` for a failed job (the provider's
    message, secrets redacted; code ``unknown_outcome`` when the provider may have accepted a
    request whose answer was lost: ``POST /jobs/{id}/resend`` sends it again once the user
    confirms). ``result`` is ``{"media_id", "url"}`` once there is a result. ``attempts``,
    ``submitted_at``, ``worker`` and ``lease_expires_at`` show who drives the job.
    """
    error = None
    if job.status in (_FAILED, UNKNOWN_OUTCOME) or (job.error and job.status != "cancelled"):
        code = {_FAILED: "provider_error", UNKNOWN_OUTCOME: "unknown_outcome"}.get(job.status, "warning")
        error = {"code": code,
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
        "cost_estimate_usd": request.get("cost_estimate_usd"),
        "attempts": int(job.attempts or 0),
        "submitted_at": job.submitted_at.isoformat() if job.submitted_at else None,
        "worker": job.worker,
        "lease_expires_at": job.lease_expires_at.isoformat() if job.lease_expires_at else None,
        "message": request.get("message") if isinstance(request.get("message"), str) else None,
        "created_at": job.created_at.isoformat() if job.created_at else None,
        "updated_at": job.updated_at.isoformat() if job.updated_at else None,
    }


def asset_view(asset: MediaAsset) -> dict:
    """Return the unified metadata record (seed §10) plus the stored technical fields and a file URL
    (``core.media_assets.asset_record``: the same record the JSON file beside the media holds)."""
    return asset_record(asset)


def activity_view(entry: Entry) -> dict:
    return {"at": entry.at.isoformat(), "user": entry.user, "action": entry.action, "subject": entry.subject,
            "ref": entry.ref}


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
