#!/usr/bin/env python3
"""Wall time of short commands, run many times in turns: the fastest run,
the 10th and 25th percentiles and the median, with user and system time and
page faults per run (from the children's rusage).

    python3 bench/wall.py 300 target/release/kaohe eval rules/taizhou_department.kh --data examples/taizhou_department

For the municipal target (the whole process under 5 ms). `/bin/true` runs
in turns with the command, as the cost of starting any process at that
moment: on a virtual machine it changes from hour to hour.

Compare binaries with `--` between them and their arguments; all run in
turns, run by run:

    python3 bench/wall.py 500 /tmp/old/kaohe /tmp/new/kaohe -- eval rules/taizhou_department.kh --data examples/taizhou_department

Each run is started with `posix_spawn`, as a shell or `hyperfine` starts a
program: `subprocess.run` forks the Python process first, which adds about
0.5 ms to a run here. Keep the binaries compared in the same folder: on a
virtual machine the file system a binary is read from changes its page
faults.
"""
import os
import resource
import sys
import time


def run_once(command: list[str]) -> tuple[float, resource.struct_rusage]:
    """One run's wall time in seconds and its rusage."""
    to_null = [(os.POSIX_SPAWN_OPEN, 1, os.devnull, os.O_WRONLY, 0)]
    start = time.perf_counter()
    pid = os.posix_spawn(command[0], command, os.environ, file_actions=to_null)
    _, status, usage = os.wait4(pid, 0)
    took = time.perf_counter() - start
    if status != 0:
        sys.exit(f"{' '.join(command)} failed (wait status {status})")
    return took, usage


def summary(times: list[float], usages: list[resource.struct_rusage]) -> str:
    times = sorted(times)
    n = len(times)
    ms = lambda s: f"{s * 1e3:.2f}"
    user = sum(u.ru_utime for u in usages) / n
    system = sum(u.ru_stime for u in usages) / n
    faults = sum(u.ru_minflt for u in usages) / n
    return (
        f"min {ms(times[0])} p10 {ms(times[n // 10])} p25 {ms(times[n // 4])} median {ms(times[n // 2])} ms; "
        f"user {ms(user)} system {ms(system)} ms; page faults {faults:.0f} a run"
    )


def main() -> None:
    if len(sys.argv) < 3 or not sys.argv[1].isdigit():
        sys.exit(__doc__)
    runs, rest = int(sys.argv[1]), sys.argv[2:]
    if "--" in rest:
        cut = rest.index("--")
        commands = [[binary] + rest[cut + 1 :] for binary in rest[:cut]]
    else:
        commands = [rest]
    commands.append(["/bin/true"])
    results = [([], []) for _ in commands]
    for _ in range(runs):
        for command, (times, usages) in zip(commands, results):
            took, usage = run_once(command)
            times.append(took)
            usages.append(usage)
    width = max(len(c[0]) for c in commands)
    for command, (times, usages) in zip(commands, results):
        print(f"{command[0]:{width}}  {summary(times, usages)}")


if __name__ == "__main__":
    main()
