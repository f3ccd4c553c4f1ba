"""Score workers that live in Spark (Hive table or Parquet) with the skillmatch model.

    pip install "skillmatch[spark]"
    HF_HUB_OFFLINE=1 python examples/spark_batch.py --workers 5000

Every executor needs skillmatch installed in the Python it runs (``PYSPARK_PYTHON``). The
recommender is broadcast once; each partition runs ``Recommender.score_frame``, so the rows are
the same as ``skillmatch score`` writes locally. For a Hive table use
``spark.table("dw.workers")`` in place of ``spark.read.parquet``.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from pathlib import Path

from skillmatch.distributed import score_spark
from skillmatch.recommend import Recommender
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

    workers = spark.read.parquet(str(root / "workers.parquet"))
    scores = score_spark(workers, rec, k=10)
    scores.write.mode("overwrite").parquet(str(root / "scores"))
    spark.read.parquet(str(root / "scores")).filter("rank = 1").show(5, truncate=40)
    spark.stop()


if __name__ == "__main__":
    main()
