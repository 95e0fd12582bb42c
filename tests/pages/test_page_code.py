"""Page code never relies on Streamlit "magic": a bare conditional expression as a statement would
write a widget's return value (a DeltaGenerator's help text) onto the page."""
import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_no_bare_conditional_expressions_in_views():
    offenders = []
    for path in sorted([*ROOT.glob("pages/*.py"), *ROOT.glob("core/ui/*.py"), ROOT / "app.py"]):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Expr) and isinstance(node.value, (ast.IfExp, ast.BoolOp)):
                offenders.append(f"{path.relative_to(ROOT)}:{node.lineno}")
    assert not offenders, offenders


def test_magic_is_off_in_the_app_config():
    assert "magicEnabled = false" in (ROOT / ".streamlit" / "config.toml").read_text()
