"""The plain-English method statement of a published weight set, written from its recorded parameters."""

from __future__ import annotations

from typing import Any

from engage.weights.sources import RESAMPLES

KIND_METHODS = {
    "pairwise": "the chance that the priority beats a randomly chosen other priority in residents' "
    "'which matters more?' choices (a Bradley-Terry model), divided by the total",
    "ranking": "the chance that residents rank the priority above a randomly chosen other priority "
    "(a Bradley-Terry model of their rankings), divided by the total",
    "budget": "the mean share of the budget residents gave it",
    "importance grid": "its mean rating from 1 (not important) to 5 (very important), divided by the total",
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
        "blend": "relative importance (share x priorities covered), blend-weighted mean, normalised to sum 1",
        "interval": {
            "level": 0.95,
            "method": "percentile bootstrap over respondents",
            "replicates": RESAMPLES,
        },
        "sources": [
            {
                "kind": estimate.kind,
                "exercise_id": estimate.source.exercise_id,
                "question_id": estimate.source.question_id,
                "title": estimate.source.title,
                "blend_percent": estimate.source.blend,
                "respondents": estimate.respondents,
                "weighting": estimate.weighting_note,
            }
            for estimate in preview.estimates
        ],
        "priorities_without_data": [row.priority.code for row in preview.without_data],
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
        "For each source, a priority's share of importance is "
        + "; ".join(f"for {kind} sources, {KIND_METHODS[kind]}" for kind in kinds)
        + ". Items not linked to one of the board's priorities are left out.",
        "Each source's shares are compared as relative importance (1 is an average priority in that source), "
        "so a source that covers only some priorities is not penalised; each priority's weight is the "
        "blend-weighted mean of the relative importances from the sources that cover it, and the weights are "
        "scaled to add up to 1.",
        f"The range shown with each weight is a 95% interval from {parameters['interval']['replicates']} "
        "bootstrap resamples of each source's respondents, carried through the blend.",
    ]
    if parameters["population_weighting"]:
        notes = "; ".join(f"{s['title']}: {s['weighting'].lower()}" for s in sources)
        text.append(
            "Respondents were weighted to the area's population (raking to the loaded population figures, "
            f"using the questions residents answered about themselves). {notes}."
        )
    else:
        text.append("Respondents were not weighted to the area's population: each counts once.")
    missing = parameters["priorities_without_data"]
    if missing:
        text.append(
            f"No source covered {_list(missing)}, so "
            + ("it has" if len(missing) == 1 else "they have")
            + " no weight in this version (not a weight of zero)."
        )
    return "\n\n".join(text)
