"""KPI definitions: the frozen models, YAML apply/export, and the built-in catalog."""
