#!/usr/bin/env python3
"""Speed and agreement: kaohe against the floor, DuckDB and pandas on one data set.

    python3 bench/compare/run.py [N] [--work DIR] [--repeat K] [--no-peers] [--instructions]

For N people (default 100,000) of rules/national_individual.kh, in one run
and on the same files:
  1. writes the data with `kaohe generate national` (unless already there);
  2. builds kaohe and the floor (bench/floor) in release mode;
  3. installs the DuckDB CLI (PyPI package `duckdb-cli`) and pandas into a
     virtual environment under the work folder, unless there already;
  4. runs `kaohe eval --format csv`, the floor, `duckdb` on national.sql and
     national_pandas.py K times, taking turns (one run of each per round),
     keeping each one's fastest wall time, every run's time, and the
     largest peak resident memory (from wait4, per process);
  5. compares the outputs person by person: kaohe and the floor must agree
     on every figure and byte (else exit 1); a figure of DuckDB or pandas
     that is not the exact one is counted and marked (they compute in binary
     floating point), as is a rank or grade that comes out different;
  6. prints the machine, the table of times, memory and ratios to the
     floor, and writes it to WORK/results-N.json.

With --instructions it also counts instructions with valgrind's callgrind
for kaohe and the floor (use a small N, e.g. 10000: callgrind is ~50x slower).
--no-peers skips DuckDB and pandas (no Python packages needed); without it,
a failed install skips them with a warning, so that the exact check still runs.
"""

import argparse
import csv
import filecmp
import io
import json
import os
import platform
import shutil
import subprocess
import sys
import time
from decimal import Decimal, InvalidOperation
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
HERE = Path(__file__).resolve().parent
SCHEME = ROOT / "rules" / "national_individual.kh"
KAOHE = ROOT / "target" / "release" / "kaohe"
FLOOR = ROOT / "bench" / "floor" / "target" / "release" / "kaohe-floor"
ID = "单位"
KEYS = ["排名", "组内排名", "分组1", "总分", "等次", "一票否决", "可评先"]


def say(*args):
    print(*args, file=sys.stderr, flush=True)


def run_checked(cmd, **kw):
    say("$ " + " ".join(str(c) for c in cmd))
    subprocess.run(cmd, check=True, **kw)


def machine():
    cpu = "unknown"
    try:
        for line in open("/proc/cpuinfo", encoding="utf-8"):
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    mem = 0
    try:
        for line in open("/proc/meminfo", encoding="utf-8"):
            if line.startswith("MemTotal"):
                mem = int(line.split()[1]) // 1024
    except OSError:
        pass
    return {
        "cores": os.cpu_count(),
        "cpu": cpu,
        "memory_mb": mem,
        "system": f"{platform.system()} {platform.release()}",
        "python": platform.python_version(),
    }


