"""The REST API under ``/api/v1``: personal tokens, problem details, the OpenAPI document."""
