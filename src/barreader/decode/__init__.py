"""Per-symbology decoders: grey profile in, scored candidate codes out."""
