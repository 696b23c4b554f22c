"""Python names to Fabric names: `register_meter` → `RegisterMeter`, `meter_id` → `meterId`."""

from __future__ import annotations


def function_name(python_name: str) -> str:
    parts = [part for part in python_name.split("_") if part]
    return "".join(part[0].upper() + part[1:] for part in parts)


def parameter_name(python_name: str) -> str:
    parts = [part for part in python_name.split("_") if part]
    if not parts:
        return python_name
    return parts[0] + "".join(part[0].upper() + part[1:] for part in parts[1:])
