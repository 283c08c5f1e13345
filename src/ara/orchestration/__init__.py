"""Stage orchestrators (Ingestion, Baseline) and the First Run use case that chains them."""
