"""Loopback emulators of the provider APIs (see each module's docstring for the doc it follows)."""