def measure(cmd, stdin_text=None, stdout=None):
    """Runs cmd; returns (wall seconds, peak RSS in MB) of that one process."""
    start = time.perf_counter()
    proc = subprocess.Popen(
        cmd,
        stdin=subprocess.PIPE if stdin_text is not None else subprocess.DEVNULL,
        stdout=stdout or subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    if stdin_text is not None:
        proc.stdin.write(stdin_text.encode("utf-8"))
        proc.stdin.close()
    err = proc.stderr.read()
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - start
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode != 0:
        say(err.decode("utf-8", "replace")[-3000:])
        raise SystemExit(f"{cmd[0]} failed with exit code {proc.returncode}")
    return wall, usage.ru_maxrss / 1024  # ru_maxrss is in KB on Linux


def ensure_data(n, work):
    data = work / f"n{n}"
    if (data / "季报.csv").exists() and (data / ".complete").exists():
        return data
    t = time.perf_counter()
    run_checked([str(KAOHE), "generate", "national", "--people", str(n), "--out", str(data)])
    (data / ".complete").write_text(f"{n}\n")
    say(f"generated {n} people in {time.perf_counter() - t:.1f} s")
    return data


def ensure_peers(work):
    """The venv's python and duckdb, or None when they cannot be installed."""
    venv = work / "venv"
    py, duck = venv / "bin" / "python", venv / "bin" / "duckdb"
    if py.exists() and duck.exists():
        ok = subprocess.run([str(py), "-c", "import pandas"], capture_output=True).returncode == 0
        if ok:
            return py, duck
    try:
        run_checked([sys.executable, "-m", "venv", str(venv)])
        run_checked([str(py), "-m", "pip", "install", "--quiet", "--disable-pip-version-check", "duckdb-cli", "pandas"])
    except (subprocess.CalledProcessError, OSError) as e:
        say(f"warning: cannot install duckdb-cli and pandas ({e}); DuckDB and pandas are skipped")
        return None
    return py, duck


def dec(s):
    try:
        return Decimal(s)
    except (InvalidOperation, TypeError):
        return None


def sorted_rows(path):
    """The header, and the rows ordered by the unit's key (column 3), streamed
    through sort(1) so that 8,000,000 rows need no memory here."""
    with open(path, encoding="utf-8-sig", newline="") as f:
        header = next(csv.reader(f))
    if header.index(ID) != 2:
        raise SystemExit(f"{path}: `{ID}` is not the third column")
    env = dict(os.environ, LC_ALL="C")
    proc = subprocess.Popen(
        ["sh", "-c", 'tail -n +2 "$1" | sort -t, -k3,3 -S 20% --parallel=2', "sh", str(path)], stdout=subprocess.PIPE, env=env
    )
    rows = csv.reader(io.TextIOWrapper(proc.stdout, encoding="utf-8", newline=""))
    return header, rows, proc


def compare(reference_path, other_path, name):
    """How `other` differs from the exact reference: a dict of counts and examples.
    Both files are walked in key order (a merge), one row of each at a time."""
    header, ref_rows, p1 = sorted_rows(reference_path)
    other_header, other_rows, p2 = sorted_rows(other_path)
    first = header.index("可评先") + 1
    col = {k: header.index(k) for k in ("排名", "组内排名", "分组1", "总分", "等次", "一票否决", "可评先")}
    ocol = {k: other_header.index(k) for k in col}
    indicators = [(header.index(k), other_header.index(k)) for k in header[first:]]
    result = {
        "rows": 0,
        "missing_or_extra": 0,
        "header_differs": other_header != header,
        "total_differs": 0,
        "grade_differs": 0,
        "rank_differs": 0,
        "group_rank_differs": 0,
        "other_differs": 0,
        "inexact_cells": 0,
        "max_abs_error": "0",
        "examples": [],
        "rank_examples": [],
    }
    worst = Decimal(0)
    r = next(ref_rows, None)
    o = next(other_rows, None)
    while r is not None or o is not None:
        if o is None or (r is not None and r[2] < o[2]):
            result["missing_or_extra"] += 1
            result["rows"] += 1
            r = next(ref_rows, None)
            continue
        if r is None or o[2] < r[2]:
            result["missing_or_extra"] += 1
            o = next(other_rows, None)
            continue
        result["rows"] += 1
        problems = []
        if dec(o[ocol["总分"]]) != dec(r[col["总分"]]):
            result["total_differs"] += 1
            problems.append(f"总分 {o[ocol['总分']]} (exact {r[col['总分']]})")
        if o[ocol["等次"]] != r[col["等次"]]:
            result["grade_differs"] += 1
            problems.append(f"等次 {o[ocol['等次']]} (exact {r[col['等次']]})")
        if o[ocol["排名"]] != r[col["排名"]]:
            result["rank_differs"] += 1
            problems.append(f"排名 {o[ocol['排名']]} (exact {r[col['排名']]})")
        if o[ocol["组内排名"]] != r[col["组内排名"]]:
            result["group_rank_differs"] += 1
        if any(o[ocol[k]] != r[col[k]] for k in ("分组1", "一票否决", "可评先")):
            result["other_differs"] += 1
            problems.append("group, veto or award eligibility")
        for i, j in indicators:
            if o[j] != r[i]:
                a, b = dec(o[j]), dec(r[i])
                if a != b:
                    result["inexact_cells"] += 1
                    if a is not None and b is not None:
                        worst = max(worst, abs(a - b))
        # Grade and total differences are the ones to see first; rank shifts are many.
        serious = problems and not problems[0].startswith("排名")
        if serious and len(result["examples"]) < 5:
            result["examples"].append(f"{r[2]}: " + "; ".join(problems))
        elif problems and len(result["rank_examples"]) < 3:
            result["rank_examples"].append(f"{r[2]}: " + "; ".join(problems))
        r = next(ref_rows, None)
        o = next(other_rows, None)
    p1.wait()
    p2.wait()
    result["max_abs_error"] = str(worst)
    result["agrees"] = (
        result["missing_or_extra"] == 0
        and not result["header_differs"]
        and sum(result[k] for k in ("total_differs", "grade_differs", "rank_differs", "group_rank_differs", "other_differs", "inexact_cells")) == 0
    )
    say(f"{name}: " + ("agrees on every figure" if result["agrees"] else json.dumps({k: v for k, v in result.items() if v}, ensure_ascii=False)))
    return result


def callgrind(cmd, out_dir, label):
    """Instructions executed by cmd (valgrind callgrind), total."""
    out = out_dir / f"callgrind.{label}.out"
    run_checked(["valgrind", "--tool=callgrind", f"--callgrind-out-file={out}"] + cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    for line in out.read_text(encoding="utf-8", errors="replace").splitlines():
        if line.startswith("summary:") or line.startswith("totals:"):
            return int(line.split()[1])
    return None


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("n", nargs="?", type=int, default=100_000, help="number of people (default 100000)")
    ap.add_argument("--work", type=Path, default=ROOT / "target" / "compare", help="work folder (data, outputs, venv)")
    ap.add_argument("--repeat", type=int, default=1, help="runs per tool; the fastest is reported")
    ap.add_argument("--no-peers", action="store_true", help="skip DuckDB and pandas")
    ap.add_argument("--no-build", action="store_true", help="use the binaries already built")
    ap.add_argument("--instructions", action="store_true", help="also count instructions with callgrind (small N)")
    ap.add_argument("--tools", default="floor,kaohe,duckdb,pandas", help="which to run (comma-separated; the floor always runs)")
    args = ap.parse_args()
    work = args.work.resolve()
    work.mkdir(parents=True, exist_ok=True)

    if not args.no_build:
        run_checked(["cargo", "build", "--release", "--quiet", "--bin", "kaohe"], cwd=ROOT)
        run_checked(["cargo", "build", "--release", "--quiet", "--manifest-path", str(ROOT / "bench" / "floor" / "Cargo.toml")], cwd=ROOT)
    data = ensure_data(args.n, work)
    peers = None if args.no_peers else ensure_peers(work)
    outputs = work / f"out{args.n}"
    outputs.mkdir(exist_ok=True)

    sql = (HERE / "national.sql").read_text(encoding="utf-8")
    tools = [
        ("floor", "hand-written Rust, fixed point, 2 threads", lambda o: ([str(FLOOR), str(data), str(o)], None)),
        ("kaohe", "kaohe eval --format csv", lambda o: ([str(KAOHE), "eval", str(SCHEME), "--data", str(data), "--format", "csv", "-o", str(o)], None)),
    ]
    if peers:
        py, duck = peers
        version = subprocess.run([str(duck), "--version"], capture_output=True, text=True).stdout.strip()
        tools.append(("duckdb", f"DuckDB CLI {version} (duckdb-cli), national.sql", lambda o: ([str(duck)], sql.replace("{DATA}", str(data)).replace("{OUT}", str(o)))))
        pandas_version = subprocess.run([str(py), "-c", "import pandas; print(pandas.__version__)"], capture_output=True, text=True).stdout.strip()
        tools.append(("pandas", f"pandas {pandas_version}, national_pandas.py", lambda o: ([str(py), str(HERE / "national_pandas.py"), str(data), str(o)], None)))

    wanted = set(args.tools.split(",")) | {"floor"}
    tools = [t for t in tools if t[0] in wanted]
    info = machine()
    # The tools take turns, one run each per round: on a virtual machine
    # whose speed changes from minute to minute, a slow stretch then falls
    # on every tool rather than on all the runs of one.
    walls = {name: [] for name, _, _ in tools}
    peaks = {name: 0.0 for name, _, _ in tools}
    for _ in range(max(1, args.repeat)):
        for name, _, make in tools:
            out = outputs / f"{name}.csv"
            if out.exists():
                out.unlink()
            cmd, stdin_text = make(out)
            load = os.getloadavg()[0]
            wall, rss = measure(cmd, stdin_text)
            say(f"{name}: {wall:.2f} s, {rss:.0f} MB (load average before: {load:.2f})")
            walls[name].append(wall)
            peaks[name] = max(peaks[name], rss)
    results = [
        {"tool": name, "what": what, "wall_s": round(min(walls[name]), 3), "walls_s": [round(w, 3) for w in walls[name]],
         "peak_rss_mb": round(peaks[name]), "output": str(outputs / f"{name}.csv")}
        for name, what, _ in tools
    ]

    floor = next(r for r in results if r["tool"] == "floor")
    # The exact reference is kaohe's output; without kaohe (too large a run), the floor's, which agrees
    # with kaohe byte for byte wherever both run.
    has_kaohe = any(r["tool"] == "kaohe" for r in results)
    reference_tool = "kaohe" if has_kaohe else "floor"
    reference = outputs / f"{reference_tool}.csv"
    exact_ok = True
    for r in results:
        r["ratio_to_floor"] = round(r["wall_s"] / floor["wall_s"], 2) if floor["wall_s"] > 0 else None
        if r["tool"] == reference_tool:
            r["agreement"] = {"agrees": True, "note": "the reference"}
            continue
        r["agreement"] = compare(reference, r["output"], r["tool"])
        if r["tool"] == "floor":
            same_bytes = filecmp.cmp(r["output"], reference, shallow=False)
            r["agreement"]["same_bytes"] = same_bytes
            if not (same_bytes and r["agreement"]["agrees"]):
                exact_ok = False

    instructions = {}
    if args.instructions:
        for name, _, make in [t for t in tools if t[0] in ("floor", "kaohe")]:
            cmd, _ = make(outputs / f"{name}.callgrind.csv")
            count = callgrind(cmd, outputs, name)
            instructions[name] = {"instructions": count, "per_person": round(count / args.n) if count else None}
            say(f"{name}: {count:,} instructions, {instructions[name]['per_person']:,} per person")

    print()
    print(f"rules/national_individual.kh, {args.n:,} people ({sum(f.stat().st_size for f in data.glob('*.csv')) / 1e6:.0f} MB of CSV)")
    print(f"machine: {info['cores']} cores, {info['cpu']}, {info['memory_mb'] / 1024:.0f} GB RAM, {info['system']}")
    print()
    print(f"| tool | wall (s) | peak RSS (MB) | × floor | agreement with {reference_tool} |")
    print("|---|---:|---:|---:|---|")
    for r in results:
        a = r["agreement"]
        if r["tool"] == reference_tool:
            note = "reference" + ("" if has_kaohe else " (kaohe not run)")
        elif a.get("agrees"):
            note = "every figure" + (", same bytes" if a.get("same_bytes") else "")
        else:
            note = (
                f"{a['inexact_cells']} of {a['rows'] * 15} indicator figures inexact (max error {a['max_abs_error']}); "
                f"totals {a['total_differs']}, grades {a['grade_differs']}, ranks {a['rank_differs']}, group ranks {a['group_rank_differs']} differ"
            )
        print(f"| {r['tool']} | {r['wall_s']:.2f} | {r['peak_rss_mb']} | {r['ratio_to_floor']:.2f} | {note} |")
    if args.repeat > 1:
        for r in results:
            print(f"{r['tool']}, run by run: {', '.join(f'{w:.2f}' for w in r['walls_s'])} s")
    for name, v in instructions.items():
        print(f"{name}: {v['instructions']:,} instructions ({v['per_person']:,} per person)")
    (work / f"results-{args.n}.json").write_text(
        json.dumps({"people": args.n, "machine": info, "results": results, "instructions": instructions}, ensure_ascii=False, indent=2) + "\n",
        encoding="utf-8",
    )
    if not exact_ok:
        print("\nkaohe and the floor DISAGREE: see the differences above", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
