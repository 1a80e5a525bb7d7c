"""The client's reading of the wire: SSE frames, typed events (unknown names and fields
ignored), problem documents, and the CLI's transcript of a stream."""

from __future__ import annotations

from rich.columns import Columns
from rich.markdown import Markdown

from switchboard.cli.chat import Transcript, _render
from switchboard.client.errors import from_problem
from switchboard.client.events import Delta, MessageEnd, MessageStart, StreamError, Usage, parse
from switchboard.client.sse import frames


def test_frames_skip_comments_and_join_data_lines() -> None:
    lines = [": keep-alive", "", "event: delta", 'data: {"text":', 'data: "hi"}', "", "data: x"]
    assert list(frames(lines)) == [("delta", '{"text":\n"hi"}'), ("message", "x")]


def test_events_ignore_what_they_do_not_know() -> None:
    assert parse("delta", '{"text": "a", "lane": 1, "new_field": 3}') == Delta("a", lane=1)
    assert parse("some.future.event", "{}") is None
    end = parse(
        "message.end",
        '{"message_id": "m", "status": "complete", "usage": {"input_tokens": 1,'
        ' "output_tokens": 2, "cached_tokens": 0}}',
    )
    assert isinstance(end, MessageEnd) and end.usage == Usage(1, 2, 0)


def test_problem_documents_become_errors_with_code_and_status() -> None:
    error = from_problem(404, {"type": "about:blank", "code": "not_found", "detail": "Nothing."})
    assert (error.code, error.status, error.detail) == ("not_found", 404, "Nothing.")
    assert from_problem(502, "<html>").code == "http_error"


def _start(lane: int | None, model: str) -> MessageStart:
    return MessageStart("c1", f"m{lane}", "u", model, "openai", "request", lane=lane)


def test_a_transcript_renders_one_answer_as_markdown_and_lanes_as_columns() -> None:
    single = Transcript()
    for event in (_start(None, "openai/gpt-4o"), Delta("**hi**")):
        single.take(event)
    assert isinstance(_render(single), Markdown)
    assert single.footer() == "[openai/gpt-4o (key: request)] conversation c1"
    lanes = Transcript()
    for event in (_start(0, "a/x"), _start(1, "b/y"), Delta("one", lane=0), Delta("two", lane=1)):
        lanes.take(event)
    assert isinstance(_render(lanes), Columns)
    assert lanes.text == {0: "one", 1: "two"}


def test_a_stream_error_fails_the_transcript() -> None:
    transcript = Transcript()
    transcript.take(StreamError("invalid_credentials", "The key was refused."))
    assert transcript.failed
    assert transcript.notes == ["error: The key was refused. [invalid_credentials]"]
