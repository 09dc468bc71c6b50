"""Edge-normalised 2-D convolution in fixed FFT windows: pygeoprocessing's `convolve_2d` semantics, tiled.

`convolve_2d(signal, kernel, ignore_nodata_and_edges=True, mask_nodata=True)` as InVEST calls it
gives, at every valid cell, Σ K·s / Σ K·valid × ΣK: nodata (NaN here) and the area beyond the
edges count neither as zeros nor as signal. Here the output is cut into tiles; each tile reads
a window of the NaN-padded signal reaching the kernel radius R beyond it, and convolves it by
one circular FFT of the window's size (tile + 2R, a fast FFT length): the wrap-around only
touches the halo, so the tile's cells are exact. Every window has the same size whatever the
array or scheduler, so a tile gives the same bits in this process, in a Dask worker or on a
cluster — which is what lets `processing.heat.analysis` run the windows anywhere.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import scipy.fft

#: Output cells per tile side before rounding the window up to a fast FFT length.
DEFAULT_TILE_PX = 512
#: pygeoprocessing's `set_tol_to_zero`: raw sums this close to 1e-8 become exactly 0.
_TOL_TO_ZERO = 1e-8


@dataclass(frozen=True)
class ConvLayout:
    """How an array of `shape` is cut: tiles of `tile` cells in windows of `window` = tile + 2·radius."""

    shape: tuple[int, int]
    radius: int
    tile: int

    @property
    def window(self) -> int:
        return self.tile + 2 * self.radius

    @property
    def padded_shape(self) -> tuple[int, int]:
        """The NaN-padded signal: radius on top/left, enough on bottom/right for whole windows."""
        rows, cols = self.shape
        n_r, n_c = -(-rows // self.tile), -(-cols // self.tile)
        return n_r * self.tile + 2 * self.radius, n_c * self.tile + 2 * self.radius

    def tiles(self) -> list[tuple[int, int, int, int]]:
        """(row0, col0, rows, cols) of every output tile, row by row."""
        rows, cols = self.shape
        return [(r, c, min(self.tile, rows - r), min(self.tile, cols - c))
                for r in range(0, rows, self.tile) for c in range(0, cols, self.tile)]


def layout_for(shape: tuple[int, int], kernel: np.ndarray, tile_px: int = DEFAULT_TILE_PX) -> ConvLayout:
    """The layout for a (2R+1)² kernel: window = next fast FFT length ≥ tile_px + 2R."""
    if kernel.ndim != 2 or kernel.shape[0] != kernel.shape[1] or kernel.shape[0] % 2 != 1:
        raise ValueError(f"kernel of shape {kernel.shape} is not square with an odd side")
    radius = kernel.shape[0] // 2
    window = scipy.fft.next_fast_len(tile_px + 2 * radius, real=True)
    return ConvLayout(shape=(int(shape[0]), int(shape[1])), radius=radius, tile=window - 2 * radius)


def pad_signal(signal: np.ndarray, layout: ConvLayout, out: np.ndarray | None = None) -> np.ndarray:
    """The signal NaN-padded to `layout.padded_shape` (written into `out` when given, e.g. a memmap)."""
    padded = np.full(layout.padded_shape, np.nan) if out is None else out
    if out is not None:
        padded[...] = np.nan
    r = layout.radius
    padded[r:r + signal.shape[0], r:r + signal.shape[1]] = signal
    return padded


def kernel_spectrum(kernel: np.ndarray, window: int) -> np.ndarray:
    """rFFT of the kernel zero-padded to the window (its top-left corner at the origin)."""
    padded = np.zeros((window, window))
    padded[:kernel.shape[0], :kernel.shape[1]] = kernel
    return scipy.fft.rfft2(padded)


def convolve_window(window: np.ndarray, spectrum: np.ndarray, kernel_sum: float, radius: int,
                    rows: int, cols: int) -> np.ndarray:
    """The (rows, cols) output tile of one padded window (NaN = nodata), edge-normalised.

    Cells that are NaN in the signal stay NaN; others are Σ K·s / Σ K·valid × ΣK.
    """
    n = window.shape[0]
    valid = np.isfinite(window)
    s = np.where(valid, window, 0.0)
    cut = (slice(2 * radius, 2 * radius + rows), slice(2 * radius, 2 * radius + cols))
    num = scipy.fft.irfft2(scipy.fft.rfft2(s) * spectrum, s=(n, n))[cut]
    den = scipy.fft.irfft2(scipy.fft.rfft2(valid.astype(np.float64)) * spectrum, s=(n, n))[cut]
    num[np.isclose(num, _TOL_TO_ZERO)] = 0.0
    centre = valid[radius:radius + rows, radius:radius + cols]
    out = np.full((rows, cols), np.nan)
    ok = centre & (den > 0)
    out[ok] = num[ok] / den[ok] * kernel_sum
    return out


def convolve_tile(padded: np.ndarray, out: np.ndarray, layout: ConvLayout, spectrum: np.ndarray,
                  kernel_sum: float, tile: tuple[int, int, int, int]) -> None:
    """Convolve one tile of `padded` into `out` (arrays or memmaps)."""
    r0, c0, rows, cols = tile
    w = layout.window
    out[r0:r0 + rows, c0:c0 + cols] = convolve_window(
        np.asarray(padded[r0:r0 + w, c0:c0 + w], dtype=np.float64), spectrum, kernel_sum,
        layout.radius, rows, cols)


def convolve_ignore_nodata(signal: np.ndarray, kernel: np.ndarray, *,
                           tile_px: int = DEFAULT_TILE_PX) -> np.ndarray:
    """pygeoprocessing's convolve_2d(ignore_nodata_and_edges=True, mask_nodata=True), in this process."""
    signal = np.asarray(signal, dtype=np.float64)
    layout = layout_for(signal.shape, kernel, tile_px)
    padded = pad_signal(signal, layout)
    spectrum = kernel_spectrum(kernel, layout.window)
    ksum = float(kernel.sum())
    out = np.full(signal.shape, np.nan)
    for tile in layout.tiles():
        convolve_tile(padded, out, layout, spectrum, ksum, tile)
    return out


