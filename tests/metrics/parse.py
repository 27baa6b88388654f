"""Reads a Prometheus text exposition on standard input with the official Python client's
parser and prints its samples as JSON: a list of {family, type, name, labels, value}. A
scrape the parser refuses ends the script with an error."""

import json
import sys

from prometheus_client.parser import text_string_to_metric_families


def main() -> None:
    samples = []
    for family in text_string_to_metric_families(sys.stdin.read()):
        for sample in family.samples:
            samples.append(
                {
                    "family": family.name,
                    "type": family.type,
                    "name": sample.name,
                    "labels": sample.labels,
                    "value": sample.value,
                }
            )
    json.dump(samples, sys.stdout)


if __name__ == "__main__":
    main()
