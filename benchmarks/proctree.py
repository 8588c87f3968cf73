"""Resident memory of a process tree, sampled from /proc while it runs (benchmarks only)."""

from __future__ import annotations

import os
import subprocess
import time
from dataclasses import dataclass, field
from pathlib import Path


def tree_rss_mb(root_pid: int) -> tuple[float, float, str]:
    """(sum over the process tree, largest single process, what that process runs) of resident memory, MB."""
    children: dict[int, list[int]] = {}
    rss: dict[int, float] = {}
    names: dict[int, str] = {}
    page_mb = os.sysconf("SC_PAGE_SIZE") / 2**20
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            pages = int((entry / "statm").read_text().split()[1])
            argv = (entry / "cmdline").read_bytes().decode(errors="replace").split("\0")
        except (OSError, IndexError, ValueError):
            continue
        pid = int(entry.name)
        children.setdefault(int(stat[1]), []).append(pid)
        rss[pid] = pages * page_mb
        names[pid] = " ".join(Path(a).name for a in argv[1:3])
    total, largest, name, todo = 0.0, 0.0, "", [root_pid]
    while todo:
        pid = todo.pop()
        total += rss.get(pid, 0.0)
        if rss.get(pid, 0.0) > largest:
            largest, name = rss[pid], names.get(pid, "?")
        todo += children.get(pid, [])
    return total, largest, name


@dataclass
class Sampled:
    returncode: int
    stdout: str
    stderr: str
    seconds: float
    tree_mb: float = 0.0
    largest_mb: float = 0.0
    largest: str = ""
    samples: list[tuple[float, float]] = field(default_factory=list)  # (time since the epoch, tree MB)


def run_sampled(argv: list[str], env: dict[str, str], cwd: Path, every: float = 0.2) -> Sampled:
    """Run ``argv``, sampling its tree's memory every ``every`` seconds."""
    started = time.monotonic()
    proc = subprocess.Popen(argv, env=env, cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    out = Sampled(0, "", "", 0.0)
    while proc.poll() is None:
        total, one, name = tree_rss_mb(proc.pid)
        out.samples.append((time.time(), total))
        out.tree_mb = max(out.tree_mb, total)
        if one > out.largest_mb:
            out.largest_mb, out.largest = one, name
        time.sleep(every)
    stdout, stderr = proc.communicate()
    out.returncode, out.stdout, out.stderr = proc.returncode, stdout.decode(), stderr.decode()
    out.seconds = time.monotonic() - started
    return out
