"""The catalogue part of the Replicate emulator: model and version objects, search and collections.

Shapes follow ../shared/provider_docs/replicate.md §1 ("Model / version objects") and
UPDATE-2026-12.md §3.1, with the search answer as Replicate's OpenAPI spec declares it
(``{"query", "models": [{"model": {...}, "metadata": {"generated_description", "score", "tags"}}],
"collections": [{"name", "slug", "description", "models": [names]}], "pages": [...]}``):

- ``GET /v1/models/{o}/{n}``: a recorded model object when the emulated model has one (the
  cassette of stability-ai/sdxl), else one built from the model's fields; ``is_official`` is
  present only for built ones (the 2023 recording predates it).
- ``GET /v1/models/{o}/{n}/versions/{id}``: ``{id, created_at, cog_version, openapi_schema}`` for
  the latest or a pinned older version.
- ``GET /v1/search?query=&limit=1..50`` (route ``search``): models whose name, description or
  tags hold every query word, most runs first, plus matching collections.
- ``QUERY /v1/models`` (plain-text query; route ``search``): the older search, a page of models.
  ``em.search_beta = False`` makes ``GET /v1/search`` answer 404, as where the beta is not served.
- ``GET /v1/collections`` (a page) and ``GET /v1/collections/{slug}`` (its models, with
  ``latest_version``) (route ``search``).
Every route needs the bearer token, like the real API.
"""
from __future__ import annotations

import copy
from typing import Any

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse

_PROBLEM = "application/problem+json"


def _not_found(detail: str = "Not found") -> JSONResponse:
    return JSONResponse({"title": "Not found", "detail": detail, "status": 404}, status_code=404,
                        media_type=_PROBLEM)


def version_json(m: Any, version_id: str) -> dict:
    """The version object of ``m``'s version ``version_id`` (latest or pinned)."""
    recorded = (m.recorded or {}).get("latest_version")
    if recorded and recorded.get("id") == version_id:
        return copy.deepcopy(recorded)
    created = "2025-06-01T00:00:00Z" if version_id == m.version_id else "2024-12-01T00:00:00Z"
    return {"id": version_id, "created_at": created, "cog_version": "0.9.0",
            "openapi_schema": m.schema_of(version_id)}


def model_json(m: Any, *, with_schema: bool = True) -> dict:
    """The model object ``GET /v1/models/{owner}/{name}`` answers for ``m``."""
    if m.recorded is not None:
        data = copy.deepcopy(m.recorded)
    else:
        data = {"url": f"https://replicate.com/{m.ref}", "owner": m.owner, "name": m.name,
                "description": m.description or f"emulated {m.ref}", "visibility": "public", "github_url": None,
                "paper_url": None, "license_url": None, "run_count": m.run_count, "cover_image_url": None,
                "default_example": None, "is_official": m.official,
                "latest_version": version_json(m, m.version_id)}
    if not with_schema and data.get("latest_version"):
        data["latest_version"] = {k: v for k, v in data["latest_version"].items() if k != "openapi_schema"}
    return data


def _matches(m: Any, words: list[str]) -> bool:
    text = " ".join([m.ref, m.description or "", *m.tags, str((m.recorded or {}).get("description") or "")]).lower()
    return all(w in text for w in words)


def add_catalog_routes(app: FastAPI, em: Any) -> None:
    """Add the search and collection routes to the emulator's ``app`` (``em`` is the emulator)."""

    @app.get("/v1/search")
    async def search(request: Request, query: str = "", limit: int = 20):
        early, _, _ = await em._enter(request, "search")
        if early:
            return early
        if not getattr(em, "search_beta", True):
            return _not_found()
        if not 1 <= limit <= 50:
            return JSONResponse({"title": "Invalid limit", "detail": "limit must be between 1 and 50", "status": 400},
                                status_code=400, media_type=_PROBLEM)
        words = [w for w in query.lower().split() if w]
        found = sorted((m for m in em.models.values() if _matches(m, words)),
                       key=lambda m: -int(model_json(m, with_schema=False).get("run_count") or 0))[:limit]
        models = [{"model": model_json(m, with_schema=False),
                   "metadata": {"generated_description": f"{m.ref}: {m.description or 'a model'}",
                                "score": round(1.0 - i / 100, 2), "tags": list(m.tags)}}
                  for i, m in enumerate(found)]
        collections = [{"name": c["name"], "slug": slug, "description": c["description"], "models": list(c["models"])}
                       for slug, c in em.collections.items()
                       if all(w in f"{slug} {c['name']} {c['description']}".lower() for w in words)]
        return JSONResponse({"query": query, "models": models, "collections": collections, "pages": []})

    @app.api_route("/v1/models", methods=["QUERY"])
    async def models_query(request: Request):
        early, _, body = await em._enter(request, "search")
        if early:
            return early
        if not request.headers.get("content-type", "").startswith("text/plain"):
            return JSONResponse({"title": "Unsupported Media Type", "detail": "send the query as text/plain",
                                 "status": 415}, status_code=415, media_type=_PROBLEM)
        text = body.decode() if isinstance(body, bytes) else str(body or "")
        words = [w for w in text.lower().split() if w]
        found = sorted((m for m in em.models.values() if _matches(m, words)),
                       key=lambda m: -int(model_json(m, with_schema=False).get("run_count") or 0))
        return JSONResponse({"next": None, "previous": None, "results": [model_json(m) for m in found]})

    @app.get("/v1/collections")
    async def collections_list(request: Request):
        early, _, _ = await em._enter(request, "search")
        if early:
            return early
        results = [{"name": c["name"], "slug": slug, "description": c["description"]}
                   for slug, c in em.collections.items()]
        return JSONResponse({"next": None, "previous": None, "results": results})

    @app.get("/v1/collections/{slug}")
    async def collections_get(slug: str, request: Request):
        early, _, _ = await em._enter(request, "search")
        if early:
            return early
        c = em.collections.get(slug)
        if c is None:
            return _not_found("Collection not found")
        models = [model_json(em.models[ref]) for ref in c["models"] if ref in em.models]
        return JSONResponse({"name": c["name"], "slug": slug, "description": c["description"], "models": models})
