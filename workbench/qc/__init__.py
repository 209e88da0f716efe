"""Quality control and calibration of sensor data (issue 4; ``docs/qc.md``).

Flags never delete data: every reading keeps its raw value and gets a bit mask
(:class:`QC`); PM is humidity-corrected and calibrated against reference stations; each
sensor gets a health status. :func:`run_qc` does it all as a pure function;
:func:`workbench.pipeline.qc.run` stores its result beside the observations.
"""

from workbench.qc.flags import QC, describe, passed
from workbench.qc.run_checks import QCResult, run_qc
from workbench.qc.settings import QCSettings

__all__ = ["QC", "QCResult", "QCSettings", "describe", "passed", "run_qc"]
