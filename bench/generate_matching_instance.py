"""Generate a deterministic, national-scale matching instance as `match` command JSON.

    .venv/bin/python bench/generate_matching_instance.py --output /tmp/national.json
    .venv/bin/python bench/generate_matching_instance.py --seed 7 --weights > /tmp/w.json

Model (seeded, so the same arguments always give the same file): every helper has a
quality and the Guizhou prefecture its city is paired with; every recipient has a
prefecture and a level of need. A recipient ranks its `--prefs` best helpers out of a
random sample of candidates by quality (+ a bonus for its own paired city, + noise); a
helper ranks its `--prefs` best recipients among those that ranked it (topped up with
random others) by need (+ the same pairing bonus, + noise). Popular helpers are therefore
over-subscribed and most listed pairs are mutual, which is what makes deferred acceptance
work hard. Capacities are 1–3. With `--weights`, every pair a recipient lists gets a
weight with two decimals in [1, 100].
"""

from __future__ import annotations

import argparse
import heapq
import json
import random
import sys
from pathlib import Path

PREFECTURES = 9
CANDIDATES_PER_RECIPIENT = 150
EXTRA_CANDIDATES_PER_HELPER = 10


def generate_instance(
    *,
    seed: int = 20250,
    recipients: int = 2000,
    helpers: int = 1500,
    prefs: int = 20,
    weights: bool = False,
) -> dict[str, object]:
    """The instance as a JSON-ready dict (ids are strings R0001…, H0001…)."""
    rng = random.Random(seed)
    recipient_ids = [f"R{i + 1:04d}" for i in range(recipients)]
    helper_ids = [f"H{i + 1:04d}" for i in range(helpers)]
    recipient_prefecture = [rng.randrange(PREFECTURES) for _ in range(recipients)]
    recipient_need = [rng.random() for _ in range(recipients)]
    helper_prefecture = [rng.randrange(PREFECTURES) for _ in range(helpers)]
    helper_quality = [rng.random() for _ in range(helpers)]
    capacities = [rng.randint(1, 3) for _ in range(helpers)]

    recipient_prefs: list[list[int]] = []
    ranked_by: list[list[int]] = [[] for _ in range(helpers)]
    sample_size = min(CANDIDATES_PER_RECIPIENT, helpers)
    for r in range(recipients):
        candidates = rng.sample(range(helpers), sample_size)
        scored = [
            (
                helper_quality[h]
                + (0.3 if helper_prefecture[h] == recipient_prefecture[r] else 0.0)
                + rng.gauss(0, 0.2),
                h,
            )
            for h in candidates
        ]
        chosen = [h for _, h in heapq.nlargest(prefs, scored)]
        recipient_prefs.append(chosen)
        for h in chosen:
            ranked_by[h].append(r)

    helper_prefs: list[list[int]] = []
    for h in range(helpers):
        candidates = set(ranked_by[h])
        candidates.update(
            rng.sample(range(recipients), min(EXTRA_CANDIDATES_PER_HELPER, recipients))
        )
        scored = [
            (
                recipient_need[r]
                + (0.3 if helper_prefecture[h] == recipient_prefecture[r] else 0.0)
                + rng.gauss(0, 0.2),
                r,
            )
            for r in sorted(candidates)
        ]
        helper_prefs.append([r for _, r in heapq.nlargest(prefs, scored)])

    instance: dict[str, object] = {
        "recipients": [
            {"id": recipient_ids[r], "prefs": [helper_ids[h] for h in recipient_prefs[r]]}
            for r in range(recipients)
        ],
        "helpers": [
            {
                "id": helper_ids[h],
                "capacity": capacities[h],
                "prefs": [recipient_ids[r] for r in helper_prefs[h]],
            }
            for h in range(helpers)
        ],
    }
    if weights:
        instance["weights"] = [
            [recipient_ids[r], helper_ids[h], rng.randint(100, 10000) / 100]
            for r in range(recipients)
            for h in recipient_prefs[r]
        ]
    return instance


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seed", type=int, default=20250)
    parser.add_argument("--recipients", type=int, default=2000)
    parser.add_argument("--helpers", type=int, default=1500)
    parser.add_argument("--prefs", type=int, default=20)
    parser.add_argument("--weights", action="store_true", help="also emit pair weights")
    parser.add_argument("--output", type=Path, help="file to write (default: stdout)")
    args = parser.parse_args(argv)
    instance = generate_instance(
        seed=args.seed,
        recipients=args.recipients,
        helpers=args.helpers,
        prefs=args.prefs,
        weights=args.weights,
    )
    text = json.dumps(instance, ensure_ascii=False)
    if args.output is None:
        sys.stdout.write(text + "\n")
    else:
        args.output.write_text(text + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
