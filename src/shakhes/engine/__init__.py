"""The compute engine: calendar, planning and execution of KPI requests."""
