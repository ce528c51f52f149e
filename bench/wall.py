#!/usr/bin/env python3
"""Wall time of a short command, run many times: the fastest run, the
quartile and the median, with user and system time and page faults per
run (from the children's rusage).

    python3 bench/wall.py 300 target/release/kaohe eval rules/taizhou_department.kh --data examples/taizhou_department

For the municipal target (the whole process under 5 ms). Compare two
binaries by running them in turns, each lying in the same folder: on a
virtual machine the file system a binary is read from changes its page
faults.
"""
import resource
import subprocess
import sys
import time


def main() -> None:
    if len(sys.argv) < 3 or not sys.argv[1].isdigit():
        sys.exit(__doc__)
    runs, command = int(sys.argv[1]), sys.argv[2:]
    times = []
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run(command, stdout=subprocess.DEVNULL, check=True)
        times.append(time.perf_counter() - start)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    times.sort()
    ms = lambda s: f"{s * 1e3:.2f}"
    print(
        f"min {ms(times[0])} p25 {ms(times[runs // 4])} median {ms(times[runs // 2])} ms; "
        f"user {ms((after.ru_utime - before.ru_utime) / runs)} system {ms((after.ru_stime - before.ru_stime) / runs)} ms; "
        f"page faults {(after.ru_minflt - before.ru_minflt) / runs:.0f} a run"
    )


if __name__ == "__main__":
    main()
