"""Cunjiang (村匠): production orders, photo review and payouts for rural artisans."""

import os

# Piccolo finds its engine through this module; set before any table is imported.
os.environ.setdefault("PICCOLO_CONF", "backend.db.piccolo_conf")
