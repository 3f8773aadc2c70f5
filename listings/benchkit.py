"""What every `bench.py` of the book shares: timing side by side, the cache,
and the description of the machine. Each bench.py keeps its own cases and
writes its own tables and sentences from the numbers; it imports the rest
from here. Run a benchmark from the repository's root, after building the
listings it imports:

    python listings/chNN-slug/listing-NN-MM/bench.py [--fresh] [its sections]

Timing (`run_case`). All the implementations of a case are timed in one
process, in turn, round after round, the order rotating by one each round,
so that a noisy neighbour slows all of them alike and none always goes
first. In a round each implementation is called enough times in a row to
last about `round_seconds`: that number is set once, before the rounds, from
one warm-up call and one timed call (`calibrate` calls for very short ones),
for each implementation or, with `same_number=True`, from the first one for
all. The result is the minimum and the median over the rounds of the time a
call, in seconds; reports compare the minima, the least disturbed rounds.

Cache (`cached`). The measurement, a JSON document, is stored as
target/cache/bench-NAME-KEY.json. KEY (`key`) is a hash of everything the
numbers depend on: the bench script, this module, the sources of the
listings it names (`src/**/*.rs|c|h`, `*.toml`, `Cargo.lock`, `setup.py`),
`rustc -vV`, the Python version, the versions of the Python modules it names
and the number of CPUs. While they are unchanged, a run prints the stored
numbers again (so a rebuild of the book reuses them); a change measures
anew. target/cache/bench-NAME.lock lets one run of a bench measure at a time:
when the book asks for two sections at once, the second waits and then
reads what the first stored. `--fresh` on the command line measures again
whatever the cache holds, and stores the new run; so does a stored run
older than BENCHKIT_MEASURE_AFTER (seconds since the epoch) whose name is in
BENCHKIT_MEASURE_RUNS, which ci/book.sh sets when it measures again the runs
behind a false claim.

Numbers for the prose (`numbers`). A report ends with one HTML comment that
carries the run's numbers by name, `<!-- numbers ch09 {"min.1e7.rust": ...} -->`:
invisible on the page, and read by ci/checks/claims.py after the book is
built, which checks every `<!-- claim: ... -->` that a chapter's prose puts
next to a sentence against the numbers of the same build (CONTRIBUTING.md,
"A sentence that reads a number").
"""

import datetime
import fcntl
import hashlib
import json
import os
import platform
import statistics
import subprocess
import sys
import sysconfig
import time
from pathlib import Path

LISTINGS = Path(__file__).resolve().parent
CACHE = LISTINGS.parent / "target" / "cache"
SOURCE_SUFFIXES = (".rs", ".c", ".h")


# Timing.


def per_call(f, number):
    """Seconds a call of f, over `number` calls in a row."""
    t = time.perf_counter()
    for _ in range(number):
        f()
    return (time.perf_counter() - t) / number


def calls_per_round(f, round_seconds, calibrate=1):
    """How many calls of f in a row last about round_seconds."""
    f()  # warm up (and fault in anything the first call touches)
    return max(1, int(round_seconds / max(per_call(f, calibrate), 1e-9)))


def interleave(impls, numbers, rounds, warmup_rounds=0):
    """Time each of impls ({name: callable}) `numbers[name]` calls at a time,
    in turn, rotating the order each round. The first warmup_rounds rounds
    are run but dropped. Returns {name: [seconds a call, one per round]}."""
    times = {name: [] for name in impls}
    names = list(impls)
    for r in range(warmup_rounds + rounds):
        for name in names[r % len(names):] + names[: r % len(names)]:
            t = per_call(impls[name], numbers[name])
            if r >= warmup_rounds:
                times[name].append(t)
    return times


def summary(times):
    """{name: (minimum, median)} of {name: [seconds]}."""
    return {name: (min(t), statistics.median(t)) for name, t in times.items()}


def run_case(impls, rounds, round_seconds, *, same_number=False, calibrate=1):
    """Time impls ({name: callable}) side by side: {name: (min, median)} in
    seconds a call, over `rounds` interleaved rounds of about round_seconds."""
    if same_number:
        number = calls_per_round(next(iter(impls.values())), round_seconds, calibrate)
        numbers = dict.fromkeys(impls, number)
    else:
        numbers = {name: calls_per_round(f, round_seconds, calibrate) for name, f in impls.items()}
    return summary(interleave(impls, numbers, rounds))


# The cache.


def key(script, listings=(), modules=()):
    """A hash of the bench script, this module, the listings' sources, rustc,
    Python, the modules' versions and the number of CPUs."""
    h = hashlib.sha256()
    for p in (Path(script), Path(__file__)):
        h.update(p.read_bytes())
    for d in map(Path, listings):
        files = sorted(p for p in (d / "src").rglob("*") if p.suffix in SOURCE_SUFFIXES)
        files += sorted(d.glob("*.toml")) + [p for p in (d / "Cargo.lock", d / "setup.py") if p.is_file()]
        for p in files:
            h.update(f"{p.relative_to(d)}\0".encode() + p.read_bytes())
    h.update(subprocess.run(["rustc", "-vV"], capture_output=True, text=True).stdout.encode())
    h.update(sys.version.encode())
    for m in modules:
        h.update(f"\0{m.__name__} {m.__version__}".encode())
    h.update(f"\0{os.cpu_count()}".encode())
    return h.hexdigest()[:16]


