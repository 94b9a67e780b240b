"""Analysis beside the engine: what the numbers mean for a marketer's goals.

The engine computes KPI values; this layer reads them (through the engine, never SQL of its
own) and answers the questions of issue 8: where a target stands and will end (pacing and
forecasts), whether a KPI is SMART, why a KPI moved, which KPIs lead which, and which days
break from the expected. Everything here is pure computation on engine results, so the CLI,
the REST API and the tests all call the same functions through :mod:`shakhes.service`.
"""
