"""Work that must be the student's own: what a graded function may not use, checked on the source.

A graded test module declares, at module level, which library code each exercise function may not
use, as dotted prefixes:

    OWN_WORK = {
        "apply_filter": ("keras_vision", "tensorflow", "keras", "scipy.signal", "scipy.ndimage"),
    }

The trusted side reads the student's file as text and parses it (`ast`); it never imports it.
For each declared function it follows, transitively, every function, class and module-level name of
the submission that the function refers to, and resolves what each name means through the file's
imports (`import tensorflow as tf`, `from keras import layers as L`,
`from keras_vision.convolution import convolve2d as c`, `__import__("x")`,
`importlib.import_module("x")` with a constant name, `getattr(module, "name")`, and simple
assignments `conv = tf.nn.conv2d`). A reference that starts with a forbidden prefix fails the
tests of that function with a message that teaches.

Code that loads other code cannot be followed, so it is refused anywhere in the file: `exec`,
`eval`, `compile`, `importlib` (except `import_module` with a constant), `runpy`, `__import__`
with a computed name, `sys.modules`, `globals()` / `vars()` with computed keys, `getattr` with a
computed name, subprocesses, pickles, and file names that point at `.py` files or `solutions`.
"""

from __future__ import annotations

import ast
import builtins
import re
from dataclasses import dataclass
from pathlib import Path

#: Larger submissions are not analysed (and fail the own-work tests with a message).
MAX_SOURCE_BYTES = 1_000_000
#: Names that load or run other code (dotted, resolved through imports; `builtins.` for built-ins).
LOADERS = (
    "builtins.exec",
    "builtins.eval",
    "builtins.compile",
    "builtins.__import__",
    "builtins.__builtins__",
    "builtins.__loader__",
    "builtins.__spec__",
    "builtins.breakpoint",
    "builtins.globals",
    "builtins.vars",
    "builtins.locals",
    "builtins.getattr",
    "importlib",
    "runpy",
    "imp",
    "pkgutil",
    "zipimport",
    "marshal",
    "pickle",
    "dill",
    "cloudpickle",
    "shelve",
    "ctypes",
    "code",
    "codeop",
    "types.CodeType",
    "types.FunctionType",
    "sys.modules",
    "sys.meta_path",
    "sys.path_hooks",
    "sys._getframe",
    "subprocess",
    "os.system",
    "os.popen",
    "os.execv",
    "os.execve",
    "os.execl",
    "os.execle",
    "os.execlp",
    "os.execlpe",
    "os.execvp",
    "os.execvpe",
    "os.posix_spawn",
    "os.posix_spawnp",
    "os.spawnv",
    "os.spawnl",
    "multiprocessing",
    "keras_vision.grading",
)
#: Attributes that reach the interpreter's import machinery or other code through ANY object
#: (`print.__self__` is the builtins module, `np.__builtins__` its dict, `os.sys` the sys module).
REACHING_ATTRIBUTES = frozenset(
    {
        "__builtins__",
        "__import__",
        "__self__",
        "__globals__",
        "__code__",
        "__closure__",
        "__subclasses__",
        "__base__",
        "__bases__",
        "__mro__",
        "__loader__",
        "__spec__",
        "__getattribute__",
        "sys",
        "modules",
        "builtins",
        "importlib",
        "import_module",
        "f_globals",
        "f_locals",
        "f_back",
        "gi_frame",
        "tb_frame",
        "cr_frame",
    }
)
#: Calls whose constant string arguments name files (a `.py` file there is code being loaded or searched for).
FILE_CALLS = ("builtins.open", "io.", "os.", "pathlib.", "shutil.", "runpy.", "codecs.open", "numpy.load")
FILE_METHODS = (
    *("open", "read_text", "read_bytes", "load", "loadtxt", "fromfile", "exec_module", "get_data"),
    *("glob", "rglob", "iglob", "iterdir", "walk", "listdir", "scandir", "copy", "copyfile"),
)
#: Calls that are ordinary imports or lookups when their name argument is a constant string.
CONSTANT_NAME_CALLS = ("builtins.__import__", "importlib.import_module", "builtins.getattr")
#: A constant string argument matching this points at code to load (a .py file, the solutions, the tests).
CODE_PATH = re.compile(r"\.py\b|(?:^|/)solutions(?:/|$)|tests/graded|/hidden/")


