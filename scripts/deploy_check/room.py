"""A workshop room of 60 phones through nginx, spread over every app host: each phone joins and waits,
follows the facilitator's "start the round" within a poll or two, makes its choices, and follows "end the
workshop". Each phone has its own address (127.0.1.N), as phones on mobile data do. Reuses the simulated
room of benchmarks/workshop.py."""

from __future__ import annotations

import html
import random
import re
import threading
import time
from collections import Counter, defaultdict
from dataclasses import dataclass, field

from benchmarks.workshop import PAIRS_EACH, Tally, _csrf, audit_votes, join_room, projector, vote_pairs
from scripts.deploy_check.checks import expect
from scripts.deploy_check.stack import Stack

PHONES = 60
JOIN_SECONDS = 5
#: How often a phone asks "anything new?" (the room page's htmx poll).
POLL_SECONDS = 2.0
THINK = (0.3, 1.0)


@dataclass
class Phone:
    address: str
    tally: Tally = field(default_factory=Tally)
    joined: float | None = None
    saw_round: float | None = None
    saw_end: float | None = None
    problem: str | None = None
    #: (when each poll was sent, its status): a poll sent after the facilitator's change was acknowledged
    #: must never be told "nothing new" (204), whichever host answers it.
    polls: list[tuple[float, int]] = field(default_factory=list)


def _poll_keys(page: str, code: str) -> str:
    """The room's next poll address (with the revision and question it has seen), from its poller."""
    found = re.search(rf'hx-get="(/join/{code}/now\?[^"]+)"', page)
    if found is None:
        raise LookupError("no poller on the page")
    return html.unescape(found.group(1))


def _wait_for(http, stack: Stack, code: str, poll: str, done, phone: Phone) -> tuple[float, str, str]:
    """Poll as the room page does until ``done(poll's answer)``; returns when it was seen, that answer and
    the next poll's address."""
    for _ in range(120):
        sent = time.perf_counter()
        response = http.get(f"{stack.base}{poll}")
        phone.polls.append((sent, response.status_code))
        if response.status_code == 200:
            poll = _poll_keys(response.text, code)
            if done(response.text):
                return time.perf_counter(), response.text, poll
        elif response.status_code != 204:
            raise LookupError(f"a poll answered {response.status_code}")
        time.sleep(POLL_SECONDS)
    raise LookupError("the change never came")


def _phone(stack: Stack, code: str, phone: Phone, seed: int) -> None:
    rng = random.Random(seed)
    time.sleep(rng.uniform(0, JOIN_SECONDS))
    http = stack.client(phone.address)
    # nginx logs a client's network, not its address: each phone's lines are told apart by its user agent.
    http.headers["User-Agent"] = _agent(phone)
    try:
        token, page = join_room(http, stack.base, code, f"Phone {seed}")
        phone.joined = time.perf_counter()
        poll = _poll_keys(page, code)
        phone.saw_round, page, poll = _wait_for(
            http, stack, code, poll, lambda text: 'name="key"' in text, phone
        )
        vote_pairs(http, stack.base, code, token, page, rng, phone.tally, think=THINK)
        # Then waits, polling, until the facilitator ends the workshop (once every phone has voted).
        phone.saw_end, _page, _poll = _wait_for(
            http, stack, code, poll, lambda text: "q=ended" in text, phone
        )
    except (LookupError, OSError) as problem:
        phone.problem = str(problem)


def _act(http, stack: Stack, session_id: int, action: str) -> float:
    """The facilitator presses a control on the control page (signed in, through nginx)."""
    control = http.get(f"{stack.base}/manage/workshops/{session_id}").text
    form = {"csrf_token": _csrf(control), "confirmed": "yes"}
    url = f"{stack.base}/manage/workshops/{session_id}/{action}"
    response = http.post(url, data=form, allow_redirects=False)
    expect(response.status_code == 302, f"the facilitator's {action!r} answered {response.status_code}")
    return time.perf_counter()


