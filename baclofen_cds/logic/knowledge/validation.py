"""Typed, strict decoding of the knowledge files (msgspec), and its errors in plain words.

Every model is a frozen msgspec `Struct` that refuses unknown fields (`Strict`). A few values
are written in a short form in the YAML (a dose level `[5, 3]`, a member `name: [brands]`, a
handout line as a bare string): their types register a decode hook here. A
`msgspec.ValidationError` ("Expected `float` > 0.0 - at `$.rules[3].start_mg`") becomes a
location and a message (`explain`), which each file's loader prefixes with the file name and
the entry's id.
"""

from __future__ import annotations

import datetime
import functools
import re
import types
import typing
from collections.abc import Callable, Mapping
from typing import Any, TypeVar, Union

import msgspec


class Strict(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """A knowledge-file entry: frozen, every field known, keyword-only."""


_T = TypeVar("_T")
Loc = tuple[str | int, ...]

#: Decoders of the types written in a short form in the YAML (a type -> builds it from data).
_HOOKS: dict[type, Callable[[Any], Any]] = {}


def decode_hook(cls: type[_T]) -> Callable[[Callable[[Any], _T]], Callable[[Any], _T]]:
    """Register `fn(data) -> cls` as how `cls` is built from its decoded (plain) data."""

    def register(fn: Callable[[Any], _T]) -> Callable[[Any], _T]:
        _HOOKS[cls] = fn
        return fn

    return register


def _dec_hook(tp: type, obj: Any) -> Any:
    hook = _HOOKS.get(tp)
    if hook is None:
        raise NotImplementedError(f"no decoder for {tp!r}")
    return hook(obj)


_DECODERS: dict[Any, msgspec.json.Decoder[Any]] = {}
#: What to say when a value of a type written as a list has the wrong shape.
_SHAPE_ERRORS: dict[Any, str] = {}


def shape_error(cls: type, message: str) -> None:
    """Say `message` instead of msgspec's complaint about the shape of a `cls` list."""
    _SHAPE_ERRORS[cls] = message


def decode_json(raw: bytes, model: type[_T]) -> _T:
    """`raw` JSON decoded straight into `model`; `msgspec.ValidationError` when it is not one."""
    decoder = _DECODERS.get(model)
    if decoder is None:
        decoder = _DECODERS[model] = msgspec.json.Decoder(type=model, dec_hook=_dec_hook)
    result: _T = decoder.decode(raw)
    return result


def convert(data: Any, model: type[_T]) -> _T:
    """Plain data (parsed YAML or JSON) as `model`; `msgspec.ValidationError` when it is not."""
    return msgspec.convert(data, model, dec_hook=_dec_hook, str_keys=True)


# ------------------------------------------------------------------ errors in plain words
#: patterns of msgspec's messages, compiled on first use (re caches them): errors only
_AT = r"^(?P<msg>.*?)(?: - at `(?P<key>key` in `)?(?P<path>\$[^`]*)`)?$"
_SEGMENT = r"\.([^.\[]+)|\[(\d+)\]|\[(\.\.\.)\]"
_KINDS = {
    "float": "a number",
    "int": "a whole number",
    "str": "text",
    "bool": "true or false",
    "array": "a list",
    "object": "a mapping",
    "null": "empty (null)",
    "date": "a date (YYYY-MM-DD)",
}
_ARRAY_LENGTH = r"Expected `array` of (?:at (?:least|most) )?length (\d+)(?:, got (\d+))?"
_BOUNDS = {
    ">": "greater than",
    ">=": "at least",
    "<": "less than",
    "<=": "at most",
}


def _number(text: str) -> str:
    value = float(text)
    return f"{value:g}"


def _plain(msg: str) -> str:
    """msgspec's message in the words the project's errors use."""
    if m := re.fullmatch(r"Expected `([\w |]+)`, got `(\w+)`", msg):
        # an optional field ("int | null") may be left out: it is said as the type alone
        kinds = [_KINDS.get(k, k) for k in m[1].split(" | ") if k != "null"]
        got = "a decimal number" if m[2] == "float" else _KINDS.get(m[2], m[2])
        return f"must be {' or '.join(kinds)}, not {got}"
    if m := re.fullmatch(r"Expected `(?:float|int)` (>=|>|<=|<) (\S+)", msg):
        return f"must be {_BOUNDS[m[1]]} {_number(m[2])}"
    if m := re.fullmatch(r"Expected `str` of length (>=|<=) (\d+)", msg):
        if m[1] == ">=" and m[2] == "1":
            return "must not be empty"
        return f"must be {_BOUNDS[m[1]]} {m[2]} characters"
    if m := re.fullmatch(r"Expected `array` of length (>=|<=) (\d+)", msg):
        return f"must list {_BOUNDS[m[1]]} {m[2]} item(s)"
    if m := re.fullmatch(
        r"Expected `array` of (?:at (?:least|most) )?length (\d+)(?:, got (\d+))?", msg
    ):
        return f"must list {m[1]} items" + (f", not {m[2]}" if m[2] else "")
    if m := re.fullmatch(r"Expected `str` matching regex (.+)", msg):
        return f"must match the pattern {m[1]}"
    if m := re.fullmatch(r"Invalid enum value (.+)", msg):
        return f"{m[1]} is not one of the allowed values"
    if msg == "Number out of range":
        return "is not a number that can be used (out of range)"
    if msg.startswith("Invalid RFC3339 encoded date"):
        return "must be a date (YYYY-MM-DD)"
    return msg


def explain(exc: msgspec.ValidationError, model: type[Any], data: Any) -> tuple[Loc, str]:
    """(location, message) of a validation error of `data` decoded as `model`.

    The location is a tuple of keys and indexes, as pydantic gave it (a missing or unknown
    field is named in the location, and a mapping's key is found where msgspec writes
    `[...]`)."""
    m = re.match(_AT, str(exc), re.S)
    msg, path = (m["msg"], m["path"]) if m else (str(exc), None)
    loc: list[str | int | None] = []
    for name, index, _dots in re.findall(_SEGMENT, (path or "$")[1:]):
        loc.append(name if name else int(index) if index else None)
    if found := re.fullmatch(r"Object missing required field `(.+)`", msg):
        loc.append(found[1])
        msg = "Field required"
    elif found := re.fullmatch(r"Object contains unknown field `(.+)`", msg):
        loc.append(found[1])
        msg = "Extra inputs are not permitted"
    else:
        msg = ("a key " if m and m["key"] else "") + _plain(msg)
    where, tp = _fill_keys(model, data, loc)
    shape = _SHAPE_ERRORS.get(_unwrap(tp))
    if shape is not None and msg.startswith(("must list", "must be a list")):
        msg = shape
    choices = _choices(tp)
    if choices and msg.endswith(" is not one of the allowed values"):
        msg = msg.replace("the allowed values", ", ".join(choices))
    return where, msg


def _choices(tp: Any) -> tuple[str, ...]:
    """The allowed values of a Literal type (or of a mapping keyed by one)."""
    tp = _unwrap(tp)
    if typing.get_origin(tp) in (dict, Mapping):
        tp = _unwrap(typing.get_args(tp)[0])
    if typing.get_origin(tp) is typing.Literal:
        return tuple(str(a) for a in typing.get_args(tp))
    return ()


def convert_or_explain(data: Any, model: type[_T], *, owner: str) -> _T:
    """`convert`, for a decode hook: a bad value is a ValueError naming `owner` and the field
    (msgspec adds where the hook's value is)."""
    try:
        return convert(data, model)
    except msgspec.ValidationError as exc:
        loc, msg = explain(exc, model, data)
        where = ".".join(str(p) for p in loc)
        raise ValueError(f"{owner}" + (f".{where}" if where else "") + f": {msg}") from None


def _fill_keys(model: Any, data: Any, loc: list[str | int | None]) -> tuple[Loc, Any]:
    """Replace each `[...]` (a mapping key msgspec does not name) by the first key whose value
    does not decode as the mapping's value type; and the type found at the location."""
    out: list[str | int] = []
    tp: Any = model
    node = data
    for step in loc:
        tp = _unwrap(tp)
        if step is None:
            value_type = _dict_value_type(tp)
            key = _failing_key(node, value_type)
            if key is None:
                out.append("[...]")
                tp, node = Any, None
                continue
            out.append(key)
            tp, node = value_type, node[key]
            continue
        out.append(step)
        tp = _step_type(tp, step)
        node = _step_data(node, step)
    return tuple(out), tp


def _unwrap(tp: Any) -> Any:
    while True:
        origin = typing.get_origin(tp)
        if origin is typing.Annotated:
            tp = typing.get_args(tp)[0]
        elif origin in (Union, types.UnionType):
            arms = [a for a in typing.get_args(tp) if a is not type(None)]
            tp = arms[0] if len(arms) == 1 else Any
        else:
            return tp


def _dict_value_type(tp: Any) -> Any:
    if typing.get_origin(tp) in (dict, Mapping):
        return typing.get_args(tp)[1]
    return Any


def _failing_key(node: Any, value_type: Any) -> str | None:
    if not isinstance(node, dict) or value_type is Any:
        return None
    for key, value in node.items():
        try:
            convert(value, value_type)
        except (msgspec.ValidationError, TypeError, ValueError):
            return str(key)
    return None


def _step_type(tp: Any, step: str | int) -> Any:
    if isinstance(tp, type) and issubclass(tp, msgspec.Struct):
        hints = _hints(tp)
        for field in msgspec.structs.fields(tp):
            if field.encode_name == step:
                return hints.get(field.name, Any)
        return Any
    if isinstance(step, int):
        origin = typing.get_origin(tp)
        args = typing.get_args(tp)
        if origin is tuple and args:
            if len(args) == 2 and args[1] is Ellipsis:
                return args[0]
            return args[step] if step < len(args) else Any
        if origin is list and args:
            return args[0]
        if isinstance(tp, type) and issubclass(tp, tuple) and hasattr(tp, "_fields"):
            hints = _hints(tp)
            fields = tp._fields
            return hints.get(fields[step], Any) if step < len(fields) else Any
        if isinstance(tp, type) and issubclass(tp, tuple):
            for base in getattr(tp, "__orig_bases__", ()):
                if typing.get_origin(base) is tuple:
                    return _step_type(base, step)
    return Any


@functools.cache
def _hints(tp: type) -> dict[str, Any]:
    try:
        return typing.get_type_hints(tp, include_extras=True)
    except (NameError, TypeError):
        return {}


def _step_data(node: Any, step: str | int) -> Any:
    if isinstance(step, int):
        return node[step] if isinstance(node, list) and 0 <= step < len(node) else None
    return node.get(step) if isinstance(node, dict) else None


# ------------------------------------------------------------------ models as plain data
def to_data(obj: Any) -> Any:
    """A model (msgspec Struct, dataclass) as plain JSON-like data, field order kept: the
    mapping of every field name to its value (dates as ISO text, tuples as lists)."""
    if isinstance(obj, msgspec.Struct):
        return {f.name: to_data(getattr(obj, f.name)) for f in msgspec.structs.fields(obj)}
    if hasattr(obj, "__dataclass_fields__") and not isinstance(obj, type):
        import dataclasses  # only when given one: the models here are Structs

        return {f.name: to_data(getattr(obj, f.name)) for f in dataclasses.fields(obj)}
    if isinstance(obj, tuple) and hasattr(obj, "_fields"):  # a NamedTuple: its fields by name
        return {name: to_data(getattr(obj, name)) for name in obj._fields}
    if isinstance(obj, Mapping):
        return {k: to_data(v) for k, v in obj.items()}
    if isinstance(obj, list | tuple):
        return [to_data(v) for v in obj]
    if isinstance(obj, datetime.date):
        return obj.isoformat()
    return obj
