"""Users, their agency membership and their role."""
