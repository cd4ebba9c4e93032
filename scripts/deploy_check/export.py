"""`make deploy-check`'s export step: 50,000 consultation responses, the officer's Excel download prepared
by a jobs worker (deploy/systemd/engage-worker.service's command) while the officer follows its progress
through nginx, then the file saved through nginx from each app host and its rows counted."""

from __future__ import annotations

import io
import re
import time
from collections import Counter

import requests

from scripts.deploy_check.checks import _upstreams, expect
from scripts.deploy_check.stack import Stack

RESPONSES = 50_000
OFFICER = "exports@deploy-check.example"
PASSWORD = "a long throwaway passphrase 7"  # noqa: S105 - a throwaway database
#: How long the officer waits for the file before the check fails (the target is 20 s of work).
WAIT_SECONDS = 120


def load_responses(app, count: int = RESPONSES) -> int:
    """A board officer of the workshop's council and a 20-question consultation (benchmarks/consultation.py's)
    with ``count`` responses, written by a handful of INSERT ... SELECT statements (the database makes the
    rows: a few seconds, where building them in Python takes minutes). Returns the consultation's id."""
    from sqlalchemy import String, case, cast, func, insert, literal, select

    from benchmarks.consultation import _build
    from engage.accounts import service as accounts
    from engage.accounts.models import Organisation, Role
    from engage.boards.models import Board
    from engage.channels import Channel
    from engage.extensions import db
    from engage.surveys.models import Answer, ConsultationResponse, QuestionKind
    from engage.transactions import unit_of_work

    with app.app_context(), unit_of_work():
        council = db.session.scalar(select(Organisation).where(Organisation.name == "Council"))
        officer = accounts.create_user(
            email=OFFICER, name="O", password=PASSWORD, organisation=council, roles=[Role.BOARD_OFFICER]
        )
        consultation = _build(officer, db.session.scalar(select(Board).where(Board.short_code == "HWB")))
        db.session.flush()
        responses = ConsultationResponse.__table__
        number = func.generate_series(1, count).column_valued("n")
        db.session.execute(
            insert(responses).from_select(
                ["consultation_id", "reference", "idempotency_key", "channel", "locale", "submitted_at"],
                select(
                    literal(consultation.id),
                    literal("D") + cast(number, String),
                    literal("deploy-check-") + cast(number, String),
                    literal(Channel.ONLINE, responses.c.channel.type),
                    literal("en"),
                    func.now(),
                ),
            )
        )
        response = responses.c.id
        mine = responses.c.consultation_id == consultation.id
        for question in consultation.questions:
            options = {n: option.id for n, option in enumerate(question.options)}
            kind, text, value, option = question.kind, None, None, None
            if kind in {QuestionKind.SINGLE, QuestionKind.MULTIPLE, QuestionKind.RANKING}:
                option = case(options, value=response % len(options))
                if kind is QuestionKind.RANKING:  # one place given, the first
                    value = literal(1.0)
            elif kind in {QuestionKind.RATING, QuestionKind.NUMBER}:
                value = (response % 11).cast(Answer.number.type)
            elif kind is QuestionKind.IMPORTANCE:
                continue  # one row per priority: the other 19 questions are enough
            elif kind is QuestionKind.AGREEMENT:
                text = literal("agree")
            elif kind is QuestionKind.DATE:
                text = literal("2026-12-03")
            else:
                text = literal("Written answer <") + cast(response, String) + literal("> & more")
            db.session.execute(
                insert(Answer).from_select(
                    ["response_id", "question_id", "option_id", "text", "number"],
                    select(response, literal(question.id), option, text, value).where(mine),
                )
            )
        return consultation.id


def _sign_in(http: requests.Session, base: str) -> None:
    page = http.get(f"{base}/sign-in").text
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page)
    expect(token is not None, "the sign-in page has no CSRF token")
    signed = http.post(
        f"{base}/sign-in",
        data={"csrf_token": token.group(1), "email": OFFICER, "password": PASSWORD},
        allow_redirects=False,
    )
    expect(signed.status_code == 302, f"the officer's sign-in answered {signed.status_code}")


def _ask(http: requests.Session, base: str, kind: str, target: int, fmt: str) -> int:
    """Press "Prepare" on the download's page; the job's id from where it leads."""
    url = f"{base}/manage/downloads/new/{kind}/{target}.{fmt}"
    page = http.get(url)
    expect(page.status_code == 200, f"the prepare page answered {page.status_code}")
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page.text)
    expect(token is not None, "the prepare page has no CSRF token")
    asked = http.post(url, data={"csrf_token": token.group(1)}, allow_redirects=False)
    where = asked.headers.get("Location", "")
    expect(asked.status_code == 302 and "#job-" in where, f"preparing answered {asked.status_code} {where}")
    return int(where.rsplit("#job-", 1)[1])


