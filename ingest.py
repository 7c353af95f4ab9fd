"""`python ingest.py [PATH ...]`: same as `rag ingest` (defaults to the seeds folder)."""
import sys
from pathlib import Path

from rag.cli import main

if __name__ == "__main__":
    sys.exit(main(["ingest", *(sys.argv[1:] or [str(Path(__file__).parent / "seeds")])]))
