"""The ``prose`` reply style: answers a person can read, still deterministic and still honest
about the context that arrived (a footer), while tests keep the ``describe`` style by default."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from anthropic import AsyncAnthropic
from google import genai
from google.genai import types
from openai import AsyncOpenAI

from adapters.simulator.catalogue import catalogue
from adapters.simulator.prose import VOICES, compose, voice_for
from adapters.simulator.replies import Conversation, estimate_tokens
from adapters.simulator.server import RunningSimulator, serve_in_thread
from tests.simulator.sim_helpers import HTTP, set_scenario

TABLE_ROW = re.compile(r"^\| .+ \|$", re.MULTILINE)
TABLE_RULE = re.compile(r"^\| --- \|", re.MULTILINE)
BULLET = re.compile(r"^- \S", re.MULTILINE)
NUMBERED = re.compile(r"^1\. \S", re.MULTILINE)
FENCE = re.compile(r"^```(\w+)\n.+?\n```$", re.MULTILINE | re.DOTALL)


def ask(text: str, **context: object) -> Conversation:
    conv = Conversation(roles=["user"], last_user_text=text)
    for name, value in context.items():
        setattr(conv, name, value)
    return conv


# --- the text itself ------------------------------------------------------------------------


def test_same_model_and_context_give_the_same_text() -> None:
    assert compose("gpt-4o", ask("Plan our launch")) == compose("gpt-4o", ask("Plan our launch"))


def test_the_usual_compare_trio_speaks_in_three_voices() -> None:
    trio = ("gpt-4o", "claude-sonnet-4-6", "gemini-2.5-flash")

    assert {voice_for(m).name for m in trio} == {v.name for v in VOICES}
    assert len({compose(m, ask("Plan our launch")) for m in trio}) == 3


def test_a_plain_question_gets_paragraphs_only() -> None:
    text = compose("gpt-4o", ask("Why is the sky blue?"))

    assert "“Why is the sky blue”" in text
    assert not FENCE.search(text) and not TABLE_ROW.search(text)
    assert not BULLET.search(text) and not NUMBERED.search(text)
    assert len(text.split("\n\n")) >= 3  # opening, body, footer


def test_a_table_request_gets_a_markdown_table() -> None:
    text = compose("claude-sonnet-4-6", ask("Compare the hosting options in a table"))

    assert TABLE_RULE.search(text)
    assert len(TABLE_ROW.findall(text)) >= 4  # header, rule and rows


@pytest.mark.parametrize(
    ("prompt", "language", "first_line"),
    [
        ("Write a python function to dedupe emails", "python", "def dedupe_emails("),
        ("Write a function that sorts names", "python", "def sorts_names("),
        ("Show me javascript code to dedupe tags", "javascript", "function dedupeTags(items) {"),
        ("Give me SQL code counting orders per category", "sql", "SELECT category"),
        ("A bash script to sort a file", "bash", "#!/usr/bin/env bash"),
        ("Python code to pick Postgres or MySQL", "python", "def pick_postgres_or("),
    ],
)
def test_a_code_request_gets_a_fenced_block_in_its_language(
    prompt: str, language: str, first_line: str
) -> None:
    block = FENCE.search(compose("gemini-2.5-flash", ask(prompt)))

    assert block is not None and block.group(1) == language
    assert block.group(0).split("\n")[1].startswith(first_line)


def test_steps_are_numbered_and_a_list_is_bulleted() -> None:
    assert NUMBERED.search(compose("gpt-4o", ask("What are the steps to rotate a key?")))
    assert BULLET.search(compose("gpt-4o", ask("List a few ideas for the offsite")))
    assert not BULLET.search(compose("gpt-4o", ask("Python code to dedupe a list")))


def test_code_as_a_topic_is_not_a_request_for_code() -> None:
    answer = compose("gpt-4o", ask("What are three good habits for code review?"))
    assert "```" not in answer
    assert BULLET.search(answer)


def test_the_footer_carries_the_context_facts() -> None:
    conv = ask("Look at these", has_system=True, images=2)
    conv.roles = ["user", "assistant", "user"]

    text = compose("gpt-4o", conv)

    assert text.endswith("\n\n_context: 3 messages, system prompt: yes, images: 2_")
    assert "2 images" in text


def test_a_tool_result_is_quoted_and_noted_in_the_footer() -> None:
    conv = ask("use the weather tool", last_is_tool_result=True, tool_result_text='{"temp": 21}')
    conv.roles = ["user", "assistant", "tool"]

    text = compose("claude-haiku-4-5", conv)

    assert '> {"temp": 21}' in text
    assert text.endswith("_context: 3 messages, system prompt: no, images: 0, tool result: yes_")


def test_the_prompt_cannot_inject_markup_into_the_opening() -> None:
    text = compose("gpt-4o", ask("hi `x` *y* | z # [link](javascript:alert(1))"))

    opening = text.split("\n\n")[0]
    assert "\\`x\\`" in opening and "\\*y\\*" in opening and "\\|" in opening
    assert "\\[link\\]" in opening


@pytest.mark.parametrize("model", sorted({m.id for m in catalogue().values()}))
def test_no_reply_names_its_model_so_blind_compare_stays_blind(model: str) -> None:
    text = compose(model, ask("Compare the options in a table, with python code"))

    assert model not in text


# --- through the wire -------------------------------------------------------------------------


def _openai(sim: RunningSimulator) -> AsyncOpenAI:
    return AsyncOpenAI(base_url=f"{sim.url}/v1", api_key="sk-test", max_retries=0)


async def test_tests_keep_the_describe_style_by_default(sim: RunningSimulator) -> None:
    answer = await _openai(sim).chat.completions.create(
        model="gpt-4o", messages=[{"role": "user", "content": "hello"}]
    )

    assert answer.choices[0].message.content == (
        "[openai/gpt-4o] messages=1 roles=user system=no images=0 last_user=hello"
    )


async def test_a_scenario_turns_prose_on_and_usage_counts_the_prose(sim: RunningSimulator) -> None:
    set_scenario(sim, model="*", style="prose")

    answer = await _openai(sim).chat.completions.create(
        model="gpt-4o",
        messages=[
            {"role": "system", "content": "be brief"},
            {"role": "user", "content": "List the steps to ship"},
        ],
    )

    text = answer.choices[0].message.content or ""
    assert NUMBERED.search(text)
    assert text.endswith("_context: 1 message, system prompt: yes, images: 0_")
    assert answer.usage is not None
    assert answer.usage.completion_tokens == estimate_tokens(len(text))


async def test_prose_streams_through_anthropic_and_gemini_unchanged(sim: RunningSimulator) -> None:
    set_scenario(sim, model="*", style="prose")
    prompt = "Compare the plans in a table"
    anthropic = AsyncAnthropic(base_url=sim.url, api_key="sk-ant-test", max_retries=0)
    gemini = genai.Client(api_key="AIza-test", http_options=types.HttpOptions(base_url=sim.url))

    async with anthropic.messages.stream(
        model="claude-sonnet-4-6", max_tokens=4_000, messages=[{"role": "user", "content": prompt}]
    ) as stream:
        claude_text = await stream.get_final_text()
    gemini_text = "".join(
        [
            chunk.text or ""
            async for chunk in await gemini.aio.models.generate_content_stream(
                model="gemini-2.5-flash", contents=prompt
            )
        ]
    )

    assert claude_text == compose("claude-sonnet-4-6", ask(prompt))
    assert gemini_text == compose("gemini-2.5-flash", ask(prompt))


async def test_a_small_max_tokens_cuts_prose_like_any_reply(sim: RunningSimulator) -> None:
    set_scenario(sim, model="*", style="prose")

    answer = await _openai(sim).chat.completions.create(
        model="gpt-4o", max_completion_tokens=5, messages=[{"role": "user", "content": "hi"}]
    )

    assert answer.choices[0].finish_reason == "length"
    assert answer.choices[0].message.content == compose("gpt-4o", ask("hi"))[:20]


def test_an_unknown_style_is_refused(sim: RunningSimulator) -> None:
    response = HTTP.post(f"{sim.url}/_simulator/scenario", json={"model": "*", "style": "poem"})

    assert response.status_code == 400
    assert "style" in response.json()["error"]


@pytest.fixture(scope="module")
def prose_sim() -> Iterator[RunningSimulator]:
    running = serve_in_thread(style="prose")
    try:
        yield running
    finally:
        running.stop()


async def test_a_simulator_started_in_prose_keeps_it_after_a_reset(
    prose_sim: RunningSimulator,
) -> None:
    HTTP.delete(f"{prose_sim.url}/_simulator/scenario")
    client = _openai(prose_sim)

    prose = await client.chat.completions.create(
        model="gpt-4o", messages=[{"role": "user", "content": "hello"}]
    )
    set_scenario(prose_sim, model="gpt-4o", style="describe")
    described = await client.chat.completions.create(
        model="gpt-4o", messages=[{"role": "user", "content": "hello"}]
    )
    shown = HTTP.get(f"{prose_sim.url}/_simulator/scenario").json()
    HTTP.delete(f"{prose_sim.url}/_simulator/scenario")

    assert prose.choices[0].message.content == compose("gpt-4o", ask("hello"))
    assert (described.choices[0].message.content or "").startswith("[openai/gpt-4o] messages=1")
    assert shown["style"] == "prose"
    assert shown["scenarios"][0]["style"] == "describe"
