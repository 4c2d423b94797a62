"""The SQL engines a linkage runs on, side by side behind one interface: `open_backend(name)`
yields a Splink database API, and the model never knows which engine it talks to.

- `duckdb` (default): an in-memory DuckDB database in this process, with spilling to disk turned
  off, so the name keys being compared never reach a file.
- `spark`: pyspark in local mode (`local[2]` unless `REDZONE_SPARK_MASTER` says otherwise), with
  Splink's similarity-function jar and a checkpoint folder in a private temporary directory that is
  deleted afterwards. For data that outgrow one machine, point `REDZONE_SPARK_MASTER` at a cluster
  whose local and checkpoint storage is encrypted (see docs/linkage.md).
"""

from __future__ import annotations

import logging
import os
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager

from redzone.errors import ConfigurationError

SPARK_MASTER_ENV = "REDZONE_SPARK_MASTER"
# Shuffle partitions: 8 suits local[2] on a few hundred thousand records; raise it on a cluster, lower it
# (2) for a small test set where each partition's fixed cost dominates.
SPARK_PARTITIONS_ENV = "REDZONE_SPARK_PARTITIONS"


def quiet_splink() -> None:
    """Splink logs its progress at INFO and untrained levels as warnings; keep only errors (Redzone
    reports what matters itself). Splink's messages name comparisons and levels, never values."""
    for name in ("splink", "py4j"):
        logging.getLogger(name).setLevel(logging.ERROR)


@contextmanager
def open_backend(name: str, threads: int | None = None) -> Iterator[object]:
    """A fresh Splink database API on backend `name` ('duckdb' or 'spark'), closed on exit."""
    quiet_splink()
    if name == "duckdb":
        with _duckdb(threads) as api:
            yield api
    elif name == "spark":
        with _spark() as api:
            yield api
    else:
        raise ConfigurationError(f"link backend: expected 'duckdb' or 'spark', got {name!r}")


@contextmanager
def _duckdb(threads: int | None) -> Iterator[object]:
    import duckdb
    from splink import DuckDBAPI

    connection = duckdb.connect(":memory:")
    # No spill files: what is compared stays in memory and dies with the process.
    connection.execute("SET temp_directory = ''")
    connection.execute("SET preserve_insertion_order = false")
    if threads:
        connection.execute(f"SET threads = {int(threads)}")
    try:
        yield DuckDBAPI(connection=connection)
    finally:
        connection.close()


def spark_available() -> bool:
    """Whether pyspark (the optional `spark` extra) is importable."""
    try:
        import pyspark  # noqa: F401
    except ImportError:
        return False
    return True


@contextmanager
def _spark() -> Iterator[object]:
    if not spark_available():
        raise ConfigurationError("link backend 'spark': pyspark is not installed (install the 'spark' extra)")
    from pyspark.sql import SparkSession
    from splink.backends.spark import SparkAPI, similarity_jar_location

    scratch = tempfile.mkdtemp(prefix="redzone-spark-")
    os.chmod(scratch, 0o700)
    partitions = os.environ.get(SPARK_PARTITIONS_ENV, "8")
    session = (SparkSession.builder.master(os.environ.get(SPARK_MASTER_ENV, "local[2]"))
               .appName("redzone-link")
               .config("spark.jars", similarity_jar_location())
               .config("spark.local.dir", scratch)
               .config("spark.sql.shuffle.partitions", partitions)
               .config("spark.default.parallelism", partitions)
               .config("spark.ui.enabled", "false")
               .config("spark.ui.showConsoleProgress", "false")
               .config("spark.driver.memory", os.environ.get("REDZONE_SPARK_DRIVER_MEMORY", "4g"))
               .config("spark.sql.ansi.enabled", "false")
               .getOrCreate())
    session.sparkContext.setLogLevel("ERROR")
    session.sparkContext.setCheckpointDir(os.path.join(scratch, "checkpoints"))
    try:
        yield SparkAPI(spark_session=session, break_lineage_method="parquet",
                       num_partitions_on_repartition=int(partitions))
    finally:
        session.stop()
        shutil.rmtree(scratch, ignore_errors=True)
