"""Redact secrets from log lines with PySpark: a pandas UDF over a DataFrame of log lines.

Each Python worker process builds its engine once (``secretsift.shared_engine`` caches it per
process), not once per row or per Arrow batch; each batch then crosses into Rust once
(``redact_lines``), with the GIL released.

Run it (needs ``pip install pyspark pandas pyarrow`` and Java 17)::

    python examples/spark_redact.py
"""

from __future__ import annotations

import os
import sys
import warnings
from typing import List, Optional, Sequence

import pandas as pd
from pyspark.sql import Column, DataFrame, SparkSession
from pyspark.sql.functions import col
from pyspark.sql.pandas.functions import pandas_udf
from pyspark.sql.types import StringType
from pyspark.util import PythonEvalType

import secretsift

# Team rules to add to the defaults, for every worker (None: default rules only).
RULES: Optional[str] = os.environ.get("SECRETSIFT_RULES")


def redact_batch(lines: "pd.Series[str]") -> "pd.Series[str]":
    """Redacts one Arrow batch of log lines (nulls stay null)."""
    engine = secretsift.shared_engine(RULES)  # built once per worker process
    values = lines.tolist()
    present = [i for i, v in enumerate(values) if isinstance(v, str)]
    for i, red in zip(present, engine.redact_lines([values[i] for i in present])):
        values[i] = red
    return pd.Series(values, index=lines.index, dtype=object)


def engine_builds_batch(lines: "pd.Series[str]") -> "pd.Series[str]":
    """``"<pid>:<engines built in that process>"`` per row, to check the per-worker cache."""
    secretsift.shared_engine(RULES)
    from secretsift import _default

    return pd.Series([f"{os.getpid()}:{_default._builds}"] * len(lines), index=lines.index)


# The UDFs: one call per Arrow batch of rows. The explicit function type satisfies
# pyspark's type stubs; at run time pyspark would infer it from the annotations, and warns.
with warnings.catch_warnings():
    warnings.simplefilter("ignore", UserWarning)
    redact_udf = pandas_udf(redact_batch, StringType(), PythonEvalType.SQL_SCALAR_PANDAS_UDF)
    worker_engine_builds = pandas_udf(engine_builds_batch, StringType(), PythonEvalType.SQL_SCALAR_PANDAS_UDF)


def redact_column(df: DataFrame, name: str = "line") -> DataFrame:
    """``df`` with the string column ``name`` redacted."""
    column: Column = redact_udf(col(name))
    return df.withColumn(name, column)


def local_session(cores: int = 2) -> SparkSession:
    """A quiet local-mode session that needs no network."""
    os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
    os.environ.setdefault("PYSPARK_DRIVER_PYTHON", sys.executable)
    builder = (
        SparkSession.builder.master(f"local[{cores}]")
        .appName("secretsift-redact")
        .config("spark.driver.host", "127.0.0.1")
        .config("spark.driver.bindAddress", "127.0.0.1")
        .config("spark.ui.enabled", "false")
        .config("spark.ui.showConsoleProgress", "false")
        .config("spark.sql.shuffle.partitions", str(cores))
        .config("spark.sql.execution.arrow.pyspark.enabled", "true")
        .config("spark.python.worker.reuse", "true")
    )
    session: SparkSession = builder.getOrCreate()
    session.sparkContext.setLogLevel("ERROR")
    return session


def main(lines: Sequence[str]) -> List[str]:
    spark = local_session()
    try:
        df = spark.createDataFrame([(line,) for line in lines], "line string")
        return [row.line for row in redact_column(df).collect()]
    finally:
        spark.stop()


if __name__ == "__main__":
    key = "AKIA" + "Q3EGRT4WZYPLN5DX"  # a fake key, assembled so this file does not look like a leak
    for line in main(["GET /health 200", f"login ok aws_key={key}", "user=bob action=logout"]):
        print(line)
