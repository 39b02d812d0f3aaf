"""``HumeStreamOperator``: its inputs, and every argument checked before any connection is made.

The operator builds its ``HumeHook`` (and its S3 hook) inside ``execute``, with no attribute to inject a stub
through, so streaming itself is covered by the integration tests; here the connection id names no connection
at all, so reaching for Hume or S3 would raise something else than the expected ``AirflowFailException``.
"""

from __future__ import annotations

from typing import Any

import pytest
from airflow.sdk.exceptions import AirflowFailException, AirflowNotFoundException

from airflow_provider_hume.client import HumeValidationError, StreamInput
from airflow_provider_hume.operators.stream import HumeStreamOperator, build_inputs
from tests.unit.airflow.stubs import context

NO_CONNECTION = "hume_unit_no_such_connection"


def test_texts_get_numbered_ids_and_files_their_path() -> None:
    assert build_inputs(["hi", "yo"], ["/a.wav", "s3://b/c.wav"]) == [
        StreamInput(id="text-0", text="hi"),
        StreamInput(id="text-1", text="yo"),
        StreamInput(id="/a.wav", path="/a.wav"),
        StreamInput(id="s3://b/c.wav", uri="s3://b/c.wav"),
    ]


def test_dicts_give_their_own_ids_and_a_single_string_is_one_input() -> None:
    assert build_inputs({"greeting": "hi"}, {"call": "s3://b/c.wav"}) == [
        StreamInput(id="greeting", text="hi"),
        StreamInput(id="call", uri="s3://b/c.wav"),
    ]
    assert build_inputs("just one", None) == [StreamInput(id="text-0", text="just one")]


@pytest.mark.parametrize(
    ("texts", "files", "message"),
    [
        (["a"], ["text-0"], "input ids must be unique; repeated: text-0"),
        ({"x": "a"}, {"x": "/x.wav"}, "input ids must be unique; repeated: x"),
        ({"t": 5}, None, "texts['t'] must be a string (got int)"),
        (None, {"f": " "}, "files['f'] must be a path or an s3:// URI (got ' ')"),
        (None, {"f": "s3://b/dir/"}, "files['f'] must name one object, s3://bucket/key"),
        (None, {"f": "s3:///k.wav"}, "files['f'] must look like s3://bucket/key"),
    ],
)
def test_bad_inputs_name_the_input(texts: Any, files: Any, message: str) -> None:
    with pytest.raises(HumeValidationError) as error:
        build_inputs(texts, files)
    assert message in str(error.value)


def stream(**kwargs: Any) -> HumeStreamOperator:
    return HumeStreamOperator(task_id="stream", hume_conn_id=NO_CONNECTION, aws_conn_id=None, **kwargs)


@pytest.mark.parametrize(
    ("kwargs", "fragment"),
    [
        ({"texts": ["a"], "on_error": "ignore"}, "on_error must be one of fail, skip (got 'ignore')"),
        ({"texts": ["a"], "max_connections": 0}, "max_connections must be >= 1 (got 0)"),
        ({"texts": ["a"], "max_connections": True}, "max_connections must be an integer (got True)"),
        ({"texts": ["a"], "max_connections": "4"}, "max_connections must be an integer (got '4')"),
        ({"texts": ["a"], "stream_window_ms": 100}, "stream_window_ms must be between 500 and 10000"),
        ({"texts": ["a"], "models": {"smell": {}}}, "models has unknown model 'smell'"),
        ({"files": ["/a.wav"]}, "files need a media model in models: one of"),
        ({"files": ["/a.wav"], "models": {"language": {}}}, "files need a media model"),
        ({"texts": ["a"], "files": ["text-0"]}, "input ids must be unique"),
        ({"files": {"f": "s3://b/dir/"}, "models": {"prosody": {}}}, "files['f'] must name one object"),
    ],
)
def test_bad_arguments_fail_without_retries_before_any_connection(
    kwargs: dict[str, Any], fragment: str
) -> None:
    with pytest.raises(AirflowFailException) as failure:
        stream(**kwargs).execute(context())
    assert str(failure.value).startswith("Invalid HumeStreamOperator arguments: ")
    assert fragment in str(failure.value)


def test_an_output_key_that_is_not_a_uri_needs_a_bucket() -> None:
    with pytest.raises(AirflowFailException, match="output_s3_bucket is required"):
        stream(texts=["a"], output_s3_key="out/results.jsonl").execute(context())


def test_a_prefix_as_output_uri_fails_without_retries() -> None:
    with pytest.raises(AirflowFailException, match="output_s3_key must name one object"):
        stream(texts=["a"], output_s3_key="s3://bucket/out/").execute(context())


def test_valid_arguments_go_on_to_read_the_connection() -> None:
    """The counterpart of the tests above: valid arguments pass validation and reach the hook."""
    with pytest.raises(AirflowNotFoundException, match=NO_CONNECTION):
        stream(texts={"t": "hello"}, files={"f": "/a.wav"}, models={"prosody": {}, "language": {}}).execute(
            context()
        )