@dataclass(frozen=True)
class Use:
    """One reference in the submission: what it resolves to, where, and in which top-level name."""

    name: str
    line: int
    owner: str


def declared_own_work(test_file: Path) -> dict[str, tuple[str, ...]]:
    """The `OWN_WORK` dict of a graded test file, read with `ast` (the file is not imported).

    Returns:
        `{function name: forbidden dotted prefixes}`; `{}` when the file declares none.

    Raises:
        ValueError: the declaration is not a literal dict of names to tuples of dotted names.
    """
    tree = ast.parse(Path(test_file).read_text(), filename=str(test_file))
    for node in tree.body:
        targets = (
            node.targets if isinstance(node, ast.Assign) else [node.target] if isinstance(node, ast.AnnAssign) else []
        )
        if any(isinstance(t, ast.Name) and t.id == "OWN_WORK" for t in targets) and node.value is not None:
            return validate_declaration(ast.literal_eval(node.value), str(test_file))
    return {}


def validate_declaration(value, where: str) -> dict[str, tuple[str, ...]]:
    """Checks an `OWN_WORK` value; returns it with tuples."""
    if not isinstance(value, dict) or not all(
        isinstance(k, str) and isinstance(v, (tuple, list)) and all(isinstance(p, str) and p for p in v)
        for k, v in value.items()
    ):
        raise ValueError(
            f"{where}: OWN_WORK must map function names to tuples of dotted module prefixes, "
            f'e.g. {{"apply_filter": ("keras_vision", "tensorflow")}}. Received: {value!r}.'
        )
    return {name: tuple(prefixes) for name, prefixes in value.items()}


def check_own_work(
    source: str, declared: dict[str, tuple[str, ...]], *, filename: str = "submission.py"
) -> dict[str, str]:
    """Which declared functions are not the student's own work, and why.

    Args:
        source: The text of the student's file.
        declared: `{function name: forbidden dotted prefixes}` (an `OWN_WORK` dict).
        filename: The file's name, for messages.

    Returns:
        `{function name: message for the student}` for every declared function that uses a
        forbidden name; every declared function when the file loads other code or cannot be
        analysed. Empty when all is the student's own (or the file has a syntax error, which the
        import reports).
    """
    if not declared:
        return {}
    if len(source.encode("utf-8", errors="replace")) > MAX_SOURCE_BYTES:
        return {
            f: f"{filename} is larger than {MAX_SOURCE_BYTES:,} bytes; the grader does not analyse it, so "
            f"`{f}` cannot count as your own work."
            for f in declared
        }
    try:
        index = SourceIndex(ast.parse(source, filename=filename))
    except SyntaxError:
        return {}
    except (RecursionError, MemoryError, ValueError):
        return {
            f: f"{filename} is too deeply nested for the grader to check that `{f}` is your own work." for f in declared
        }
    loading = index.loading()
    if loading is not None:
        return {
            f: (
                f"{filename} loads or runs other code: {loading.name.removeprefix('builtins.')} on line "
                f"{loading.line}. Graded work must be in your file as plain code, so `{f}` cannot count as your "
                "own; remove that line."
            )
            for f in declared
        }
    messages = {}
    for function, forbidden in declared.items():
        found = index.forbidden_use(function, forbidden)
        if found is not None:
            use, path = found
            where = [f"line {use.line}"] if use.line else []
            if len(path) > 1:
                where.append(f"through {' -> '.join(f'`{p}`' for p in path[1:])}")
            detail = f" ({', '.join(where)})" if where else ""
            messages[function] = (
                f"`{function}` must be your own work: it uses {use.name}{detail}, and {', '.join(forbidden)} "
                f"may not be "
                f"used in `{function}`. Write that part yourself, as the exercise's docstring describes "
                "(for array code: the loops with NumPy)."
            )
    return messages


