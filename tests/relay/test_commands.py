"""The lookup's commands: ``find_relays`` (the operator's lookup) and ``bench_relay``."""

import subprocess
import sys
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from tests.relay.test_rules import MONTPELLIER, relay_at
from tests.smes.factories import SMEFactory
from tests.structures.factories import territory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("command", ["bench_relay", "bench_relay_http", "find_relays"])
def test_help_works(command):
    # argparse formats help texts with %: a bare "30 %" used to crash --help.
    done = subprocess.run(
        [sys.executable, "manage.py", command, "--help"], capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr
    assert "usage" in done.stdout


def test_find_relays_reads_a_registered_firm_with_the_operators_rights():
    relay_at(MONTPELLIER, covers=[territory("departement", "34")], name="CCI test")
    sme = SMEFactory(latitude=43.58, longitude=3.93)
    out = StringIO()
    call_command("find_relays", service="prospecting-missions", siret=sme.siret, stdout=out)
    text = out.getvalue()
    assert "Depuis Montpellier (34172)" in text
    assert "CCI test" in text
    assert "distance approximative" not in text  # the firm's own point, both ends known


def test_find_relays_reports_errors_with_the_candidates():
    with pytest.raises(CommandError) as exc:
        call_command("find_relays", service="prospecting-missions", postal_code="13100")
    assert "plusieurs communes" in str(exc.value)
    assert "Aix-en-Provence (13001)" in str(exc.value)


def test_bench_relay_measures_the_lookup_against_the_floor():
    relay_at(MONTPELLIER, covers=[territory("region", "76")], name="CCI test")
    out = StringIO()
    call_command("bench_relay", queries=20, stdout=out)
    text = out.getvalue()
    assert "rapport moteur / plancher" in text
    assert "temps CPU de ce processus : moteur" in text
    assert "requêtes par recherche" in text
