"""Google Gemini (AI Studio keys): the provider, its translator and its error map."""
