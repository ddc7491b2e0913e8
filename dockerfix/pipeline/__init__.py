"""The pipeline: plan each stage, apply the plans, check the result before it is written."""
