"""Cost estimates: before a paid call (from the capability's pricing) and the running total per project."""
from __future__ import annotations

from typing import Any

from sqlalchemy import func
from sqlmodel import select

from core.db import session
from core.models import MediaAsset
from core.registry import get_registry


def estimate(*, provider: str, model: str, params: dict[str, Any], operation: str | None = None,
             duration_s: float | None = None) -> float | None:
    """Return the estimated USD cost of one call, or None when the provider publishes no price.

    0.0 for free providers (local). Raises UnsupportedCapability for an unknown model.
    """

    cap = get_registry().get(provider=provider, model=model, operation=operation)
    return cap.estimate_cost(params, duration_s=duration_s)


def project_spend(*, project_id: int | None) -> float:
    """Return the sum of the stored assets' cost estimates for a project (USD; unknown costs count 0)."""
    with session() as s:
        total = s.exec(select(func.coalesce(func.sum(MediaAsset.cost_estimate_usd), 0.0))
                       .where(MediaAsset.project_id == project_id)).one()
    return float(total or 0.0)
