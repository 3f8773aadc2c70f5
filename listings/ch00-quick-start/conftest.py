# This folder holds the files of the quick start's project, not a listing:
# its test_ewma.py imports `ewma`, which only exists inside the project that
# ci/chapters/quickstart.py builds. ci/tests/test_quickstart.py runs it there.
collect_ignore_glob = ["*.py", "tests/*.py"]