# --- the same windows as independent tasks over memory-mapped .npy files (for Dask) -------------

@dataclass(frozen=True)
class ConvTask:
    """One batch of tiles: read windows from `padded_path`, write tiles into `out_path` (.npy memmaps)."""

    padded_path: str
    out_path: str
    kernel_path: str
    layout: ConvLayout
    tiles: tuple[tuple[int, int, int, int], ...]


def run_conv_task(task: ConvTask) -> int:
    """Worker side of a ConvTask; returns the number of tiles written."""
    kernel = np.load(task.kernel_path)
    spectrum = kernel_spectrum(kernel, task.layout.window)
    padded = np.load(task.padded_path, mmap_mode="r")
    out = np.load(task.out_path, mmap_mode="r+")
    for tile in task.tiles:
        convolve_tile(padded, out, task.layout, spectrum, float(kernel.sum()), tile)
    out.flush()
    return len(task.tiles)


def convolve_on_files(signal: np.ndarray, kernel: np.ndarray, workdir: Path, name: str,
                      mapper: Callable[[Callable, Sequence], list], *,
                      tile_px: int = DEFAULT_TILE_PX, tasks_per_worker: int = 2,
                      workers: int = 2) -> np.ndarray:
    """`convolve_ignore_nodata` with the tiles run by `mapper(fn, items)` (e.g. Dask) over files.

    Same layout, same windows, same bits as the in-process version. Tiles are grouped into
    about `workers × tasks_per_worker` tasks so each task computes the kernel spectrum once.
    """
    signal = np.asarray(signal, dtype=np.float64)
    layout = layout_for(signal.shape, kernel, tile_px)
    workdir.mkdir(parents=True, exist_ok=True)
    padded_path, out_path, kernel_path = (workdir / f"{name}_{k}.npy" for k in ("in", "out", "kernel"))
    padded = np.lib.format.open_memmap(padded_path, mode="w+", dtype=np.float64, shape=layout.padded_shape)
    pad_signal(signal, layout, out=padded)
    padded.flush()
    del padded
    out = np.lib.format.open_memmap(out_path, mode="w+", dtype=np.float64, shape=signal.shape)
    out[...] = np.nan
    out.flush()
    del out
    np.save(kernel_path, kernel)
    tiles = layout.tiles()
    n_tasks = max(1, min(len(tiles), workers * tasks_per_worker))
    batches = [tuple(tiles[i::n_tasks]) for i in range(n_tasks)]
    mapper(run_conv_task, [ConvTask(str(padded_path), str(out_path), str(kernel_path), layout, b)
                           for b in batches])
    result = np.array(np.load(out_path, mmap_mode="r"))
    for p in (padded_path, out_path, kernel_path):
        p.unlink(missing_ok=True)
    return result
