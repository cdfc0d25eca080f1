"""Make the small committed sample run (quick-sample.csv + .samples.csv.gz) from a real run.

    target/wasmatrix/venv/bin/python notebooks/sample/make_sample.py [results/repeat-quick-A.csv]

Keeps the raw, rkyv and json cells of the source run (every compiler, engine and transport they
ran under), their rows verbatim, and from the samples sidecar only processes 0-4 and, of each
repeated metric, the first 10 samples of each process. The rows' statistics therefore still
describe all of the source run's processes; the sample is for exercising the notebook, not for
reading figures from.
"""

import csv
import gzip
import io
import sys
from pathlib import Path

CODECS = {"raw", "rkyv", "json"}
PROCESSES = 5
SAMPLES = 10
HERE = Path(__file__).resolve().parent
DEFAULT_SOURCE = HERE.parent.parent / "results" / "repeat-quick-A.csv"
TARGET = HERE / "quick-sample.csv"


def sidecar(path):
    """The samples sidecar next to a results CSV."""
    return path.with_name(path.stem + ".samples.csv.gz")


def copy_rows(source, target):
    """Copies the header and the rows of the kept codecs verbatim; returns the kept cells."""
    kept = set()
    with open(source, newline="") as src, open(target, "w", newline="") as dst:
        header = src.readline()
        dst.write(header)
        codec = next(csv.reader([header])).index("codec")
        cell = next(csv.reader([header])).index("cell")
        for line in src:
            fields = next(csv.reader([line]))
            if fields[codec] in CODECS:
                dst.write(line)
                kept.add(fields[cell])
    return kept


def copy_samples(source, target, cells):
    """Copies the kept cells' samples of processes < PROCESSES and samples < SAMPLES."""
    with gzip.open(source, "rt", newline="") as src, \
            gzip.GzipFile(target, "wb", mtime=0) as raw, \
            io.TextIOWrapper(raw, newline="") as dst:
        reader = csv.DictReader(src)
        writer = csv.DictWriter(dst, fieldnames=reader.fieldnames, lineterminator="\n")
        writer.writeheader()
        for row in reader:
            if (row["cell"] in cells and int(row["process"]) < PROCESSES
                    and int(row["sample"]) < SAMPLES):
                writer.writerow(row)


def main():
    source = Path(sys.argv[1]) if len(sys.argv) > 1 else DEFAULT_SOURCE
    cells = copy_rows(source, TARGET)
    copy_samples(sidecar(source), sidecar(TARGET), cells)
    size = TARGET.stat().st_size + sidecar(TARGET).stat().st_size
    print(f"{TARGET.name}: {len(cells)} cells, {size / 1000:.0f} KB with its sidecar")


if __name__ == "__main__":
    main()
