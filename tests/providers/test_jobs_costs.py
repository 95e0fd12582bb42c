"""Cost estimates and the per-project running total."""
from core.costs import estimate, project_spend
from core.media_assets import create_asset


def test_jobs_costs_estimate_and_project_spend(data_dir):
    assert estimate(provider="local", model="keyframe", params={"prompt": "x"}) == 0.0
    create_asset(type="video", project_id=7, data=b"a", mime="video/mp4", cost_estimate_usd=1.2)
    create_asset(type="video", project_id=7, data=b"b", mime="video/mp4", cost_estimate_usd=0.4)
    create_asset(type="image", project_id=7, data=b"c", mime="image/png")  # unknown cost counts 0
    create_asset(type="video", project_id=8, data=b"d", mime="video/mp4", cost_estimate_usd=5.0)
    assert abs(project_spend(project_id=7) - 1.6) < 1e-9
    assert project_spend(project_id=99) == 0.0
