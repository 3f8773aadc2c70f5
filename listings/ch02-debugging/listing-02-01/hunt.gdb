# ANCHOR: all
set pagination off
set breakpoint pending on
set print address off
set print frame-arguments presence
# Stop in the #[pyfunction] when Python calls it. The library is not
# loaded yet, so gdb keeps the breakpoint pending until it is.
break debugme::debugme::moving_mean
run
# The whole C stack: Rust, pyo3's trampoline, then the interpreter.
backtrace
# The Python stack (gdb extension shipped with CPython).
py-bt
print width
# Follow the call into the helper that will panic.
break debugme::debugme::window_means
continue
print a
next
print last
kill
# ANCHOR_END: all
