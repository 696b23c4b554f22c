"""Composite keys as Fabric builds them: U+0000, object type, attributes each ended by U+0000."""

from __future__ import annotations

from collections.abc import Sequence

COMPOSITE_KEY_NAMESPACE = "\x00"
MIN_UNICODE_RUNE = "\x00"
MAX_UNICODE_RUNE = "\U0010ffff"
#: Fabric substitutes this for an empty start key of a range query.
EMPTY_KEY_SUBSTITUTE = "\x01"


def _validate_attribute(value: str) -> None:
    if MIN_UNICODE_RUNE not in value and MAX_UNICODE_RUNE not in value:
        return  # the common case, checked at C speed
    for index, char in enumerate(value):
        if char in (MIN_UNICODE_RUNE, MAX_UNICODE_RUNE):
            raise ValueError(
                f"input contains unicode U+{ord(char):04X} starting at position [{index}]. "
                "U+0000 and U+10FFFF are not allowed in the input attribute of a composite key"
            )


def create_composite_key(object_type: str, attributes: Sequence[str]) -> str:
    """Build the composite key for `object_type` and `attributes` (may be partial)."""
    _validate_attribute(object_type)
    parts = [COMPOSITE_KEY_NAMESPACE, object_type, MIN_UNICODE_RUNE]
    for attribute in attributes:
        _validate_attribute(attribute)
        parts.append(attribute)
        parts.append(MIN_UNICODE_RUNE)
    return "".join(parts)


def split_composite_key(composite_key: str) -> tuple[str, list[str]]:
    """Return (object type, attributes) of a composite key."""
    if not composite_key.startswith(COMPOSITE_KEY_NAMESPACE):
        raise ValueError(f"not a composite key: {composite_key!r}")
    components = composite_key[1:].split(MIN_UNICODE_RUNE)
    # A well-formed key ends with a separator, leaving an empty last component.
    if components and components[-1] == "":
        components.pop()
    if not components:
        raise ValueError(f"not a composite key: {composite_key!r}")
    return components[0], components[1:]


def partial_composite_key_range(object_type: str, attributes: Sequence[str]) -> tuple[str, str]:
    """Start and end keys of a range query over every key under a partial composite key."""
    start = create_composite_key(object_type, attributes)
    return start, start + MAX_UNICODE_RUNE


def validate_simple_keys(*keys: str) -> None:
    """Range queries over simple keys must not start with the composite-key namespace."""
    for key in keys:
        if key.startswith(COMPOSITE_KEY_NAMESPACE):
            raise ValueError(
                f"first character of the key [{key!r}] contains a null character "
                "which is not allowed"
            )


def range_start(start_key: str) -> str:
    return start_key or EMPTY_KEY_SUBSTITUTE
