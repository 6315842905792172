"""What the corpus benchmarks share: where the corpus is, its command-line arguments, a quiet start."""

from __future__ import annotations

import argparse
import logging
import sys
import warnings
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT.parent / "shared" / "corpus"


def parser(doc: str, sets: str) -> argparse.ArgumentParser:
    """An argument parser with the corpus folder, ``--sets``, ``--limit`` and ``-v``."""
    out = argparse.ArgumentParser(description=doc.splitlines()[0])
    out.add_argument("corpus", nargs="?", type=Path, default=CORPUS)
    out.add_argument("--sets", default=sets, help=f"comma-separated corpus sets (default {sets})")
    out.add_argument("--limit", type=int, default=0, help="at most N pages of each set (0: all)")
    out.add_argument("-v", "--verbose", action="store_true", help="print every page")
    return out


def ready(corpus: Path, *sets: str) -> bool:
    """Whether one of ``sets`` is under ``corpus`` (else say the benchmark is skipped); silences the
    libraries' warnings and makes the project importable."""
    if not any((corpus / name).is_dir() for name in sets):
        print(f"No corpus at {corpus}: benchmark skipped")
        return False
    logging.disable(logging.WARNING)
    warnings.simplefilter("ignore")
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))
    return True
