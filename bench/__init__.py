"""`make bench`: load the public pages on PostgreSQL with synthetic data; see bench/run.py."""