def _follow(http: requests.Session, base: str, job_id: int) -> tuple[list[int], str]:
    """Poll the job's row as the page's htmx does until it is ready: the percentages seen, and the row."""
    seen: list[int] = []
    deadline = time.monotonic() + WAIT_SECONDS
    while time.monotonic() < deadline:
        row = http.get(f"{base}/manage/downloads/{job_id}/progress", headers={"HX-Request": "true"})
        expect(row.status_code == 200, f"the job's progress answered {row.status_code}")
        expect("Failed" not in row.text, f"the job failed: {row.text[-600:]}")
        if "Ready" in row.text:
            return seen, row.text
        done = re.search(r'<progress [^>]*value="(\d+)"', row.text)
        if done and (not seen or seen[-1] != int(done.group(1))):
            seen.append(int(done.group(1)))
        time.sleep(0.5)
    raise AssertionError(f"the job was not ready after {WAIT_SECONDS} s (last progress {seen[-1:]}%)")


def _taken_by(stack: Stack, job_id: int) -> str | None:
    """Which worker's log says it finished the job (the line is written just after the job is marked done)."""
    for _wait in range(20):
        for name, worker in stack.workers.items():
            for line in worker.log.read_text(errors="replace").splitlines():
                if f"job {job_id} (" in line and " done:" in line:
                    return name
        time.sleep(0.1)
    return None


def _count_rows(data: bytes) -> int:
    """The rows of the workbook's first sheet, counted in its XML as it is unzipped."""
    import zipfile

    with zipfile.ZipFile(io.BytesIO(data)) as book, book.open("xl/worksheets/sheet1.xml") as sheet:
        rows, tail = 0, b""
        while chunk := sheet.read(1 << 20):
            rows += (tail + chunk).count(b"<row ")
            tail = chunk[-4:]  # a tag cut by the chunk's end is counted with the next one
        return rows


def export_completes_as_job(stack: Stack, app, exercise_id: int) -> str:
    """50,000 responses as Excel, prepared by a worker while the officer follows its progress through nginx;
    the file saved through nginx from every app host (the job files folder is shared, as docs/deploy.md
    asks), opened, its rows counted; then small exports (the workshop exercise's votes) until each worker has
    taken one."""
    from openpyxl import load_workbook

    started = time.perf_counter()
    consultation_id = load_responses(app)
    loaded = time.perf_counter() - started
    http = stack.client()
    _sign_in(http, stack.base)
    started = time.perf_counter()
    job_id = _ask(http, stack.base, "consultation_responses", consultation_id, "xlsx")
    seen, row = _follow(http, stack.base, job_id)
    took = time.perf_counter() - started
    link = re.search(r'href="(/manage/downloads/\d+/file)"', row)
    expect(link is not None, f"the ready job offers no file: {row[-600:]}")
    # Saved again until every app host has served it (nginx takes turns; each worker process keeps its own).
    since = len(stack.nginx_log())
    files: set[bytes] = set()
    hosts: Counter[str] = Counter()
    for _ in range(10):
        saved = http.get(f"{stack.base}{link.group(1)}")
        expect(saved.status_code == 200, f"saving the file answered {saved.status_code}")
        expect(saved.headers.get("Cache-Control") == "no-store", "the file may be kept by a proxy")
        files.add(saved.content)
        time.sleep(0.3)  # nginx writes the line after answering
        hosts = _upstreams(stack, link.group(1), since)
        if len(hosts) >= len(stack.upstreams):
            break
    expect(len(hosts) == len(stack.upstreams), f"the file was served by {dict(hosts)}, not every host")
    expect(len(files) == 1, "the hosts served different files")
    data = files.pop()
    rows = _count_rows(data)
    expect(rows == RESPONSES + 1, f"the workbook has {rows} rows, not {RESPONSES:,} and a header")
    # Opened as a spreadsheet program would: its size from the sheet, and the first response's row.
    book = load_workbook(io.BytesIO(data), read_only=True)
    expect(book.sheetnames == ["Responses", "Codebook"], f"the workbook's sheets are {book.sheetnames}")
    size = book["Responses"].calculate_dimension()
    expect(size.endswith(f"{RESPONSES + 1}"), f"the sheet says its size is {size}")
    first = next(book["Responses"].iter_rows(min_row=2, max_row=2, max_col=6, values_only=True))
    expect(first[0] == 1 and isinstance(first[5], int), f"the first response's row is {first[:6]}")
    big = _taken_by(stack, job_id)
    expect(big is not None, "no worker's log says it finished the export")
    takers = Counter([big])
    for _round in range(5):  # four at a time, so that one worker's threads are busy while another asks
        if len(takers) == len(stack.workers):
            break
        small = [_ask(http, stack.base, "exercise_votes", exercise_id, "csv") for _ in range(4)]
        for job in small:
            _follow(http, stack.base, job)
            takers[_taken_by(stack, job) or "nobody"] += 1
    expect(set(takers) == set(stack.workers), f"jobs were taken by {dict(takers)}, not every worker")
    return (
        f"{RESPONSES:,} responses loaded in {loaded:.0f} s; the workbook ready {took:.1f} s after asking "
        f"(progress seen at {seen}%), {len(data) / 2**20:.1f} MiB, {rows - 1:,} rows; served by "
        f"{len(hosts)} hosts; jobs taken by {dict(sorted(takers.items()))}"
    )
