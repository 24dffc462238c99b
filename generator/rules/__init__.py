"""Pure domain logic: model → model. No I/O."""
