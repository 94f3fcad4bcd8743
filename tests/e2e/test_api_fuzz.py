"""Schemathesis against `titlecert serve`, from the OpenAPI document the server publishes: for
requests that fit the document, requests that do not, and the document's examples, every answer
has a documented status, media type, headers and body, valid requests are accepted, invalid ones
refused, and none is a 500.

The document is seeded, in the test only, with the real tokens of the issued session (the path
parameter may be one of them or any string) and with the holders' real names and ID numbers as
match examples, so the 200 answers are exercised, not only the 404s."""

import copy
from typing import Any

import pytest
import requests
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from schemathesis import GenerationMode

from tests.conftest import Issued, passed_applicants, token_of


def seeded(spec: dict[str, Any], tokens: list[str], secrets: list[str]) -> dict[str, Any]:
    spec = copy.deepcopy(spec)
    holders = passed_applicants()
    for operations in spec["paths"].values():
        for operation in operations.values():
            for parameter in operation.get("parameters", []):
                for name, values in (("token", tokens), ("secret", secrets)):
                    if parameter["name"] == name:
                        parameter["schema"] = {"anyOf": [{"enum": values}, {"type": "string"}]}
                        parameter["examples"] = {f"issued-{i}": {"value": v} for i, v in enumerate(values)}
    body = spec["paths"]["/api/v1/certificates/{token}/match"]["post"]["requestBody"]["content"][
        "application/json"
    ]
    body["examples"] = {
        f"holder-{i}": {"value": {"name": a["name"], "id_number": a["id_number"]}}
        for i, a in enumerate(holders)
    } | {
        "name-only": {"value": {"name": holders[0]["name"]}},
        "id-only": {"value": {"id_number": "500101199001011234"}},
    }
    return spec


def load(server: str, issued: Issued) -> Any:
    spec = requests.get(f"{server}/api/v1/openapi.json", timeout=10).json()
    schema = schemathesis.openapi.from_dict(
        seeded(
            spec,
            [token_of(issued, i) for i in range(len(issued.documents))],
            [d["holder_url"].rsplit("/", 1)[1] for d in issued.documents],
        )
    )
    schema.config.update(base_url=server, request_timeout=60)
    return schema


@pytest.mark.parametrize(
    ("method", "path", "examples"),
    [
        ("GET", "/api/v1/certificates/{token}", 50),
        ("POST", "/api/v1/certificates/{token}/match", 50),
        ("POST", "/api/v1/verify", 20),  # each upload starts an isolated parsing process
        ("GET", "/api/v1/holder/{secret}", 30),
    ],
)
def test_operation_conforms_to_the_document(
    method: str, path: str, examples: int, server: str, issued: Issued
) -> None:
    operation = load(server, issued)[path][method]
    generated = [
        operation.as_strategy(GenerationMode.POSITIVE),
        operation.as_strategy(GenerationMode.NEGATIVE),
    ]
    cases = st.one_of(*generated, *operation.get_strategies_from_examples())
    seen: list[int] = []

    @given(case=cases)
    @settings(
        max_examples=examples,
        deadline=None,
        database=None,
        derandomize=True,
        suppress_health_check=list(HealthCheck),
    )
    def conforms(case: schemathesis.Case) -> None:
        response = case.call_and_validate(base_url=server)
        seen.append(response.status_code)

    conforms()
    assert 200 in seen, seen  # the seeded tokens reached real certificates
    assert len(seen) >= examples // 2
