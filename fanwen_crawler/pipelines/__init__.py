"""Item pipelines, one job each: validate (100), clean (200), dedup (300), store (400)."""
