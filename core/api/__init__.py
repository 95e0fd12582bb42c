from core.api.app import app

__all__ = ["app"]
