"""pytest plugin of the valgrind suite (ci/valgrind/suite.sh loads it with
-p): every Hypothesis test runs a fifth of its examples, at least ten.

Under memcheck each example costs tens of times what it costs natively,
and the property tests are most of the suite's time. Memcheck checks the
memory that each code path touches; the paths are the same with fewer
examples (the same tests run, with the same strategies, and Hypothesis
still tries its explicit and boundary examples first), so the suite keeps
its coverage of the code while the native run (ci/tests/test_archive.py)
keeps every example for the values. A test whose settings ask for ten or
fewer examples is left as it is.
"""

SCALE = 5
AT_LEAST = 10


def pytest_collection_modifyitems(items):
    from hypothesis import settings

    for item in items:
        fn = getattr(item, "obj", None)
        # @given's wrapper carries .hypothesis; a parametrized test is one
        # function shared by its items, scaled once.
        if getattr(fn, "hypothesis", None) is None or getattr(fn, "_valgrind_fewer_examples", False):
            continue
        # The settings the test asked for (@settings), read by the wrapper
        # when it runs, else the loaded profile's.
        asked = getattr(fn, "_hypothesis_internal_use_settings", None) or settings.default
        fn._hypothesis_internal_use_settings = settings(asked, max_examples=max(AT_LEAST, asked.max_examples // SCALE)
                                                        if asked.max_examples > AT_LEAST else asked.max_examples)
        fn._valgrind_fewer_examples = True
