"""A trivial OGC process for access-control tests: answers its inputs at once (sync or async job).

Registered by dotted path in a test config, exactly as a third party's process would be.
"""

from __future__ import annotations

from msip.api.processes.base import MsipProcessor

METADATA = {
    "version": "1.0.0",
    "id": "echo",
    "title": {"en": "Echo", "pl": "Echo"},
    "description": {"en": "Returns its inputs", "pl": "Zwraca swoje wejścia"},
    "jobControlOptions": ["sync-execute", "async-execute"],
    "keywords": ["test"],
    "inputs": {
        "word": {"title": "Word", "description": "Any text", "schema": {"type": "string"},
                 "minOccurs": 0, "maxOccurs": 1},
    },
    "outputs": {"echo": {"title": "Echo", "schema": {"type": "object", "contentMediaType": "application/json"}}},
    "example": {"inputs": {"word": "hello"}},
}


class EchoProcessor(MsipProcessor):
    """Echoes `word`."""

    METADATA = METADATA

    def run(self, inputs: dict) -> dict:
        return {"status": "succeeded", "echo": inputs.get("word")}


def echo_config(jobs_dir) -> dict:
    """A pygeoapi config (the repository's server block) publishing only the echo process."""
    from msip.api.config import read_yaml
    from tests.support.paths import ROOT

    cfg = read_yaml(ROOT / "pygeoapi-config.yml")
    cfg["server"]["manager"] = {"name": "msip.api.jobs.MsipJobManager",
                                "connection": str(jobs_dir / "jobs.db"), "output_dir": f"{jobs_dir}/"}
    cfg["resources"] = {"echo": {"type": "process",
                                 "processor": {"name": "tests.support.echo_process.EchoProcessor"}}}
    return cfg
