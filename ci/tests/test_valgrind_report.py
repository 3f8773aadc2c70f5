"""listings/ch03-valgrind/valgrind_report.py: how the baseline generalises
suppressions, and how a report is trimmed for the page (no valgrind needed)."""

import importlib.util
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
spec = importlib.util.spec_from_file_location("valgrind_report",
                                              ROOT / "listings" / "ch03-valgrind" / "valgrind_report.py")
vr = importlib.util.module_from_spec(spec)
spec.loader.exec_module(vr)


def sup(kind, *frames, leak=False):
    head = ["{", "   <insert_a_suppression_name_here>", f"   Memcheck:{kind}"]
    if leak:
        head.append("   match-leak-kinds: definite")
    return "\n".join(head + [f"   {f}" for f in frames] + ["}"])


def test_rust_and_llvm_hashes_and_paths_are_wildcarded_inlined_frames_become_dots():
    raw = sup("Leak", "fun:malloc", "fun:_PyObject_New",
              "fun:_ZN4pyo35types7capsule9PyCapsule3new17h0123456789abcdefE",
              "fun:UnknownInlinedFun", "fun:UnknownInlinedFun",
              "fun:_ZN9once_cell3imp18initialize_or_wait17hfedcba9876543210E.llvm.4968944690898784231",
              "obj:/home/someone/.venv/lib/numpy/_core/_multiarray_umath.so", "fun:more", leak=True)
    head, frames = vr.clean_suppression(raw, "mended")
    assert head == ["Memcheck:Leak", "match-leak-kinds: definite"]
    assert frames == ["fun:malloc", "fun:_PyObject_New", "fun:_ZN4pyo35types7capsule9PyCapsule3new17h*E",
                      "...", "fun:_ZN9once_cell3imp18initialize_or_wait17h*E.llvm.*",
                      "obj:*/_multiarray_umath.so"]


def test_a_stack_is_cut_where_the_known_good_listing_begins():
    raw = sup("Leak", "fun:malloc", "fun:PyCapsule_New", "fun:_ZN6mended6mended20__pyfunction_cumsum17h0123456789abcdefE",
              "fun:cfunction_vectorcall_FASTCALL_KEYWORDS", leak=True)
    # (valgrind matches a suppression against the top of a stack: no "..." needed at the end)
    assert vr.clean_suppression(raw, "mended")[1] == ["fun:malloc", "fun:PyCapsule_New"]


def test_a_leak_allocated_by_the_listing_itself_is_never_suppressed():
    raw = sup("Leak", "fun:calloc", "fun:UnknownInlinedFun", "fun:_ZN5alloc7raw_vec11finish_grow17h0123456789abcdefE",
              "fun:_ZN6mended6mended20__pyfunction_cumsum17h0123456789abcdefE", "fun:PyObject_Vectorcall", leak=True)
    assert vr.clean_suppression(raw, "mended") is None


def test_uninitialised_value_errors_keep_two_frames_invalid_reads_four():
    cond = sup("Cond", "fun:maybe_small_long", "fun:_PyLong_FromByteArray", "fun:int_from_bytes_impl",
               "fun:int_from_bytes", "fun:cfunction_vectorcall")
    assert vr.clean_suppression(cond, "mended")[1] == ["fun:maybe_small_long", "fun:_PyLong_FromByteArray"]
    addr = sup("Addr8", "fun:strncmp", "fun:is_dst", "fun:_dl_dst_count", "fun:expand_dynamic_string_token",
               "fun:fillin_rpath.isra.0")
    assert vr.clean_suppression(addr, "mended")[1] == ["fun:strncmp", "fun:is_dst", "fun:_dl_dst_count",
                                                       "fun:expand_dynamic_string_token"]


