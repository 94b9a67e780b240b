"""The formula language: tokenizer, parser, typed tree, checks, and compilation to Ibis."""