def cached(name, key, measure, fresh=None):
    """The stored measurement for this key, or measure()'s, stored first.
    fresh (by default: --fresh on the command line) measures anyway. Either
    way the caller gets the data as read back from JSON, so a fresh run and
    a cached one print alike."""
    if fresh is None:
        fresh = "--fresh" in sys.argv[1:]
    CACHE.mkdir(parents=True, exist_ok=True)
    path = CACHE / f"bench-{name}-{key}.json"
    # BENCHKIT_MEASURE_AFTER (seconds since the epoch) and BENCHKIT_MEASURE_RUNS
    # (names), which ci/book.sh sets when it measures again the runs behind a
    # false claim: a stored measurement of one of those runs older than that
    # is measured again, once; the next section of the same bench reads the
    # new one. Only those runs: a section that also reads another run (chapter
    # 13's summary reads the first calls') must get the numbers its own page
    # shows (run r15: the first calls measured anew by the summary disagreed
    # with the section that showed them, and the build failed).
    after = float(os.environ.get("BENCHKIT_MEASURE_AFTER") or 0)
    if name not in os.environ.get("BENCHKIT_MEASURE_RUNS", "").split():
        after = 0
    # One measurement at a time, even if the book asks for two sections at once.
    with open(CACHE / f"bench-{name}.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if fresh or not path.exists() or path.stat().st_mtime < after:
            data = measure()
            tmp = path.with_suffix(".tmp")
            tmp.write_text(json.dumps(data))
            tmp.replace(path)
        return json.loads(path.read_text())


# The machine and the tools.


def today():
    return f"{datetime.datetime.now(datetime.timezone.utc):%Y-%m-%d}"


def load():
    """The one-minute load average."""
    return os.getloadavg()[0]


def cpu_model():
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def cpu_flags(names=("sse2", "avx", "avx2", "fma", "avx512f")):
    """{flag: bool} for the SIMD extensions named, as the CPU reports them
    ({} where /proc/cpuinfo does not say)."""
    try:
        line = next(l for l in Path("/proc/cpuinfo").read_text().splitlines() if l.startswith("flags"))
    except (OSError, StopIteration):
        return {}
    have = set(line.split(":", 1)[1].split())
    return {f: f in have for f in names}


def flags_text(flags):
    if not flags:
        return "CPU flags unknown"
    has = [f for f, on in flags.items() if on]
    lacks = [f for f, on in flags.items() if not on]
    return "CPU flags: " + " ".join(has) + (f" (no {', '.join(lacks)})" if lacks else "")


def python_numpy():
    """'Python 3.x.y, NumPy 2.x.y'."""
    import numpy as np

    return f"Python {platform.python_version()}, NumPy {np.__version__}"


def rustc_version():
    return subprocess.run(["rustc", "--version"], capture_output=True, text=True).stdout.split()[1]


def c_compiler():
    """The first line of `cc --version`, for the compiler Python builds extensions with."""
    cc_name = (sysconfig.get_config_var("CC") or "cc").split()[0]
    try:
        return subprocess.run([cc_name, "--version"], capture_output=True, text=True).stdout.splitlines()[0]
    except (OSError, IndexError):
        return cc_name


def measured_by(data, rounds, round_seconds):
    """The line under a table: when, on what, under what load, with which
    tools. data holds "date", "machine", "load" (at the start and at the
    end) and "versions"."""
    return (f"Measured by `bench.py` on {data['date']}, {data['machine']} (shared with other jobs: load "
            f"average {data['load'][0]:.2f} at the start, {data['load'][1]:.2f} at the end); "
            f"{data['versions']}; {rounds} interleaved rounds of about {round_seconds * 1e3:.0f} ms each.")


def flatten(values, prefix=""):
    """{"a": {"b": 1}} as {"a.b": 1}; keys in lower case, anything but letters,
    digits and underscores turned into "_"."""
    flat = {}
    for k, v in values.items():
        k = prefix + "".join(c if c.isalnum() or c == "_" else "_" for c in str(k).lower())
        if isinstance(v, dict):
            flat.update(flatten(v, k + "."))
        elif isinstance(v, (bool, int, float)):
            flat[k] = v
        else:
            raise TypeError(f"{k}: a number or a bool, not {type(v).__name__}")
    return flat


def numbers(name, values, load):
    """The line that ends a report: this run's numbers, named `NAME.KEY`, in an
    HTML comment for ci/checks/claims.py. values may nest ({"min": {"1e7": ...}}
    is `NAME.min.1e7`); every leaf is a number or a bool. load is the one-minute
    load average when the run started: with the number of CPUs it becomes
    `NAME.run.load` and `NAME.run.cores`, which tell the check whether other
    work crowded the run (more runnable processes than cores)."""
    if not name.replace("_", "").isalnum() or not name[0].isalpha():
        raise ValueError(f"bad name {name!r}: letters, digits and underscores, starting with a letter")
    flat = flatten(values)
    flat.update({"run.load": round(float(load), 2), "run.cores": os.cpu_count()})
    return f"<!-- numbers {name} {json.dumps(flat, sort_keys=True)} -->"


def fmt(t):
    """Seconds as ns, µs or ms."""
    if t < 1e-6:
        return f"{t * 1e9:.0f} ns"
    if t < 1e-3:
        return f"{t * 1e6:.1f} µs"
    return f"{t * 1e3:.2f} ms"
