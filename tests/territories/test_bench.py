"""``manage.py bench_places``: runs on the loaded reference, loads nothing, prints its figures."""

import subprocess
import sys
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from core.text import normalize_name
from territories.bench import KINDS, draw_queries
from territories.models import Territory

pytestmark = pytest.mark.django_db


def test_help_works():
    done = subprocess.run(
        [sys.executable, "manage.py", "bench_places", "--help"], capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr
    assert "usage" in done.stdout


def test_queries_are_of_every_kind_and_realistic():
    queries = draw_queries(n=80, seed=3)
    assert {q.kind for q in queries} == set(KINDS)
    assert draw_queries(n=80, seed=3) == queries, "reproducible"
    names = dict(Territory.objects.communes().values_list("code", "name"))
    for query in queries:
        name = normalize_name(names[query.code])
        if query.kind == "typo":
            assert normalize_name(query.text).replace(" ", "") != name.replace(" ", "")
        elif query.kind == "abbreviation":
            assert query.text.split()[0] in ("St", "Ste", "Sts", "Stes") or " St" in query.text
        elif query.kind == "prefix":
            assert name.startswith(normalize_name(query.text))


def test_bench_prints_tolerant_and_exact_figures_without_writing():
    before = Territory.objects.count()
    out = StringIO()
    call_command("bench_places", queries=24, stdout=out)
    text = out.getvalue()
    assert "tolérante (p50 / p95 / max)" in text
    assert "exacte SQL (p50 / p95 / max)" in text
    for kind in (*KINDS, "toutes"):
        assert f"  {kind}" in text
    assert "objectif ≤ 20 ms" in text
    assert Territory.objects.count() == before


def test_bench_refuses_an_empty_reference_or_no_query():
    with pytest.raises(CommandError, match="au moins 1"):
        call_command("bench_places", queries=0)
    Territory.objects.communes().update(is_current=False)
    with pytest.raises(CommandError, match="load_territories"):
        call_command("bench_places", queries=10)
