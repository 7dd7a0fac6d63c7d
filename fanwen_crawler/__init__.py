"""fanwen-crawler: Chinese model-essay (范文) sites → a clean, deduplicated SQL corpus."""

__version__ = "0.1.0"
