"""The redactor inside PySpark local mode: a pandas UDF over a DataFrame of log lines, with
one engine per Python worker process (not per row or Arrow batch)."""

from __future__ import annotations

import os
import pathlib
import shutil
import sys
from typing import Any, Iterator

import pytest

pytest.importorskip("pyspark")
pytest.importorskip("pandas")
pytest.importorskip("pyarrow")
if shutil.which("java") is None and not os.environ.get("JAVA_HOME"):
    pytest.skip("PySpark needs Java", allow_module_level=True)

EXAMPLES = pathlib.Path(__file__).resolve().parents[1] / "examples"
sys.path.insert(0, str(EXAMPLES))
# Spark's Python workers import the example module (the UDFs are pickled by reference).
os.environ["PYTHONPATH"] = os.pathsep.join(filter(None, [str(EXAMPLES), os.environ.get("PYTHONPATH")]))

import spark_redact  # noqa: E402

from secretsift import default_engine  # noqa: E402
from conftest import AWS_KEY, GITHUB_PAT  # noqa: E402

pytestmark = pytest.mark.spark


@pytest.fixture(scope="module")
def spark() -> Iterator[Any]:
    session = spark_redact.local_session(cores=2)
    # Small Arrow batches, so each worker runs the UDF many times.
    session.conf.set("spark.sql.execution.arrow.maxRecordsPerBatch", "500")
    yield session
    session.stop()


def test_pandas_udf_redacts_and_builds_engine_once_per_worker(spark: Any) -> None:
    lines = []
    for i in range(20_000):
        if i % 97 == 0:
            lines.append(f"{i} login aws_key={AWS_KEY} ok")
        elif i % 89 == 0:
            lines.append(f"{i} clone with token {GITHUB_PAT}")
        else:
            lines.append(f"{i} GET /api/items/{i} 200 é")
    lines.append(None)  # nulls stay null
    df = spark.createDataFrame([(x,) for x in lines], "line string").repartition(4)
    out = spark_redact.redact_column(df).collect()
    got = sorted((r.line for r in out), key=lambda s: (s is None, s))
    want = sorted(
        default_engine().redact_lines([x for x in lines if x is not None]) + [None],  # type: ignore[list-item]
        key=lambda s: (s is None, s),
    )
    assert got == want
    assert not any(x and (AWS_KEY in x or GITHUB_PAT in x) for x in got)
    assert sum(1 for x in got if x and "[REDACTED:aws-access-key-id]" in x) == len(range(0, 20_000, 97))

    # Every worker process that ran the UDF built exactly one engine, over 40+ batches.
    stats = spark_redact.worker_engine_builds(df["line"])
    per_worker = {r[0] for r in df.select(stats).distinct().collect()}
    builds = {s.split(":")[0]: int(s.split(":")[1]) for s in per_worker}
    assert builds and all(n == 1 for n in builds.values()), builds
    print(f"\n[spark] {len(builds)} Python worker process(es), engines built per worker: {sorted(builds.values())}")
