"""agreements never learns licensing's data through a registry filled at start-up (issue 9): whoever knows
more passes it in explicitly (licensing.selectors.parties_visible_to, licensing.services.parties.party_merge)."""

import ast
from pathlib import Path

import agreements

MUTATORS = {"append", "add", "extend", "insert", "update", "setdefault"}


def _modules() -> list[Path]:
    return sorted(Path(agreements.__file__).parent.rglob("*.py"))


def _registries(tree: ast.Module) -> list[str]:
    """Module-level containers some function of the module fills, and `register_…` functions."""
    found = [node.name for node in tree.body if isinstance(node, ast.FunctionDef) and node.name.startswith("register")]
    containers = set()
    for node in tree.body:
        targets = (
            node.targets if isinstance(node, ast.Assign) else [node.target] if isinstance(node, ast.AnnAssign) else []
        )
        value = getattr(node, "value", None)
        empty_call = isinstance(value, ast.Call) and getattr(value.func, "id", "") in {"list", "set", "dict"}
        if isinstance(value, ast.List | ast.Set | ast.Dict) or empty_call:
            containers |= {target.id for target in targets if isinstance(target, ast.Name)}
    for function in (node for node in ast.walk(tree) if isinstance(node, ast.FunctionDef)):
        for call in (node for node in ast.walk(function) if isinstance(node, ast.Call)):
            func = call.func
            if not (isinstance(func, ast.Attribute) and isinstance(func.value, ast.Name)):
                continue
            if func.value.id in containers and func.attr in MUTATORS:
                found.append(f"{function.name} fills {func.value.id}")
    return found


def test_the_finder_finds_a_registry():
    source = "_providers: list = []\n\ndef register_provider(p):\n    _providers.append(p)\n"
    assert _registries(ast.parse(source)) == ["register_provider", "register_provider fills _providers"]


def test_no_agreements_module_holds_a_registry_filled_at_start_up():
    found = {
        str(path.relative_to(path.parents[1])): hits
        for path in _modules()
        if (hits := _registries(ast.parse(path.read_text())))
    }
    assert found == {}
