"""Sum up a `make fuzz` run from the answers tests/test_fuzz_forms.py recorded.

    python -m tests.fuzz_summary test-results/fuzz-answers.jsonl

Prints, per engine and kind of route, how many routes ran, how many examples they
got (the fewest on one route among them) and how the answers fell by status class.
A route that answered 500 fails its test before it is recorded: pytest's outcome
says that, this summary only counts what passed.
"""

import json
import sys
from collections import Counter, defaultdict

CLASSES = ("2xx", "3xx", "4xx", "5xx")


def kind_of(route: str) -> str:
    if " with " in route:
        return "wrong kind of body"
    return "filters (GET)" if route.startswith("GET ") else "forms (POST)"


def summarise(lines) -> dict:
    groups = defaultdict(lambda: {"routes": 0, "fewest": None, "answers": Counter()})
    for line in lines:
        answer = json.loads(line)
        engine, _space, route = answer["route"].partition(" ")
        group = groups[(engine, kind_of(route))]
        group["routes"] += 1
        examples = answer["examples"]
        group["fewest"] = min(examples, group["fewest"] or examples)
        group["answers"].update(
            {name: answer.get(name, 0) for name in ("examples", "429", *CLASSES)}
        )
    return groups


def main(path: str) -> None:
    with open(path) as file:
        groups = summarise(line for line in file if line.strip())
    print("| engine | routes | examples | fewest on a route | 2xx | 3xx | 4xx | 5xx |")
    print("| --- | --- | --- | --- | --- | --- | --- | --- |")
    for (engine, kind), group in sorted(groups.items()):
        answers = group["answers"]
        cells = [f"{answers[name]:,}" for name in CLASSES]
        print(
            f"| {engine} {kind} | {group['routes']} | {answers['examples']:,} "
            f"| {group['fewest']:,} | {' | '.join(cells)} |"
        )


if __name__ == "__main__":
    main(sys.argv[1])
