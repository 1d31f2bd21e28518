"""The registry of households and people, and (later) their protection cases."""
