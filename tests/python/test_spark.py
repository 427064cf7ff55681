"""The Spark recipe of docs/distributed.md runs as written and gets the
single-machine funnel of BPI 2012. Skips without pyspark or a Java runtime
(the README's test command installs neither: Spark is a recipe, not a
dependency)."""

import pathlib
import re
import shutil

import pytest

import salesfunnel as sf

pytest.importorskip("pyspark")
if shutil.which("java") is None:
    pytest.skip("no Java runtime for Spark", allow_module_level=True)

PAGE = pathlib.Path(__file__).resolve().parents[2] / "docs" / "distributed.md"


def test_spark_recipe_equals_one_machine(capsys):
    code = re.findall(r"^```py\n(.*?)^```", PAGE.read_text(), re.S | re.M)
    assert len(code) == 1, "docs/distributed.md has one Spark block"
    # As the page says: a UTC session, so Spark's max(timestamp) is the same moment.
    code = code[0].replace('.getOrCreate()', '.config("spark.sql.session.timeZone", "UTC").getOrCreate()')
    namespace: dict = {}
    try:
        exec(compile(code, "distributed.md[spark]", "exec"), namespace)
        stats = namespace["stats"]
        one = sf.funnel(sf.datasets.bpi2012())
        assert stats.report().totals == one.totals == {"deals": 13087, "won": 2246, "lost": 10442, "open": 399}
        assert stats == sf.funnel_stats(sf.datasets.bpi2012(), as_of=namespace["as_of"])
    finally:
        if "spark" in namespace:
            namespace["spark"].stop()
