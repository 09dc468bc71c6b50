"""The one input validator every OGC API process uses (pygeoapi does not check inputs itself)."""

import pytest

from msip.api.processes.base import ProcessInputError, validate_inputs

META = {
    "id": "demo",
    "inputs": {
        "bbox": {"minOccurs": 1, "schema": {"type": "array", "items": {"type": "number"},
                                            "minItems": 4, "maxItems": 4, "x-msip-max-area-km2": 4}},
        "cell_size_m": {"schema": {"type": "number", "minimum": 1, "maximum": 30, "default": 5}},
        "mode": {"schema": {"type": "string", "enum": ["day", "night"], "default": "day"}},
        "hot_spots": {"schema": {"type": "boolean", "default": True}},
    },
}
BBOX = [614000, 334600, 614400, 335000]


def test_defaults_are_filled():
    assert validate_inputs({"bbox": BBOX}, META) == {
        "bbox": BBOX, "cell_size_m": 5, "mode": "day", "hot_spots": True}


@pytest.mark.parametrize(("data", "message"), [
    ({}, r"input 'bbox' is required"),
    ({"bbox": BBOX, "cell_size_m": 0.5}, r"'cell_size_m'=0.5 is below the minimum 1"),
    ({"bbox": BBOX, "cell_size_m": 31}, r"'cell_size_m'=31 is above the maximum 30"),
    ({"bbox": BBOX, "cell_size_m": "five"}, r"'cell_size_m' must be of type number"),
    ({"bbox": BBOX, "mode": "dusk"}, r"'mode'='dusk' is not one of \['day', 'night'\]"),
    ({"bbox": BBOX, "hot_spots": 1}, r"'hot_spots' must be of type boolean"),
    ({"bbox": BBOX, "colour": "red"}, r"unknown input\(s\) \['colour'\]"),
    ({"bbox": [1, 2, 3]}, r"'bbox' needs at least 4 items"),
    ({"bbox": [614400, 334600, 614000, 335000]}, r"has min ≥ max"),
    ({"bbox": [600000, 330000, 610000, 340000]}, r"covers 100.00 km², more than 4 km² .* respond-async"),
    ({"bbox": [614000, "x", 614400, 335000]}, r"'bbox\[1\]' must be of type number"),
])
def test_bad_inputs_are_refused_with_a_reason(data, message):
    with pytest.raises(ProcessInputError, match=message) as info:
        validate_inputs(data, META)
    assert info.value.http_status_code == 400
