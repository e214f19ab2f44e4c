"""Property-based requests against the schema the server publishes (schemathesis): no 5xx.

The schema is read from `/openapi.json` of a server on a real socket; every operation
gets generated bodies, queries and paths, valid and invalid, and each answer must be
anything but a server error. Starting a night is left out: it trains in the background
past the test's end (the sleep route has its own test).
"""

from __future__ import annotations

import itertools

import pytest
import schemathesis
from schemathesis import GenerationMode
from hypothesis import HealthCheck, settings as hypothesis_settings
from hypothesis.errors import Unsatisfiable

from cognition.config import load_settings
from reverie.server import create_app

@pytest.fixture(scope="module")
def served_once(tmp_path_factory, tiny_model_dir, models_dir):
    from reverie.server import ServerThread

    home = tmp_path_factory.mktemp("schema-home")
    app = create_app(load_settings(home=str(home), models_dir=str(models_dir), model={
        "id": str(tiny_model_dir), "dtype": "float32", "context_tokens": 512},
        system2={"answer_tokens": 8, "temperature": 0.0}, system1={"associate_tokens": 6}))
    server = ServerThread(app)
    yield server
    server.close()


def test_no_request_the_schema_admits_or_breaks_gets_a_server_error(served_once):
    from hypothesis import given
    from schemathesis.checks import not_a_server_error

    schema = schemathesis.openapi.from_url(served_once.url + "/openapi.json").exclude(
        path="/v1/reverie/sleep", method="POST")
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 8

    for operation, mode in itertools.product(operations, GenerationMode):   # valid requests, and broken ones
        @given(case=operation.as_strategy(mode))
        @hypothesis_settings(max_examples=10, deadline=None, suppress_health_check=list(HealthCheck), database=None,
                             derandomize=True)   # the same requests every run: CI stays reproducible
        def no_server_error(case):
            case.call_and_validate(checks=[not_a_server_error], timeout=300)

        try:
            no_server_error()
        except Unsatisfiable:   # nothing of it can be broken (no parameters, no body): its valid run covers it
            assert mode is GenerationMode.NEGATIVE
