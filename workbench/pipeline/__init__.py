"""Workflow floor: one module per command; each takes a Workspace and settings and returns
one :class:`~workbench.pipeline.result.StepResult`. The CLI, notebooks and dashboards call these.
"""
