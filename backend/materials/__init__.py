"""Material kits (发料): what staff hand an artisan for a job, her word on it, and a coordinator's
decision on a shortage."""
