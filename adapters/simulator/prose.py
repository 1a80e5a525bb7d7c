"""Replies that read like answers: the simulator's ``prose`` style, used by the offline demo.

The default (``describe``) reply is a one-line report of the context for tests to assert on;
a person trying the demo, or judging a blind compare, needs an answer instead. A prose reply
is markdown shaped by what the prompt asks for (a table, a fenced code block, a list, or plain
paragraphs), written in one of a few voices chosen from the model id, so two models answer the
same prompt differently and the same model always answers it the same way. It ends with an
italic footer carrying the facts that show the context arrived (message count, system prompt,
images), and never names the model, so a blind compare stays blind.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Final, Literal

if TYPE_CHECKING:
    from adapters.simulator.conversation import Conversation

VoiceName = Literal["concise", "thorough", "friendly"]
CodeLanguage = Literal["python", "javascript", "sql", "bash"]

TOPIC_CHARS: Final = 70
TOOL_RESULT_CHARS: Final = 200
_VOICE_SALT: Final = b"voice:"
"""Hashed with the model id; chosen so the usual compare trio (GPT-4o, Claude Sonnet, Gemini
Flash) gets three different voices."""

_TABLE: Final = re.compile(r"\b(tables?|tabular|compare|comparison|versus|vs)\b", re.IGNORECASE)
# "code review" or "code of conduct" are topics, not requests for code.
_CODE: Final = re.compile(
    r"\b(code(?!\s+(?:reviews?|of\s+conduct))|python|function|script|snippet|javascript"
    r"|typescript|js|sql|bash|shell)\b",
    re.IGNORECASE,
)
_LIST: Final = re.compile(r"\b(lists?|bullets?|checklist|ideas|tips|habits)\b", re.IGNORECASE)
_STEPS: Final = re.compile(r"\b(steps?|how to)\b", re.IGNORECASE)
# A language the prompt names outright; first match wins, so "python" beats a mentioned database.
_LANGUAGES: Final[tuple[tuple[re.Pattern[str], CodeLanguage], ...]] = (
    (re.compile(r"\bpython\b", re.IGNORECASE), "python"),
    (re.compile(r"\b(javascript|typescript|js|node)\b", re.IGNORECASE), "javascript"),
    (re.compile(r"\bsql\b", re.IGNORECASE), "sql"),
    (re.compile(r"\b(bash|shell)\b", re.IGNORECASE), "bash"),
)
_MARKDOWN_SPECIAL: Final = re.compile(r"([\\`*_\[\]|<>#~])")
_WORD: Final = re.compile(r"[a-z0-9]+")
_NOT_A_NAME: Final = frozenset(
    re.findall(
        r"\w+",
        "a an and the to of for in on with me my please write give show make create can you "
        "could would i we some that this it is be code python function script snippet "
        "javascript typescript js sql query bash shell how what which simple small short quick",
    )
)


@dataclass(frozen=True, slots=True)
class Voice:
    """How one model tends to answer: openings, how much it says, how it closes."""

    name: VoiceName
    opening: Callable[[str], str]
    follow_up: Callable[[int], str]
    body: tuple[str, ...]
    list_items: int
    table_rows: int
    code_note: str
    closing: str


def _plural(count: int, word: str) -> str:
    return f"{count} {word}" if count == 1 else f"{count} {word}s"


VOICES: Final[tuple[Voice, ...]] = (
    Voice(
        name="concise",
        opening=lambda topic: f"Here is the short answer to {topic}.",
        follow_up=lambda earlier: "Building on what we covered so far.",
        body=(
            "Start from the goal, keep the first version small, and check it against a real "
            "example before building on it.",
        ),
        list_items=3,
        table_rows=3,
        code_note="",
        closing="",
    ),
    Voice(
        name="thorough",
        opening=lambda topic: (
            f"Let's work through {topic} step by step, from what matters most to the trade-offs."
        ),
        follow_up=lambda earlier: (
            f"I have taken the earlier {_plural(earlier, 'message')} of this conversation "
            "into account."
        ),
        body=(
            "The first thing to pin down is what a good outcome looks like: who relies on it, "
            "what they need from it, and how you will know it works. Once that is settled, "
            "most of the remaining choices become much easier.",
            "The second is sequencing. A small version that works end to end teaches more than "
            "a complete design on paper, so build that first, measure it, and let what you "
            "learn decide the next step.",
        ),
        list_items=5,
        table_rows=4,
        code_note="It is small on purpose: easy to read, easy to test, and easy to adapt once "
        "you know your real inputs.",
        closing="**Trade-offs.** Starting small costs a little time up front but keeps later "
        "decisions reversible; when the stakes are high, add a review before each change.",
    ),
    Voice(
        name="friendly",
        opening=lambda topic: f"Great question! Happy to help with {topic}.",
        follow_up=lambda earlier: "Thanks for the follow-up; I kept our earlier messages in mind.",
        body=(
            "The easiest way in is to start small: get one simple version working, try it on a "
            "real example, and improve it from there. You will learn a lot from that first round.",
        ),
        list_items=4,
        table_rows=3,
        code_note="Give it a spin and adapt it to your own data.",
        closing="Want me to go deeper on any part of this?",
    ),
)

_LIST_ITEMS: Final = (
    "**Clarify the goal.** Write down what a good result looks like.",
    "**Start small.** Build the simplest version that works end to end.",
    "**Check it.** Try it on a real example and note what surprises you.",
    "**Improve.** Fix the biggest problem first, then repeat.",
    "**Share it.** Tell the people affected what changed and why.",
)
_TABLE_ROWS: Final = (
    ("Getting started", "How quickly a first version works", "Early feedback is cheap"),
    ("Day-to-day use", "How easy it is to change", "Most of the time is spent here"),
    ("Growth", "How it behaves with more users or data", "Avoids a costly rewrite"),
    ("Cost", "What it takes to run and maintain", "Keeps the choice sustainable"),
)


def voice_for(model: str) -> Voice:
    """The model's voice: a stable hash of its id, so it never changes between runs."""
    digest = hashlib.sha256(_VOICE_SALT + model.encode()).digest()
    return VOICES[digest[0] % len(VOICES)]


