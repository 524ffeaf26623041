"""Pure domain rules: regions, naming, filters, lifecycle. No I/O."""
