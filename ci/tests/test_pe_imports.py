"""ci/chapters/pe-imports.py: the import-table reader that the Windows CI job uses to
check chapter 2's claim (a dev-profile Rust extension links the release C
runtime). Tested here on the Windows launchers that setuptools ships."""

import importlib.machinery
import importlib.util
from pathlib import Path

import pytest
import setuptools

ROOT = Path(__file__).resolve().parents[2]
loader = importlib.machinery.SourceFileLoader("pe_imports", str(ROOT / "ci" / "chapters" / "pe-imports.py"))
spec = importlib.util.spec_from_loader("pe_imports", loader)
pe = importlib.util.module_from_spec(spec)
loader.exec_module(pe)

LAUNCHERS = Path(setuptools.__file__).parent


@pytest.mark.parametrize("name", ["cli-64.exe", "cli-32.exe", "cli-arm64.exe"])
def test_reads_the_import_table_of_pe32_and_pe32_plus(name):
    names = pe.imports(LAUNCHERS / name)
    assert names[:2] == ["KERNEL32.dll", "VCRUNTIME140.dll"]
    assert "api-ms-win-crt-runtime-l1-1-0.dll" in names
    # A launcher imports the release CRT but no Python DLL.
    assert pe.check_release_crt(names) == ["imports no release pythonXY.dll"]


def test_check_accepts_a_release_extension_and_rejects_debug_ones():
    release = ["python311.dll", "KERNEL32.dll", "VCRUNTIME140.dll", "api-ms-win-crt-heap-l1-1-0.dll"]
    assert pe.check_release_crt(release) == []
    assert pe.check_release_crt(["python3.dll", "vcruntime140.dll"]) == []  # abi3
    debug_crt = ["python311.dll", "VCRUNTIME140D.dll", "ucrtbased.dll"]
    assert pe.check_release_crt(debug_crt) == [
        "imports the debug C runtime: ['ucrtbased.dll', 'vcruntime140d.dll']",
        "imports no release C runtime (vcruntime140.dll, api-ms-win-crt-*.dll)"]
    debug_py = ["python311_d.dll", "VCRUNTIME140.dll"]
    assert pe.check_release_crt(debug_py) == ["imports no release pythonXY.dll",
                                              "imports a debug pythonXY_d.dll"]


def test_refuses_a_file_that_is_not_pe(tmp_path):
    f = tmp_path / "x.so"
    f.write_bytes(b"\x7fELF" + bytes(100))
    with pytest.raises(ValueError, match="not a PE file"):
        pe.imports(f)
