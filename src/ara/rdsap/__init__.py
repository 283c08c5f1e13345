"""Certificate data -> SAP inputs: readers of the register's EPC formats (``ara.rdsap.readers``)
and the RdSAP 10 expansion rules."""
