import renamed  # raises
