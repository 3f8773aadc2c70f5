"""The gate's closing line: how much of the listings it covered."""


def pytest_configure(config):
    config.gate_stats = {"exported": 0, "declared": 0, "listings": 0, "cases": {}, "properties": {}}


def pytest_terminal_summary(terminalreporter, config):
    s = config.gate_stats
    if not s["cases"] and not s["properties"]:
        return
    passed = sum(1 for ok in s["cases"].values() if ok)
    p_ok = sum(1 for ok in s["properties"].values() if ok)
    terminalreporter.write_line(
        f"robustness gate: {s['listings']} modules, "
        f"{s['declared']}/{s['exported']} exported functions declared; "
        f"bad-input cases: {passed}/{len(s['cases'])} passed; "
        f"property tests: {p_ok}/{len(s['properties'])} passed"
    )
