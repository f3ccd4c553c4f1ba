"""Hand-written data tables of the simulated world (chains, occupations, programs, skills)."""
