"""MSIP core: settings, database access, the local cluster and the `msip` command line."""

__version__ = "0.1.0"
