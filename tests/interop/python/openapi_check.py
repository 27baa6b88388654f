"""Validates an OpenAPI document served by Paceline with openapi-spec-validator.

Usage: python openapi_check.py URL
"""

import sys
from importlib.metadata import version

import requests
from openapi_spec_validator import validate

url = sys.argv[1]
response = requests.get(url, timeout=10)
response.raise_for_status()
document = response.json()
assert document["openapi"].startswith("3.1"), document["openapi"]
validate(document)
print(f"ok: openapi-spec-validator {version('openapi-spec-validator')} {url}")
