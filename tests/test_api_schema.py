"""The whole API against its own OpenAPI schema (schemathesis, in process): no server error, no status or content
type the schema does not document, every answer shaped as documented. Generated requests reach a seeded campaign
as well as ids that do not exist."""

import schemathesis
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from tests.base import BaseTestCase, api_key
from tests.evaluating import make_campaign

CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]
EXAMPLES = 25


class ApiSchemaTest(BaseTestCase):
    def setUp(self):
        # Requests go straight to the WSGI application, not through Django's test client, which would otherwise
        # keep Django from closing the test's connection (and its transaction) at the end of each request.
        for signal in (request_started, request_finished):
            signal.disconnect(close_old_connections)
            self.addCleanup(signal.connect, close_old_connections)

    def test_every_operation_answers_as_its_schema_says(self):
        make_campaign(self)
        key = api_key(user=self.organiser_a, name="schema")
        schema = schemathesis.openapi.from_wsgi("/api/openapi.json", get_wsgi_application())
        operations = [result.ok() for result in schema.get_all_operations()]
        self.assertGreaterEqual(len(operations), 16)
        for operation in operations:
            with self.subTest(operation=operation.label):

                @given(case=operation.as_strategy())
                @settings(max_examples=EXAMPLES, deadline=None, database=None, suppress_health_check=list(HealthCheck))
                def answers_as_documented(case):
                    case.call_and_validate(headers={"Authorization": f"Bearer {key}"}, checks=CHECKS)

                answers_as_documented()
