"""The digitization pipeline: ingest, preprocess, recognize, extract, validate, store, run."""