def matches(name: str, prefixes: tuple[str, ...]) -> bool:
    """True when the dotted `name` is one of `prefixes` or inside one (`keras.layers` in `keras`)."""
    return any(name == p or name.startswith(p + ".") for p in prefixes)


class SourceIndex:
    """The top-level names of a parsed file, what each refers to, and the file's import aliases."""

    def __init__(self, tree: ast.Module):
        self.tree = tree
        self.symbols: dict[str, list[ast.AST]] = {}
        self.aliases: dict[str, str] = {}
        for node in _top_level(tree.body):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                self.symbols.setdefault(node.name, []).append(node)
            elif isinstance(node, (ast.Import, ast.ImportFrom)):
                self.aliases.update(_import_aliases(node))
            elif isinstance(node, ast.Delete):  # `del apply_filter`: the name is gone (a module __getattr__'s)
                for target in node.targets:
                    for name in _assigned_names(target):
                        self.symbols.pop(name, None)
            elif isinstance(node, (ast.Assign, ast.AnnAssign, ast.AugAssign)) and node.value is not None:
                for target in node.targets if isinstance(node, ast.Assign) else [node.target]:
                    for name in _assigned_names(target):
                        self.symbols.setdefault(name, []).append(node.value)
        for node in ast.walk(tree):  # `_IMPL["f"] = helper`, `Tools.conv = ...` anywhere: values of the base name
            if isinstance(node, (ast.Assign, ast.AugAssign, ast.AnnAssign)) and node.value is not None:
                for target in node.targets if isinstance(node, ast.Assign) else [node.target]:
                    base = _container_base(target)
                    if base is not None:
                        self.symbols.setdefault(base, []).append(node.value)
        for _ in range(3):  # module-level `conv = tf.nn.conv2d` chains
            for name, nodes in self.symbols.items():
                resolved = [
                    _resolve(n, self.aliases, self.symbols)
                    for n in nodes
                    if not isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef))
                ]
                if len(nodes) == 1 and resolved and resolved[0]:
                    self.aliases[name] = resolved[0]
        self._uses: dict[str, tuple[list[Use], set[str]]] = {}

    def uses_of(self, symbol: str) -> tuple[list[Use], set[str]]:
        """What the top-level name `symbol` refers to: resolved uses, and other top-level names."""
        if symbol not in self._uses:
            uses, local = [], set()
            for node in self.symbols.get(symbol, []):
                aliases = {**self.aliases, **_scope_aliases(node, self.aliases, self.symbols)}
                for found in _references(node, aliases, self.symbols):
                    if isinstance(found, str):
                        local.add(found)
                    else:
                        uses.append(Use(found[0], found[1], symbol))
            self._uses[symbol] = (uses, local - {symbol})
        return self._uses[symbol]

    def forbidden_use(self, function: str, forbidden: tuple[str, ...]) -> tuple[Use, list[str]] | None:
        """The first forbidden use reachable from `function`, with the chain of names leading to it.

        A function the file does not define, in a file with a module `__getattr__`, is whatever that
        `__getattr__` returns: it is followed instead.
        """
        if function not in self.symbols and "__getattr__" in self.symbols:
            found = self.forbidden_use("__getattr__", forbidden)
            return (found[0], [function, *found[1]]) if found else None
        paths, frontier = {function: [function]}, [function]
        if function in self.aliases and matches(self.aliases[function], forbidden):
            return Use(self.aliases[function], 0, function), [function]
        while frontier:
            symbol = frontier.pop(0)
            uses, local = self.uses_of(symbol)
            bad = [use for use in uses if matches(use.name, forbidden)]
            if bad:
                return max(bad, key=lambda u: len(u.name)), paths[symbol]
            for name in sorted(local):
                if name not in paths:
                    paths[name] = paths[symbol] + [name]
                    frontier.append(name)
        return None

    def loading(self) -> Use | None:
        """The first place anywhere in the file that loads or runs other code, or None."""
        aliases = {**self.aliases, **_scope_aliases(self.tree, self.aliases, self.symbols)}
        for found in _references(self.tree, aliases, self.symbols, report_loading=True):
            if not isinstance(found, str) and found[2]:
                return Use(found[0], found[1], "")
        return None


