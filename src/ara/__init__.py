"""Ara: bulk SAP 10.2 / RdSAP 10 recalculation and retrofit planning for UK homes."""

__version__ = "0.1.0"
