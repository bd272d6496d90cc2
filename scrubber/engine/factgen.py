"""One generated function per fact type building all of a claim's facts of that type, in straight-line code.

Why: ``build_claim_facts`` looped, per fact, over the type's derived fields (a tuple unpack, a
``try``, the value's class tests) and then over its copies and claim copies: the loop's own work was
as large as the derived functions it called (0.5 s of 2.8 s in the profile of 2,900 claims). The
generated function makes the same calls and the same stores, in the same order, one statement
after the other: derived fields (each in its own ``try``: a failing field is a run error, never a
silent miss), the copies compared across facts and their presence flags, the claim fields the type's
tags read, the tags (``scrubber.engine.tags.tag_function``), then ``t`` / ``cid`` / ``i`` / ``id`` and the
join keys the fact lacks (their filler values).

What goes into the source: fact keys (identifiers from the field catalog, written with ``repr``,
checked to be identifiers) and names made here; every function, field name and sentinel is passed
in the namespace under a generated name (``D3``, ``S1``...), as ``tags.py`` does for literals.
"""
from __future__ import annotations

import re
from typing import Callable

_IDENT = re.compile(r"[A-Za-z_][A-Za-z0-9_.]*\Z")


class _Src:
    """Source lines and the namespace they read."""

    def __init__(self) -> None:
        self.lines: list[str] = []
        self.ns: dict = {}

    def name(self, prefix: str, value) -> str:
        n = f"{prefix}{sum(1 for k in self.ns if k.startswith(prefix) and k[len(prefix):].isdigit())}"
        self.ns[n] = value
        return n

    def key(self, k: str) -> str:
        """A dict key as source: the literal when it is a plain fact key, else a namespace name."""
        return repr(k) if _IDENT.match(k) else self.name("K", k)

    def add(self, indent: int, *lines: str) -> None:
        self.lines.extend("    " * indent + line for line in lines)


def type_builder(ftype: str, specs: tuple, rows: tuple, helpers: dict, fill: tuple = ()) -> Callable:
    """``build(cid, claim, context, refdata, batch, objs, errors, claim_values, vs) -> [Fact]`` for one
    fact type. ``specs``: (function, fact key, name) of its derived fields (``facts._derived_rows``);
    ``rows``: its copies, tag function, -, the lists its tags read (``facts._lists_read``), its claim
    copies (``facts._tag_rows``); ``helpers``: ``Fact``, ``DeriveInput``, ``put_derived``, ``raw_lists``,
    ``no_lists`` (the objects ``facts.py`` defines); ``fill``: (join key, filler value) of the join keys
    a fact of the type may lack (``facts._filler``), stored last when the fact has no value of its own."""
    copies, tags, _, reads_set, from_claim = rows
    s = _Src()
    s.ns.update(_Fact=helpers["Fact"], _DI=helpers["DeriveInput"], _new=tuple.__new__,
                _put_derived=helpers["put_derived"], _raw_lists=helpers["raw_lists"], _NO_LISTS=helpers["no_lists"],
                _tags=tags, _FT=ftype, _type=type)
    s.add(0, "def build(cid, claim, context, refdata, batch, objs, errors, claim_values, vs):",
          "    out = []", "    prefix = f'{cid}:' + _FT + ':'",
          "    for idx, (obj, values) in enumerate(objs):")
    if specs:
        # DeriveInput is a NamedTuple: tuple.__new__ makes one without a Python-level call
        s.add(2, "inp = _new(_DI, (claim, obj, context, refdata, batch, values))", "dl = None")
    for func, key, name in specs:
        f, n, what, k = s.name("D", func), s.name("N", name), s.name("W", f"derived field {ftype}.{name}"), s.key(key)
        s.add(2, "try:", f"    v = {f}(inp)",
              "except Exception as exc:  # a bug in a derived field is a run error, never a silent miss",
              f"    errors.append(({what}, f'{{_type(exc).__name__}}: {{exc}}'))",
              "else:", "    if v is not None:", "        c = v.__class__",
              "        if c is str:", "            if v:", f"                values[{k}] = v",
              "        elif c is bool or c is float or c is int:", f"            values[{k}] = v",
              "        else:", f"            dl = _put_derived(values, {k}, {n}, v, dl)")
    for key, copy_key, has_key, sentinel in copies:
        k, ck, hk, sv = s.key(key), s.key(copy_key), s.key(has_key), s.name("S", sentinel)
        s.add(2, f"v = values.get({k})", "if v is None:", f"    values[{ck}] = {sv}", f"    values[{hk}] = False",
              "else:", f"    values[{ck}] = v", f"    values[{hk}] = True")
    if from_claim:
        s.add(2, "if claim_values is not None:")
        for src, dst in from_claim:
            s.add(3, f"v = claim_values.get({s.key(src)})", "if v is not None:", f"    values[{s.key(dst)}] = v")
    if not reads_set or (reads_set == "derived" and not specs):
        s.add(2, "_tags(values, _NO_LISTS, vs)")
    elif reads_set == "derived":  # only derived list fields are read as lists
        s.add(2, "_tags(values, _NO_LISTS if dl is None else dl, vs)")
    elif specs:
        s.add(2, "_tags(values, _raw_lists(_FT, obj) if dl is None else {**_raw_lists(_FT, obj), **dl}, vs)")
    else:
        s.add(2, "_tags(values, _raw_lists(_FT, obj), vs)")
    s.add(2, "values['t'] = _FT", "values['cid'] = cid", "values['i'] = idx", "values['id'] = prefix + str(idx)")
    for key, filler in fill:
        k = s.key(key)
        s.add(2, f"if {k} not in values:", f"    values[{k}] = {s.name('F', filler)}")
    s.add(2, "out.append(_Fact(_FT, idx, obj, values))")
    s.add(1, "return out")
    exec(compile("\n".join(s.lines) + "\n", f"<claimscrub facts {ftype}>", "exec"), s.ns)  # noqa: S102 - keys only
    return s.ns["build"]
