"""numext's ufuncs on xarray (numpy- and dask-backed, through xr.apply_ufunc)
and on pandas Series/DataFrames (through __array_ufunc__): labels kept, values
exactly NumPy's."""

from __future__ import annotations

import numpy as np
import pytest

import numext
from helpers import assert_same_array, random_array

# -- pandas --------------------------------------------------------------------


@pytest.fixture(scope="module")
def pd():
    return pytest.importorskip("pandas")


@pytest.mark.parametrize("dtype", ["uint8", "int32", "float32", "float64"])
def test_series_keeps_index_and_name(pd, dtype):
    values = random_array(50, dtype)
    index = pd.date_range("2024-01-01", periods=50, freq="h")
    s = pd.Series(values, index=index, name="pixels")
    result = numext.double_pixels(s)
    assert isinstance(result, pd.Series)
    assert result.index.equals(s.index)
    assert result.name == "pixels"
    assert_same_array(result.to_numpy(), values * 2)
    pd.testing.assert_series_equal(result, s * 2)


def test_dataframe_keeps_index_columns_and_dtypes(pd):
    df = pd.DataFrame(
        {
            "u8": random_array(20, "uint8", 1),
            "i16": random_array(20, "int16", 2),
            "f32": random_array(20, "float32", 3),
            "f64": random_array(20, "float64", 4),
        },
        index=pd.Index([f"row{i}" for i in range(20)], name="id"),
    )
    result = numext.double_pixels(df)
    assert isinstance(result, pd.DataFrame)
    assert result.index.equals(df.index)
    assert result.columns.equals(df.columns)
    assert list(result.dtypes) == list((df * 2).dtypes)
    for column in df.columns:
        assert_same_array(result[column].to_numpy(), df[column].to_numpy() * 2)
    pd.testing.assert_frame_equal(result, df * 2)


def test_series_nan_and_nullable(pd):
    s = pd.Series([1.5, np.nan, -3.0], index=[3, 1, 2])
    pd.testing.assert_series_equal(numext.double_pixels(s), s * 2)
    nullable = pd.Series([1, None, 3], dtype="Int64")
    pd.testing.assert_series_equal(numext.double_pixels(nullable), nullable * 2)


def test_dataframe_row_sums_through_numpy(pd):
    # parallel_sum is a gufunc; pandas does not apply gufuncs to DataFrames,
    # so sum the values and put the index back.
    df = pd.DataFrame(random_array((30, 7), "float64"), columns=list("abcdefg"))
    row_sums = pd.Series(numext.parallel_sum(df.to_numpy()), index=df.index)
    assert_same_array(row_sums.to_numpy(), np.sum(df.to_numpy(), axis=-1))
    series_sum = numext.parallel_sum(df["a"].to_numpy())
    assert series_sum == np.sum(df["a"].to_numpy())


# -- xarray --------------------------------------------------------------------


@pytest.fixture(scope="module")
def xr():
    return pytest.importorskip("xarray")


@pytest.fixture(scope="module")
def need_dask():
    pytest.importorskip("dask.array")


def make_dataarray(xr, dtype, shape=(6, 40, 300)):
    values = random_array(shape, dtype)
    return xr.DataArray(
        values,
        dims=("time", "y", "x"),
        coords={"time": np.arange(shape[0]), "y": np.linspace(0, 1, shape[1]), "x": np.arange(shape[2])},
        name="image",
    )


def test_dataarray_direct_call_keeps_coords(xr):
    arr = make_dataarray(xr, "uint8")
    result = numext.double_pixels(arr)
    assert isinstance(result, xr.DataArray)
    assert result.dims == arr.dims
    xr.testing.assert_identical(result.coords.to_dataset(), arr.coords.to_dataset())
    assert_same_array(result.values, arr.values * 2)