def _top_level(body: list[ast.stmt]):
    """Statements run at import, looking inside module-level if/try/with/for blocks."""
    for node in body:
        yield node
        for field in ("body", "orelse", "finalbody", "handlers"):
            inner = getattr(node, field, None)
            if isinstance(inner, list) and not isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                yield from _top_level([n for n in inner if isinstance(n, ast.AST)])


def _container_base(target: ast.AST) -> str | None:
    """`x` for the targets `x[...]`, `x.attr`, `x.a[...]` (a container or object filled after it was made)."""
    node, depth = target, 0
    while isinstance(node, (ast.Subscript, ast.Attribute)):
        node, depth = node.value, depth + 1
    return node.id if depth and isinstance(node, ast.Name) else None


def _assigned_names(target: ast.AST) -> list[str]:
    if isinstance(target, ast.Name):
        return [target.id]
    if isinstance(target, (ast.Tuple, ast.List)):
        return [n for t in target.elts for n in _assigned_names(t)]
    return []


def _import_aliases(node: ast.Import | ast.ImportFrom) -> dict[str, str]:
    aliases = {}
    if isinstance(node, ast.Import):
        for alias in node.names:
            aliases[alias.asname or alias.name.split(".")[0]] = alias.name if alias.asname else alias.name.split(".")[0]
    else:
        module = "." * node.level + (node.module or "")
        for alias in node.names:
            aliases[alias.asname or alias.name] = f"{module}.{alias.name}" if module else alias.name
    return aliases


def _scope_aliases(node: ast.AST, outer: dict[str, str], symbols: dict) -> dict[str, str]:
    """Imports and `name = <resolvable>` assignments anywhere inside `node` (flow-insensitive)."""
    aliases: dict[str, str] = {}
    for _ in range(2):
        for inner in ast.walk(node):
            if isinstance(inner, (ast.Import, ast.ImportFrom)):
                aliases.update(_import_aliases(inner))
            elif isinstance(inner, (ast.Assign, ast.NamedExpr)) and inner.value is not None:
                targets = inner.targets if isinstance(inner, ast.Assign) else [inner.target]
                resolved = _resolve(inner.value, {**outer, **aliases}, symbols)
                if resolved:
                    for target in targets:
                        for name in _assigned_names(target):
                            aliases[name] = resolved
    return aliases


def _constant_text(node: ast.AST) -> str | None:
    return node.value if isinstance(node, ast.Constant) and isinstance(node.value, str) else None


def _resolve(node: ast.AST, aliases: dict[str, str], symbols: dict) -> str | None:
    """The dotted name an expression stands for (`tf.nn.conv2d` -> `tensorflow.nn.conv2d`), or None."""
    if isinstance(node, ast.Name):
        if node.id in aliases:
            return aliases[node.id]
        if (
            node.id not in symbols
            and hasattr(builtins, node.id)
            or node.id in ("__builtins__", "__loader__", "__spec__")
        ):
            return f"builtins.{node.id}"
        return None
    if isinstance(node, ast.Attribute):
        base = _resolve(node.value, aliases, symbols)
        return f"{base}.{node.attr}" if base else None
    if isinstance(node, ast.Call) and node.args:
        function = _resolve(node.func, aliases, symbols)
        if function == "builtins.__import__" and _constant_text(node.args[0]):
            return _constant_text(node.args[0]).split(".")[0]  # __import__("a.b") returns the package a
        if function == "importlib.import_module":
            return _constant_text(node.args[0])
        if function == "builtins.getattr" and len(node.args) >= 2 and _constant_text(node.args[1]):
            base = _resolve(node.args[0], aliases, symbols)
            return f"{base}.{_constant_text(node.args[1])}" if base else None
    return None


