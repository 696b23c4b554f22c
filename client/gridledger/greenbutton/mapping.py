"""The mapping file: which registered meter each usage point's readings belong to.

JSON (one format, read by the standard library)::

    {
      "usage_points": {
        "/espi/1_1/resource/Subscription/5/UsagePoint/1": "MTR-0001",
        "Garage": "MTR-0002"
      },
      "default_reading_type": {"uom": 72, "powerOfTenMultiplier": 0, "flowDirection": 1}
    }

A usage point is found by its self link (compared without scheme and host) or by its title.
``default_reading_type`` (optional) is used for a meter reading whose file gives no ReadingType.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from gridledger.greenbutton.espi import GreenButtonError, ReadingType, UsagePoint, normalize_link


@dataclass(frozen=True, slots=True)
class Mapping:
    usage_points: dict[str, str]
    default_reading_type: ReadingType | None = None

    def meter_of(self, point: UsagePoint) -> str | None:
        """The meter id of ``point`` (by link, then title), or None when it is not mapped."""
        for key in (point.link, point.title):
            if key and key in self.usage_points:
                return self.usage_points[key]
        return None

    @classmethod
    def from_json_dict(cls, data: Any, source: str = "mapping") -> Mapping:
        if not isinstance(data, dict) or not isinstance(data.get("usage_points"), dict):
            raise GreenButtonError(f"{source}: expected an object with 'usage_points'")
        points: dict[str, str] = {}
        for key, meter in data["usage_points"].items():
            if not isinstance(meter, str) or not meter:
                raise GreenButtonError(f"{source}: usage point {key!r}: meter id must be text")
            points[
                key.strip() if not key.strip().startswith(("/", "http")) else normalize_link(key)
            ] = meter
        default = data.get("default_reading_type")
        reading_type = None
        if default is not None:
            try:
                reading_type = ReadingType(
                    uom=int(default["uom"]),
                    power_of_ten=int(default.get("powerOfTenMultiplier", 0)),
                    flow_direction=int(default["flowDirection"]),
                    interval_length=(
                        int(default["intervalLength"]) if "intervalLength" in default else None
                    ),
                )
            except (KeyError, TypeError, ValueError) as err:
                raise GreenButtonError(
                    f"{source}: default_reading_type needs integer uom and flowDirection "
                    f"(and optionally powerOfTenMultiplier, intervalLength): {err}"
                ) from None
        return cls(points, reading_type)

    @classmethod
    def load(cls, path: Path) -> Mapping:
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, json.JSONDecodeError) as err:
            raise GreenButtonError(f"mapping {path}: cannot be read as JSON: {err}") from None
        return cls.from_json_dict(data, f"mapping {path}")
