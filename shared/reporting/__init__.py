"""Reporting and learning: the annual report, the scorecard, the RAG report and action plans, computed
by pure functions from cases read through :class:`shared.reporting.source.ReportSource`. The definitions
of every figure are in docs/reporting.md."""