def _references(root: ast.AST, aliases: dict[str, str], symbols: dict, *, report_loading: bool = False):
    """Yields `(dotted name, line, loads_code)` for every resolvable reference under `root`, and the
    names of top-level symbols it mentions (as plain strings)."""
    stack = [root]
    while stack:
        node = stack.pop()
        if isinstance(node, (ast.Import, ast.ImportFrom)):  # importing is no loading; using may be
            for name in _import_aliases(node).values():
                yield name, node.lineno, False
            continue
        if isinstance(node, ast.Call):
            function = _resolve(node.func, aliases, symbols)
            name_argument = 1 if function == "builtins.getattr" else 0
            if (
                function in CONSTANT_NAME_CALLS
                and len(node.args) > name_argument
                and _constant_text(node.args[name_argument])
            ):
                resolved = _resolve(node, aliases, symbols)
                if resolved is not None:
                    yield resolved, node.lineno, matches(resolved, LOADERS)
                stack.extend(a for i, a in enumerate(node.args) if i != name_argument)
                stack.extend(k.value for k in node.keywords)
                continue
            if function == "builtins.getattr" and len(node.args) >= 2 and not _constant_text(node.args[1]):
                base = _resolve(node.args[0], aliases, symbols)  # computed names on a module reach anything
                on_module = base is not None and (base in aliases.values() or matches(base, LOADERS))
                if on_module or _is_module_alias(node.args[0], aliases):
                    yield f"getattr({base or ast.unparse(node.args[0])}, <computed name>)", node.lineno, True
                stack.extend(node.args)
                stack.extend(k.value for k in node.keywords)
                continue
            hint = next(
                (
                    t
                    for a in [*node.args, *(k.value for k in node.keywords)]
                    if (t := _constant_text(a)) and CODE_PATH.search(t)
                ),
                None,
            )
            if hint is not None and report_loading and _names_files(node.func, function):
                yield f"a call naming {hint!r}", node.lineno, True
        if isinstance(node, ast.Subscript) and isinstance(node.value, ast.Call) and _constant_text(node.slice):
            if _resolve(node.value.func, aliases, symbols) == "builtins.globals" and not node.value.args:
                yield from _name_or_symbol(_constant_text(node.slice), node.lineno, aliases, symbols)
                continue
        if isinstance(node, ast.Attribute) and node.attr in REACHING_ATTRIBUTES and report_loading:
            resolved = _resolve(node, aliases, symbols)
            if resolved is None or not matches(resolved, LOADERS):  # else named below, by what it resolves to
                yield f"the attribute .{node.attr} (on {ast.unparse(node.value)[:40]})", node.lineno, True
        if isinstance(node, (ast.Name, ast.Attribute)):
            resolved = _resolve(node, aliases, symbols)
            if resolved is not None:
                yield resolved, node.lineno, matches(resolved, LOADERS)
                if isinstance(node, ast.Attribute):
                    continue  # the chain is resolved as a whole
            elif isinstance(node, ast.Name) and node.id in symbols:
                yield node.id
        stack.extend(ast.iter_child_nodes(node))


def _is_module_alias(node: ast.AST, aliases: dict[str, str]) -> bool:
    """True for a name bound by an import (`np`, `cv2`): `getattr(np, name)` can reach any module."""
    return isinstance(node, ast.Name) and node.id in aliases


def _names_files(func: ast.AST, function: str | None) -> bool:
    """True for calls that open or load files: `open(...)`, `Path(...)`, `x.read_text()`, `runpy...`."""
    if function is not None and (function in FILE_CALLS or function.startswith(FILE_CALLS)):
        return True
    return isinstance(func, ast.Attribute) and func.attr in FILE_METHODS


def _name_or_symbol(name: str, line: int, aliases: dict[str, str], symbols: dict):
    if name in symbols:
        yield name
    elif name in aliases:
        yield aliases[name], line, matches(aliases[name], LOADERS)