def topic_of(text: str, images: int) -> str:
    """The prompt, quoted and cut short (markdown characters escaped), for the opening line."""
    words = " ".join(text.split()).rstrip("?!.:;, ")
    if not words:
        return "the image you shared" if images else "your message"
    if len(words) > TOPIC_CHARS:
        cut = words[:TOPIC_CHARS].rsplit(" ", 1)[0] or words[:TOPIC_CHARS]
        words = cut.rstrip(",;: ") + "\u2026"
    return "\u201c" + _MARKDOWN_SPECIAL.sub(r"\\\1", words) + "\u201d"


def language_of(text: str) -> CodeLanguage:
    """Which language a code request means; Python unless another one is named."""
    for pattern, language in _LANGUAGES:
        if pattern.search(text):
            return language
    return "python"


def name_of(text: str) -> str:
    """A snake_case function name from the prompt's content words ("solve" if none)."""
    words = [w for w in _WORD.findall(text.lower()) if w not in _NOT_A_NAME and not w[0].isdigit()]
    return "_".join(words[:3]) or "solve"


def code_block(text: str) -> str:
    """A small, correct example in the language the prompt asks for."""
    language = language_of(text)
    name = name_of(text)
    if language == "javascript":
        camel = re.sub(r"_(\w)", lambda m: m.group(1).upper(), name)
        body = (
            f"function {camel}(items) {{\n"
            "  const cleaned = items.map((item) => item.trim()).filter(Boolean);\n"
            "  return [...new Set(cleaned)].sort();\n"
            "}\n"
        )
    elif language == "sql":
        body = (
            "SELECT category, COUNT(*) AS total\n"
            "FROM items\n"
            "GROUP BY category\n"
            "ORDER BY total DESC;\n"
        )
    elif language == "bash":
        body = '#!/usr/bin/env bash\nset -euo pipefail\n\nsort -u "${1:?usage: $0 FILE}"\n'
    else:
        body = (
            f"def {name}(items: list[str]) -> list[str]:\n"
            '    """Trimmed, de-duplicated items in a stable order."""\n'
            "    cleaned = (item.strip() for item in items)\n"
            "    return sorted({item for item in cleaned if item})\n"
        )
    return f"```{language}\n{body}```"


def bullet_list(voice: Voice, ordered: bool) -> str:
    items = _LIST_ITEMS[: voice.list_items]
    if ordered:
        return "\n".join(f"{n}. {item}" for n, item in enumerate(items, 1))
    return "\n".join(f"- {item}" for item in items)


def table(voice: Voice) -> str:
    rows = [
        "| Aspect | What to look for | Why it matters |",
        "| --- | --- | --- |",
        *(f"| {a} | {b} | {c} |" for a, b, c in _TABLE_ROWS[: voice.table_rows]),
    ]
    return "\n".join(rows)


def footer(conv: Conversation) -> str:
    """The facts line: enough for a person to see that history, system and images arrived."""
    facts = [
        f"context: {_plural(len(conv.roles), 'message')}",
        f"system prompt: {'yes' if conv.has_system else 'no'}",
        f"images: {conv.images}",
    ]
    if conv.last_is_tool_result:
        facts.append("tool result: yes")
    return "_" + ", ".join(facts) + "_"


def compose(model: str, conv: Conversation) -> str:
    """The prose reply for a conversation: deterministic in the model id and the context."""
    voice = voice_for(model)
    prompt = conv.last_user_text
    opening = [voice.opening(topic_of(prompt, conv.images))]
    earlier = len(conv.roles) - 1
    if earlier > 0:
        opening.append(voice.follow_up(earlier))
    if conv.images:
        attached = "image" if conv.images == 1 else f"{conv.images} images"
        opening.append(f"I looked at the {attached} you attached.")
    if conv.has_system:
        opening.append("I followed the instructions set for this conversation.")
    blocks = [" ".join(opening)]
    if conv.last_is_tool_result:
        quoted = " ".join(conv.tool_result_text.split())[:TOOL_RESULT_CHARS] or "(empty)"
        blocks.append(
            f"The tool returned:\n\n> {quoted}\n\nBased on that result, here is my answer."
        )
    shaped = False
    wants_code = _CODE.search(prompt) is not None
    # "...from a list" in a code request names the input, not the shape of the answer.
    if _STEPS.search(prompt) or (_LIST.search(prompt) and not wants_code):
        blocks.append(bullet_list(voice, ordered=_STEPS.search(prompt) is not None))
        shaped = True
    if _TABLE.search(prompt):
        blocks.append(table(voice))
        shaped = True
    if wants_code:
        blocks.append(code_block(prompt))
        if voice.code_note:
            blocks.append(voice.code_note)
        shaped = True
    blocks.extend(voice.body[:1] if shaped else voice.body)
    if voice.closing:
        blocks.append(voice.closing)
    blocks.append(footer(conv))
    return "\n\n".join(blocks)
