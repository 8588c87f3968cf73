"""pandera.polars models of the frames in frames.py, and a validator that never raises.

The allowed canonical names come from the form's vocabulary (``pipelines.extract.vocabulary``).

Always validate a *collected* DataFrame: on a LazyFrame pandera checks only the schema, and every
data check silently passes (see stack-notes). ``validate_frame`` collects for you.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import pandera.polars as pa
import polars as pl
from pandera.errors import SchemaError, SchemaErrors

from pipelines.extract.vocabulary import canonical_names, vocabulary
from pipelines.frames import MONEY

SEVERITIES = ("info", "warning", "error")

# The plausible years, read from the form's vocabulary, where dbt's source test on raw.reports.year reads them too.
YEAR_MIN: int = vocabulary().raw["bounds"]["year"]["min"]
YEAR_MAX: int = vocabulary().raw["bounds"]["year"]["max"]
# A stated figure has at most 18 integer digits: every count then fits the BIGINT the marts cast it to
# (fct_permits), and a sum of them the DECIMAL(38, 4) of money; 10^18 yuan is a misread (China's GDP is ~10^14).
MAX_INTEGER_DIGITS = 18
MAX_VALUE = 10**MAX_INTEGER_DIGITS
# The checks (and columns) whose failure means a value out of range, with the rule in words; any other
# failure is an invalid frame.
RANGE_COLUMNS = frozenset({"value", "year", "n_warnings"})
RANGE_CHECKS = {
    "non_negative_except_signed": "only a change may be negative",
    "value_within_bounds": f"at most {MAX_INTEGER_DIGITS} integer digits",
}
VALUE_OUT_OF_RANGE = "value_out_of_range"
INVALID_FRAME = "invalid_frame"

@dataclass(frozen=True)
class Names:
    names: Mapping[str, frozenset[str]]
    pairs: frozenset[tuple[str, str]]  # allowed (item, measure)
    money_measures: frozenset[str]
    signed_measures: frozenset[str]


def load_names() -> Names:
    """The allowed canonical names, from the form's one vocabulary (pipelines/extract/vocabulary.json)."""
    v = vocabulary()
    pairs = frozenset((i.key, m) for i in v.items for ms in i.measures.values() for m in ms)
    return Names(canonical_names(), pairs, frozenset(v.money_measures), frozenset(v.signed_measures))


NAMES = load_names()
_N = NAMES.names
_PAIRS = sorted(f"{i}/{m}" for i, m in NAMES.pairs)
_HEX16 = r"^[0-9a-f]{16}$"


class ReportsModel(pa.DataFrameModel):
    report_id: str = pa.Field(str_matches=_HEX16, unique=True)
    source_file: str
    sha256: str = pa.Field(str_matches=r"^[0-9a-f]{64}$")
    agency: str = pa.Field(nullable=True)
    year: pl.Int32 = pa.Field(nullable=True, in_range={"min_value": YEAR_MIN, "max_value": YEAR_MAX})
    layout: str = pa.Field(isin=sorted(_N["layout"]))
    published_on: pl.Date = pa.Field(nullable=True)
    rendering: str = pa.Field(nullable=True)
    encoding: str = pa.Field(nullable=True)
    parser_version: str
    n_warnings: pl.Int32 = pa.Field(ge=0)

    class Config:
        strict = True

    @pa.dataframe_check
    def report_id_is_sha256_prefix(cls, data: pa.PolarsData) -> pl.LazyFrame:
        return data.lazyframe.select(pl.col("report_id") == pl.col("sha256").str.slice(0, 16))


class _Located(pa.DataFrameModel):
    """A cell's provenance: its line, and where the original says more (a PDF box, an HTML or Word cell)."""

    line: pl.Int32 = pa.Field(ge=1)
    page: pl.Int32 = pa.Field(nullable=True, ge=1)
    bbox: str = pa.Field(nullable=True, str_matches=r"^-?\d+(\.\d+)?(,-?\d+(\.\d+)?){3}$")
    table_no: pl.Int32 = pa.Field(nullable=True, ge=1)
    table_row: pl.Int32 = pa.Field(nullable=True, ge=1)
    table_col: pl.Int32 = pa.Field(nullable=True, ge=1)


class ProactiveModel(_Located):
    report_id: str = pa.Field(str_matches=_HEX16)
    item: str = pa.Field(isin=sorted(_N["item"]))
    measure: str = pa.Field(isin=sorted(_N["measure"]))
    value: MONEY  # type: ignore[valid-type]

    class Config:
        strict = True
        unique = ["report_id", "item", "measure"]

    @pa.dataframe_check
    def non_negative_except_signed(cls, data: pa.PolarsData) -> pl.LazyFrame:
        signed = sorted(NAMES.signed_measures)
        return data.lazyframe.select((pl.col("value") >= 0) | pl.col("measure").is_in(signed))

    @pa.dataframe_check
    def value_within_bounds(cls, data: pa.PolarsData) -> pl.LazyFrame:
        return data.lazyframe.select(pl.col("value").abs() < MAX_VALUE)

    @pa.dataframe_check
    def counts_are_whole(cls, data: pa.PolarsData) -> pl.LazyFrame:
        money = sorted(NAMES.money_measures)
        return data.lazyframe.select(
            pl.col("measure").is_in(money) | (pl.col("value") == pl.col("value").round(0))
        )

    @pa.dataframe_check
    def measure_belongs_to_item(cls, data: pa.PolarsData) -> pl.LazyFrame:
        return data.lazyframe.select(
            pl.concat_str([pl.col("item"), pl.lit("/"), pl.col("measure")]).is_in(_PAIRS)
        )


