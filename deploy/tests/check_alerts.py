#!/usr/bin/env python3
"""check_alerts.py ALERTS.yml METRICS_SOURCE_DIRS OPERATIONS_MD

Checks the example alerting rules against the code: each rule has an alert name, an expression,
a severity and a summary; every breachd_* metric an expression uses is one that the code exports
(a name in a string literal of a .cc file in METRICS_SOURCE_DIRS, a colon-separated list: libs/metrics
and the services that report gauges) and that docs/operations.md documents, except the metrics of
rules marked PLACEHOLDER (for services that do not exist yet)."""
import pathlib
import re
import sys

import yaml

HISTOGRAM_SUFFIXES = ("_bucket", "_count", "_sum")


def exported_metrics(source_dirs):
    names = set()
    for source_dir in source_dirs.split(":"):
        for path in pathlib.Path(source_dir).glob("*.cc"):
            names |= set(re.findall(r'"(breachd_[a-z0-9_]+)"', path.read_text()))
    return names


def base_name(metric):
    for suffix in HISTOGRAM_SUFFIXES:
        if metric.endswith(suffix):
            return metric[: -len(suffix)]
    return metric


def main(alerts_path, source_dir, operations_md):
    text = pathlib.Path(alerts_path).read_text()
    rules = [rule for group in yaml.safe_load(text)["groups"] for rule in group["rules"]]
    exported = exported_metrics(source_dir)
    documented = pathlib.Path(operations_md).read_text()
    placeholders = set(re.findall(r"PLACEHOLDER[^\n]*\n(?:\s*#[^\n]*\n)*\s*- alert: (\w+)", text))
    problems = []
    for rule in rules:
        name = rule.get("alert", "?")
        for field in ("alert", "expr"):
            if not rule.get(field):
                problems.append(f"{name}: no {field}")
        if not rule.get("labels", {}).get("severity"):
            problems.append(f"{name}: no labels.severity")
        if not rule.get("annotations", {}).get("summary"):
            problems.append(f"{name}: no annotations.summary")
        if name in placeholders:
            continue
        for metric in set(re.findall(r"breachd_[a-z0-9_]+", str(rule.get("expr", "")))):
            if base_name(metric) not in exported:
                problems.append(f"{name}: {metric} is not exported by {source_dir}")
            if f"`{base_name(metric)}" not in documented:
                problems.append(f"{name}: {base_name(metric)} is not documented in {operations_md}")
        if name not in documented:
            problems.append(f"{name}: no runbook entry in {operations_md}")
    for problem in problems:
        print(problem)
    print(f"{alerts_path}: {len(rules)} rules ({len(placeholders)} placeholder), "
          f"{len(problems)} problems")
    return 1 if problems else 0


if __name__ == "__main__":
    if len(sys.argv) != 4:
        sys.exit(__doc__)
    sys.exit(main(*sys.argv[1:]))
