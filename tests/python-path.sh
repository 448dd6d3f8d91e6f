# SPDX-License-Identifier: Apache-2.0
# Sourced by the test runners: "python3" in every test is the interpreter
# itself, not a version manager's shim. pyenv's shim runs a chain of bash
# scripts on every call (measured here: 0.3 s a call on a quiet machine,
# 1.6 s under load, and the tests make hundreds of calls); Debian's
# /usr/bin/python3 is also the one with the modules `make deps` installs
# (python3-yaml, python3-pikepdf). Elsewhere, the first python3 on PATH
# is asked for its own path once.
#   . tests/python-path.sh DIR     (DIR: a scratch directory for the link)
_py_dir="$1/pybin"
_py=""
if [ -x /usr/bin/python3 ]; then
    _py=/usr/bin/python3
elif command -v python3 >/dev/null 2>&1; then
    _py="$(python3 -c 'import sys; print(sys.executable)')"
fi
if [ -n "$_py" ]; then
    mkdir -p "$_py_dir"
    ln -sfn "$_py" "$_py_dir/python3"
    PATH="$_py_dir:$PATH"
    export PATH
fi
unset _py _py_dir
