"""The SQL engines a linkage runs on, side by side behind one interface: `open_backend(name)`
yields a Splink database API, and the model never knows which engine it talks to.

- `duckdb` (default): an in-memory DuckDB database in this process, with spilling to disk turned
  off, so the name keys being compared never reach a file.
- `spark`: pyspark in local mode (`local[2]` unless `REDZONE_SPARK_MASTER` says otherwise), with
  Splink's similarity-function jar; everything it writes (shuffle files, spills, cached tables,
  warehouse) goes to a private temporary folder, encrypted with a key held only in memory, and the
  folder is deleted afterwards, also when the run fails. For data that outgrow one machine, point
  `REDZONE_SPARK_MASTER` at a cluster whose local disks are encrypted (see docs/linkage.md).
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
BREAK_LINEAGE = "persist"


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


# The session a `spark_session()` block keeps open for the linkages run inside it.
_shared_session: object | None = None


@contextmanager
def spark_session() -> Iterator[object]:
    """A Spark session for several linkages: every `open_backend('spark')` inside the block runs on it
    (Java and the Spark context start once) instead of starting and stopping its own. Stopped, and its
    scratch folder deleted, when the outermost block ends, however it ends."""
    global _shared_session  # noqa: PLW0603 — one Spark context per process is Spark's own rule
    if _shared_session is not None:
        yield _shared_session
        return
    with _new_spark_session() as session:
        _shared_session = session
        try:
            yield session
        finally:
            _shared_session = None


@contextmanager
def _new_spark_session() -> Iterator[object]:
    if not spark_available():
        raise ConfigurationError("link backend 'spark': pyspark is not installed (install the 'spark' extra)")
    from pyspark import SparkContext
    from pyspark.sql import SparkSession
    from splink.backends.spark import similarity_jar_location

    if SparkContext._active_spark_context is not None:  # noqa: SLF001 — pyspark has no public test
        # getOrCreate would hand back that session with its own settings (no encryption, its own folders).
        raise ConfigurationError("link backend 'spark': another Spark context is running in this process; "
                                 "stop it first")
    if SparkContext._jvm is not None:  # noqa: SLF001
        # Java keeps the first context's local folders for its lifetime (pyspark's own temporary files
        # go there): forget them, or a second session writes into a recreated, never-deleted folder.
        utils = getattr(getattr(SparkContext._jvm.org.apache.spark.util, "Utils$"), "MODULE$")  # noqa: SLF001
        utils.clearLocalRootDirs()
    scratch = tempfile.mkdtemp(prefix="redzone-spark-")
    session = None
    try:
        os.chmod(scratch, 0o700)
        partitions = os.environ.get(SPARK_PARTITIONS_ENV, "8")
        session = (SparkSession.builder.master(os.environ.get(SPARK_MASTER_ENV, "local[2]"))
                   .appName("redzone-link")
                   .config("spark.jars", similarity_jar_location())
                   # Shuffle files, spills and cached blocks go to the scratch folder, encrypted with a
                   # key that lives only in this process (AES-CTR): what is left on disk cannot be read.
                   .config("spark.local.dir", scratch)
                   .config("spark.io.encryption.enabled", "true")
                   # Otherwise Spark makes ./spark-warehouse in whatever folder the command ran from.
                   .config("spark.sql.warehouse.dir", os.path.join(scratch, "warehouse"))
                   .config("spark.sql.shuffle.partitions", partitions)
                   .config("spark.default.parallelism", partitions)
                   .config("spark.ui.enabled", "false")
                   .config("spark.ui.showConsoleProgress", "false")
                   .config("spark.driver.memory", os.environ.get("REDZONE_SPARK_DRIVER_MEMORY", "4g"))
                   .config("spark.sql.ansi.enabled", "false")
                   .getOrCreate())
        session.sparkContext.setLogLevel("ERROR")
        yield session
    finally:
        if session is not None:
            session.stop()
        shutil.rmtree(scratch, ignore_errors=True)


@contextmanager
def _spark() -> Iterator[object]:
    from splink.backends.spark import SparkAPI

    with spark_session() as session:
        partitions = int(session.conf.get("spark.sql.shuffle.partitions"))
        # Splink breaks the lineage of its intermediate tables by caching them ('persist'), not by
        # writing them out as parquet ('parquet', its default): parquet files are plain, and the tables
        # hold the name keys; cached blocks that spill to disk are encrypted like the shuffle files.
        api = SparkAPI(spark_session=session, break_lineage_method=BREAK_LINEAGE,
                       num_partitions_on_repartition=partitions)
        try:
            yield api
        finally:
            # This linkage's tables and their cached blocks: a shared session may run another one next.
            for table in session.catalog.listTables():
                if table.isTemporary:
                    session.catalog.dropTempView(table.name)
            session.catalog.clearCache()
