"""Griffe extensions for the API reference (mkdocs.yml loads them into mkdocstrings).

* :class:`SphinxRoles`: the docstrings' reST roles (``:class:`HumeV1Client```, ``:meth:`~X.submit```), which
  mkdocstrings would print as they are, become the name in code, linked to its entry when the reference has
  one (an optional autoref: a target it does not document stays plain code, without a warning).
* :class:`ForwardedKeywords`: an operator whose ``__init__`` takes its own arguments and passes ``**kwargs``
  to a base class of this package documents the base's arguments too; its signature gets them, so the
  reference shows every argument the operator accepts, and a ``:param:`` naming none of them still fails
  the build.
"""

from __future__ import annotations

import re
from typing import Any

import griffe

PACKAGE = "airflow_provider_hume"
_KEYWORD_ONLY = griffe.ParameterKind("keyword-only")
_VARIADIC = (griffe.ParameterKind("variadic positional"), griffe.ParameterKind("variadic keyword"))
_ROLE = re.compile(
    r":(?:py:)?(?:class|meth|func|mod|attr|data|exc|obj|const):`(?P<tilde>~?)(?P<target>[^`]+)`"
)


class SphinxRoles(griffe.Extension):
    """Rewrite the roles of every docstring once the object tree is complete (names resolve then)."""

    def on_object(self, *, obj: griffe.Object, **kwargs: Any) -> None:
        """Rewrite ``obj``'s docstring."""
        if obj.docstring is not None:
            obj.docstring.value = _ROLE.sub(lambda match: _code_link(obj, match), obj.docstring.value)


def _code_link(obj: griffe.Object, match: re.Match[str]) -> str:
    target = match["target"].strip().lstrip(".")
    shown = target.rsplit(".", 1)[-1] if match["tilde"] else target
    path = _resolve(obj, target)
    if path is None:
        return f"`{shown}`"
    return f'<autoref identifier="{path}" optional><code>{shown}</code></autoref>'


def _resolve(obj: griffe.Object, target: str) -> str | None:
    """The full path of ``target`` as seen from ``obj``, or ``None`` when it cannot be told."""
    if target.startswith(f"{PACKAGE}."):
        return target
    head, _, rest = target.partition(".")
    scope: griffe.Object | None = obj
    while scope is not None:
        try:
            resolved = scope.resolve(head)
        except (griffe.NameResolutionError, KeyError, AttributeError):
            scope = scope.parent
            continue
        return f"{resolved}.{rest}" if rest else resolved
    return None


class ForwardedKeywords(griffe.Extension):
    """Give an ``__init__(..., **kwargs)`` that forwards to a base of this package the base's arguments."""

    def on_package(self, *, pkg: griffe.Module, **kwargs: Any) -> None:
        """Extend the signature of every such ``__init__`` in the package, base classes first."""
        if pkg.path == PACKAGE:
            done: set[str] = set()
            for cls in _classes(pkg):
                _extend(cls, done)


def _classes(module: griffe.Module) -> list[griffe.Class]:
    found: list[griffe.Class] = []
    for member in module.members.values():
        if member.is_alias:
            continue
        if isinstance(member, griffe.Module):
            found.extend(_classes(member))
        elif isinstance(member, griffe.Class):
            found.append(member)
    return found


def _extend(cls: griffe.Class, done: set[str]) -> None:
    """Give ``cls`` the arguments of every ``__init__`` its own forwards ``**kwargs`` to, along its MRO.

    A class without an ``__init__`` of its own whose inherited one forwards (a transfer made of a body class
    and a destination class) gets an ``__init__`` of its own with the merged arguments."""
    if cls.path in done:
        return
    done.add(cls.path)
    inits = [
        init
        for klass in (cls, *cls.mro())
        if klass.path.startswith(f"{PACKAGE}.")
        and isinstance(init := klass.members.get("__init__"), griffe.Function)
    ]
    if not inits or not _forwards(inits[0]):
        return
    merged: list[griffe.Parameter] = []
    names: set[str] = set()
    last = inits[0]
    for position, init in enumerate(inits):
        last = init
        for p in init.parameters:
            if p.kind in _VARIADIC or p.name == "self" or p.name in names:
                continue
            kind = p.kind if position == 0 else _KEYWORD_ONLY
            merged.append(griffe.Parameter(p.name, annotation=p.annotation, kind=kind, default=p.default))
            names.add(p.name)
        if not _forwards(init):
            break
    variadic = [p for p in last.parameters if p.kind in _VARIADIC] if _forwards(last) else []
    own = cls.members.get("__init__")
    if not isinstance(own, griffe.Function):
        own = griffe.Function("__init__", lineno=inits[0].lineno, endlineno=inits[0].endlineno, parent=cls)
        cls.set_member("__init__", own)
    own.parameters = griffe.Parameters(griffe.Parameter("self"), *merged, *variadic)
    for parameter in own.parameters:
        parameter.function = own


def _forwards(init: griffe.Function) -> bool:
    return any(p.kind == _VARIADIC[1] for p in init.parameters)
