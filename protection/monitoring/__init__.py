"""Monitoring: the dashboards, the indicators of the mission and the monitoring report."""
