"""Where scripts/setup.sh puts things (same rules), and its Python tools on sys.path.

Import this before numpy/onnx/onnxruntime so that the pinned tools in
$KEFU_HOME/pytools are the ones used.
"""

import os
import sys
from pathlib import Path

CACHE = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
KEFU_HOME = Path(os.environ.get("KEFU_HOME") or CACHE / "kefu")
PYTOOLS = KEFU_HOME / "pytools"
DOWNLOADS = KEFU_HOME / "downloads"
MODEL_DIR = KEFU_HOME / "models" / "all-minilm-l6-v2"

if not PYTOOLS.is_dir():
    sys.exit(f"{PYTOOLS} is missing: run scripts/setup.sh first")
if str(PYTOOLS) not in sys.path:
    sys.path.insert(0, str(PYTOOLS))
