"""GE grünt workbench: urban climate sensors and need-based ranking of green-budget proposals.

Start with :class:`workbench.workspace.Workspace`.
"""

__version__ = "0.1.0"
