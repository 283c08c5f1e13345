"""RdSAP 10 expansion of certificate data into SAP 10.2 calculator inputs."""

from ara.rdsap.expansion.expand import ExpansionResult, expand

__all__ = ["ExpansionResult", "expand"]
