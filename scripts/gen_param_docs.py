"""Write the parameter tables of the analyses into docs/parameters.md from their declared tables.

Each analysis's `PARAMETERS` (processing/<analysis>/params.py) is rendered between the markers
`<!-- params:NAME -->` and `<!-- /params:NAME -->`; everything else in the file is kept.
`--check` changes nothing and exits 1 when the file is out of date (the test suite runs it).

    .venv/bin/python scripts/gen_param_docs.py [--check]
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from processing.advertising.analysis import PARAMETERS as AD_COMPLIANCE  # noqa: E402
from processing.change.params import PARAMETERS as CHANGE  # noqa: E402
from processing.green_access.params import PARAMETERS as GREEN_ACCESS  # noqa: E402
from processing.heat.params import PARAMETERS as HEAT_ISLAND  # noqa: E402
from processing.living.params import PARAMETERS as LIVING_CONDITIONS  # noqa: E402
from processing.parameters import ParamTable, markdown_table  # noqa: E402
from processing.terrain.params import PARAMETERS as TERRAIN_CHANGE  # noqa: E402

DOC = ROOT / "docs" / "parameters.md"
TABLES: tuple[ParamTable, ...] = (HEAT_ISLAND, GREEN_ACCESS, LIVING_CONDITIONS, CHANGE, AD_COMPLIANCE,
                                  TERRAIN_CHANGE)


def render(text: str) -> str:
    """`text` with every marked section replaced by the current table (ValueError for a missing marker)."""
    for table in TABLES:
        body = markdown_table(table) if table.params else "No tunable parameters (the rule set is loaded as data)."
        name = re.escape(table.analysis)
        pattern = re.compile(rf"(<!-- params:{name} -->\n).*?(<!-- /params:{name} -->)", re.S)
        if not pattern.search(text):
            raise ValueError(
                f"{DOC} has no section <!-- params:{table.analysis} --> … <!-- /params:{table.analysis} -->"
            )
        text = pattern.sub(lambda m, b=body: f"{m.group(1)}{b}\n{m.group(2)}", text)
    return text


def main(argv: list[str]) -> int:
    current = DOC.read_text(encoding="utf-8")
    wanted = render(current)
    if "--check" in argv:
        if wanted != current:
            print(f"{DOC.relative_to(ROOT)} is out of date; run: .venv/bin/python scripts/gen_param_docs.py",
                  file=sys.stderr)
            return 1
        return 0
    if wanted != current:
        DOC.write_text(wanted, encoding="utf-8")
        print(f"wrote {DOC.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
