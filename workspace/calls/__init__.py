"""One model call from start to accounting: policy, key choice, fallback, holds and usage."""
