"""The columns of a result that every output names (a light module: the command line reads it
without importing the engine)."""

BASE_COLUMNS = ("period_start", "period_end", "period_label")
COMPARE_COLUMNS = (
    "previous_start",
    "previous_end",
    "previous_value",
    "previous_complete",
    "change",
    "change_pct",
)
