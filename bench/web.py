"""The figures measured over HTTP against the project's gunicorn (2 workers), each beside its
reference: the public pages against a bare Flask app in the same gunicorn configuration, the
chair's ranking and the admin list against the bare SQL of what they show, and the workers'
memory against the bare app's workers."""

from __future__ import annotations

import statistics
import time

from sqlalchemy import text

from bench import load, project
from bench.client import Client, percentile
from bench.datasets import World
from bench.servers import Gunicorn
from bench.settings import PASSWORD, Scale
from bench.table import Row, ms
from nominations.models import db

PER_PAGE = 25  # the admin list's page size (config PER_PAGE)


def _judge(scale: Scale, ok: bool) -> bool | None:
    return None if scale.quick else ok


def _load(server: Gunicorn, path: str, seconds: int) -> tuple[float, float]:
    """(requests per second, worker CPU ms per request) of one run of load."""
    cpu = server.workers_cpu_seconds()
    rate, count = load.throughput(server.port, path, seconds)
    return rate, (server.workers_cpu_seconds() - cpu) * 1000 / max(count, 1)


def throughput_row(
    measure: str, path: str, server: Gunicorn, reference: Gunicorn, scale: Scale, goal: float
) -> Row:
    """Both servers in turn, ``load_rounds`` times (project, reference, project, ...), and the
    best run of each: a neighbour's load on the shared cores only ever lowers a rate, so the
    best run is the least disturbed one. The workers' CPU time per request goes in the note:
    it hardly depends on what else runs on the machine."""
    ours, theirs = [], []
    for _ in range(scale.load_rounds):
        ours.append(_load(server, path, scale.load_seconds))
        theirs.append(_load(reference, path, scale.load_seconds))
    (project_rate, _), (reference_rate, _) = max(ours), max(theirs)
    ratio = project_rate / reference_rate
    cpu, reference_cpu = min(c for _, c in ours), min(c for _, c in theirs)
    return Row(
        measure,
        f"{project_rate:.0f} req/s",
        f"{reference_rate:.0f} req/s",
        f"{ratio:.0%}",
        f">= {goal:.0%}",
        _judge(scale, ratio >= goal),
        note=f"best of {scale.load_rounds} runs of {scale.load_seconds} s each; worker CPU per "
        f"request {cpu:.2f} ms (reference {reference_cpu:.2f} ms)",
    )


def _select_p95(sql: str, params: dict, samples: int) -> float:
    times = []
    for _ in range(samples + 1):
        start = time.perf_counter()
        with db.engine.connect() as connection:
            connection.execute(text(sql), params).all()
        times.append(time.perf_counter() - start)
    return percentile(times[1:], 0.95)


SCORE_ROWS = """
    SELECT r.nomination_id, r.reviewer_id, r.recommendation, s.criterion_id, s.score
    FROM reviews r JOIN nominations n ON n.id = r.nomination_id
    JOIN review_scores s ON s.review_id = r.id
    WHERE n.category_id = :category AND r.status = 'submitted'
"""


def ranking_row(server: Gunicorn, world: World, scale: Scale) -> Row:
    """The chair's ranking page (signed in through the form), p95 of sequential requests;
    the reference is the plain SELECT of the score rows it ranks. The goal is absolute."""
    chair = Client(server.port).sign_in(world.chair_email, PASSWORD)
    page = chair.timed(project.ranking_path(world.ranking_category_id), scale.latency_samples)
    p95 = percentile(page, 0.95)
    reference = _select_p95(
        SCORE_ROWS, {"category": world.ranking_category_id}, scale.latency_samples
    )
    function = []
    for _ in range(max(scale.latency_samples // 4, 3)):
        start = time.perf_counter()
        project.ranking(world.ranking_category_id, world.chair_email)
        function.append(time.perf_counter() - start)
    return Row(
        f"chair's ranking page, {scale.ranking_nominations} nominations x "
        f"{scale.ranking_reviewers} reviewers x {scale.criteria} criteria, p95",
        ms(p95),
        f"{ms(reference)} (SELECT of the scores)",
        f"{p95 / reference:.0f}x",
        "<= 150 ms",
        _judge(scale, p95 <= 0.150),
        note=f"p50 {ms(statistics.median(page))}; computed with nothing cached, in this process "
        f"(compute_ranking, the certainty figures included), p95 "
        f"{ms(percentile(function, 0.95))}",
    )


def _last_page_sql(round_id: int, offset: int) -> tuple[str, dict]:
    sql = """
        SELECT n.id, n.nominee_name, n.nominee_email, n.status, n.updated_at, c.name, r.name,
               u.name, d.name
        FROM nominations n JOIN award_categories c ON c.id = n.category_id
        JOIN award_rounds r ON r.id = c.round_id JOIN users u ON u.id = n.nominator_id
        LEFT JOIN departments d ON d.id = n.nominee_department_id
        WHERE c.round_id = :round
        ORDER BY r.closes_at DESC, c.position, c.id, lower(n.nominee_name), n.id
        LIMIT :limit OFFSET :offset
    """
    return sql, {"round": round_id, "limit": PER_PAGE, "offset": offset}


def admin_list_row(server: Gunicorn, world: World, scale: Scale) -> Row:
    """The last page of a round's nominations, as an administrator reaches it (the link the
    first page offers), median of sequential requests; the reference is that page's rows
    selected in bare SQL."""
    admin = Client(server.port).sign_in(world.admin_email, PASSWORD)
    first = project.admin_list_path(world.closing_round_id)
    pages = -(-scale.closing_nominations // PER_PAGE)
    last = project.last_page_path(admin.get_ok(first), f"{first}&page={pages}")
    page = admin.timed(last, scale.latency_samples)
    sql, params = _last_page_sql(world.closing_round_id, (pages - 1) * PER_PAGE)
    times = []
    for _ in range(scale.latency_samples):
        start = time.perf_counter()
        with db.engine.connect() as connection:
            connection.execute(text(sql), params).all()
        times.append(time.perf_counter() - start)
    median, reference = statistics.median(page), statistics.median(times)
    return Row(
        f"admin nominations list, last page of {scale.closing_nominations}, median",
        ms(median),
        f"{ms(reference)} (its bare SQL)",
        f"{median / reference:.0f}x",
        "<= 30 ms",
        _judge(scale, median <= 0.030),
        note=f"last page: {last}",
    )


def rss_row(
    server: Gunicorn, reference: Gunicorn, at_start: float, after_public: float, scale: Scale
) -> Row:
    ours, theirs = server.worker_rss_mb(), reference.worker_rss_mb()
    return Row(
        "a web worker's RSS after the benchmark",
        f"{ours:.0f} MB",
        f"{theirs:.0f} MB (bare Flask worker)",
        f"{ours / theirs:.1f}x",
        "<= 120 MB",
        _judge(scale, ours <= 120),
        note=f"the larger of the 2 workers: {at_start:.0f} MB at start, {after_public:.0f} MB "
        "after the public pages, then the ranking and admin pages",
    )
