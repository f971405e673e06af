"""Exports of the dataset: Parquet files (parquet.py) and a BigQuery loader (bigquery.py)."""