REPORT = """\
==4242== Memcheck, a memory error detector
==4242== Copyright (C) 2002-2022, and GNU GPL'd, by Julian Seward et al.
==4242== Command: python exercise.py
==4242== 
==4242== Invalid read of size 16
==4242==    at 0x8165F53: UnknownInlinedFun (kernel.rs:17)
==4242==    by 0x8165F53: leaky::leaky::__pyfunction_interp (lib.rs:28)
==4242==    by 0x8164B2F: pyo3::impl_::trampoline::trampoline (src/impl_/trampoline.rs:315)
==4242==  Address 0xd7c9ae8 is 32 bytes inside a block of size 40 alloc'd
==4242==    at 0x48417B4: malloc (in /usr/libexec/valgrind/vgpreload_memcheck-amd64-linux.so)
==4242==    by 0x5EA96CD: PyDataMem_UserNEW (in numpy.so)
==4242==    by 0x5ECC10D: PyArray_NewFromDescr_int (in numpy.so)
==4242==    by 0x5ECF325: PyArray_ArangeObj (in numpy.so)
==4242==    by 0x5F22ECE: array_arange (in numpy.so)
==4242== 
==4242== Conditional jump or move depends on uninitialised value(s)
==4242==    at 0x49E04DA: maybe_small_long (longobject.c:71)
==4242== 
==4242== LEAK SUMMARY:
==4242==    definitely lost: 0 bytes in 0 blocks
==4242== Reachable blocks (those to which a pointer was found) are not shown.
==4242== 
==4242== For lists of detected and suppressed errors, rerun with: -s
==4242== ERROR SUMMARY: 1 errors from 1 contexts (suppressed: 3 from 2)
"""


def test_show_keeps_the_focused_records_cut_below_the_pyfunction(tmp_path):
    (tmp_path / "report.txt").write_text(REPORT)
    out = vr.show(tmp_path, "leaky::")
    assert "==4242==" not in out and "0x8165F53" not in out
    assert "==…==    by 0x…: leaky::leaky::__pyfunction_interp (lib.rs:28)" in out
    assert "trampoline (src" not in out  # cut below the #[pyfunction]
    assert "==…==  Address 0x… is 32 bytes inside a block of size 40 alloc'd" in out
    assert "PyArray_NewFromDescr_int" in out and "PyArray_ArangeObj" not in out
    assert "maybe_small_long" not in out  # not focused
    assert out.endswith("==…== ERROR SUMMARY: 1 errors from 1 contexts (suppressed: 3 from 2)")


def test_parse_reads_errors_and_counts(tmp_path):
    (tmp_path / "report.txt").write_text(REPORT)
    (tmp_path / "program.txt").write_text("interp: 4.0\n")
    (tmp_path / "status.json").write_text('{"status": 99}')
    r = vr.parse(tmp_path)
    assert [e["kind"] for e in r["errors"]] == ["InvalidRead", "UninitCondition"]
    assert r["errors"][0]["stack"][1] == {"fn": "leaky::leaky::__pyfunction_interp", "obj": None,
                                          "file": "lib.rs", "line": "28"}
    assert (r["status"], r["error_count"], r["suppressed"]) == (99, 1, 3)


# --- the cache keys (no valgrind needed) --------------------------------------

def key_inputs(tmp_path, monkeypatch):
    """A stand-in wrapper, suppression file, input folder and copy of the script."""
    monkeypatch.setattr(vr, "versions", lambda: "valgrind-3.19.0\nPython 3.11\n")
    wrapper = tmp_path / "valgrind_py.sh"
    wrapper.write_text("exec valgrind \"$@\"\n")
    monkeypatch.setattr(vr, "WRAPPER", wrapper)
    script = tmp_path / "valgrind_report.py"
    script.write_bytes(Path(vr.__file__).read_bytes())
    monkeypatch.setattr(vr, "__file__", str(script))
    supp = tmp_path / "baseline.supp"
    supp.write_text("{\n   a\n   Memcheck:Leak\n   fun:malloc\n}\n")
    listing = tmp_path / "listing"
    (listing / "src").mkdir(parents=True)
    (listing / "src" / "lib.rs").write_text("fn f() {}\n")
    (listing / "exercise.py").write_text("print(1)\n")
    return {"wrapper": wrapper, "script": script, "supp": supp, "listing": listing}


