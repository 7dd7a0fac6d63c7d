"""Where the project's bundled data lives (rules, replica site); FANWEN_DATA_DIR overrides it."""

import os
from pathlib import Path

PROJECT_DIR = Path(__file__).resolve().parents[1]
DATA_DIR = Path(os.environ.get("FANWEN_DATA_DIR") or PROJECT_DIR / "data")
