"""The SAP 10.2 / RdSAP 10 tables (``tables/*.csv``), installed as ``ara_spec`` so a wheel
carries them; ``ara.sap.tables.spec_dir`` finds them."""
