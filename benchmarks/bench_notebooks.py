"""nbval wall time of the whole book: each chapter notebook re-executed and compared, one by one.

Prints seconds per notebook and the total; no assertion.
Run from the repository root: python benchmarks/bench_notebooks.py
"""
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def main():
    notebooks = sorted((ROOT / "book").glob("*.ipynb"))
    total = 0.0
    print(f"{'notebook':<36} {'seconds':>8}  result")
    for nb in notebooks:
        t = time.perf_counter()
        proc = subprocess.run([sys.executable, "-m", "pytest", "--nbval", "--nbval-current-env",
                               "--nbval-sanitize-with", "tests/sanitize.cfg", "-p", "no:cacheprovider",
                               "-q", str(nb.relative_to(ROOT))], cwd=ROOT, capture_output=True, text=True)
        dt = time.perf_counter() - t
        total += dt
        last = proc.stdout.strip().splitlines()[-1] if proc.stdout.strip() else "no output"
        print(f"{nb.name:<36} {dt:8.1f}  {last}")
    print(f"{'whole book':<36} {total:8.1f}")


if __name__ == "__main__":
    main()
