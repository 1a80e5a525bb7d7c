"""``switchboard chat`` and ``switchboard compare``: stream answers to the terminal.

In a terminal the answer is rendered as Markdown by rich while it streams; piped, the text is
written as it comes, untouched. The key order of :mod:`switchboard.client.keys` applies, with
``--key-stdin`` as its first step. The line after the answer (on stderr) names the model, the
key source and the conversation, so ``--conversation`` can continue it.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from datetime import UTC, datetime

import click
from rich.columns import Columns
from rich.live import Live
from rich.markdown import Markdown
from rich.panel import Panel

from switchboard.cli.output import console, fail, is_tty
from switchboard.cli.secret_input import read_secret
from switchboard.client import (
    ChatEvent,
    Client,
    Delta,
    Fallback,
    MessageEnd,
    MessageStart,
    StreamError,
    SwitchboardError,
)
from switchboard.client.stored import record_last_used


def _prompt(words: tuple[str, ...]) -> str:
    """PROMPT, then whatever is piped in (``git diff | switchboard chat "review this"``)."""
    piped = "" if sys.stdin.isatty() else sys.stdin.read().strip()
    text = "\n\n".join(part for part in (" ".join(words).strip(), piped) if part)
    if not text:
        raise click.UsageError("Give a prompt, or pipe one on standard input.")
    return text


def _key(key_stdin: bool) -> str | None:
    return read_secret("key", from_stdin=True) if key_stdin else None


class Transcript:
    """What a stream said, per lane: text, who answered, and how it ended."""

    def __init__(self) -> None:
        self.text: dict[int, str] = {}
        self.start: dict[int, MessageStart] = {}
        self.notes: list[str] = []
        self.failed = False

    def take(self, event: ChatEvent) -> str:
        """Record ``event``; the text it adds (deltas only)."""
        lane = event.lane or 0
        if isinstance(event, MessageStart):
            self.start[lane] = event
        elif isinstance(event, Delta):
            self.text[lane] = self.text.get(lane, "") + event.text
            return event.text
        elif isinstance(event, Fallback):
            self.notes.append(f"lane {lane}: the platform key answered ({event.reason})")
        elif isinstance(event, StreamError):
            self.failed = True
            self.notes.append(f"error: {event.message} [{event.code}]")
        elif isinstance(event, MessageEnd) and event.status not in {"complete", "completed"}:
            self.notes.append(f"lane {lane}: ended {event.status}")
        return ""

    def footer(self) -> str:
        parts = [
            f"{s.model or 'hidden model'} (key: {s.key_source or '-'})"
            for _, s in sorted(self.start.items())
        ]
        conversation = next(iter(self.start.values())).conversation_id if self.start else "-"
        return f"[{'; '.join(parts)}] conversation {conversation}"


def _run(events: Iterator[ChatEvent]) -> Transcript:
    transcript = Transcript()
    if not is_tty():
        for event in events:
            if text := transcript.take(event):
                sys.stdout.write(text)
                sys.stdout.flush()
        sys.stdout.write("\n")
        return transcript
    with Live(console=console, refresh_per_second=12, vertical_overflow="visible") as live:
        for event in events:
            transcript.take(event)
            live.update(_render(transcript))
    return transcript


def _render(transcript: Transcript) -> Markdown | Columns:
    if len(transcript.text) <= 1 and len(transcript.start) <= 1:
        return Markdown(next(iter(transcript.text.values()), ""))
    panels = []
    for lane, start in sorted(transcript.start.items()):
        title = start.model or f"lane {lane}"
        panels.append(Panel(Markdown(transcript.text.get(lane, "")), title=title))
    return Columns(panels, equal=True, expand=True)


def _finish(transcript: Transcript) -> None:
    """Say how it went, and note when a local key (sent per request) was last used."""
    now = datetime.now(UTC).isoformat(timespec="seconds")
    for start in transcript.start.values():
        if start.key_source == "request" and start.provider:
            record_last_used(start.provider, now)
    for note in transcript.notes:
        click.echo(note, err=True)
    click.echo(transcript.footer(), err=True)
    if transcript.failed:
        raise SystemExit(1)


@click.command()
@click.argument("prompt", nargs=-1)
@click.option("-m", "--model", default=None, help="provider/model (default: `keys model`).")
@click.option("--conversation", default=None, help="Continue this conversation (its id).")
@click.option("--workspace", default=None, help="Workspace id (default: from `login`).")
@click.option("--key-stdin", is_flag=True, help="Read a key for this request from stdin.")
def chat(
    prompt: tuple[str, ...],
    model: str | None,
    conversation: str | None,
    workspace: str | None,
    key_stdin: bool,
) -> None:
    """Ask a model; the answer streams to the terminal (PROMPT or standard input)."""
    key = _key(key_stdin)
    text = _prompt(prompt)
    try:
        with Client(workspace=workspace, model=model) as client:
            transcript = _run(client.chat(text, conversation=conversation, key=key))
    except SwitchboardError as exc:
        fail(exc)
    _finish(transcript)


@click.command()
@click.argument("prompt", nargs=-1)
@click.option("-m", "--model", "models", multiple=True, required=True, help="Repeat: -m A -m B.")
@click.option("--blind", is_flag=True, help="Hide model names until you vote (in the web page).")
@click.option("--conversation", default=None, help="Continue this conversation (its id).")
@click.option("--workspace", default=None, help="Workspace id (default: from `login`).")
@click.option("--key-stdin", is_flag=True, help="Read a key (for the first model) from stdin.")
def compare(
    prompt: tuple[str, ...],
    models: tuple[str, ...],
    blind: bool,
    conversation: str | None,
    workspace: str | None,
    key_stdin: bool,
) -> None:
    """Ask several models at once; lanes side by side in a terminal, one after the other piped."""
    if len(models) < 2:
        raise click.UsageError("Compare needs at least two models: -m A -m B.")
    key = _key(key_stdin)
    text = _prompt(prompt)
    try:
        with Client(workspace=workspace) as client:
            events = client.compare(text, models, conversation=conversation, blind=blind, key=key)
            transcript = _run(events) if is_tty() else _run_lanes(events)
    except SwitchboardError as exc:
        fail(exc)
    _finish(transcript)


def _run_lanes(events: Iterator[ChatEvent]) -> Transcript:
    """Piped compare: every lane's whole text, in lane order, under a header line."""
    transcript = Transcript()
    for event in events:
        transcript.take(event)
    for lane, start in sorted(transcript.start.items()):
        click.echo(f"== lane {lane}: {start.model or 'hidden model'} ==")
        click.echo(transcript.text.get(lane, ""))
    return transcript
