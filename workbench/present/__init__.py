"""Presentation wing: dashboards, report renderers, maps, plots, serving, the static site.

Nothing below ``workbench.present`` is imported by the core; it reads the core's results.
"""
