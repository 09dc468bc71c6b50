"""The OpenAPI document validates, is self-contained, and a bounded schemathesis run finds no 5xx."""

from __future__ import annotations

import json

import pytest

from tests.support.api_fixtures import app

pytestmark = pytest.mark.db


@pytest.fixture(scope="module")
def openapi() -> dict:
    r = app().test_client().get("/openapi?f=json")
    assert r.status_code == 200
    return r.get_json()


def test_openapi_document_validates(openapi):
    from pygeoapi.openapi import validate_openapi_document

    assert validate_openapi_document(openapi)


def test_openapi_has_no_remote_references(openapi):
    text = json.dumps(openapi)
    assert '"$ref": "http' not in text
    assert "/collections/trees/items" in openapi["paths"]
    assert (
        "/collections/orthophoto/tiles/{tileMatrixSetId}/{tileMatrix}/{tileRow}/{tileCol}"
        in openapi["paths"]
    )


@pytest.mark.slow
def test_schemathesis_finds_no_server_errors():
    import schemathesis
    from hypothesis import HealthCheck, given, settings

    schema = schemathesis.openapi.from_wsgi("/openapi?f=json", app())
    failures: list[str] = []
    calls = 0
    for result in schema.get_all_operations():
        operation = result.ok()

        @settings(
            max_examples=4,
            deadline=None,
            database=None,
            derandomize=True,
            suppress_health_check=list(HealthCheck),
        )
        @given(case=operation.as_strategy())
        def check(case) -> None:
            nonlocal calls
            response = case.call()
            calls += 1
            if response.status_code >= 500:
                failures.append(
                    f"{case.method} {case.formatted_path} {case.query} -> {response.status_code} "
                    f"{response.text[:200]}"
                )

        check()
    assert calls > 100
    assert failures == []
