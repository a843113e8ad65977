"""Piccolo's configuration module (``PICCOLO_CONF``): the engine and the one app."""

from piccolo.conf.apps import AppRegistry

from backend.db.engine import DB

APP_REGISTRY = AppRegistry(apps=["backend.piccolo_app"])

__all__ = ["APP_REGISTRY", "DB"]
