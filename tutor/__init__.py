"""docklab: learn Docker volumes by doing, against a real engine."""

__version__ = "0.1.0"
