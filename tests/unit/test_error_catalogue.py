"""The error catalogue is the one list of codes clients see: complete, documented, one status each.

Codes are found in the source with :mod:`ast`, wherever one is written: a ``code`` or
``error_code`` assigned (class attributes, ``code, sentence = "...", ...``) or passed as a keyword,
a ``"code"`` entry of a dict literal, a ``*_CODES`` table, the first argument of ``problem()``.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import pytest

from workspace.errors import CATALOGUE, AppError, Conflict, status_of
from workspace.errors.docs import REGENERATE, render_markdown
from workspace.server.errors import problem

ROOT = Path(__file__).resolve().parents[2]
SCANNED = ("workspace", "adapters")
# The provider simulator writes the vendors' codes (``insufficient_quota``...), not ours.
NOT_SCANNED = ROOT / "adapters" / "simulator"
CODE_NAMES = {"code", "error_code"}


def _name(node: ast.AST) -> str:
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        return node.attr
    return ""


def _strings(node: ast.AST) -> Iterator[str]:
    """The strings ``node`` may evaluate to: a constant, either branch of ``a if c else b``, an
    operand of ``or``, the default of a ``.get()``, a value of a dict (a ``*_CODES`` table)."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str) and node.value:
        yield node.value
    elif isinstance(node, ast.IfExp):
        yield from (*_strings(node.body), *_strings(node.orelse))
    elif isinstance(node, ast.BoolOp):
        yield from (code for value in node.values for code in _strings(value))
    elif isinstance(node, ast.Call) and _name(node.func) == "get":
        yield from (code for arg in node.args[1:] for code in _strings(arg))
    elif isinstance(node, ast.Dict):
        yield from (code for value in node.values for code in _strings(value))


def _assigned(target: ast.AST, value: ast.AST) -> Iterator[str]:
    if isinstance(target, ast.Tuple) and isinstance(value, ast.Tuple):
        for one_target, one_value in zip(target.elts, value.elts, strict=False):
            yield from _assigned(one_target, one_value)
    elif _name(target) in CODE_NAMES or _name(target).endswith("_CODES"):
        yield from _strings(value)


def _codes_in(tree: ast.AST) -> Iterator[tuple[int, str]]:
    for node in ast.walk(tree):
        found: Iterator[str] = iter(())
        if isinstance(node, ast.Assign):
            found = (code for target in node.targets for code in _assigned(target, node.value))
        elif isinstance(node, ast.AnnAssign) and node.value is not None:
            found = _assigned(node.target, node.value)
        elif isinstance(node, ast.keyword) and node.arg in CODE_NAMES:
            found = _strings(node.value)
        elif isinstance(node, ast.Dict):
            found = (
                code
                for key, value in zip(node.keys, node.values, strict=True)
                if isinstance(key, ast.Constant) and key.value == "code"
                for code in _strings(value)
            )
        elif isinstance(node, ast.Call) and _name(node.func) == "problem" and node.args:
            found = _strings(node.args[0])
        yield from ((getattr(node, "lineno", 0), code) for code in found)


def _written_codes() -> dict[str, list[str]]:
    """Every code written in the product code, with where (``path:line``)."""
    written: dict[str, list[str]] = {}
    for package in SCANNED:
        for path in sorted((ROOT / package).rglob("*.py")):
            if path.is_relative_to(NOT_SCANNED):
                continue
            for line, code in _codes_in(ast.parse(path.read_text(), str(path))):
                written.setdefault(code, []).append(f"{path.relative_to(ROOT)}:{line}")
    return written


WRITTEN = _written_codes()


def test_the_scan_sees_every_way_a_code_is_written() -> None:
    assert {
        "not_found",  # an AppError's class attribute
        "provider_permission_denied",  # a ProviderError's
        "database_unavailable",  # a stream's `code, sentence = ...`
        "internal_error",  # a stream's `error_code = ... if ... else ...`
        "method_not_allowed",  # the handlers' _HTTP_CODES
        "validation_error",  # problem("validation_error", ...)
    } <= WRITTEN.keys()


def test_every_code_in_the_source_is_in_the_catalogue() -> None:
    missing = {code: places for code, places in WRITTEN.items() if code not in CATALOGUE}
    assert not missing, f"add these to workspace/errors/catalogue.py: {missing}"


def test_every_code_in_the_catalogue_is_used() -> None:
    unused = sorted(CATALOGUE.keys() - WRITTEN.keys())
    assert not unused, f"no code in workspace/ or adapters/ writes {unused}: delete them"


def test_docs_errors_md_is_the_catalogue_rendered() -> None:
    committed = (ROOT / "docs" / "errors.md").read_text()
    assert committed == render_markdown(), f"docs/errors.md is stale: run {REGENERATE}"


def test_a_code_has_one_status_whatever_its_base_class() -> None:
    class Reused(Conflict):
        code = "idempotency_key_reused"

    assert Reused("again").status == 422 == status_of("idempotency_key_reused")


def test_an_error_class_may_not_choose_its_status() -> None:
    with pytest.raises(TypeError, match="catalogue"):

        class Teapot(AppError):
            code = "bad_request"
            status = 418


def test_an_error_class_with_an_unknown_code_fails_at_import() -> None:
    with pytest.raises(KeyError, match="catalogue"):

        class Nameless(AppError):
            code = "no_such_code"


def test_a_problem_document_takes_status_and_title_from_the_catalogue() -> None:
    response = problem("not_found", "No such conversation.", extra={"id": "c1"})
    assert response.status_code == 404
    assert response.content == {
        "type": "about:blank",
        "status": 404,
        "code": "not_found",
        "title": "Not found",
        "detail": "No such conversation.",
        "id": "c1",
    }
