"""Sampling parameters: every provider sends the ones its wire has and names the ones it has not."""

from __future__ import annotations

from adapters.anthropic.provider import AnthropicProvider
from adapters.gemini.provider import GeminiProvider
from adapters.oauth.claude_code import ClaudeCodeProvider
from adapters.oauth.code_assist import wrap_request
from adapters.openai_chat.groq import GroqProvider
from adapters.openai_chat.openai import OpenAIProvider
from adapters.types import ChatRequest, Message, Text

SAMPLED = ChatRequest(
    model="m",
    messages=(Message("system", (Text("Be terse."),)), Message("user", (Text("Hi"),))),
    max_output_tokens=64,
    temperature=0.4,
    top_p=0.7,
)


def test_openai_and_groq_put_temperature_and_top_p_on_the_request() -> None:
    for provider in (OpenAIProvider(), GroqProvider()):
        params = provider.request_params(SAMPLED)
        assert (params["temperature"], params["top_p"]) == (0.4, 0.7)
        assert params["max_completion_tokens"] == 64
        assert provider.ignored_parameters(SAMPLED) == ()


def test_unset_parameters_are_left_to_the_provider() -> None:
    params = OpenAIProvider().request_params(ChatRequest(model="m", messages=SAMPLED.messages))
    assert "temperature" not in params and "top_p" not in params


def test_gemini_cli_puts_them_in_the_generation_config() -> None:
    body = wrap_request(SAMPLED, project="p", session_id="s")
    request = body["request"]
    assert isinstance(request, dict)
    assert request["generationConfig"] == {"maxOutputTokens": 64, "temperature": 0.4, "topP": 0.7}
    assert GeminiProvider().ignored_parameters(SAMPLED) == ()


def test_anthropic_names_the_parameters_it_cannot_send() -> None:
    for provider in (AnthropicProvider(), ClaudeCodeProvider()):
        assert provider.ignored_parameters(SAMPLED) == ("temperature", "top_p")
        assert provider.ignored_parameters(ChatRequest(model="m", messages=())) == ()