@pytest.mark.parametrize("dtype", ["uint8", "float32", "float64"])
def test_apply_ufunc_double_pixels_dask_parallelized(xr, need_dask, dtype):
    arr = make_dataarray(xr, dtype).chunk({"time": 2, "y": 20})
    result = xr.apply_ufunc(
        numext.double_pixels,
        arr,
        dask="parallelized",
        output_dtypes=[arr.dtype],
    )
    assert result.chunks == arr.chunks  # lazy, blockwise
    computed = result.compute()
    assert computed.dims == arr.dims
    assert computed.coords["y"].equals(arr.coords["y"])
    assert_same_array(computed.values, arr.values * 2)


@pytest.mark.parametrize("dtype", ["float64", "float32", "int16"])
def test_apply_ufunc_parallel_sum_core_dim(xr, need_dask, dtype):
    arr = make_dataarray(xr, dtype).chunk({"time": 2, "y": 20, "x": -1})
    expected = np.sum(arr.values, axis=-1)
    result = xr.apply_ufunc(
        numext.parallel_sum,
        arr,
        input_core_dims=[["x"]],
        dask="parallelized",
        output_dtypes=[expected.dtype],
    )
    assert result.dims == ("time", "y")
    computed = result.compute()
    assert "x" not in computed.coords
    assert computed.coords["y"].equals(arr.coords["y"])
    assert_same_array(computed.values, expected)


def test_apply_ufunc_parallel_sum_other_core_dim(xr, need_dask):
    # The core dim is moved to the end by apply_ufunc: sum over "y".
    arr = make_dataarray(xr, "float64").chunk({"time": 3, "x": 100, "y": -1})
    result = xr.apply_ufunc(
        numext.parallel_sum,
        arr,
        input_core_dims=[["y"]],
        dask="parallelized",
        output_dtypes=[np.float64],
    )
    assert result.dims == ("time", "x")
    # Each block reaches numext as a strided view along "y"; numext sums it
    # pairwise, exactly as np.sum sums a contiguous copy (np.sum itself adds
    # strided rows one after another, with different rounding).
    expected = np.sum(np.ascontiguousarray(np.moveaxis(arr.values, 1, -1)), axis=-1)
    assert_same_array(result.compute().values, expected)


def test_apply_ufunc_split_core_dim(xr, need_dask):
    arr = make_dataarray(xr, "float64").chunk({"x": 100})
    kwargs = dict(input_core_dims=[["x"]], dask="parallelized", output_dtypes=[np.float64])
    with pytest.raises(ValueError):
        xr.apply_ufunc(numext.parallel_sum, arr, **kwargs)
    result = xr.apply_ufunc(
        numext.parallel_sum, arr, dask_gufunc_kwargs={"allow_rechunk": True}, **kwargs
    )
    assert_same_array(result.compute().values, np.sum(arr.values, axis=-1))


def test_apply_ufunc_dataset(xr, need_dask):
    ds = xr.Dataset(
        {
            "red": (("y", "x"), random_array((30, 200), "uint8", 1)),
            "green": (("y", "x"), random_array((30, 200), "uint8", 2)),
        }
    ).chunk({"y": 10})
    doubled = xr.apply_ufunc(numext.double_pixels, ds, dask="parallelized", output_dtypes=[np.uint8])
    sums = xr.apply_ufunc(
        numext.parallel_sum,
        ds,
        input_core_dims=[["x"]],
        dask="parallelized",
        output_dtypes=[np.uint64],
    )
    for name in ("red", "green"):
        values = ds[name].values
        assert_same_array(doubled[name].compute().values, values * 2)
        assert_same_array(sums[name].compute().values, np.sum(values, axis=-1))


def test_apply_ufunc_numpy_backed_with_threads(xr):
    arr = make_dataarray(xr, "float64")
    with numext.threads(1):
        one = xr.apply_ufunc(numext.parallel_sum, arr, input_core_dims=[["x"]])
    two = xr.apply_ufunc(numext.parallel_sum, arr, input_core_dims=[["x"]])
    assert_same_array(one.values, two.values)
    assert_same_array(two.values, np.sum(arr.values, axis=-1))