def test_the_cache_key_changes_with_everything_a_run_depends_on(tmp_path, monkeypatch):
    f = key_inputs(tmp_path, monkeypatch)

    def key():
        return vr.run_key(["python", "exercise.py"], f["listing"], [f["listing"]], [f["supp"]])

    seen = {key()}
    assert key() in seen  # stable
    edits = {
        "the listing's code": lambda: (f["listing"] / "src" / "lib.rs").write_text("fn f() { g() }\n"),
        "the program it runs": lambda: (f["listing"] / "exercise.py").write_text("print(2)\n"),
        "the suppressions": lambda: f["supp"].write_text(f["supp"].read_text() + "\n# more\n"),
        "valgrind_py.sh": lambda: f["wrapper"].write_text("exec valgrind -q \"$@\"\n"),
        "valgrind_report.py itself": lambda: f["script"].write_text(f["script"].read_text() + "\n# edited\n"),
        "a tool's version": lambda: monkeypatch.setattr(vr, "versions", lambda: "valgrind-3.20.0\nPython 3.11\n"),
    }
    for what, edit in edits.items():
        edit()
        k = key()
        assert k not in seen, f"the cache key did not change when {what} changed"
        seen.add(k)
    # Build output and caches in the listing's folder do not count.
    (f["listing"] / "target").mkdir()
    (f["listing"] / "target" / "x.so").write_text("binary")
    (f["listing"] / "__pycache__").mkdir()
    (f["listing"] / "__pycache__" / "x.pyc").write_text("bytecode")
    assert key() in seen


def test_the_baseline_follows_the_known_good_runs_and_the_hand_written_file(tmp_path, monkeypatch):
    f = key_inputs(tmp_path, monkeypatch)
    monkeypatch.setattr(vr, "CACHE", tmp_path / "cache")
    (tmp_path / "cache").mkdir()
    monkeypatch.setattr(vr, "build_known_good_ext", lambda: None)
    extra = tmp_path / "cpython.supp"
    extra.write_text("# hand-written\n")
    monkeypatch.setattr(vr, "EXTRA", extra)
    runs = []

    def fake_run(cmd, cwd, inputs, supps, gen_supp=False):
        runs.append((cmd, Path(cwd), [Path(i) for i in inputs], gen_supp))
        return tmp_path

    generated = [sup("Cond", "fun:maybe_small_long", "fun:_PyLong_FromByteArray", "fun:int_from_bytes_impl")]
    monkeypatch.setattr(vr, "run", fake_run)
    monkeypatch.setattr(vr, "parse", lambda folder: {"status": 0, "program": "", "suppressions": generated})
    first = vr.baseline()
    # Both known-good programs run with --gen-suppressions, each keyed by its own files.
    assert [r[3] for r in runs] == [True, True]
    assert runs[0][1] == vr.KNOWN_GOOD and set(runs[0][2]) == {vr.KNOWN_GOOD / "known_good.py",
                                                              vr.KNOWN_GOOD / "pytest.ini"}
    assert runs[1][1] == vr.KNOWN_GOOD_EXT and runs[1][2] == [vr.KNOWN_GOOD_EXT]
    text = first.read_text()
    assert "fun:maybe_small_long" in text and text.endswith("# hand-written\n")
    # The file is named by its content: a change of the hand-written part or
    # of what the known-good runs generate is a new file, so every run that
    # uses the baseline gets a new key.
    extra.write_text("# hand-written, edited\n")
    second = vr.baseline()
    generated.append(sup("Addr8", "fun:strncmp", "fun:is_dst"))
    third = vr.baseline()
    assert len({first.name, second.name, third.name}) == 3
    assert vr.baseline() == third


def test_the_valgrind_suite_runs_a_fifth_of_each_property_tests_examples(tmp_path):
    """ci/valgrind/fewer_examples.py, which the suite loads with -p: 200
    examples become 40, 30 become at least 10, 8 stay 8."""
    import os
    import subprocess
    import sys
    (tmp_path / "test_counts.py").write_text(
        "from hypothesis import given, settings, strategies as st\n"
        "SEEN = {}\n"
        "def make(n):\n"
        "    @settings(max_examples=n, deadline=None, database=None)\n"
        "    @given(st.integers())\n"
        "    def t(x):\n"
        "        SEEN[n] = SEEN.get(n, 0) + 1\n"
        "    return t\n"
        "test_200, test_30, test_8 = make(200), make(30), make(8)\n"
        "def test_zz_counts():\n"
        "    assert SEEN == {200: 40, 30: 10, 8: 8}, SEEN\n")
    env = dict(os.environ, PYTHONPATH=str(ROOT / "ci" / "valgrind"))
    p = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-p", "fewer_examples",
                        "-p", "no:randomly", str(tmp_path / "test_counts.py")],
                       cwd=tmp_path, env=env, capture_output=True, text=True)
    assert p.returncode == 0, p.stdout + p.stderr
