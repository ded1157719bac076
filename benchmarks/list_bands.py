"""Print every stored census of the book with its counts and its measured band (issue 10).

For every ``book/data/*.npz`` (written by ``benchmarks/census_bands.py``): the census key, its
stored counts and, per count, the band ``lo–hi`` measured over perturbed reruns, the number of
runs the band was measured over and how (the band's ``how``, numbered below the table).

The counts are those a chapter prints: the stored end points re-certified by
``lb.load_census`` with the model, loss and data of the census's spec module
(``benchmarks/censuses/<chapter>.py``; this also checks that the spec still matches the file).
Each is checked against the band's first sample, the base run the file was made from; a
mismatch is marked ``!`` after the count and listed (it would mean certification changed since
the file was written). ``--fast`` skips the re-certification and shows the base run's counts
(from the band). A file without a spec is listed with ``?`` and the base run's counts.

Run: ``python benchmarks/list_bands.py [--fast] [--markdown] [--data book/data]
[--specs benchmarks/censuses]``. Re-certification takes seconds per census; use ``nice``.
"""
import argparse
import importlib.util
import json
import sys
from pathlib import Path

import numpy as np

import lossbook as lb

ROOT = Path(__file__).resolve().parents[1]
SHORT = {"runs": "runs", "zero training error": "zero err", "bad local minima": "bad",
         "global, forced error": "global", "undecided": "undecided", "refuted": "refuted",
         "not critical": "not crit", "not converged": "not conv"}


def _engine():
    spec = importlib.util.spec_from_file_location("census_bands", Path(__file__).with_name("census_bands.py"))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _stored_band(path):
    """The band stored in a census file (a CensusBand, or None)."""
    with np.load(path, allow_pickle=False) as data:
        meta = json.loads(str(data["meta"]))
    return None if meta.get("band") is None else lb.CensusBand.from_json(meta["band"])


def rows(data_dir, specs_dir, *, recertify=True):
    """One dict per stored census: key, counts, band, source of the counts, mismatches."""
    engine = _engine()
    specs = engine.load_specs(specs_dir)
    out = []
    for path in sorted(Path(data_dir).glob("*.npz")):
        key = path.stem
        band = _stored_band(path)
        base = {k: band.samples[k][0] for k in band.lo if band.samples.get(k)} if band else {}
        if key in specs and recertify:
            model, loss, X, y, _ = engine._build(specs[key])
            counts = lb.load_census(path, model, loss, X, y).counts
            source = "re-certified"
        else:
            counts, source = base, ("base run" if key in specs else "no spec: base run")
        mismatch = [k for k in counts if k in base and counts[k] != base[k]]
        out.append(dict(key=key, counts=counts, band=band, source=source, mismatch=mismatch))
    return out


def render(table_rows, *, markdown=False):
    """The table as text (aligned columns) or Markdown, with the numbered 'how' legend."""
    keys = list(lb.COUNT_KEYS)
    hows = []
    head = ["census"] + [SHORT[k] for k in keys] + ["runs measured", "how"]
    lines = [head]
    for r in table_rows:
        band, counts = r["band"], r["counts"]
        cells = []
        for k in keys:
            c = "?" if k not in counts else str(counts[k]) + ("!" if k in r["mismatch"] else "")
            if band is not None and k in band.lo:
                c += f" [{band.lo[k]}" + (f"–{band.hi[k]}]" if band.hi[k] != band.lo[k] else "]")
            cells.append(c)
        if band is None:
            measured, how = "no band", "-"
        else:
            if band.how not in hows:
                hows.append(band.how)
            measured, how = str(band.n_reruns + 1), str(hows.index(band.how) + 1)
        name = r["key"] + (" ?" if r["source"].startswith("no spec") else "")
        lines.append([name] + cells + [measured, how])
    if markdown:
        text = ["| " + " | ".join(lines[0]) + " |", "|" + "---|" * len(head)]
        text += ["| " + " | ".join(row) + " |" for row in lines[1:]]
    else:
        widths = [max(len(row[i]) for row in lines) for i in range(len(head))]
        text = ["  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)).rstrip() for row in lines]
    sources = sorted({r["source"] for r in table_rows})
    text.append("")
    text.append("each cell: stored count [band lo–hi over the runs measured]; counts: " + ", ".join(sources)
                + " (re-certified = the stored end points certified again by lb.load_census, as the chapters"
                " print them; base run = the band's first sample)")
    text.append("how the bands were measured:")
    text += [f"  {i}. {h}" for i, h in enumerate(hows, 1)]
    bad = [r for r in table_rows if r["mismatch"]]
    for r in bad:
        text.append(f"! {r['key']}: re-certified counts differ from the band's base run in "
                    + ", ".join(f"{k} ({r['counts'][k]} vs {r['band'].samples[k][0]})" for k in r["mismatch"]))
    return "\n".join(text)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--data", default=str(ROOT / "book" / "data"))
    parser.add_argument("--specs", default=str(ROOT / "benchmarks" / "censuses"))
    parser.add_argument("--fast", action="store_true", help="no re-certification: base-run counts")
    parser.add_argument("--markdown", action="store_true", help="a Markdown table")
    args = parser.parse_args(argv)
    table_rows = rows(args.data, args.specs, recertify=not args.fast)
    print(render(table_rows, markdown=args.markdown))
    return 1 if any(r["mismatch"] for r in table_rows) else 0


if __name__ == "__main__":
    sys.exit(main())
