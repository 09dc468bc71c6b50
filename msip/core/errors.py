"""The one exception hierarchy: every error MSIP raises on purpose is an MsipError.

Subclasses also inherit the matching built-in (as rasterio does), so callers may catch
either. Messages say what failed, show the values and give the fix.
"""


class MsipError(Exception):
    """Root of all errors MSIP raises deliberately; the CLI prints these as one line."""


class ConfigError(MsipError, ValueError):
    """A setting or command-line value is wrong."""


class ClusterError(MsipError, RuntimeError):
    """The project-local PostgreSQL cluster cannot be created, started or stopped."""


class DatabaseError(MsipError, RuntimeError):
    """The database cannot be reached or is not prepared (migrations, roles, extensions)."""


class SourceReadError(MsipError, OSError):
    """An input file cannot be read or is not of the expected kind."""


class StoreWriteError(MsipError, OSError):
    """MSIP's own files (raster store, LiDAR work files) cannot be written: a full disk, no
    permission, a file in the way. Stops the whole load, whatever input it was working on."""


class CrsError(MsipError, ValueError):
    """A coordinate reference system is missing, unknown or not accepted."""


class ValidationError(MsipError, ValueError):
    """Input values fail validation (ranges, required fields, geometry)."""


class EpochError(ConfigError, ValidationError):
    """A survey/inventory date (epoch) that is not a date; the message names the value and shows
    an example. Raised for dates given on the command line (a ConfigError) and found in files
    (a ValidationError), so callers may catch either."""


class RowError(ValidationError):
    """One source row (record, feature) cannot be loaded; `field` names the offending field.

    The loader quarantines the row with the message as its reason, never drops it silently.
    """

    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.field = field