class ApplicationsModel(_Located):
    report_id: str = pa.Field(str_matches=_HEX16)
    row: str = pa.Field(isin=sorted(_N["row"]))
    applicant: str = pa.Field(isin=sorted(_N["applicant"]))
    value: pl.Int64 = pa.Field(ge=0, lt=MAX_VALUE)

    class Config:
        strict = True
        unique = ["report_id", "row", "applicant"]


class ReviewsModel(_Located):
    report_id: str = pa.Field(str_matches=_HEX16)
    proceeding: str = pa.Field(isin=sorted(_N["proceeding"]))
    outcome: str = pa.Field(isin=sorted(_N["outcome"]))
    value: pl.Int64 = pa.Field(ge=0, lt=MAX_VALUE)

    class Config:
        strict = True
        unique = ["report_id", "proceeding", "outcome"]


class IssuesModel(pa.DataFrameModel):
    report_id: str = pa.Field(str_matches=_HEX16)
    severity: str = pa.Field(isin=list(SEVERITIES))
    code: str
    message: str = pa.Field(nullable=True)
    line: pl.Int32 = pa.Field(nullable=True, ge=1)
    section: str = pa.Field(nullable=True, isin=["proactive", "applications", "reviews"])
    row_key: str = pa.Field(nullable=True)

    class Config:
        strict = True


MODELS: dict[str, type[pa.DataFrameModel]] = {
    "reports": ReportsModel,
    "proactive": ProactiveModel,
    "applications": ApplicationsModel,
    "reviews": ReviewsModel,
    "issues": IssuesModel,
}


@dataclass(frozen=True)
class Validation:
    """The outcome of validating one frame: pandera's failure cases and the offending rows."""

    table: str
    n_rows: int
    failure_cases: pl.DataFrame  # pandera's columns: failure_case, schema_context, column, check, ...
    offending_rows: pl.DataFrame  # the frame's failing rows, with `_row` and `_failed_checks`

    @property
    def passed(self) -> bool:
        return self.failure_cases.height == 0


_FAILURE_SCHEMA = {
    "failure_case": pl.String(),
    "schema_context": pl.String(),
    "column": pl.String(),
    "check": pl.String(),
    "check_number": pl.Int32(),
    "index": pl.Int32(),
}


def validate_frame(table: str, frame: pl.DataFrame | pl.LazyFrame) -> Validation:
    """Validate ``frame`` against the model of ``table`` with ``lazy=True``; never raises on bad data."""
    df = frame.collect() if isinstance(frame, pl.LazyFrame) else frame
    try:
        MODELS[table].validate(df, lazy=True)
    except SchemaErrors as exc:
        cases = exc.failure_cases
        if not isinstance(cases, pl.DataFrame):  # pragma: no cover - pandera's polars backend gives polars
            cases = pl.from_pandas(cases)
        cases = cases.with_columns(pl.col(c).cast(t) for c, t in _FAILURE_SCHEMA.items() if c in cases.columns)
    except SchemaError as exc:  # pragma: no cover - only raised when lazy=False
        cases = pl.DataFrame(
            {"failure_case": [str(exc)], "schema_context": ["DataFrameSchema"], "column": [None],
             "check": [str(getattr(exc, "check", ""))], "check_number": [None], "index": [None]},
            schema=_FAILURE_SCHEMA,
        )
    else:
        return Validation(table, df.height, pl.DataFrame(schema=_FAILURE_SCHEMA), df.clear())
    return Validation(table, df.height, cases, _offending_rows(df, cases))


def _offending_rows(df: pl.DataFrame, cases: pl.DataFrame) -> pl.DataFrame:
    if "index" not in cases.columns:
        return df.clear()
    by_row = (
        cases.filter(pl.col("index").is_not_null())
        .group_by("index")
        .agg(
            pl.concat_str([pl.col("column").fill_null(""), pl.lit(":"), pl.col("check")])
            .unique()
            .sort()
            .str.join(", ")
            .alias("_failed_checks")
        )
        .rename({"index": "_row"})
        .with_columns(pl.col("_row").cast(pl.UInt32))
    )
    return (
        df.with_row_index("_row")
        .join(by_row, on="_row", how="inner")
        .sort("_row")
    )
