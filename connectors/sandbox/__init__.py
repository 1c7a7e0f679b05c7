"""A stand-in national population registry: both faces of the contract over synthetic residents."""
