"""listings/benchkit.py, the machinery every bench.py shares: the order of
the interleaved rounds, the calls a round, the cache and its key. Nothing
here is timed: the implementations are stand-ins that record their calls."""

import importlib.util
import json
import sys
import time
from pathlib import Path

import pytest

spec = importlib.util.spec_from_file_location("benchkit", Path(__file__).resolve().parents[2] / "listings" / "benchkit.py")
bk = importlib.util.module_from_spec(spec)
spec.loader.exec_module(bk)


def recorder():
    calls = []
    return calls, {name: (lambda name=name: calls.append(name)) for name in "abc"}


def test_interleave_rotates_the_order_and_drops_the_warmup_rounds():
    calls, impls = recorder()
    times = bk.interleave(impls, {"a": 1, "b": 2, "c": 1}, rounds=3, warmup_rounds=1)
    # Round r starts with the r-th implementation (mod 3); b is called twice a turn.
    assert calls == ["a", "b", "b", "c",  # the warm-up round, dropped
                     "b", "b", "c", "a",
                     "c", "a", "b", "b",
                     "a", "b", "b", "c"]
    assert {name: len(t) for name, t in times.items()} == {"a": 3, "b": 3, "c": 3}
    assert all(s >= 0 for t in times.values() for s in t)


def test_summary_is_the_minimum_and_the_median():
    assert bk.summary({"x": [3.0, 1.0, 2.0, 10.0, 4.0]}) == {"x": (1.0, 3.0)}


def test_run_case_calls_each_implementation_the_same_number_of_times_a_round(monkeypatch):
    calls, impls = recorder()
    monkeypatch.setattr(bk, "calls_per_round", lambda f, seconds, calibrate=1: {
        impls["a"]: 4, impls["b"]: 2, impls["c"]: 1}[f])
    res = bk.run_case(impls, rounds=5, round_seconds=0.01)
    assert [calls.count(n) for n in "abc"] == [5 * 4, 5 * 2, 5 * 1]
    assert set(res) == set("abc") and all(lo <= med for lo, med in res.values())
    calls.clear()
    bk.run_case(impls, rounds=5, round_seconds=0.01, same_number=True)  # the first one's number for all
    assert [calls.count(n) for n in "abc"] == [5 * 4] * 3


def test_calls_per_round_warms_up_then_fills_the_round(monkeypatch):
    calls, impls = recorder()
    monkeypatch.setattr(bk, "per_call", lambda f, number: calls.append(number) or 0.001)
    assert bk.calls_per_round(impls["a"], 0.02, calibrate=10) == 20
    assert calls == ["a", 10]  # one warm-up call, then ten timed ones
    monkeypatch.setattr(bk, "per_call", lambda f, number: 1.0)
    assert bk.calls_per_round(impls["a"], 0.02) == 1  # never zero


@pytest.fixture
def listing(tmp_path):
    d = tmp_path / "listing"
    (d / "src").mkdir(parents=True)
    (d / "src" / "lib.rs").write_text("fn f() {}\n")
    (d / "Cargo.toml").write_text("[package]\n")
    (d / "Cargo.lock").write_text("# lock\n")
    script = tmp_path / "bench.py"
    script.write_text("# a bench\n")
    return script, d


def test_key_covers_the_script_the_sources_the_lock_and_the_versions(listing):
    script, d = listing
    first = bk.key(script, [d], [pytest])
    assert bk.key(script, [d], [pytest]) == first  # unchanged inputs, same key
    (d / "README.md").write_text("prose\n")
    assert bk.key(script, [d], [pytest]) == first  # not an input
    changed = set()
    for path, text in ((d / "src" / "lib.rs", "fn g() {}\n"), (d / "Cargo.lock", "# other\n"),
                       (d / "Cargo.toml", "[lib]\n"), (script, "# changed\n")):
        old = path.read_text()
        path.write_text(text)
        changed.add(bk.key(script, [d], [pytest]))
        path.write_text(old)
    assert first not in changed and len(changed) == 4
    assert bk.key(script, [d], [pytest, json]) != first  # another module's version


def test_cached_reuses_a_run_until_fresh(tmp_path, monkeypatch):
    monkeypatch.setattr(bk, "CACHE", tmp_path / "cache")
    monkeypatch.setattr(sys, "argv", ["bench.py"])
    runs = []

    def measure():
        runs.append(1)
        return {"run": len(runs), "pair": (1.5, 2.5)}

    assert bk.cached("t", "k1", measure) == {"run": 1, "pair": [1.5, 2.5]}  # as JSON gives it back
    assert bk.cached("t", "k1", measure) == {"run": 1, "pair": [1.5, 2.5]}  # from the cache
    assert json.loads((tmp_path / "cache" / "bench-t-k1.json").read_text())["run"] == 1
    assert bk.cached("t", "k2", measure)["run"] == 2  # another key measures
    monkeypatch.setattr(sys, "argv", ["bench.py", "--fresh"])
    assert bk.cached("t", "k1", measure)["run"] == 3  # --fresh measures and stores
    assert bk.cached("t", "k1", measure, fresh=False)["run"] == 3
    assert len(runs) == 3
    assert sorted(p.name for p in (tmp_path / "cache").iterdir()) == ["bench-t-k1.json", "bench-t-k2.json",
                                                                       "bench-t.lock"]


def test_measure_after_applies_only_to_the_named_runs(tmp_path, monkeypatch):
    # ci/book.sh measures again only the runs behind a false claim; a section
    # that also reads another run must get that run's stored numbers.
    monkeypatch.setattr(bk, "CACHE", tmp_path / "cache")
    monkeypatch.setattr(sys, "argv", ["bench.py"])
    runs = []

    def measure():
        runs.append(1)
        return {"run": len(runs)}

    assert bk.cached("table", "k", measure)["run"] == 1
    assert bk.cached("first", "k", measure)["run"] == 2
    monkeypatch.setenv("BENCHKIT_MEASURE_AFTER", str(time.time() + 60))  # both stored runs are older
    monkeypatch.setenv("BENCHKIT_MEASURE_RUNS", "table")
    assert bk.cached("first", "k", measure)["run"] == 2  # not named: the stored run
    assert bk.cached("table", "k", measure)["run"] == 3  # named and older: measured again
    monkeypatch.delenv("BENCHKIT_MEASURE_RUNS")
    assert bk.cached("first", "k", measure)["run"] == 2  # no names, nothing measured again
    assert len(runs) == 3


def test_fmt_and_flags_text():
    assert [bk.fmt(t) for t in (4.2e-7, 3.25e-5, 0.0123)] == ["420 ns", "32.5 µs", "12.30 ms"]
    assert bk.flags_text({"sse2": True, "avx2": False}) == "CPU flags: sse2 (no avx2)"
    assert bk.flags_text({}) == "CPU flags unknown"
