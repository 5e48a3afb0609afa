"""`make check`: no module in app/ over 400 lines, no function over 60 without a stated reason.

A longer function says why on its `def` line or the line above: `# long: <reason>`.
"""

from __future__ import annotations

import ast
import sys
from pathlib import Path

MODULE_MAX = 400
FUNCTION_MAX = 60


def problems(root: Path) -> list[str]:
    out = []
    for path in sorted(root.rglob("*.py")):
        lines = path.read_text(encoding="utf-8").splitlines()
        if len(lines) > MODULE_MAX:
            out.append(f"{path}: {len(lines)} lines (at most {MODULE_MAX}); split it by concern")
        for node in ast.walk(ast.parse("\n".join(lines), str(path))):
            if not isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                continue
            length = (node.end_lineno or node.lineno) - node.lineno + 1
            start = min([node.lineno, *(d.lineno for d in node.decorator_list)])
            said = " ".join(lines[max(start - 2, 0) : node.lineno])
            if length > FUNCTION_MAX and "# long:" not in said:
                out.append(
                    f"{path}:{node.lineno}: {node.name}() is {length} lines (at most "
                    f"{FUNCTION_MAX}); split it, or say why above it with '# long: <reason>'"
                )
    return out


def main(argv: list[str]) -> int:
    found = problems(Path(argv[1] if len(argv) > 1 else "app"))
    print("\n".join(found) if found else "sizes OK")
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
