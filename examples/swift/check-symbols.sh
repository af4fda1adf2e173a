#!/usr/bin/env bash
# Cross-checks the Swift wrapper against the C header without a Swift
# toolchain: every `kakunin_*` name the Swift sources use must be declared in
# include/kakunin.h (a function, or a struct such as kakunin_str), and every
# call must pass as many arguments as the C function takes, with `&` exactly
# where the C function writes through an out-parameter (`T **`, `uint32_t *`,
# `kakunin_str *`, ...). Linux CI cannot compile Swift; this catches renamed
# functions, typos, dropped or extra arguments and shifted out-parameters.
# Exact types are left to `swift build` on macOS.
# Usage (from anywhere): bash examples/swift/check-symbols.sh
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
command -v python3 >/dev/null || { echo "check-symbols.sh needs python3" >&2; exit 2; }
python3 - "$root/include/kakunin.h" "$root"/examples/swift/Sources/KakuninSwift/*.swift "$root"/examples/swift/Tests/*/*.swift <<'PY'
import re
import sys

header_path, swift_paths = sys.argv[1], sys.argv[2:]


def args_of(text, open_paren):
    """The top-level comma-separated arguments of the call whose '(' is at open_paren."""
    depth, i, start, args = 0, open_paren, open_paren + 1, []
    in_str = False
    while i < len(text):
        c = text[i]
        if in_str:
            if c == "\\":
                i += 1
            elif c == '"':
                in_str = False
        elif c == '"':
            in_str = True
        elif c in "([{":
            depth += 1
        elif c in ")]}":
            depth -= 1
            if depth == 0:
                args.append(text[start:i])
                break
        elif c == "," and depth == 1:
            args.append(text[start:i])
            start = i + 1
        i += 1
    else:
        raise SystemExit(f"unbalanced call at offset {open_paren}")
    args = [a.strip() for a in args]
    return [] if args in ([""], ["void"]) else args


header = open(header_path, encoding="utf-8").read()
header = re.sub(r"/\*.*?\*/", " ", header, flags=re.S)
header = re.sub(r"//[^\n]*", " ", header)
functions = {}
OUT_SCALAR = re.compile(
    r"^(uint32_t|int32_t|uint64_t|int64_t|size_t|bool|struct kakunin_str|struct kakunin_bytes"
    r"|struct kakunin_ble_options)\s*\*\s*\w+$")


def is_out(param):
    """Whether the C function writes through this parameter (Swift passes `&var`)."""
    return "**" in param or bool(OUT_SCALAR.match(param))


for m in re.finditer(r"\b(kakunin_\w+)\s*\(", header):
    # A declaration: the name follows a return type on the same statement
    # (not a call inside a macro) and the parameter list ends with ");".
    params = args_of(header, m.end() - 1)
    functions[m.group(1)] = params
types = set(re.findall(r"typedef struct (kakunin_\w+)", header))

errors, calls, called = [], 0, set()
for path in swift_paths:
    text = open(path, encoding="utf-8").read()
    code = re.sub(r"//[^\n]*", " ", text)  # doc comments name C functions too
    for m in re.finditer(r"\b(kakunin_\w+)\b", code):
        name = m.group(1)
        line = code.count("\n", 0, m.start()) + 1
        where = f"{path}:{line}"
        if name in types:
            continue
        if name not in functions:
            errors.append(f"{where}: {name} is not declared in kakunin.h")
            continue
        rest = code[m.end():]
        if not rest.lstrip().startswith("("):
            errors.append(f"{where}: {name} is used but not called (function references are not checked)")
            continue
        calls += 1
        called.add(name)
        args = args_of(code, m.end() + rest.index("("))
        params = functions[name]
        if len(args) != len(params):
            errors.append(f"{where}: {name} called with {len(args)} arguments, kakunin.h declares {len(params)}")
            continue
        for k, (arg, param) in enumerate(zip(args, params)):
            if arg.startswith("&") != is_out(param):
                errors.append(f"{where}: {name} argument {k + 1} `{arg}` vs parameter `{param}`: "
                              "`&` must be used exactly for out-parameters")

for e in errors:
    print(e, file=sys.stderr)
if errors:
    raise SystemExit(f"check-symbols: {len(errors)} problem(s)")
print(f"check-symbols: {calls} calls to {len(called)} kakunin functions match kakunin.h")
PY
