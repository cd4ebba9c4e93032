"""The plain-English method statement of a published weight set, written from its recorded parameters."""

from __future__ import annotations

from typing import Any

from engage.weights.preview import MINIMUM_REASON
from engage.weights.sources import RESAMPLES

#: The blend's method, recorded with every version published: 1 (before 2026-11) blended each source's own
#: shares; 2 puts every source on the common scale first (docs/weights.md); 3 (2026-11) widens the
#: intervals by the Bayesian bootstrap's own small-sample factor, (n + 1) / (n - 1) per source, where 2 used
#: the ordinary bootstrap's n / (n - 1) (weights and ranks unchanged). The export columns did not change.
BLEND_METHOD_VERSION = 3

KIND_METHODS = {
    "pairwise": "a Bradley-Terry model of residents' 'which matters more?' choices, each resident's choices "
    "counting once in total and a priority's strength being the average of its items'",
    "ranking": "a Bradley-Terry model of the pairs residents' rankings imply, each resident counting once",
    "budget": "the share of residents who gave it more of the budget than the other priority (a tie counts "
    "half)",
    "importance grid": "the share of residents who rated it as more important than the other priority (a tie "
    "counts half), so only the order of each resident's ratings matters, not the numbers on the scale",
}

CHANNEL_WORDS = {"online": "online", "workshop": "at workshops", "paper": "on paper"}


def _list(words: list[str]) -> str:
    return words[0] if len(words) == 1 else ", ".join(words[:-1]) + " and " + words[-1]


def method_parameters(weight_set, preview) -> dict[str, Any]:
    """What the statement is written from, and what is stored beside it (JSON-friendly)."""
    return {
        "board": weight_set.board.short_code,
        "channels": [c.value for c in weight_set.channel_list],
        "population_weighting": weight_set.population_weighting,
        "blend": "common scale: each source's log-strengths (chance one priority is preferred to "
        "another), standardised; blend-weighted mean; weight = chance of being preferred to a random other, "
        "over the total",
        "blend_method_version": BLEND_METHOD_VERSION,
        "interval": {
            "level": 0.95,
            "method": "Bayesian bootstrap over people across the sources together (a consultation's "
            "responses linked across its importance grids; exercises' respondents taken to be different "
            "people), log-odds scale, Student's t with Welch-Satterthwaite degrees of freedom",
            "replicates": RESAMPLES,
        },
        "minimum_respondents": {"value": preview.minimum, "reason": MINIMUM_REASON},
        "sources": [
            {
                "kind": estimate.kind,
                "exercise_id": estimate.source.exercise_id,
                "question_id": estimate.source.question_id,
                "title": estimate.source.title,
                "blend_percent": estimate.source.blend,
                "respondents": estimate.respondents,
                "weighting": estimate.weighting_note,
                "influence": round(preview.influence.get(estimate.source.id, 0.0), 4),
            }
            for estimate in preview.estimates
        ],
        "priorities_without_data": [row.priority.code for row in preview.without_data],
        "priorities_below_minimum": [row.priority.code for row in preview.too_little_evidence],
        "left_out_below_minimum": [
            {"source": s.source_title, "priority": s.priority.code, "respondents": s.respondents}
            for s in preview.shortfalls
        ],
    }


def method_statement(parameters: dict[str, Any]) -> str:
    """Paragraphs a board member or a performance analyst can read without knowing the software."""
    sources = parameters["sources"]
    parts = [
        f"“{s['title']}” ({s['kind']}, {s['blend_percent']:g}% of the blend, "
        f"{s['respondents']:,} respondents)"
        for s in sources
    ]
    kinds = sorted({s["kind"] for s in sources})
    channels = [CHANNEL_WORDS.get(c, c) for c in parameters["channels"]]
    text = [
        (
            f"These weights blend {len(sources)} source{'s' if len(sources) != 1 else ''}: "
            + _list(parts)
            + "."
        ),
        f"Only answers given {_list(channels)} were counted.",
        "Every source is first put on the same scale: for each pair of priorities, the chance that a "
        "resident prefers one to the other. For "
        + "; for ".join(f"{kind} sources this is {KIND_METHODS[kind]}" for kind in kinds)
        + ". Items not linked to one of the board's priorities are left out.",
        "Each source's results are then given the same spread, so that a source's share of the blend is its "
        "share of the influence on the weights, whatever scale its residents answered on. Each priority's "
        "strength is the blend-weighted average over the sources that cover it, and its weight is the chance "
        "that it is preferred to another priority chosen at random, scaled so the weights add up to 1.",
        f"The range shown with each weight is a 95% interval from {parameters['interval']['replicates']} "
        "bootstrap resamples of the respondents, carried through the blend: each resample gives every "
        "respondent a random weight, the same in every source where Engage can tell it is the same person "
        "(the importance grids of one consultation), and the range allows for the number of respondents "
        "behind each source. Engage cannot link one resident's answers across exercises, or between an "
        "exercise and a consultation, so there it assumes the respondents are different people: if many "
        "residents answered several of these sources, the true range may be wider.",
    ]
    minimum = parameters.get("minimum_respondents")
    if minimum:
        rule = (
            f"A source's answers about a priority count only when at least {minimum['value']:,} of its "
            f"respondents answered about it. {minimum['reason']}"
        )
        left_out = parameters.get("left_out_below_minimum") or []
        if left_out:
            rule += (
                " Left out for this reason: "
                + _list(
                    [f"{x['source']} on {x['priority']} ({x['respondents']:,} respondents)" for x in left_out]
                )
                + "."
            )
        text.append(rule)
    if parameters["population_weighting"]:
        notes = "; ".join(f"{s['title']}: {s['weighting'].lower()}" for s in sources)
        text.append(
            "Respondents were weighted to the area's population (raking to the loaded population figures, "
            f"using the questions residents answered about themselves). {notes}."
        )
    else:
        text.append("Respondents were not weighted to the area's population: each counts once.")
    short = parameters.get("priorities_below_minimum") or []
    if short:
        text.append(
            f"Too few respondents answered about {_list(short)} in any source, so "
            + ("it has" if len(short) == 1 else "they have")
            + " no weight in this version (not a weight of zero)."
        )
    missing = parameters["priorities_without_data"]
    if missing:
        text.append(
            f"No source covered {_list(missing)}, so "
            + ("it has" if len(missing) == 1 else "they have")
            + " no weight in this version (not a weight of zero)."
        )
    return "\n\n".join(text)
