"""Score workers that live in Spark (Hive table or Parquet) with the skillmatch model.

    pip install "skillmatch[spark]"
    HF_HUB_OFFLINE=1 python examples/spark_batch.py --workers 5000

Every executor needs skillmatch installed in the Python it runs (``PYSPARK_PYTHON``). The
recommender is broadcast once; each partition is validated and ranked as ``skillmatch score``
does locally, so the scores are the same rows, and every row that cannot be scored (a schema
violation or a repeated ``worker_id``) is written to ``quarantine/`` with its field and reason
instead of failing the job. For a Hive table use ``spark.table("dw.workers")`` in place of
``spark.read.parquet``.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from skillmatch.core.recommend import Recommender
from skillmatch.distributed import score_spark
from skillmatch.simulate import make_world, write_population


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workers", type=int, default=5_000)
    parser.add_argument("--master", default="local[2]")
    args = parser.parse_args()

    from pyspark.sql import SparkSession

    os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
    spark = (
        SparkSession.builder.master(args.master)
        .appName("skillmatch-batch")
        .config("spark.ui.enabled", "false")
        .getOrCreate()
    )
    world = make_world(seed=0)
    rec = Recommender.load()  # or pass a bundle directory visible to the executors
    root = Path(tempfile.mkdtemp(prefix="skillmatch-spark-"))
    write_population(world, args.workers, root / "workers.parquet", progress=False)
    # two bad rows, to show the quarantine: a repeated worker_id and a negative weekly_hours
    table = pq.read_table(root / "workers.parquet")
    bad = table.slice(0, 2).to_pandas()
    bad.loc[1, ["worker_id", "weekly_hours"]] = ["w-new", -1.0]
    pq.write_table(pa.Table.from_pandas(bad, schema=table.schema), root / "bad.parquet")

    workers = spark.read.parquet(str(root / "workers.parquet"), str(root / "bad.parquet"))
    result = score_spark(workers, rec, k=10)  # one scoring pass, persisted for both writes
    result.scores.write.mode("overwrite").parquet(str(root / "scores"))
    result.quarantine.write.mode("overwrite").parquet(str(root / "quarantine"))
    counts = result.counts()
    print(
        f"rows in {counts.n_rows_in:,} = scored {counts.n_scored:,} + quarantined "
        f"{counts.n_quarantined:,}; {counts.n_output_rows:,} recommendation rows"
    )
    result.unpersist()
    spark.read.parquet(str(root / "scores")).filter("rank = 1").show(5, truncate=40)
    spark.read.parquet(str(root / "quarantine")).select("row", "worker_id", "field", "reason").show(
        truncate=60
    )
    spark.stop()


if __name__ == "__main__":
    main()
