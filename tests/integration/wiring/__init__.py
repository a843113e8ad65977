"""How the parts are put together and started: the command line, the demo it seeds, and what a
started server writes."""