def workshop_room(stack: Stack, app, facilitator, session_id: int, code: str, exercise_id: int) -> str:
    """60 phones follow the facilitator through nginx and every app host; nothing lost or doubled; the
    projector counts every vote; each vote carries its own phone's address."""
    phones = [Phone(f"127.0.1.{n + 1}") for n in range(PHONES)]
    since = len(stack.nginx_log())
    threads = [
        threading.Thread(target=_phone, args=(stack, code, phone, n), daemon=True)
        for n, phone in enumerate(phones)
    ]
    polls: list[tuple[float, int]] = []
    stop = threading.Event()
    screen = threading.Thread(
        target=projector, args=(stack.base, session_id, stop, polls, stack.client("127.0.0.9")), daemon=True
    )
    screen.start()
    for thread in threads:
        thread.start()
    deadline = time.perf_counter() + JOIN_SECONDS + 20
    while any(p.joined is None and p.problem is None for p in phones) and time.perf_counter() < deadline:
        time.sleep(0.2)
    started = _act(facilitator, stack, session_id, "next")
    _act(facilitator, stack, session_id, "reveal")  # the live results on the projector
    deadline = time.perf_counter() + 120
    # Until every phone has made its choices, or has gone wrong (a phone going wrong does not end the
    # round for the others, or they would all report "this round has finished").
    while (
        any(len(p.tally.acks) < PAIRS_EACH and not p.tally.failures and p.problem is None for p in phones)
        and time.perf_counter() < deadline
    ):
        time.sleep(0.2)
    time.sleep(POLL_SECONDS * 1.5)  # the projector's last poll
    ended = _act(facilitator, stack, session_id, "end")
    for thread in threads:
        thread.join(timeout=30)
    stop.set()
    screen.join(timeout=10)

    problems = Counter(str(p.problem or p.tally.failures[0]) for p in phones if p.problem or p.tally.failures)
    expect(not problems, f"{problems.total()} phone(s) went wrong: {dict(problems.most_common(3))}")
    stale = sum(
        1
        for p in phones
        for sent, status in p.polls
        if status == 204 and (started < sent < p.saw_round or ended < sent < p.saw_end)
    )
    expect(stale == 0, f"{stale} poll(s) sent after the facilitator's change were told nothing changed")
    follow_start = sorted(p.saw_round - started for p in phones)
    follow_end = sorted(p.saw_end - ended for p in phones)

    merged = Tally()
    for phone in phones:
        merged.acks += phone.tally.acks
        merged.latencies += phone.tally.latencies
        merged.keys |= phone.tally.keys
    expect(len(merged.acks) == PHONES * PAIRS_EACH, f"{len(merged.acks)} votes acknowledged")
    lost, doubled = audit_votes(app, session_id, exercise_id, merged)
    expect(lost == 0 and doubled == 0, f"audit: {lost} lost, {doubled} doubled")
    counted = max((seen for _t, seen in polls), default=0)
    expect(counted == len(merged.acks), f"the projector counted {counted} of {len(merged.acks)} votes")
    addresses = _addresses_match(app, exercise_id, phones)

    served: dict[str, set[str]] = defaultdict(set)
    by_host: dict[str, int] = defaultdict(int)
    agents = {_agent(p) for p in phones}
    logged = set()
    for line in stack.nginx_log()[since:]:
        if line["user_agent"] in agents and line["upstream"]:
            served[line["user_agent"]].add(line["upstream"])
            by_host[line["upstream"]] += 1
            logged.add(line["client"])
    expect(not logged & {p.address for p in phones}, f"nginx's log kept phones' whole addresses: {logged}")
    expect(len(by_host) == len(stack.upstreams), f"the phones reached {dict(by_host)}, not every host")
    on_all = sum(1 for hosts in served.values() if len(hosts) == len(stack.upstreams))
    latencies = sorted(merged.latencies)
    p95 = latencies[int(len(latencies) * 0.95)] * 1000
    return (
        f"{PHONES} phones ({on_all} served by all {len(by_host)} hosts; requests per host "
        f"{sorted(by_host.values())}) followed the facilitator, no poll after a change answered stale: saw "
        f"the round start after {follow_start[PHONES // 2]:.1f} s median ({follow_start[-1]:.1f} max), the "
        f"end after {follow_end[PHONES // 2]:.1f} s ({follow_end[-1]:.1f}); {len(merged.acks)} votes (p95 "
        f"{p95:.0f} ms): 0 lost, 0 doubled, projector counted {counted}; {addresses}"
    )


def _agent(phone: Phone) -> str:
    return f"engage-deploy-check phone {phone.address}"


def _addresses_match(app, exercise_id: int, phones: list[Phone]) -> str:
    """Each phone's respondent carries the keyed hash of that phone's own address (not nginx's)."""
    from engage.extensions import db
    from engage.prioritise.models import Exercise
    from engage.prioritise.pairwise.voting import find_respondent
    from engage.respondents import COOKIE_NAME, address_hash, current_token

    wrong = 0
    with app.app_context():
        exercise = db.session.get(Exercise, exercise_id)
        for phone in phones:
            (cookie,) = phone.tally.keys
            with app.test_request_context(headers={"Cookie": f"{COOKIE_NAME}={cookie}"}):
                respondent = find_respondent(exercise, current_token())
            wrong += respondent is None or respondent.address_hash != address_hash(phone.address)
        proxy = address_hash("127.0.0.1")
        db.session.remove()
    expect(wrong == 0, f"{wrong} phone(s) were recorded under another address")
    return f"each respondent recorded at its phone's own address (none at nginx's, {proxy[:6]}...)"
