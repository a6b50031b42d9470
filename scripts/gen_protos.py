"""Generate Python code and .pyi stubs from protos/ into gen/python/.

The one command for generated code: `python scripts/gen_protos.py`.
`--check` regenerates into a temporary folder and fails when gen/python is stale.
"""

from __future__ import annotations

import argparse
import filecmp
import shutil
import sys
import tempfile
from pathlib import Path

import grpc_tools
from grpc_tools import protoc

ROOT = Path(__file__).resolve().parent.parent
PROTO_DIR = ROOT / "protos"
OUT_DIR = ROOT / "gen" / "python"


def _plugin(name: str) -> str:
    """mypy-protobuf's plugin, installed next to this interpreter."""
    found = Path(sys.executable).parent / name
    if not found.exists():
        raise SystemExit(f"{name} not found next to {sys.executable}: install the dev extras")
    return str(found)


def generate(out_dir: Path) -> None:
    protos = sorted(str(p.relative_to(PROTO_DIR)) for p in PROTO_DIR.rglob("*.proto"))
    well_known = Path(grpc_tools.__file__).parent / "_proto"
    out_dir.mkdir(parents=True, exist_ok=True)
    args = [
        "protoc",
        f"-I{PROTO_DIR}",
        f"-I{well_known}",
        f"--python_out={out_dir}",
        f"--pyi_out={out_dir}",
        f"--grpc_python_out={out_dir}",
        f"--plugin=protoc-gen-mypy_grpc={_plugin('protoc-gen-mypy_grpc')}",
        f"--mypy_grpc_out={out_dir}",
        *protos,
    ]
    if protoc.main(args) != 0:
        raise SystemExit("protoc failed")
    for package_dir in {p.parent for p in out_dir.rglob("*_pb2.py")}:
        _add_init_files(out_dir, package_dir)


def _add_init_files(out_dir: Path, package_dir: Path) -> None:
    while package_dir != out_dir:
        (package_dir / "__init__.py").touch()
        package_dir = package_dir.parent


def _same_tree(a: Path, b: Path) -> bool:
    cmp = filecmp.dircmp(a, b, ignore=["__pycache__"])
    if cmp.left_only or cmp.right_only or cmp.diff_files:
        return False
    return all(_same_tree(a / d, b / d) for d in cmp.common_dirs)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--check", action="store_true", help="fail if gen/python is stale")
    check = parser.parse_args().check
    if not check:
        shutil.rmtree(OUT_DIR / "g60", ignore_errors=True)
        generate(OUT_DIR)
        return 0
    with tempfile.TemporaryDirectory() as tmp:
        generate(Path(tmp))
        if not (OUT_DIR / "g60").exists() or not _same_tree(Path(tmp) / "g60", OUT_DIR / "g60"):
            print("gen/python is stale: run `python scripts/gen_protos.py`", file=sys.stderr)
            return 1
    print("generated protobuf code is up to date")
    return 0


if __name__ == "__main__":
    sys.exit(main())
