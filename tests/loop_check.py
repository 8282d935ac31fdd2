"""Finds database and template work that an ``async def`` function does on
the event loop, by reading the source (for tests/test_event_loop.py).

A call *blocks* when it starts database or template work (``site.session()``,
``site.render(...)``, ``site.engine.connect()``, ``templates.TemplateResponse``,
``Session(...)``), or when it calls a plain function of core, federation or a
plugin that blocks, however deep (the functions are followed across modules
through their imports). An ``async def`` must not make such a call itself; it
hands the function to ``run_in_threadpool`` or ``asyncio.to_thread`` instead,
which passes it as an argument rather than calling it, so it is not counted.

What it cannot see: calls through hooks, callbacks and objects whose type it
does not know (``runtime.fetcher.get``), which are not followed. They are few
and reviewed by hand.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass, field
from pathlib import Path

BLOCKING_METHODS = {"session", "render", "connect", "begin", "TemplateResponse"}
BLOCKING_RECEIVERS = {"site", "engine", "templates"}
BLOCKING_FUNCTIONS = {"Session", "session_scope"}
#: CPU work that is blocking too: checking and re-encoding a picture, rendering Markdown.
CPU_WORK: dict[tuple[str, str], str] = {
    ("core.images", "store_image"): "decodes a picture",
    ("core.markdown", "render_markdown"): "renders Markdown",
}

Key = tuple[str, str]  # (module, function or method name)


@dataclass
class Module:
    name: str
    path: Path
    tree: ast.Module
    modules: dict[str, str] = field(default_factory=dict)  # alias -> module
    names: dict[str, Key] = field(default_factory=dict)  # alias -> (module, name)
    functions: dict[str, ast.FunctionDef] = field(default_factory=dict)  # sync, top level and methods
    coroutines: list[ast.AsyncFunctionDef] = field(default_factory=list)


def _receiver(node: ast.expr) -> str:
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        return f"{_receiver(node.value)}.{node.attr}"
    return ""


def _own_calls(function: ast.FunctionDef | ast.AsyncFunctionDef) -> list[ast.Call]:
    """Calls in the function's own body, not in functions or lambdas defined in it."""
    calls: list[ast.Call] = []

    class Visitor(ast.NodeVisitor):
        def visit_FunctionDef(self, node: ast.FunctionDef) -> None:
            pass

        visit_AsyncFunctionDef = visit_FunctionDef  # noqa: N815
        visit_Lambda = visit_FunctionDef  # noqa: N815

        def visit_Call(self, node: ast.Call) -> None:
            calls.append(node)
            self.generic_visit(node)

    for statement in function.body:
        Visitor().visit(statement)
    return calls


def direct_block(call: ast.Call) -> str | None:
    func = call.func
    if isinstance(func, ast.Attribute) and func.attr in BLOCKING_METHODS:
        receiver = _receiver(func.value)
        if receiver.split(".")[-1] in BLOCKING_RECEIVERS:
            return f"{receiver}.{func.attr}()"
    if isinstance(func, ast.Name) and func.id in BLOCKING_FUNCTIONS:
        return f"{func.id}()"
    return None


def load(root: Path, folders: list[str]) -> dict[str, Module]:
    modules: dict[str, Module] = {}
    for folder in folders:
        for path in sorted((root / folder).rglob("*.py")):
            if "migrations" in path.parts:
                continue
            parts = list(path.relative_to(root).with_suffix("").parts)
            if parts[-1] == "__init__":
                parts.pop()
            name = ".".join(parts)
            modules[name] = Module(name, path, ast.parse(path.read_text(encoding="utf-8")))
    for module in modules.values():
        _index(module, modules)
    return modules


def _index(module: Module, modules: dict[str, Module]) -> None:
    for node in ast.walk(module.tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                module.modules[alias.asname or alias.name.split(".")[0]] = alias.name
        elif isinstance(node, ast.ImportFrom) and node.module:
            for alias in node.names:
                target = f"{node.module}.{alias.name}"
                if target in modules:
                    module.modules[alias.asname or alias.name] = target
                else:
                    module.names[alias.asname or alias.name] = (node.module, alias.name)
        elif isinstance(node, ast.FunctionDef):
            module.functions.setdefault(node.name, node)
        elif isinstance(node, ast.AsyncFunctionDef):
            module.coroutines.append(node)


def resolve(module: Module, call: ast.Call, modules: dict[str, Module]) -> Key | None:
    """The function a call reaches, followed through re-exports (``core.api``)."""
    key = _resolve(module, call)
    seen: set[Key] = set()
    while key is not None and key not in seen and key[0] in modules:
        seen.add(key)
        owner = modules[key[0]]
        if key[1] in owner.functions or key[1] not in owner.names:
            break
        key = owner.names[key[1]]
    return key


def _resolve(module: Module, call: ast.Call) -> Key | None:
    func = call.func
    if isinstance(func, ast.Name):
        if func.id in module.functions:
            return module.name, func.id
        return module.names.get(func.id)
    if isinstance(func, ast.Attribute) and isinstance(func.value, ast.Name):
        if func.value.id in ("self", "cls"):
            return module.name, func.attr
        if func.value.id in module.modules:
            return module.modules[func.value.id], func.attr
    return None


def blocking_functions(modules: dict[str, Module]) -> dict[Key, str]:
    """Every plain function that blocks, with what it does (the first reason found)."""
    reasons: dict[Key, str] = dict(CPU_WORK)
    for module in modules.values():
        for name, function in module.functions.items():
            for call in _own_calls(function):
                found = direct_block(call)
                if found:
                    reasons[(module.name, name)] = found
                    break
    changed = True
    while changed:
        changed = False
        for module in modules.values():
            for name, function in module.functions.items():
                if (module.name, name) in reasons:
                    continue
                for call in _own_calls(function):
                    key = resolve(module, call, modules)
                    if key in reasons:
                        reasons[(module.name, name)] = f"{key[1]}() -> {reasons[key]}"
                        changed = True
                        break
    return reasons


def offenders(modules: dict[str, Module], folder: str) -> list[str]:
    """``path:function: call`` for each blocking call an async function in ``folder`` makes itself."""
    reasons = blocking_functions(modules)
    found: list[str] = []
    for module in modules.values():
        if not module.name.startswith(folder.replace("/", ".")):
            continue
        for coroutine in module.coroutines:
            for call in _own_calls(coroutine):
                why = direct_block(call)
                if why is None:
                    key = resolve(module, call, modules)
                    why = f"{key[1]}() -> {reasons[key]}" if key in reasons else None
                if why:
                    found.append(f"{module.path.name}:{coroutine.name} line {call.lineno}: {why}")
    return found
